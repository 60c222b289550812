"""``scripts/collect-with-aws-cli.sh`` with the real AWS CLI (v1 from PyPI) against the moto server.

CLI v1 prints timestamps as they come over the wire: ISO ``...Z`` strings for IAM and S3 (query and
XML protocols), epoch numbers for CloudTrail, Config and Organizations (JSON protocol). CLI v2 and
``trustmap collect`` print ISO strings with ``+00:00``. The loader reads both; the comparison below
checks that the two tools' files for the same account say the same thing.
"""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

from analyzer.collect.store import ERROR_SUFFIX
from analyzer.evidence import load_bundle
from analyzer.evidence.timestamps import parse_ts
from analyzer.model.snapshot import FileStatus
from analyzer.pipeline import analyze
from tests.collect.conftest import Collected

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "collect-with-aws-cli.sh"
_TIME_WORDS = ("Date", "Time", "Timestamp")
#: Values moto changes between the two collections (the role is assumed again, the trail delivers again).
_VOLATILE = timedelta(minutes=5)


def test_script_is_valid_bash() -> None:
    done = subprocess.run(["bash", "-n", str(SCRIPT)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_script_collects_one_account(cli_bundle: Collected, built_org: Any) -> None:
    assert cli_bundle.exit_code == 0, cli_bundle.stderr
    assert cli_bundle.seconds < 150
    account = built_org.members["Test"]
    root = cli_bundle.path / account
    assert sorted(p.name for p in cli_bundle.path.iterdir()) == [account, "manifest.json"]
    for name in ("iam/get-account-authorization-details.json", "iam/get-credential-report.json",
                 "iam/get-account-summary.json", "ec2/describe-regions.json",
                 "us-east-1/cloudtrail/get-trail-status/test-trail.json",
                 "us-east-1/cloudtrail/get-event-selectors/test-trail.json"):  # fmt: skip
        assert (root / name).is_file(), name
    record = json.loads((root / "iam" / f"get-account-password-policy{ERROR_SUFFIX}").read_text())
    assert record["Error"]["Code"] == "NoSuchEntity"
    manifest = json.loads((cli_bundle.path / "manifest.json").read_text())
    assert manifest["caller"]["Account"] == account
    assert manifest["identity_account"] == built_org.identity
    assert manifest["regions"] == ["eu-west-1", "us-east-1"]  # REGIONS: the collection's scope (issue 13 §3)
    assert {"operation": "iam:get-account-password-policy", "account": account, "region": None,
            "file": f"{account}/iam/get-account-password-policy.json", "status": "failed",
            "error": "NoSuchEntity"} in manifest["calls"]  # fmt: skip


def test_every_script_file_loads(cli_bundle: Collected) -> None:
    snapshot = load_bundle(cli_bundle.path)
    bad = [(r.path, r.status, r.reason) for r in snapshot.inventory
           if r.status not in (FileStatus.LOADED, FileStatus.ERROR_RECORD)]  # fmt: skip
    assert not bad
    assert snapshot.manifest.collected_at_source == "manifest"
    assert len(snapshot.inventory) == sum(1 for p in cli_bundle.path.rglob("*") if p.is_file())


def _normalized(value: Any, key: str = "") -> Any:
    """Timestamps (whatever their format) as aware datetimes; everything else unchanged."""
    if isinstance(value, dict):
        return {k: _normalized(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalized(v, key) for v in value]
    if any(word in key for word in _TIME_WORDS) and isinstance(value, (str, int, float)) and value != "":
        try:
            return parse_ts(value)
        except ValueError:  # a policy condition key such as aws:CurrentTime, not a timestamp field
            return value
    return value


def _differences(left: Any, right: Any, where: str = "") -> list[str]:
    if isinstance(left, dict) and isinstance(right, dict):
        found = [f"{where}/{k}: only in one" for k in sorted(set(left) ^ set(right))]
        for k in sorted(set(left) & set(right)):
            found += _differences(left[k], right[k], f"{where}/{k}")
        return found
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return [f"{where}: {len(left)} items vs {len(right)}"]
        return [d for i, (a, b) in enumerate(zip(left, right, strict=True)) for d in _differences(a, b, f"{where}/{i}")]
    if hasattr(left, "tzinfo") and hasattr(right, "tzinfo"):
        return [] if abs(left - right) <= _VOLATILE else [f"{where}: {left} vs {right}"]
    return [] if left == right else [f"{where}: {left!r} vs {right!r}"]


def test_both_tools_write_the_same_evidence(cli_bundle: Collected, org_bundle: Collected, built_org: Any) -> None:
    account = built_org.members["Test"]
    script_files = {
        p.relative_to(cli_bundle.path).as_posix() for p in (cli_bundle.path / account).rglob("*") if p.is_file()
    }
    collector_files = {
        p.relative_to(org_bundle.path).as_posix() for p in (org_bundle.path / account).rglob("*") if p.is_file()
    }
    assert script_files == collector_files
    for relative in sorted(script_files):
        if relative.endswith(ERROR_SUFFIX):
            codes = [
                json.loads((b / relative).read_text())["Error"]["Code"] for b in (cli_bundle.path, org_bundle.path)
            ]
            assert codes[0] == codes[1], relative
            continue
        ours = _normalized(json.loads((org_bundle.path / relative).read_text()))
        theirs = _normalized(json.loads((cli_bundle.path / relative).read_text()))
        assert not _differences(ours, theirs), (relative, _differences(ours, theirs)[:5])


def test_script_bundle_analysis_finds_the_test_account_defects(cli_bundle: Collected, built_org: Any) -> None:
    result = analyze(cli_bundle.path, only=["IDN-001", "IDN-002", "LOG-003"])
    by_rule: dict[str, list[Any]] = {}
    for finding in result.findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    account = built_org.members["Test"]
    assert [(f.status.value, f.account) for f in by_rule["IDN-001"]] == [("pass", account)]
    assert {f.resource for f in by_rule["IDN-002"] if f.status.value == "fail"} == {built_org.no_mfa_role_arn}
    assert {f.resource for f in by_rule["LOG-003"] if f.status.value == "fail"} == {built_org.unvalidated_trail_arn}
