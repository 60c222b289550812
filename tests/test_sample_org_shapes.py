"""The sample organization (fixtures/sample-org) and the AWS-shaped helpers that build it.

- the builder is deterministic and the committed folder is what it builds now;
- every file parses, is shaped as the AWS CLI v2 writes it, and the exports agree with each other;
- EXPECTED.md's table parses and names only catalog rules and known accounts;
- every file validates against ``schemas/<kind>.schema.json`` when the schemas are present.
"""

from __future__ import annotations

import base64
import csv
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from analyzer.model.policy import parse_policy
from analyzer.synth import aws_shapes as aws
from analyzer.synth import documents as docs
from analyzer.synth import ids, layout
from analyzer.synth.compose_logging import LoggingSetup, logging_files
from analyzer.synth.compose_org import MemberAccount, Scp, full_aws_access, organization_files
from analyzer.synth.expected import TABLE_HEADER, ExpectedFailure, parse_expected, render_table
from analyzer.synth.writer import read_tree, render_bundle, write_bundle

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "fixtures" / "sample-org"
BUILDER = REPO / "fixtures" / "build_sample_org.py"
SCHEMAS = REPO / "schemas"

CATALOG = frozenset(
    [f"IDN-00{i}" for i in range(1, 10)]
    + [f"CRD-00{i}" for i in range(1, 7)]
    + [f"LOG-{i:03d}" for i in range(1, 12)]
    + ["IDN-010", "EVD-001", "EVD-002", "EVD-003", "EVD-004"]
)

IAM_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")
CLI_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$")


@pytest.fixture(scope="module")
def builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_sample_org", BUILDER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fresh(builder: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("fresh") / "sample-org"
    builder.write_sample(out)
    return read_tree(out)


@pytest.fixture(scope="module")
def sample() -> dict[str, Any]:
    """Every committed file, parsed (JSON) or as text (CSV, markdown)."""
    parsed: dict[str, Any] = {}
    for rel, data in read_tree(SAMPLE).items():
        text = data.decode("utf-8")
        parsed[rel] = json.loads(text) if rel.endswith(".json") else text
    return parsed


def _report_rows(report: dict[str, Any]) -> list[dict[str, str]]:
    text = base64.b64decode(report["Content"], validate=True).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}/{index}")


# --------------------------------------------------------------------------- determinism


def test_builder_is_deterministic_across_processes(fresh: dict[str, bytes], tmp_path: Path) -> None:
    out = tmp_path / "again"
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    subprocess.run([sys.executable, str(BUILDER), str(out)], check=True, env=env, capture_output=True)
    assert read_tree(out) == fresh


def test_rebuilding_replaces_the_folder(builder: ModuleType, fresh: dict[str, bytes], tmp_path: Path) -> None:
    out = tmp_path / "sample-org"
    (out / "stale").mkdir(parents=True)
    (out / "stale" / "leftover.json").write_text("{}")
    builder.write_sample(out)
    assert read_tree(out) == fresh


def test_committed_sample_is_the_current_build(fresh: dict[str, bytes]) -> None:
    committed = read_tree(SAMPLE)
    assert sorted(committed) == sorted(fresh), "run: python fixtures/build_sample_org.py"
    changed = [rel for rel in fresh if committed[rel] != fresh[rel]]
    assert changed == [], f"stale files {changed[:5]}; run: python fixtures/build_sample_org.py"


# --------------------------------------------------------------------------- every file


def test_every_file_parses(sample: dict[str, Any]) -> None:
    for rel, content in sample.items():
        if rel.endswith(".csv"):
            rows = list(csv.reader(io.StringIO(content)))
            assert tuple(rows[0]) == aws.CREDENTIAL_REPORT_COLUMNS, rel
            assert all(len(r) == len(aws.CREDENTIAL_REPORT_COLUMNS) for r in rows), rel
        elif rel.endswith(".json"):
            assert isinstance(content, dict), rel
        else:
            assert rel == "EXPECTED.md", f"unexpected file {rel}"


