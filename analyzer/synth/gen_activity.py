"""Synthetic activity evidence: CloudTrail log files, signed digests, head-object and a bucket listing.

Two modes. By default only accounts named in ``plan.activity`` (chosen by an ACT planter) get activity,
two days of it: one log file a day in every region of the plan (AWS Config's service-linked role
describing instances, plus the planted records) and a signed daily digest; every other account has
none, so the ACT rules leave it not evaluated (never passed).

With ``trustmap synth --activity DAYS`` (``plan.activity_everywhere``) every account delivers over the
``DAYS`` days before the collection, as an organization's central bucket holds it: gzip log files
(``.json.gz``) delivered within minutes of their events, one per six-hour window that had events,
carrying the AWS Config service role's calls in every region and, in the home region, people's
sessions (console sign-ins with MFA in the Identity account, role sessions with MFA in the others)
and AWS services' calls; a signed digest a day per account and region (CloudTrail writes one an hour:
a day here, same checks, 24 times fewer files), chained; ``head-object`` output of each digest; and
``list-objects-v2`` output of the bucket's ``AWSLogs/`` tree, as the listing that proves delivery.

The planters' defects go into the same files: records, a day delivered neither log file nor digest
(``skipped``), a log file edited after delivery (``edited``), a digest deleted after delivery
(``dropped_digests``, which breaks the chain). The digests are signed with the published test key
(:mod:`analyzer.synth.activity_key`), whose public key goes into the Identity account's
``list-public-keys.json`` of each region.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from analyzer.activity.build import TrailWriter, public_keys_document, record
from analyzer.synth import ids, layout
from analyzer.synth.activity_key import synthetic_signing_key
from analyzer.synth.gen_iam import ADMIN_ROLE
from analyzer.synth.org_plan import TRAIL, TRAIL_PREFIX, AccountActivity, OrgPlan

Json = dict[str, Any]
#: Delivery windows of the --activity mode: a log file at the end of each six-hour window with events.
WINDOW_HOURS = 6
#: A log file reaches the bucket this long after its window closes ("within an average of about 5
#: minutes of an API call", AWS CloudTrail User Guide, "How CloudTrail works").
DELIVERY_DELAY = timedelta(minutes=5)


def at_day(plan: OrgPlan, day: int, clock: str) -> datetime:
    return ids.utc(f"{plan.activity_days[day]:%Y-%m-%d}T{clock}Z")


def role_session(role_arn: str, session: str, *, mfa: bool, created: datetime | None = None) -> Json:
    account, name = role_arn.split(":")[4], role_arn.rsplit("/", 1)[-1]
    partition = role_arn.split(":")[1]
    role_id = ids.unique_id("AROA", role_arn)
    since = created or ids.utc("2026-11-18T00:00:00Z")
    return {
        "type": "AssumedRole",
        "principalId": f"{role_id}:{session}",
        "arn": f"arn:{partition}:sts::{account}:assumed-role/{name}/{session}",
        "accountId": account,
        "accessKeyId": ids.unique_id("ASIA", role_arn + session, 16),
        "sessionContext": {
            "sessionIssuer": {"type": "Role", "principalId": role_id, "arn": role_arn, "accountId": account},
            "attributes": {"creationDate": f"{since:%Y-%m-%dT%H:%M:%SZ}", "mfaAuthenticated": str(mfa).lower()},
        },
    }


def _config_calls(plan: OrgPlan, account_id: str, region: str, day: int) -> list[Json]:
    config_role = ids.iam_arn(
        account_id, "role", "AWSServiceRoleForConfig", "/aws-service-role/config.amazonaws.com/", plan.partition
    )
    session = role_session(config_role, "AWSConfig-Describe", mfa=False)
    return [
        event("DescribeInstances", "ec2.amazonaws.com", at_day(plan, day, clock), account_id, session, region)
        for clock in ("03:41:07", "15:41:07")
    ]


def _people_calls(plan: OrgPlan, account_id: str, day: int) -> list[Json]:
    """The home region's working day in the --activity mode: nothing any ACT rule reports."""
    found: list[Json] = []
    people = [p for p in plan.people if p.console and p.mfa == "active"]
    if account_id == plan.identity.id and people:
        person = people[(day * 7) % len(people)]
        who = {
            "type": "IAMUser",
            "principalId": ids.unique_id("AIDA", person.name),
            "arn": ids.iam_arn(account_id, "user", person.name, partition=plan.partition),
            "accountId": account_id,
            "userName": person.name,
        }
        found.append(
            event(
                "ConsoleLogin",
                "signin.amazonaws.com",
                at_day(plan, day, "08:02:44"),
                account_id,
                who,
                plan.home,
                response={"ConsoleLogin": "Success"},
                additional={"MFAUsed": "Yes", "MobileVersion": "No", "LoginTo": "https://console.aws.amazon.com/"},
            )
        )
    else:
        admin = ids.iam_arn(account_id, "role", ADMIN_ROLE, partition=plan.partition)
        session = role_session(admin, f"oncall-{day}", mfa=True, created=at_day(plan, day, "09:00:00"))
        for clock, name, source in (
            ("09:14:02", "DescribeTrails", "cloudtrail.amazonaws.com"),
            ("09:15:40", "ListBuckets", "s3.amazonaws.com"),
            ("13:27:51", "DescribeInstances", "ec2.amazonaws.com"),
        ):
            found.append(event(name, source, at_day(plan, day, clock), account_id, session, plan.home))
    service = {"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"}
    found.append(
        event("GenerateDataKey", "kms.amazonaws.com", at_day(plan, day, "19:05:13"), account_id, service, plan.home)
    )
    return found


