"""The collector's parts, without any AWS endpoint: formatting, layout tables, storage, archive, guard."""

from __future__ import annotations

import json
import os
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from analyzer.collect import plan
from analyzer.collect.archive import zip_directory
from analyzer.collect.cli_json import cli_document, error_code, error_document, render
from analyzer.collect.operations import NON_READ_VERBS, OPERATIONS, READ_ONLY_OPERATIONS, collector_policy
from analyzer.collect.store import BundleStore, CallRecord, error_path
from analyzer.evidence import load_bundle
from tests.collect.conftest import need_module

REPO = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------------- CLI v2 JSON


def test_timestamps_blobs_and_metadata_as_the_cli_prints_them() -> None:
    response = {
        "ResponseMetadata": {"RequestId": "x"},
        "GeneratedTime": datetime(2026, 11, 20, 9, 58, 12, tzinfo=UTC),
        "StartLoggingTime": datetime(2016, 12, 15, 19, 30, 15, 450000, tzinfo=UTC),
        "Local": datetime(2026, 11, 20, 10, 58, 12, tzinfo=timezone(timedelta(hours=1))),
        "Content": b"user,arn\n",
        "Nested": [{"When": datetime(2020, 1, 1, tzinfo=UTC)}],
    }
    assert cli_document(response) == {
        "GeneratedTime": "2026-11-20T09:58:12+00:00",
        "StartLoggingTime": "2016-12-15T19:30:15.450000+00:00",
        "Local": "2026-11-20T09:58:12+00:00",
        "Content": "dXNlcixhcm4K",
        "Nested": [{"When": "2020-01-01T00:00:00+00:00"}],
    }


def test_botocore_parsed_timestamps_print_like_the_cli_v2_example() -> None:
    from botocore.utils import parse_timestamp

    # The CLI v2 example of get-trail-status (epoch on the wire) and an IAM date (ISO on the wire).
    assert cli_document({"T": parse_timestamp(1481830215.45)}) == {"T": "2016-12-15T19:30:15.450000+00:00"}
    assert cli_document({"T": parse_timestamp("2026-11-20T09:58:12Z")}) == {"T": "2026-11-20T09:58:12+00:00"}


def test_render_is_the_cli_json_formatter() -> None:
    assert (
        render({"a": [1, {"b": "é"}]})
        == '{\n    "a": [\n        1,\n        {\n            "b": "é"\n        }\n    ]\n}\n'
    )


def test_error_codes_are_what_the_loader_accepts() -> None:
    assert error_code("AccessDenied", "X") == "AccessDenied"
    assert error_code("", "HTTP500") == "HTTP500"
    assert error_code("Bad Code!", "X") == "Bad_Code_"
    long = error_document("X", "line one\nline two " + "x" * 5000)
    assert long["Error"]["Message"].startswith("line one line two") and len(long["Error"]["Message"]) == 2000


# ---------------------------------------------------------------------------- layout tables


def test_active_accounts_read_state_then_status() -> None:
    listed = {
        "Accounts": [
            {"Id": "111111111111", "State": "ACTIVE", "Status": "SUSPENDED"},
            {"Id": "222222222222", "Status": "ACTIVE"},
            {"Id": "333333333333", "State": "SUSPENDED"},
            {"Id": "444444444444", "State": "CLOSED", "Status": "ACTIVE"},
        ]
    }
    assert plan.active_accounts(listed) == ["111111111111", "222222222222"]


def test_enabled_regions_keep_opted_in_and_not_required() -> None:
    regions = {
        "Regions": [
            {"RegionName": "us-east-1", "OptInStatus": "opt-in-not-required"},
            {"RegionName": "af-south-1", "OptInStatus": "not-opted-in"},
            {"RegionName": "me-south-1", "OptInStatus": "opted-in"},
        ]
    }
    assert plan.enabled_regions(regions) == ["me-south-1", "us-east-1"]


def test_home_trails_are_called_by_arn_and_shadow_copies_skipped() -> None:
    trails = {
        "trailList": [
            {
                "Name": "org",
                "HomeRegion": "us-east-1",
                "TrailARN": "arn:aws:cloudtrail:us-east-1:999999999999:trail/org",
            },
            {"Name": "elsewhere", "HomeRegion": "eu-west-1", "TrailARN": "arn:x"},
            {"Name": "local", "HomeRegion": "us-east-1"},
        ]
    }
    assert plan.home_trails(trails, "us-east-1") == [
        ("local", "local"),
        ("org", "arn:aws:cloudtrail:us-east-1:999999999999:trail/org"),
    ]