def test_files_use_the_cli_json_style() -> None:
    for rel, data in read_tree(SAMPLE).items():
        if rel.endswith(".json"):
            text = data.decode("utf-8")
            assert text.endswith("}\n") and not text.endswith("\n\n"), rel
            assert text == json.dumps(json.loads(text), indent=4, ensure_ascii=False) + "\n", rel


def test_timestamps_are_cli_v2_iso8601(sample: dict[str, Any]) -> None:
    keys = re.compile(r"(Date|Time|Timestamp)$")
    seen = 0
    for rel, content in sample.items():
        if not rel.endswith(".json") or rel == "manifest.json":
            continue
        for pointer, value in _walk(content):
            name = pointer.rsplit("/", 1)[-1]
            if not keys.search(name) or not isinstance(value, str) or name.startswith("TimeLogging"):
                continue
            if name.startswith(("LatestDeliveryAttempt", "LatestNotificationAttempt")):
                continue  # deprecated ...Z string fields of get-trail-status
            pattern = IAM_TS if "/iam/" in rel else CLI_TS
            assert pattern.match(value), f"{rel}#{pointer}: {value}"
            seen += 1
    assert seen > 200


def test_iam_ids_have_their_prefixes(sample: dict[str, Any]) -> None:
    prefixes = {"UserId": "AIDA", "RoleId": "AROA", "GroupId": "AGPA", "PolicyId": "ANPA"}
    for rel, content in sample.items():
        if not rel.endswith("get-account-authorization-details.json"):
            continue
        for pointer, value in _walk(content):
            name = pointer.rsplit("/", 1)[-1]
            if name in prefixes:
                assert re.fullmatch(prefixes[name] + r"[A-Z0-9]{17}", value), f"{rel}#{pointer}"


def test_policy_documents_are_objects_or_text_where_aws_says(sample: dict[str, Any]) -> None:
    documents: list[tuple[str, Any]] = []
    for rel, content in sample.items():
        if rel.endswith("get-account-authorization-details.json"):
            for pointer, value in _walk(content):
                if pointer.rsplit("/", 1)[-1] in ("PolicyDocument", "AssumeRolePolicyDocument", "Document"):
                    assert isinstance(value, dict), f"{rel}#{pointer}: GAAD documents are decoded by the CLI"
                    documents.append((f"{rel}#{pointer}", value))
        elif rel.endswith("get-bucket-policy.json"):
            assert isinstance(content["Policy"], str)
            documents.append((rel, json.loads(content["Policy"])))
        elif rel.startswith("organization/policies/"):
            assert isinstance(content["Policy"]["Content"], str)
            documents.append((rel, json.loads(content["Policy"]["Content"])))
    assert len(documents) > 40
    for where, document in documents:
        assert parse_policy(document).statements, where


def test_exports_agree_with_each_other(sample: dict[str, Any]) -> None:
    """Root flags, MFA devices and the credential report tell the same story in every account."""
    for rel, report in sample.items():
        if not rel.endswith("get-credential-report.json"):
            continue
        account = rel.split("/")[0]
        rows = {r["arn"]: r for r in _report_rows(report)}
        root = rows[f"arn:aws:iam::{account}:root"]
        assert root["password_enabled"] == root["password_next_rotation"] == "not_supported"
        summary = sample[layout.iam_path(account, "get-account-summary")]["SummaryMap"]
        assert summary["AccountMFAEnabled"] == (root["mfa_active"] == "true")
        assert summary["AccountAccessKeysPresent"] == (root["access_key_1_active"] == "true")
        gaad = sample[layout.iam_path(account, "get-account-authorization-details")]
        assert {u["Arn"] for u in gaad["UserDetailList"]} == set(rows) - {root["arn"]}
        assert summary["Users"] == len(gaad["UserDetailList"]) and summary["Roles"] == len(gaad["RoleDetailList"])
        for row in rows.values():
            assert {row["mfa_active"], row["access_key_1_active"], row["access_key_2_active"]} <= {"true", "false"}
        devices = sample.get(layout.iam_path(account, "list-virtual-mfa-devices"))
        if devices is None:
            assert layout.error_path(layout.iam_path(account, "list-virtual-mfa-devices")) in sample
            continue
        enrolled = {d["User"]["Arn"] for d in devices["VirtualMFADevices"] if "User" in d}
        assert enrolled == {arn for arn, r in rows.items() if r["mfa_active"] == "true"}, account