def event(name: str, source: str, when: datetime, account_id: str, identity: Json, region: str, **extra: Any) -> Json:
    """A record whose eventID is unique per account and region (``record`` with the plan's defaults)."""
    who = identity.get("arn") or identity.get("invokedBy")
    unique = ids.hex_token(f"event:{name}:{when}:{account_id}:{region}:{who}", 32)
    return record(name, source, when, account_id, identity, region=region, event_id=unique, **extra)


def log_folder(plan: OrgPlan) -> str:
    """The bundle folder holding the copy of the central bucket's ``AWSLogs/`` tree."""
    return f"{plan.log_archive.id}/s3/{plan.bucket}/{TRAIL_PREFIX}"


def _accounts(plan: OrgPlan) -> list[str]:
    if plan.activity_everywhere:
        return [a.id for a in plan.accounts]
    return sorted(plan.activity)


def day_files(plan: OrgPlan, account_id: str, region: str, day: int) -> list[tuple[datetime, list[Json]]]:
    """The log files an account delivers in a region on a day: (delivery time, records), in order."""
    activity = plan.activity.get(account_id, AccountActivity())
    found = _config_calls(plan, account_id, region, day)
    if plan.activity_everywhere and region == plan.home:
        found += _people_calls(plan, account_id, day)
    found += [r for where, when, r in activity.records if (where, when) == (region, day)]
    found.sort(key=lambda r: (r["eventTime"], r["eventID"]))
    if not plan.activity_everywhere:
        return [(plan.activity_days[day] + timedelta(hours=23, minutes=55), found)]
    windows: dict[int, list[Json]] = {}
    for entry in found:
        windows.setdefault(int(entry["eventTime"][11:13]) // WINDOW_HOURS, []).append(entry)
    start = plan.activity_days[day]
    return [
        (start + timedelta(hours=(w + 1) * WINDOW_HOURS) - DELIVERY_DELAY, entries)
        for w, entries in sorted(windows.items())
    ]


def log_keys(plan: OrgPlan, account_id: str, region: str, day: int) -> list[str]:
    """The object keys (from ``AWSLogs/`` on) of the log files of ``day_files``."""
    writer = _writer(plan, account_id, region, {})
    return [writer.log_key(delivered) for delivered, _ in day_files(plan, account_id, region, day)]


def digest_key(plan: OrgPlan, account_id: str, region: str, day: int) -> str:
    """The object key (from ``AWSLogs/`` on) of an account's digest of ``day`` in ``region``."""
    end = _digest_end(plan, day)
    org = f"{plan.organization_id}/" if plan.org_trail else ""
    extension = ".json.gz" if plan.activity_everywhere else ".json"
    name = f"{account_id}_CloudTrail-Digest_{region}_{TRAIL}_{region}_{end:%Y%m%dT%H%M%SZ}{extension}"
    return f"AWSLogs/{org}{account_id}/CloudTrail-Digest/{region}/{end:%Y/%m/%d}/{name}"


def _digest_end(plan: OrgPlan, day: int) -> datetime:
    return plan.activity_days[day] + timedelta(days=1, minutes=30)


def activity_files(plan: OrgPlan) -> dict[str, Any]:
    """The activity evidence of the plan's delivering accounts (empty when there are none)."""
    accounts = _accounts(plan)
    if not accounts:
        return {}
    files: dict[str, Any] = {}
    for account_id in accounts:
        activity = plan.activity.get(account_id, AccountActivity())
        for region in plan.regions:
            writer = _writer(plan, account_id, region, files)
            for day in range(len(plan.activity_days)):
                if (region, day) in activity.skipped:
                    continue  # a delivery gap: neither the day's log files nor its digest
                for index, (delivered, found) in enumerate(day_files(plan, account_id, region, day)):
                    written = writer.log_file(delivered, found)
                    if index == 0 and (region, day) in activity.edited:  # the first record removed afterwards
                        edited = json.dumps({"Records": found[1:]}, separators=(",", ":")).encode()
                        files[f"{log_folder(plan)}/{written}"] = writer._packed(edited)
                digest = writer.digest(_digest_end(plan, day), hours=24)
                if (region, day) in activity.dropped_digests:  # deleted from the bucket after delivery
                    del files[f"{log_folder(plan)}/{digest}"], files[f"{log_folder(plan)}/{digest}.head-object.json"]
    start, end = plan.activity_days[0] - timedelta(days=30), plan.activity_days[-1] + timedelta(days=60)
    keys = public_keys_document(synthetic_signing_key(), start, end)
    for entry in keys["PublicKeyList"]:
        entry["ValidityStartTime"], entry["ValidityEndTime"] = ids.cli_timestamp(start), ids.cli_timestamp(end)
    for region in plan.regions:
        files[layout.regional_path(plan.identity.id, region, "cloudtrail", "list-public-keys")] = keys
    if plan.activity_everywhere:
        files[f"{plan.log_archive.id}/s3/{plan.bucket}/list-objects-v2.json"] = _listing(plan, files)
    return files


def _listing(plan: OrgPlan, files: dict[str, Any]) -> Json:
    """``aws s3api list-objects-v2 --bucket <central> --prefix cloudtrail/AWSLogs/`` over the objects written,
    each LastModified its delivery time (from the name: minutes for log files, seconds for digests)."""
    folder = f"{log_folder(plan)}/"
    contents = []
    for path in sorted(files):
        if not path.startswith(folder) or path.endswith(".head-object.json"):
            continue
        key = f"{TRAIL_PREFIX}/{path.removeprefix(folder)}"
        stamp = key.rsplit("_", 2)[-2] if "_CloudTrail-Digest_" not in key else key.rsplit("_", 1)[-1][:16]
        moment = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ" if len(stamp) == 16 else "%Y%m%dT%H%MZ")
        body = files[path]
        contents.append(
            {
                "Key": key,
                "LastModified": f"{moment:%Y-%m-%dT%H:%M:%S}+00:00",
                "ETag": f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"',
                "Size": len(body),
                "StorageClass": "STANDARD",
            }
        )
    return {"Contents": contents, "RequestCharged": None, "Prefix": f"{TRAIL_PREFIX}/AWSLogs/"}


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
        gzip_files=plan.activity_everywhere,
    )


def activity_period(plan: OrgPlan) -> Json:
    return {"start": f"{plan.activity_days[0]:%Y-%m-%d}", "end": f"{plan.activity_days[-1]:%Y-%m-%d}"}