def test_central_bucket_is_where_most_trails_deliver() -> None:
    assert plan.central_bucket({"t1": "b", "t2": "a", "t3": "b"}) == "b"
    assert plan.central_bucket({"t1": "b", "t2": "a"}) == "a"  # a tie goes to the first name
    assert plan.central_bucket({}) is None
    assert plan.bucket_owner("b", {"222222222222": ["a", "b"], "111111111111": ["c"]}) == "222222222222"
    assert plan.bucket_owner("z", {"222222222222": ["a"]}) is None
    assert plan.location_region({"LocationConstraint": None}, "us-east-1") == "us-east-1"
    assert plan.location_region({"LocationConstraint": "EU"}, "us-east-1") == "eu-west-1"
    assert plan.location_region({"LocationConstraint": "ap-south-1"}, "us-east-1") == "ap-south-1"


def test_paths_are_the_loader_layout() -> None:
    from analyzer.evidence.layout import read_path
    from analyzer.model.kinds import Kind

    expected = {
        plan.org_file("list-accounts.json"): Kind.ORG_ACCOUNTS,
        plan.policy_file("p-abc"): Kind.ORG_POLICY,
        plan.targets_file("p-abc"): Kind.ORG_TARGETS,
        plan.trail_status_file("111111111111", "us-east-1", "t"): Kind.TRAIL_STATUS,
        plan.trail_selectors_file("111111111111", "us-east-1", "t"): Kind.TRAIL_SELECTORS,
        plan.bucket_policy_file("111111111111", "logs.example"): Kind.S3_BUCKET_POLICY,
        plan.account_file("111111111111", plan.ORG_FEATURES.file): Kind.IAM_ORG_FEATURES,
        plan.account_file("111111111111", plan.CREDENTIAL_REPORT.file): Kind.IAM_CREDENTIAL_REPORT,
        plan.account_file("111111111111", plan.DESCRIBE_REGIONS.file): Kind.EC2_REGIONS,
    }
    for step in plan.ACCOUNT_STEPS:
        expected[plan.account_file("111111111111", step.file)] = read_path(step.file).kind  # type: ignore[assignment]
    for step in (*plan.REGION_STEPS, plan.DESCRIBE_TRAILS):
        expected[plan.region_file("111111111111", "eu-west-1", step.file)] = read_path(step.file).kind  # type: ignore[assignment]
    for path, kind in expected.items():
        info = read_path(path)
        assert kind is not None and info.kind is kind, path
    assert read_path(plan.bucket_policy_file("111111111111", "logs.example")).item == "logs.example"


# ---------------------------------------------------------------------------- read-only by construction


def test_allow_list_is_read_only_except_the_two_documented_verbs() -> None:
    for service, name in READ_ONLY_OPERATIONS:
        assert name.startswith(("Describe", "Get", "List")) or (service, name) in NON_READ_VERBS, name
    assert set(NON_READ_VERBS) <= READ_ONLY_OPERATIONS


def test_every_listed_operation_exists_in_botocore() -> None:
    session = need_module("botocore.session").get_session()
    for op in OPERATIONS:
        assert op.name in session.get_service_model(op.service).operation_names, op.label


def test_shipped_policy_is_derived_from_the_allow_list() -> None:
    shipped = json.loads((REPO / "policies" / "trustmap-collector-policy.json").read_text())
    assert shipped == collector_policy()
    reads = set(shipped["Statement"][0]["Action"])
    assert "iam:CreateUser" not in reads and all(":" in a for a in reads)
    assert {op.action for op in OPERATIONS if op.action} == reads | {"sts:AssumeRole"}
    shown = (REPO / "README.md").read_text()
    assert (REPO / "policies" / "trustmap-collector-policy.json").read_text().strip() in shown