def test_every_evidence_account_has_every_required_export(sample: dict[str, Any]) -> None:
    accounts = {a["Id"]: a for a in sample["organization/list-accounts.json"]["Accounts"]}
    folders = {rel.split("/")[0] for rel in sample if re.match(r"^\d{12}/", rel)}
    assert folders - set(accounts) == {"444455556666"}
    assert set(accounts) - folders == {"210987654321"}
    for account in folders & set(accounts):
        for command in ("get-account-authorization-details", "get-account-summary", "get-credential-report"):
            assert layout.iam_path(account, command) in sample
        policy = layout.iam_path(account, "get-account-password-policy")
        assert policy in sample or layout.error_path(policy) in sample
        enabled = [
            r["RegionName"]
            for r in sample[layout.regions_path(account)]["Regions"]
            if r["OptInStatus"] != "not-opted-in"
        ]
        assert enabled == ["us-east-1", "eu-west-1"]
        for region in enabled:
            assert layout.regional_path(account, region, "cloudtrail", "describe-trails") in sample
            for command in layout.CONFIG_COMMANDS:
                assert layout.regional_path(account, region, "config", command) in sample


def test_trails_are_listed_where_aws_lists_them(sample: dict[str, Any]) -> None:
    for rel, content in sample.items():
        if not rel.endswith("/cloudtrail/describe-trails.json"):
            continue
        account, region = rel.split("/")[:2]
        for t in content["trailList"]:
            assert t["IsMultiRegionTrail"] or t["HomeRegion"] == region
            home = t["HomeRegion"]
            assert t["TrailARN"] == ids.trail_arn(account, home, t["Name"])
            assert layout.trail_item_path(account, home, "get-trail-status", t["Name"]) in sample
            selectors = sample[layout.trail_item_path(account, home, "get-event-selectors", t["Name"])]
            assert selectors["TrailARN"] == t["TrailARN"]
            assert t["HasCustomEventSelectors"] == (selectors.get("EventSelectors") != [aws.basic_event_selector()])


