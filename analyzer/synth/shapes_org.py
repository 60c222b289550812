"""AWS Organizations and EC2 region outputs as AWS CLI v2 prints them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from analyzer.synth.ids import cli_timestamp

Json = dict[str, Any]
Document = Mapping[str, Any]

# --------------------------------------------------------------------------- Organizations


def describe_organization(
    organization_id: str,
    management_account_id: str,
    management_email: str,
    *,
    feature_set: str = "ALL",
    available_policy_types: Sequence[tuple[str, str]] = (("SERVICE_CONTROL_POLICY", "ENABLED"),),
    partition: str = "aws",
) -> Json:
    mgmt = management_account_id
    return {
        "Organization": {
            "Id": organization_id,
            "Arn": f"arn:{partition}:organizations::{mgmt}:organization/{organization_id}",
            "FeatureSet": feature_set,
            "MasterAccountArn": f"arn:{partition}:organizations::{mgmt}:account/{organization_id}/{mgmt}",
            "MasterAccountId": mgmt,
            "MasterAccountEmail": management_email,
            "AvailablePolicyTypes": [{"Type": t, "Status": s} for t, s in available_policy_types],
        }
    }


#: The retired ``Status`` each ``State`` reports alongside it.
_STATUS_OF_STATE = {
    "ACTIVE": "ACTIVE",
    "PENDING_ACTIVATION": "ACTIVE",
    "SUSPENDED": "SUSPENDED",
    "PENDING_CLOSURE": "PENDING_CLOSURE",
    "CLOSED": "SUSPENDED",
}


def organization_account(
    organization_id: str,
    management_account_id: str,
    account_id: str,
    name: str,
    email: str,
    *,
    joined: datetime,
    parents: Sequence[str],
    joined_method: str = "INVITED",
    state: str = "ACTIVE",
    with_status: bool = True,
    partition: str = "aws",
) -> Json:
    """An ``Accounts`` entry with both ``Status`` (retired 2026-09) and ``State``, and ``Paths``
    built from ``parents`` (the root ID, then OU IDs from the root down)."""
    entry: Json = {
        "Id": account_id,
        "Arn": f"arn:{partition}:organizations::{management_account_id}:account/{organization_id}/{account_id}",
        "Email": email,
        "Name": name,
    }
    if with_status:
        entry["Status"] = _STATUS_OF_STATE[state]
    entry["State"] = state
    entry["Paths"] = ["/".join([organization_id, *parents, account_id]) + "/"]
    entry["JoinedMethod"] = joined_method
    entry["JoinedTimestamp"] = cli_timestamp(joined)
    return entry


def list_accounts(accounts: Sequence[Json]) -> Json:
    return {"Accounts": list(accounts)}


def list_roots(
    organization_id: str,
    management_account_id: str,
    root_id: str,
    *,
    policy_types: Sequence[tuple[str, str]] = (("SERVICE_CONTROL_POLICY", "ENABLED"),),
    partition: str = "aws",
) -> Json:
    return {
        "Roots": [
            {
                "Id": root_id,
                "Arn": f"arn:{partition}:organizations::{management_account_id}:root/{organization_id}/{root_id}",
                "Name": "Root",
                "PolicyTypes": [{"Type": t, "Status": s} for t, s in policy_types],
            }
        ]
    }


def describe_policy(
    policy_id: str,
    name: str,
    content: str | Document,
    *,
    organization_id: str,
    management_account_id: str,
    description: str = "",
    aws_managed: bool = False,
    policy_type: str = "SERVICE_CONTROL_POLICY",
    partition: str = "aws",
) -> Json:
    """``describe-policy``: ``Content`` is JSON *text* (a mapping is written with 4-space
    indentation, as the console's policy editor saves it)."""
    folder = policy_type.lower()
    if aws_managed:
        arn = f"arn:{partition}:organizations::aws:policy/{folder}/{policy_id}"
    else:
        arn = f"arn:{partition}:organizations::{management_account_id}:policy/{organization_id}/{folder}/{policy_id}"
    text = content if isinstance(content, str) else json.dumps(content, indent=4)
    return {
        "Policy": {
            "PolicySummary": {
                "Id": policy_id,
                "Arn": arn,
                "Name": name,
                "Description": description,
                "Type": policy_type,
                "AwsManaged": aws_managed,
            },
            "Content": text,
        }
    }


def policy_target(
    organization_id: str, management_account_id: str, target_id: str, name: str, *, partition: str = "aws"
) -> Json:
    """A ``Targets`` entry; the type and ARN follow from the ID (``r-``, ``ou-`` or an account)."""
    prefix = f"arn:{partition}:organizations::{management_account_id}"
    if target_id.startswith("r-"):
        target_type, arn = "ROOT", f"{prefix}:root/{organization_id}/{target_id}"
    elif target_id.startswith("ou-"):
        target_type, arn = "ORGANIZATIONAL_UNIT", f"{prefix}:ou/{organization_id}/{target_id}"
    else:
        target_type, arn = "ACCOUNT", f"{prefix}:account/{organization_id}/{target_id}"
    return {"TargetId": target_id, "Arn": arn, "Name": name, "Type": target_type}


def list_targets_for_policy(targets: Sequence[Json]) -> Json:
    return {"Targets": list(targets)}


# --------------------------------------------------------------------------- EC2


def describe_regions(regions: Sequence[tuple[str, str]]) -> Json:
    """``describe-regions`` for (region, OptInStatus) pairs; the status is
    ``opt-in-not-required`` / ``opted-in`` (enabled) or ``not-opted-in`` (``--all-regions``)."""
    return {
        "Regions": [
            {"Endpoint": f"ec2.{name}.amazonaws.com", "RegionName": name, "OptInStatus": status}
            for name, status in regions
        ]
    }
