"""ACT-002 is decided in SQL (issue 16: memory): the two copies of a cross-account AssumeRole are paired
by sharedEventID and only the assumptions without MFA, or that no copy decides, come back as rows; the
rest come back as (role account, deciding account, day).

CloudTrail writes one copy of a cross-account call in each account, with the same sharedEventID; the
role account's copy names the caller as an account (userIdentity.type AWSAccount) and cannot show MFA:
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html (cross-account AssumeRole).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from analyzer.activity.build import record
from analyzer.activity.logs import read_records
from analyzer.synth import ids

CALLER = "111111111111"
MEMBER = "222222222222"
ROLE = f"arn:aws:iam::{MEMBER}:role/Admin"


def _session(mfa: str) -> dict[str, Any]:
    return {
        "type": "AssumedRole",
        "arn": f"arn:aws:sts::{CALLER}:assumed-role/Ops/alice",
        "accountId": CALLER,
        "sessionContext": {
            "sessionIssuer": {"arn": f"arn:aws:iam::{CALLER}:role/Ops"},
            "attributes": {"mfaAuthenticated": mfa},
        },
    }


def _copies(shared: str, mfa: str, hour: int, *, caller_copy: bool = True) -> list[tuple[str, dict[str, Any]]]:
    when = ids.utc(f"2026-11-18T{hour:02d}:00:00Z")
    found = []
    for account, identity in ((CALLER, _session(mfa)), (MEMBER, {"type": "AWSAccount", "accountId": CALLER})):
        if account == CALLER and not caller_copy:
            continue
        copy = record(
            "AssumeRole", "sts.amazonaws.com", when, account, identity, request={"roleArn": ROLE},
            event_id=f"{shared}-{account}",
        )  # fmt: skip
        copy["sharedEventID"] = shared
        found.append((account, copy))
    return found


def _read(tmp_path: Path, copies: list[tuple[str, dict[str, Any]]]) -> Any:
    files = []
    for account in (CALLER, MEMBER):
        path = tmp_path / f"AWSLogs/{account}/CloudTrail/us-east-1/2026/11/18/{account}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"Records": [c for a, c in copies if a == account]}))
        files.append(str(path))
    return read_records(files, threads=1)


def test_a_call_with_mfa_is_only_counted_for_the_account_whose_copy_shows_it(tmp_path: Path) -> None:
    rows = _read(tmp_path, _copies("s-mfa", "true", 9))
    assert rows.events["assume_role"] == []
    assert rows.aggregates["assume_role_deciders"] == [
        {"role_account": MEMBER, "account_id": CALLER, "event_day": "2026-11-18"}
    ]


def test_a_call_without_mfa_comes_back_once_as_its_callers_copy(tmp_path: Path) -> None:
    rows = _read(tmp_path, _copies("s-none", "false", 10))
    assert [(r["account_id"], r["shared_event_id"]) for r in rows.events["assume_role"]] == [(CALLER, "s-none")]


def test_a_call_no_copy_decides_comes_back_as_the_role_accounts_copy(tmp_path: Path) -> None:
    rows = _read(tmp_path, _copies("s-alone", "true", 11, caller_copy=False))
    assert [(r["account_id"], r["identity_type"]) for r in rows.events["assume_role"]] == [(MEMBER, "AWSAccount")]
    assert rows.aggregates["assume_role_deciders"] == []


def test_a_copy_with_mfa_conflicting_with_one_without_comes_back_with_it(tmp_path: Path) -> None:
    with_mfa = _copies("s-both", "true", 12)
    without = [(a, {**c, "eventID": "other", "userIdentity": _session("false")}) for a, c in with_mfa if a == CALLER]
    rows = _read(tmp_path, with_mfa + without)
    assert sorted(r["session_mfa"] for r in rows.events["assume_role"]) == ["false", "true"]