def test_the_central_bucket_policy_is_the_seeds_with_the_planted_gaps(sample: dict[str, Any]) -> None:
    manifest = sample["manifest.json"]
    bucket = manifest["log_bucket"]
    policy = json.loads(sample[layout.bucket_path(manifest["identity_account"], bucket)]["Policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    trail_writes = by_sid["AWSCloudTrailWrite"]["Resource"]
    config_writes = by_sid["AWSConfigBucketDelivery"]["Resource"]
    members = ["565392545550", "565392545552", "565392545553", "576539245557"]
    for account in members:
        assert f"arn:aws:s3:::{bucket}/cloudtrail/AWSLogs/{account}/*" in trail_writes
        assert f"arn:aws:s3:::{bucket}/config/AWSLogs/{account}/Config/*" in config_writes
    assert f"arn:aws:s3:::{bucket}/config/AWSLogs/123456789012/Config/*" not in config_writes  # LOG-009
    assert "aws:SourceAccount" not in by_sid["AWSConfigBucketDelivery"]["Condition"]["StringEquals"]  # LOG-010
    for sid in ("AWSCloudTrailWrite", "AWSConfigBucketDelivery"):
        assert by_sid[sid]["Condition"]["StringEquals"]["s3:x-amz-acl"] == "bucket-owner-full-control"


# --------------------------------------------------------------------------- EXPECTED.md


def test_expected_table_names_catalog_rules_and_known_accounts(sample: dict[str, Any]) -> None:
    rows = parse_expected(sample["EXPECTED.md"])
    accounts = {a["Id"] for a in sample["organization/list-accounts.json"]["Accounts"]}
    accounts |= {rel.split("/")[0] for rel in sample if re.match(r"^\d{12}/", rel)}
    assert rows and all(r.rule in CATALOG for r in rows)
    assert {r.rule for r in rows} == CATALOG, "one planted defect per catalog rule"
    assert all(r.account in accounts for r in rows)
    assert all(r.region == "-" or r.region in ("us-east-1", "eu-west-1") for r in rows)
    keys = [r.key for r in rows]
    assert len(keys) == len(set(keys)), "a result is identified by rule, account, region, resource"
    assert rows == sorted(rows)


def test_expected_resources_exist_in_the_evidence(sample: dict[str, Any]) -> None:
    """Every ARN the table names occurs in some file; a bundle path names an existing file."""
    corpus = "\n".join(
        json.dumps(v) + (base64.b64decode(v["Content"]).decode() if "GeneratedTime" in v else "")
        for rel, v in sample.items()
        if rel.endswith(".json")
    )
    for row in parse_expected(sample["EXPECTED.md"]):
        for part in row.resource.split(" -> "):
            if part.startswith("arn:"):
                assert part in corpus, f"{row.rule}: {part}"
            elif part != "-":
                assert part in sample, f"{row.rule}: {part} is neither an ARN nor a file of the bundle"


def test_expected_table_round_trips() -> None:
    rows = [
        ExpectedFailure("LOG-001", "111122223333", "-", "-", "no trail"),
        ExpectedFailure("CRD-001", "111122223333", "-", "arn:aws:iam::111122223333:root", "root without MFA"),
    ]
    text = "# title\n\nprose\n\n" + render_table(rows) + "\nafter the table\n"
    assert parse_expected(text) == sorted(rows)
    assert TABLE_HEADER in text
    with pytest.raises(ValueError):
        render_table([ExpectedFailure("X", "1", "-", "a|b", "d")])
    with pytest.raises(ValueError):
        parse_expected("no table here")


# --------------------------------------------------------------------------- the helpers


def test_ids_are_derived_from_the_arn() -> None:
    arn = ids.iam_arn("123456789012", "user", "alice")
    assert ids.unique_id("AIDA", arn) == ids.unique_id("AIDA", arn)
    assert ids.unique_id("AIDA", arn) != ids.unique_id("AIDA", arn + "x")
    assert re.fullmatch(r"AIDA[A-Z2-7]{17}", ids.unique_id("AIDA", arn))
    assert re.fullmatch(r"o-[a-z0-9]{10}", ids.org_id("111122223333"))
    assert ids.iam_arn("1", "role", "R", "/aws-service-role/x.amazonaws.com/") == (
        "arn:aws:iam::1:role/aws-service-role/x.amazonaws.com/R"
    )


def test_cli_timestamps_keep_the_precision_they_were_given() -> None:
    assert ids.cli_timestamp(ids.utc("2026-03-02T09:14:51Z")) == "2026-03-02T09:14:51+00:00"
    assert ids.cli_timestamp(ids.utc("2026-11-20T09:58:12.345")) == "2026-11-20T09:58:12.345000+00:00"


def test_credential_report_encodes_the_csv_with_aws_literals() -> None:
    created = ids.utc("2024-01-01T00:00:00Z")
    rows = [
        aws.root_credential_row("123456789012", created=created, password_last_used=None, mfa_active=True),
        aws.user_credential_row("123456789012", "bob", created=created, password_last_changed=created),
    ]
    report = aws.credential_report(rows, ids.utc("2026-11-20T09:00:00Z"))
    parsed = _report_rows(report)
    assert report["ReportFormat"] == "text/csv"
    assert parsed[0]["password_enabled"] == "not_supported" and parsed[0]["password_last_used"] == "no_information"
    assert parsed[1]["password_enabled"] == "true" and parsed[1]["password_last_used"] == "no_information"
    assert parsed[1]["mfa_active"] == "false" and parsed[1]["access_key_1_last_rotated"] == "N/A"


def test_password_policy_expiry_follows_max_age() -> None:
    assert aws.password_policy(max_age_days=None)["PasswordPolicy"]["ExpirePasswords"] is False
    assert "MaxPasswordAge" not in aws.password_policy(max_age_days=None)["PasswordPolicy"]
    assert aws.password_policy()["PasswordPolicy"]["ExpirePasswords"] is True


def test_managed_policy_marks_only_the_default_version() -> None:
    when = ids.utc("2024-01-01T00:00:00Z")
    detail = aws.managed_policy_detail(
        "P",
        account_id="123456789012",
        versions=[aws.PolicyVersion("v1", {"a": 1}, when), aws.PolicyVersion("v2", {"b": 2}, when)],
        default_version="v1",
        attachment_count=0,
    )
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in detail["PolicyVersionList"]] == [
        ("v2", False),
        ("v1", True),
    ]
    with pytest.raises(ValueError):
        aws.managed_policy_detail("P", versions=[], default_version="v1", attachment_count=0)


def test_event_selectors_are_basic_or_advanced() -> None:
    with pytest.raises(ValueError):
        aws.event_selectors("arn", basic=[], advanced=[])
    assert "AdvancedEventSelectors" in aws.event_selectors("arn", advanced=[])


def test_trust_documents_state_their_mfa_condition() -> None:
    strict = docs.account_trust("123456789012")["Statement"][0]["Condition"]
    assert strict == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    assert "Condition" not in docs.account_trust("123456789012", mfa="none")["Statement"][0]
    with pytest.raises(ValueError):
        docs.account_trust("123456789012", mfa="sometimes")


def test_writer_refuses_paths_outside_the_bundle(tmp_path: Path) -> None:
    for bad in ("../x.json", "/abs.json", "a//b.json", "a/./b.json", "a\\b.json"):
        with pytest.raises(ValueError):
            render_bundle({bad: {}})
    written = write_bundle({"b/x.json": {"k": 1}, "a.csv": "h\nv"}, tmp_path)
    assert written == ["a.csv", "b/x.json"]
    assert (tmp_path / "b" / "x.json").read_text() == '{\n    "k": 1\n}\n'


def test_logging_setup_knobs_change_only_their_aspect() -> None:
    base = LoggingSetup(
        account_id="111111111111",
        regions=("us-east-1", "eu-west-1"),
        collected_at=ids.utc("2026-11-20T10:00:00Z"),
        central_bucket="central",
        enabled_since=ids.utc("2020-01-01T00:00:00Z"),
    )
    clean = logging_files(base)
    changed = logging_files(
        LoggingSetup(
            account_id=base.account_id,
            regions=base.regions,
            collected_at=base.collected_at,
            central_bucket=base.central_bucket,
            enabled_since=base.enabled_since,
            trail_sns=False,
            logging_stopped_at=ids.utc("2026-11-01T00:00:00Z"),
            no_recorder_regions=("eu-west-1",),
            failed_channel_regions=("us-east-1",),
        )
    )
    assert sorted(clean) == sorted(changed)
    status_path = layout.trail_item_path(base.account_id, "us-east-1", "get-trail-status", base.trail_name)
    assert clean[status_path]["IsLogging"] is True and "StopLoggingTime" not in clean[status_path]
    assert changed[status_path]["IsLogging"] is False and "LatestNotificationTime" not in changed[status_path]
    trails = changed[layout.regional_path(base.account_id, "eu-west-1", "cloudtrail", "describe-trails")]
    assert "SnsTopicARN" not in trails["trailList"][0]
    recorders = layout.regional_path(base.account_id, "eu-west-1", "config", "describe-configuration-recorders")
    assert changed[recorders] == {"ConfigurationRecorders": []} != clean[recorders]
    channel_status = layout.regional_path(base.account_id, "us-east-1", "config", "describe-delivery-channel-status")
    history = changed[channel_status]["DeliveryChannelsStatus"][0]["configHistoryDeliveryInfo"]
    assert history["lastStatus"] == "FAILURE" and history["lastErrorCode"] == "AccessDenied"
    unchanged = layout.regional_path(base.account_id, "us-east-1", "config", "describe-configuration-recorders")
    assert changed[unchanged] == clean[unchanged]


def test_organization_files_attach_scps_to_named_targets() -> None:
    joined = ids.utc("2020-01-01T00:00:00.250Z")
    accounts = [
        MemberAccount(id="111111111111", name="Mgmt", email="m@example.com", joined=joined),
        MemberAccount(id="222222222222", name="Dev", email="d@example.com", joined=joined, ou="Workloads"),
    ]
    deny = Scp(name="Deny", document=docs.deny_actions_scp(["s3:*"], "DenyS3"), targets=("Workloads",))
    files = organization_files("111111111111", accounts, ous=["Workloads"], scps=[full_aws_access(["Root"]), deny])
    listed = files[layout.organization_path("list-accounts")]["Accounts"]
    org, root = ids.org_id("111111111111"), ids.org_root_id(ids.org_id("111111111111"))
    ou = ids.org_unit_id(root, "Workloads")
    assert listed[1]["Paths"] == [f"{org}/{root}/{ou}/222222222222/"]
    assert listed[1]["State"] == listed[1]["Status"] == "ACTIVE"
    assert listed[0]["JoinedTimestamp"] == "2020-01-01T00:00:00.250000+00:00"
    targets = files[layout.org_targets_path(ids.scp_id(org, "Deny"))]["Targets"]
    assert [(t["TargetId"], t["Type"], t["Name"]) for t in targets] == [(ou, "ORGANIZATIONAL_UNIT", "Workloads")]
    full = files[layout.org_policy_path("p-FullAWSAccess")]["Policy"]
    assert full["PolicySummary"]["AwsManaged"] is True and json.loads(full["Content"])["Statement"]


# --------------------------------------------------------------------------- schemas (when present)

_STEM_KINDS = {
    "manifest": "manifest",
    "describe-organization": "organizations-describe-organization",
    "list-accounts": "organizations-list-accounts",
    "list-roots": "organizations-list-roots",
    "get-account-authorization-details": "iam-get-account-authorization-details",
    "get-account-password-policy": "iam-get-account-password-policy",
    "get-account-summary": "iam-get-account-summary",
    "list-virtual-mfa-devices": "iam-list-virtual-mfa-devices",
    "get-credential-report": "iam-get-credential-report",
    "describe-regions": "ec2-describe-regions",
    "describe-trails": "cloudtrail-describe-trails",
    "describe-configuration-recorders": "config-describe-configuration-recorders",
    "describe-configuration-recorder-status": "config-describe-configuration-recorder-status",
    "describe-delivery-channels": "config-describe-delivery-channels",
    "describe-delivery-channel-status": "config-describe-delivery-channel-status",
    "get-bucket-policy": "s3-get-bucket-policy",
}
_FOLDER_KINDS = {
    "get-trail-status": "cloudtrail-get-trail-status",
    "get-event-selectors": "cloudtrail-get-event-selectors",
    "policies": "organizations-describe-policy",
    "targets": "organizations-list-targets-for-policy",
}


def _schema_stem(rel: str) -> str:
    parts = rel.split("/")
    if parts[-1].endswith(".error.json"):
        return "error-record"
    if len(parts) > 1 and parts[-2] in _FOLDER_KINDS:
        return _FOLDER_KINDS[parts[-2]]
    return _STEM_KINDS[parts[-1].removesuffix(".json")]


def test_every_file_validates_against_its_schema(sample: dict[str, Any]) -> None:
    if not SCHEMAS.is_dir() or not any(SCHEMAS.glob("*.schema.json")):
        pytest.skip("schemas/ not present")
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    schemas = {p.name.removesuffix(".schema.json"): json.loads(p.read_text()) for p in SCHEMAS.glob("*.json")}
    registry: Registry[Any] = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values() if "$id" in s
    )
    checked = 0
    for rel, content in sample.items():
        if not rel.endswith(".json"):
            continue
        stem = _schema_stem(rel)
        if stem not in schemas:
            continue
        errors = list(Draft202012Validator(schemas[stem], registry=registry).iter_errors(content))
        assert not errors, f"{rel}: {[e.message[:160] for e in errors[:3]]}"
        checked += 1
    assert checked > 100