def test_guard_refuses_anything_else_before_sending() -> None:
    boto3 = need_module("boto3")
    from analyzer.collect.aws import ForbiddenOperationError, guard

    session = guard(boto3.Session(aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="x", region_name="us-east-1"))
    # Port 9 (discard) on loopback: had the request been sent, this would be a connection error instead.
    iam = session.client("iam", endpoint_url="http://127.0.0.1:9")
    with pytest.raises(ForbiddenOperationError, match="iam:CreateUser"):
        iam.create_user(UserName="mallory")
    with pytest.raises(ForbiddenOperationError, match="s3:PutBucketPolicy"):
        session.client("s3", endpoint_url="http://127.0.0.1:9").put_bucket_policy(Bucket="b", Policy="{}")


def test_cli_says_how_to_install_boto3_when_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import builtins

    from click.testing import CliRunner

    from analyzer.cli import main

    real_import = builtins.__import__

    def no_boto3(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "boto3" or name.startswith(("boto3.", "botocore")):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)

    import sys

    for module in [m for m in sys.modules if m.startswith("analyzer.collect.aws") or m == "analyzer.collect.run"]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setattr(builtins, "__import__", no_boto3)
    result = CliRunner().invoke(main, ["collect", "--out", str(tmp_path / "b")])
    assert result.exit_code == 2
    assert "pip install 'trustmap[collect]'" in result.stderr


