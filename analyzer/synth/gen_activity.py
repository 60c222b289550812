"""A small activity set for the accounts the ACT planters chose: two days of CloudTrail log files.

Only accounts named in ``plan.activity`` get activity evidence; every other account has none, so the
ACT rules leave it not evaluated (never passed). Each chosen account gets, in every region of the plan,
one log file a day (AWS Config's service-linked role describing instances, plus the planted records)
and a signed daily digest, under a copy of the central bucket's ``cloudtrail/`` prefix in the log
archive account's folder; the digests are signed with the published test key
(:mod:`analyzer.synth.activity_key`), whose public key goes into the Identity account's
``list-public-keys.json`` of each region.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from analyzer.activity.build import TrailWriter, public_keys_document, record
from analyzer.synth import ids, layout
from analyzer.synth.activity_key import synthetic_signing_key
from analyzer.synth.org_plan import TRAIL, TRAIL_PREFIX, OrgPlan

Json = dict[str, Any]
#: The evidence period (manifest ``activity_period``): the two days before the collection.
DAYS: tuple[datetime, ...] = (ids.utc("2026-11-18T00:00:00Z"), ids.utc("2026-11-19T00:00:00Z"))


def at_day(day: int, clock: str) -> datetime:
    return ids.utc(f"{DAYS[day]:%Y-%m-%d}T{clock}Z")


def role_session(role_arn: str, session: str, *, mfa: bool) -> Json:
    account, name = role_arn.split(":")[4], role_arn.rsplit("/", 1)[-1]
    partition = role_arn.split(":")[1]
    role_id = ids.unique_id("AROA", role_arn)
    return {
        "type": "AssumedRole",
        "principalId": f"{role_id}:{session}",
        "arn": f"arn:{partition}:sts::{account}:assumed-role/{name}/{session}",
        "accountId": account,
        "accessKeyId": ids.unique_id("ASIA", role_arn + session, 16),
        "sessionContext": {
            "sessionIssuer": {"type": "Role", "principalId": role_id, "arn": role_arn, "accountId": account},
            "attributes": {"creationDate": f"{DAYS[0]:%Y-%m-%dT%H:%M:%SZ}", "mfaAuthenticated": str(mfa).lower()},
        },
    }


def _baseline(plan: OrgPlan, account_id: str, region: str, day: int) -> list[Json]:
    config_role = ids.iam_arn(
        account_id, "role", "AWSServiceRoleForConfig", "/aws-service-role/config.amazonaws.com/", plan.partition
    )
    session = role_session(config_role, "AWSConfig-Describe", mfa=False)
    return [
        event("DescribeInstances", "ec2.amazonaws.com", at_day(day, clock), account_id, session, region)
        for clock in ("03:41:07", "15:41:07")
    ]


def event(name: str, source: str, when: datetime, account_id: str, identity: Json, region: str, **extra: Any) -> Json:
    """A record whose eventID is unique per account and region (``record`` with the plan's defaults)."""
    unique = ids.hex_token(f"event:{name}:{when}:{account_id}:{region}:{identity.get('arn')}", 32)
    return record(name, source, when, account_id, identity, region=region, event_id=unique, **extra)


def log_folder(plan: OrgPlan) -> str:
    """The bundle folder holding the copy of the central bucket's ``AWSLogs/`` tree."""
    return f"{plan.log_archive.id}/s3/{plan.bucket}/{TRAIL_PREFIX}"


def activity_files(plan: OrgPlan) -> dict[str, Any]:
    """The activity evidence of the accounts in ``plan.activity`` (empty when there are none)."""
    if not plan.activity:
        return {}
    files: dict[str, Any] = {}
    for account_id, activity in sorted(plan.activity.items()):
        for region in plan.regions:
            writer = _writer(plan, account_id, region, files)
            for day in range(len(DAYS)):
                found = _baseline(plan, account_id, region, day)
                found += [r for where, when, r in activity.records if (where, when) == (region, day)]
                found.sort(key=lambda r: (r["eventTime"], r["eventID"]))
                if (region, day) in activity.skipped:
                    continue  # a delivery gap: neither the day's log file nor its digest
                written = writer.log_file(_delivered(day), found)
                if (region, day) in activity.edited:  # the first record removed after delivery
                    edited = json.dumps({"Records": found[1:]}, separators=(",", ":")).encode()
                    files[f"{log_folder(plan)}/{written}"] = edited
                writer.digest(DAYS[day] + timedelta(days=1, minutes=30), hours=24)
    start, end = DAYS[0] - timedelta(days=30), DAYS[-1] + timedelta(days=60)
    keys = public_keys_document(synthetic_signing_key(), start, end)
    for entry in keys["PublicKeyList"]:
        entry["ValidityStartTime"], entry["ValidityEndTime"] = ids.cli_timestamp(start), ids.cli_timestamp(end)
    for region in plan.regions:
        files[layout.regional_path(plan.identity.id, region, "cloudtrail", "list-public-keys")] = keys
    return files


def _writer(plan: OrgPlan, account_id: str, region: str, files: dict[str, Any]) -> TrailWriter:
    return TrailWriter(
        Path(),
        log_folder(plan),
        plan.bucket,
        account_id,
        region,
        synthetic_signing_key(),
        trail=TRAIL,
        org=plan.organization_id if plan.org_trail else "",
        sink=files,
    )


def log_key(plan: OrgPlan, account_id: str, region: str, day: int) -> str:
    """The object key (from ``AWSLogs/`` on) of an account's log file of ``day`` in ``region``."""
    return _writer(plan, account_id, region, {}).log_key(_delivered(day))


def _delivered(day: int) -> datetime:
    return DAYS[day] + timedelta(hours=23, minutes=55)


def activity_period() -> Json:
    return {"start": f"{DAYS[0]:%Y-%m-%d}", "end": f"{DAYS[-1]:%Y-%m-%d}"}
