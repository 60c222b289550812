"""End to end against a moto server: collect an organization, then analyze what was collected."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from analyzer.collect.operations import READ_ONLY_OPERATIONS
from analyzer.collect.store import ERROR_SUFFIX
from analyzer.evidence import load_bundle
from analyzer.model.snapshot import FileStatus
from analyzer.pipeline import analyze
from tests.collect.conftest import FAKE_KEY_ID, FAKE_SECRET, Collected

REGIONS = ("eu-west-1", "us-east-1")


_RULES = ("IDN-001", "IDN-002", "LOG-001", "LOG-003", "LOG-004", "LOG-009")


def _by_rule(bundle: Path) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {rule: [] for rule in _RULES}
    for finding in analyze(bundle, only=_RULES).findings:
        found[finding.rule].append(finding)
    return found


def _present(root: Path, relative: str) -> bool:
    """The file, or the error record of its failed call (moto does not implement every operation)."""
    stem = relative.removesuffix(".json")
    return (root / relative).is_file() or (root / f"{stem}{ERROR_SUFFIX}").is_file()


def test_collect_org_succeeds_within_budget(org_bundle: Collected) -> None:
    assert org_bundle.exit_code == 0, org_bundle.stderr
    assert "collected 6 account(s)" in org_bundle.stderr
    assert org_bundle.seconds < 120


def test_only_listed_read_only_operations_were_invoked(org_bundle: Collected) -> None:
    assert org_bundle.operations, "the recorder saw no call at all"
    assert org_bundle.operations <= READ_ONLY_OPERATIONS, sorted(org_bundle.operations - READ_ONLY_OPERATIONS)
    for needed in (
        ("sts", "AssumeRole"),
        ("iam", "GetAccountAuthorizationDetails"),
        ("iam", "GenerateCredentialReport"),
        ("cloudtrail", "GetTrailStatus"),
        ("s3", "GetBucketPolicy"),
        ("organizations", "DescribePolicy"),
    ):
        assert needed in org_bundle.operations


def test_every_account_and_region_is_laid_out(org_bundle: Collected, built_org: Any) -> None:
    root = org_bundle.path
    for name in ("describe-organization", "list-accounts", "list-roots"):
        assert (root / "organization" / f"{name}.json").is_file()
    policies = sorted(p.stem for p in (root / "organization" / "policies").glob("*.json"))
    assert len(policies) == 2  # FullAWSAccess and the planted DenyLeave
    assert policies == sorted(p.stem for p in (root / "organization" / "targets").glob("*.json"))
    for account in built_org.all_accounts:
        for name in (
            "iam/get-account-authorization-details.json",
            "iam/get-account-password-policy.json",
            "iam/get-account-summary.json",
            "iam/list-virtual-mfa-devices.json",
            "iam/get-credential-report.json",
            "ec2/describe-regions.json",
        ):
            assert _present(root, f"{account}/{name}"), f"{account}/{name}"
        for region in REGIONS:
            for name in (
                "cloudtrail/describe-trails.json",
                "config/describe-configuration-recorders.json",
                "config/describe-configuration-recorder-status.json",
                "config/describe-delivery-channels.json",
                "config/describe-delivery-channel-status.json",
            ):
                assert _present(root, f"{account}/{region}/{name}"), f"{account}/{region}/{name}"
        # Each account's one multi-region trail: status and selectors only in its home region, named by trail.
        statuses = sorted(
            p.relative_to(root).as_posix() for p in root.glob(f"{account}/*/cloudtrail/get-trail-status/*")
        )
        assert len(statuses) == 1 and statuses[0].startswith(f"{account}/us-east-1/"), statuses
        assert (root / statuses[0].replace("get-trail-status", "get-event-selectors")).is_file()
    bucket_policy = root / built_org.identity / "s3" / built_org.bucket / "get-bucket-policy.json"
    assert isinstance(json.loads(bucket_policy.read_text())["Policy"], str)  # a JSON document as a string


def test_files_are_what_the_cli_v2_prints(org_bundle: Collected, built_org: Any) -> None:
    root = org_bundle.path / built_org.identity
    text = (root / "iam" / "get-account-authorization-details.json").read_text()
    assert text.startswith('{\n    "UserDetailList": [\n') and text.endswith("}\n")
    details = json.loads(text)
    alice = next(u for u in details["UserDetailList"] if u["UserName"] == "alice")
    assert alice["CreateDate"][10] == "T" and alice["CreateDate"].endswith("+00:00")
    group = next(g for g in details["GroupDetailList"] if g["GroupName"] == "Staff")
    assert isinstance(group["GroupPolicyList"][0]["PolicyDocument"], dict)  # decoded, as the CLI prints it
    assert not {"IsTruncated", "Marker", "ResponseMetadata"} & set(details)
    report = json.loads((root / "iam" / "get-credential-report.json").read_text())
    import base64

    assert base64.b64decode(report["Content"]).startswith(b"user,arn,user_creation_time,")
    status = json.loads((root / "us-east-1" / "cloudtrail" / "get-trail-status" / "identity-trail.json").read_text())
    assert status["IsLogging"] is True and status["StartLoggingTime"].endswith("+00:00")


def test_failed_calls_are_recorded_with_their_aws_error_code(org_bundle: Collected, built_org: Any) -> None:
    manifest = json.loads((org_bundle.path / "manifest.json").read_text())
    failed = [c for c in manifest["calls"] if c["status"] == "failed"]
    test_account = built_org.members["Test"]
    password = f"{test_account}/iam/get-account-password-policy.json"
    assert {"operation": "iam:GetAccountPasswordPolicy", "account": test_account, "region": None,
            "file": password, "status": "failed", "error": "NoSuchEntity"} in failed  # fmt: skip
    record = json.loads((org_bundle.path / password.replace(".json", ERROR_SUFFIX)).read_text())
    assert record["Error"]["Code"] == "NoSuchEntity" and record["Error"]["Message"]
    for call in failed:
        if call.get("file"):
            assert (org_bundle.path / call["file"].replace(".json", ERROR_SUFFIX)).is_file()
            assert not (org_bundle.path / call["file"]).exists()


def test_manifest_names_the_collection(org_bundle: Collected, built_org: Any) -> None:
    manifest = json.loads((org_bundle.path / "manifest.json").read_text())
    assert manifest["collected_at"].endswith("Z")
    assert manifest["identity_account"] == built_org.identity
    assert manifest["caller"]["Account"] == built_org.management
    assert manifest["accounts"] == built_org.all_accounts
    assert manifest["central_bucket"] == {"name": built_org.bucket, "account": built_org.identity, "source": "trails"}
    assert manifest["tool"]["name"] == "trustmap"
    ok_files = {c["file"] for c in manifest["calls"] if c["status"] == "ok" and "file" in c}
    written = {
        p.relative_to(org_bundle.path).as_posix()
        for p in org_bundle.path.rglob("*.json")
        if not p.name.endswith(ERROR_SUFFIX) and p.name != "manifest.json"
    }
    assert ok_files == written


_CREDENTIAL_KEYS = frozenset({"AccessKeyId", "SecretAccessKey", "SessionToken", "Credentials"})
#: The access key id of a temporary credential (the roles assumed during collection).
_TEMPORARY_KEY = re.compile(r"\bASIA[A-Z0-9]{16}\b")


def _keys(document: Any) -> set[str]:
    if isinstance(document, dict):
        return set(document) | {k for v in document.values() for k in _keys(v)}
    if isinstance(document, list):
        return {k for v in document for k in _keys(v)}
    return set()


def test_no_credentials_in_the_bundle(org_bundle: Collected) -> None:
    for path in org_bundle.path.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert FAKE_SECRET not in text and FAKE_KEY_ID not in text, path
            assert not _TEMPORARY_KEY.search(text), path
            assert not _keys(json.loads(text)) & _CREDENTIAL_KEYS, path


def test_every_collected_file_loads(org_bundle: Collected) -> None:
    snapshot = load_bundle(org_bundle.path)
    bad = [(r.path, r.status, r.reason) for r in snapshot.inventory if r.status not in
           (FileStatus.LOADED, FileStatus.ERROR_RECORD)]  # fmt: skip
    assert not bad
    assert snapshot.manifest.collected_at_source == "manifest"


def test_analysis_finds_the_planted_defects_and_passes_clean_accounts(org_bundle: Collected, built_org: Any) -> None:
    outcomes_of = _by_rule(org_bundle.path)
    stray = [f for f in outcomes_of["IDN-001"] if f.status.value == "fail"]
    assert [f.resource for f in stray] == [built_org.stray_user_arn]
    idn_002 = outcomes_of["IDN-002"]
    failed = {f.resource for f in idn_002 if f.status.value == "fail"}
    passed = {f.resource for f in idn_002 if f.status.value == "pass"}
    assert failed == {built_org.no_mfa_role_arn}
    assert set(built_org.mfa_role_arns) <= passed
    log_003 = outcomes_of["LOG-003"]
    assert {f.resource for f in log_003 if f.status.value == "fail"} == {built_org.unvalidated_trail_arn}
    assert len([f for f in log_003 if f.status.value == "pass"]) == len(built_org.all_accounts) - 1
    for rule in ("LOG-001", "LOG-004"):  # every account's trail and its status were collected
        outcomes = outcomes_of[rule]
        assert {f.account for f in outcomes if f.status.value == "pass"} == set(built_org.all_accounts), rule
    # The central bucket's policy was collected from its owner: the delivery check can be evaluated everywhere.
    # (the enabled regions outside --regions are reported once per account: see the next test)
    log_009 = [f for f in outcomes_of["LOG-009"] if f.subject != "regions-not-collected"]
    assert {f.account for f in log_009} == set(built_org.all_accounts)
    assert all(f.status.value != "not_evaluated" for f in log_009), [f.message for f in log_009]


def test_collected_regions_scope_the_analysis(org_bundle: Collected, built_org: Any) -> None:
    """collect --regions R: manifest.json records R; no per-region result outside R; one not-evaluated
    result per account and regional rule, and one EVD-001 result per account, naming the enabled
    regions that were not collected (issue 13 §3)."""
    manifest = json.loads((org_bundle.path / "manifest.json").read_text())
    assert manifest["regions"] == list(REGIONS)
    findings = analyze(org_bundle.path).findings
    assert {f.region for f in findings if f.region} <= set(REGIONS)
    scoped = [f for f in findings if f.subject == "regions-not-collected"]
    accounts = set(built_org.all_accounts)
    for rule in ("EVD-001", "LOG-003", "LOG-004", "LOG-005", "LOG-006", "LOG-007", "LOG-008", "LOG-009", "LOG-011"):
        mine = [f for f in scoped if f.rule == rule]
        assert sorted(f.account for f in mine) == sorted(accounts), rule
        assert all(f.status.value == "not_evaluated" for f in mine)
        assert all("us-west-2" in f.message and "eu-west-1" not in f.details["regions"] for f in mine), rule


def test_rerun_into_the_same_directory_resumes(org_bundle: Collected, built_org: Any) -> None:
    from click.testing import CliRunner

    from analyzer.cli import main

    before = json.loads((org_bundle.path / "manifest.json").read_text())
    written = sum(1 for c in before["calls"] if c["status"] == "ok" and "file" in c)
    args = ["collect", "--out", str(org_bundle.path), "--org", "--identity-account", built_org.identity,
            "--regions", ",".join(REGIONS), "--max-attempts", "1"]  # fmt: skip
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    after = json.loads((org_bundle.path / "manifest.json").read_text())
    reused = [c for c in after["calls"] if c["status"] == "reused"]
    assert len(reused) == written
    retried = {c["file"] for c in after["calls"] if c["status"] == "failed" and "file" in c}
    assert retried == {c["file"] for c in before["calls"] if c["status"] == "failed" and "file" in c}
    assert after["collected_at"] == before["collected_at"]


def test_zip_output_is_deterministic_and_loads(emulator: Any, built_org: Any, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from analyzer.cli import main

    out = tmp_path / "one.zip"
    args = ["collect", "--out", str(out), "--regions", "us-east-1", "--log-bucket", built_org.bucket,
            "--log-bucket-account", built_org.identity, "--max-attempts", "1", "--progress"]  # fmt: skip
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert out.is_file() and not (tmp_path / "one.zip.partial").exists()
    snapshot = load_bundle(out)
    assert snapshot.manifest.log_bucket == built_org.bucket
    assert snapshot.bucket_policy(built_org.bucket) is not None
    import zipfile

    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert f"{built_org.identity}/s3/{built_org.bucket}/get-bucket-policy.json" in names