def test_cli_rejects_malformed_accounts_and_regions(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from analyzer.cli import main

    bad_account = CliRunner().invoke(main, ["collect", "--out", str(tmp_path), "--accounts", "12345"])
    assert bad_account.exit_code == 2 and "12-digit" in bad_account.stderr
    bad_region = CliRunner().invoke(main, ["collect", "--out", str(tmp_path), "--regions", "mars-1"])
    assert bad_region.exit_code == 2 and "region names" in bad_region.stderr


# ---------------------------------------------------------------------------- storage and archive


def test_store_writes_atomically_and_swaps_output_and_error_record(tmp_path: Path) -> None:
    store = BundleStore(tmp_path)
    file = "111111111111/iam/get-account-summary.json"
    assert store.complete(file) is None
    store.write_error(file, "AccessDenied", "no")
    assert store.complete(file) is None  # an error record is retried, never complete
    assert json.loads((tmp_path / error_path(file)).read_text()) == {"Error": {"Code": "AccessDenied", "Message": "no"}}
    store.write(file, {"SummaryMap": {}})
    assert store.complete(file) == {"SummaryMap": {}}
    assert not (tmp_path / error_path(file)).exists()
    (tmp_path / file).write_text('{"Summary')  # a torn write from elsewhere is not complete
    assert store.complete(file) is None
    assert not list(tmp_path.rglob(".tmp-*"))


def test_call_records_sort_and_omit_missing_files() -> None:
    store = BundleStore(Path("/nonexistent"))
    store.record(CallRecord("s3:ListBuckets", "222222222222", None, None, "ok"))
    store.record(CallRecord("iam:GetAccountSummary", "111111111111", None, "f.json", "failed", "AccessDenied"))
    assert [c.as_json() for c in store.calls] == [
        {"operation": "iam:GetAccountSummary", "account": "111111111111", "region": None, "file": "f.json",
         "status": "failed", "error": "AccessDenied"},
        {"operation": "s3:ListBuckets", "account": "222222222222", "region": None, "status": "ok"},
    ]  # fmt: skip


def test_zip_is_byte_identical_whatever_the_file_times(tmp_path: Path) -> None:
    source = tmp_path / "bundle"
    store = BundleStore(source)
    store.write("manifest.json", {"collected_at": "2026-11-20T10:00:00Z"})
    store.write("111111111111/iam/get-account-summary.json", {"SummaryMap": {"AccountMFAEnabled": 1}})
    zip_directory(source, tmp_path / "a.zip")
    for path in source.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    zip_directory(source, tmp_path / "b.zip")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        assert archive.namelist() == ["111111111111/iam/get-account-summary.json", "manifest.json"]
    assert load_bundle(tmp_path / "a.zip").manifest.collected_at == datetime(2026, 11, 20, 10, tzinfo=UTC)


# ---------------------------------------------------------------------------- orchestration with a fake AWS


class _FakeClient:
    """Answers from a table keyed by (account, method); an exception instance in the table is raised."""

    def __init__(self, account: str, answers: dict[tuple[str, str], Any], log: list[str]) -> None:
        self._account = account
        self._answers = answers
        self._log = log

    def can_paginate(self, method: str) -> bool:
        return False

    def __getattr__(self, method: str) -> Any:
        def answer(**params: Any) -> Any:
            self._log.append(method)
            found = self._answers[(self._account, method)]
            value = found.pop(0) if isinstance(found, list) else found
            if isinstance(value, Exception):
                raise value
            return value

        return answer


class _FakeSessions:
    def __init__(self, answers: dict[tuple[str, str], Any], unreachable: dict[str, Any]) -> None:
        from analyzer.collect.aws import Caller

        self.caller = Caller("111111111111", "arn:aws:iam::111111111111:user/auditor")
        self.home_region = "us-east-1"
        self.answers = answers
        self.unreachable = unreachable
        self.log: list[str] = []

    def open(self, account: str) -> Any:
        return self.unreachable.get(account)

    def client(self, account: str, service: str, region: str | None = None) -> _FakeClient:
        return _FakeClient(account, self.answers, self.log)


def _run(tmp_path: Path, sessions: _FakeSessions, sleeps: list[float]) -> Any:
    from analyzer.collect.run import CollectOptions, _Run
    from analyzer.collect.tasks import NoProgress, TaskPool

    run = _Run(CollectOptions(out=tmp_path), BundleStore(tmp_path), sessions, NoProgress(), sleeps.append)  # type: ignore[arg-type]
    run.pool = TaskPool(2)
    return run


def test_unreachable_account_leaves_error_records_not_silence(tmp_path: Path) -> None:
    from analyzer.collect.aws import AwsFailure

    denied = AwsFailure("AccessDenied", "sts:AssumeRole arn:aws:iam::222222222222:role/R: not authorized")
    sessions = _FakeSessions({}, {"222222222222": denied})
    run = _run(tmp_path, sessions, [])
    run.account("222222222222")
    run.pool.drain()
    for name in plan.ACCOUNT_FILES:
        record = json.loads((tmp_path / "222222222222" / error_path(name)).read_text())
        assert record["Error"]["Code"] == "AccessDenied"
    assert [c.as_json() for c in run.store.calls] == [
        {"operation": "sts:AssumeRole", "account": "222222222222", "region": None, "status": "failed",
         "error": "AccessDenied"}
    ]  # fmt: skip
    assert sessions.log == []  # nothing was called in an account that could not be reached
    assert load_bundle(tmp_path).inventory  # the records load (as denied evidence)


def test_credential_report_waits_for_generation_then_reads(tmp_path: Path) -> None:
    answers: dict[tuple[str, str], Any] = {
        ("111111111111", "generate_credential_report"): [{"State": "STARTED"}, {"State": "INPROGRESS"},
                                                          {"State": "COMPLETE"}],
        ("111111111111", "get_credential_report"): {
            "Content": b"user,arn\n", "ReportFormat": "text/csv",
            "GeneratedTime": datetime(2026, 11, 20, 9, 0, tzinfo=UTC), "ResponseMetadata": {},
        },
    }  # fmt: skip
    sessions = _FakeSessions(answers, {})
    sleeps: list[float] = []
    run = _run(tmp_path, sessions, sleeps)
    run.credential_report("111111111111")
    assert sleeps == [1, 2]
    saved = json.loads((tmp_path / "111111111111" / "iam" / "get-credential-report.json").read_text())
    assert saved == {
        "Content": "dXNlcixhcm4K",
        "ReportFormat": "text/csv",
        "GeneratedTime": "2026-11-20T09:00:00+00:00",
    }
    run.credential_report("111111111111")  # resumed: the complete file is reused, nothing generated again
    assert sessions.log.count("generate_credential_report") == 3


def test_credential_report_generation_failure_is_the_reports_error_record(tmp_path: Path) -> None:
    from botocore.exceptions import ClientError

    denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GenerateCredentialReport")
    sessions = _FakeSessions({("111111111111", "generate_credential_report"): denied}, {})
    run = _run(tmp_path, sessions, [])
    run.credential_report("111111111111")
    record = json.loads((tmp_path / "111111111111" / "iam" / error_path("get-credential-report.json")).read_text())
    assert record["Error"]["Code"] == "AccessDenied"
    assert "get_credential_report" not in sessions.log
