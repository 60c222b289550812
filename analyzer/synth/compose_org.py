"""The ``organization/`` files of a bundle from a list of accounts, OUs and SCPs.

IDs (organization, root, OUs, custom SCPs) are derived from the management account and the
names, so the same description always yields the same organization.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from analyzer.synth import documents, ids, layout
from analyzer.synth import shapes_org as shapes

Json = dict[str, Any]
ROOT = "Root"


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberAccount:
    id: str
    name: str
    email: str
    joined: datetime
    ou: str | None = None  # None: directly under the root
    joined_method: str = "INVITED"
    state: str = "ACTIVE"


@dataclass(frozen=True, slots=True, kw_only=True)
class Scp:
    """A service control policy and where it is attached: ``Root``, an OU name or an account ID."""

    name: str
    document: Json
    targets: tuple[str, ...]
    description: str = ""
    aws_managed: bool = False


def full_aws_access(targets: Sequence[str]) -> Scp:
    return Scp(
        name="FullAWSAccess",
        document=documents.full_aws_access_scp(),
        targets=tuple(targets),
        description="Allows access to every operation",
        aws_managed=True,
    )


def organization_files(
    management_account_id: str,
    accounts: Sequence[MemberAccount],
    *,
    ous: Sequence[str],
    scps: Sequence[Scp],
    partition: str = "aws",
) -> dict[str, Json]:
    """describe-organization, list-accounts, list-roots and, per SCP, describe-policy and
    list-targets-for-policy. ``accounts`` includes the management account."""
    mgmt = next(a for a in accounts if a.id == management_account_id)
    org = ids.org_id(management_account_id)
    root = ids.org_root_id(org)
    ou_ids = {name: ids.org_unit_id(root, name) for name in ous}
    names = {ROOT: (root, ROOT)} | {n: (i, n) for n, i in ou_ids.items()} | {a.id: (a.id, a.name) for a in accounts}

    listed = [
        shapes.organization_account(
            org,
            management_account_id,
            a.id,
            a.name,
            a.email,
            joined=a.joined,
            parents=[root] + ([ou_ids[a.ou]] if a.ou else []),
            joined_method=a.joined_method,
            state=a.state,
            partition=partition,
        )
        for a in accounts
    ]
    files: dict[str, Json] = {
        layout.organization_path("describe-organization"): shapes.describe_organization(
            org, management_account_id, mgmt.email, partition=partition
        ),
        layout.organization_path("list-accounts"): shapes.list_accounts(listed),
        layout.organization_path("list-roots"): shapes.list_roots(
            org, management_account_id, root, partition=partition
        ),
    }
    for scp in scps:
        policy_id = "p-FullAWSAccess" if scp.aws_managed and scp.name == "FullAWSAccess" else ids.scp_id(org, scp.name)
        files[layout.org_policy_path(policy_id)] = shapes.describe_policy(
            policy_id,
            scp.name,
            scp.document,
            organization_id=org,
            management_account_id=management_account_id,
            description=scp.description,
            aws_managed=scp.aws_managed,
            partition=partition,
        )
        files[layout.org_targets_path(policy_id)] = shapes.list_targets_for_policy(
            [shapes.policy_target(org, management_account_id, *names[t], partition=partition) for t in scp.targets]
        )
    return files
