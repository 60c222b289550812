"""``trustmap synth --config-snapshots``: AWS Config's delivered files for the synthetic organization.

Shapes asserted here are AWS Config's delivered form (configuration item version 1.3):
https://docs.aws.amazon.com/config/latest/developerguide/config-item-table.html (components, empty
``relatedEvents`` and MD5 since 1.3), the object keys of
https://docs.aws.amazon.com/config/latest/developerguide/example-configuration-snapshot-notification.html and
https://docs.aws.amazon.com/config/latest/developerguide/example-configuration-history-notification.html
(unpadded ``YYYY/M/D``), IAM policy documents URL-encoded (RFC 3986) as the IAM API returns them:
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html ("URL-encoded compliant with
RFC 3986"). The delivered field names (``configurationItemVersion``, ``awsAccountId``, ``ARN``,
``configurationStateMd5Hash``) differ from the API's (botocore ``config/2014-11-12`` ``ConfigurationItem``:
``version``, ``accountId``, ``arn``, ``configurationItemMD5Hash``).
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_plus

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.synth import layout
from analyzer.synth import shapes_config as cfg
from analyzer.synth.config_cases import plan_config_cases
from analyzer.synth.gen_config import account_config_files
from analyzer.synth.gen_iam import READONLY_ROLE, account_iam_files
from analyzer.synth.gen_logging import account_logging_files, org_trail_evidence
from analyzer.synth.generator import EXPECTED_FILE, SynthOptions, generate
from analyzer.synth.org_plan import plan_organization
from analyzer.synth.writer import read_tree

Json = dict[str, Any]

#: The fields of a delivered configuration item, version 1.3, in AWS Config's order.
DELIVERED_FIELDS = [
    "relatedEvents",
    "relationships",
    "configuration",
    "supplementaryConfiguration",
    "tags",
    "configurationItemVersion",
    "configurationItemCaptureTime",
    "configurationStateId",
    "awsAccountId",
    "configurationItemStatus",
    "resourceType",
    "resourceId",
    "resourceName",
    "ARN",
    "awsRegion",
    "availabilityZone",
    "configurationStateMd5Hash",
    "resourceCreationTime",
]
_REGION = r"[a-z]{2}-[a-z]+-[0-9]"
_STAMP = r"[0-9]{8}T[0-9]{6}Z"
_DAY = r"(?P<y>[0-9]{4})/(?P<m>[1-9][0-9]?)/(?P<d>[1-9][0-9]?)"
SNAPSHOT_KEY = re.compile(
    rf"AWSLogs/(?P<acct>[0-9]{{12}})/Config/(?P<region>{_REGION})/{_DAY}/ConfigSnapshot/"
    rf"(?P=acct)_Config_(?P=region)_ConfigSnapshot_(?P<stamp>{_STAMP})_(?P<id>[0-9a-f-]{{36}})\.json\.gz"
)
HISTORY_KEY = re.compile(
    rf"AWSLogs/(?P<acct>[0-9]{{12}})/Config/(?P<region>{_REGION})/{_DAY}/ConfigHistory/"
    rf"(?P=acct)_Config_(?P=region)_ConfigHistory_(?P<type>AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)_"
    rf"(?P<start>{_STAMP})_(?P<end>{_STAMP})_(?P<n>[0-9]+)\.json\.gz"
)
CAPTURE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z")
IAM_TYPES = {"AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Role", "AWS::IAM::Policy"}
SEED, ACCOUNTS, REGIONS = 4, 14, 3


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _config_files(tree: dict[str, bytes]) -> Iterator[tuple[str, Json]]:
    for path, data in tree.items():
        if "/config/AWSLogs/" in path:
            yield path[path.index("AWSLogs/") :], json.loads(gzip.decompress(data))


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("config") / "org"
    options = SynthOptions(accounts=ACCOUNTS, seed=SEED, regions=REGIONS, defect_rate=1.0, config_snapshots=True)
    generate(out, SynthOptions(**{**_fields(options), "config_drift": "config-newer"}))
    return out


def _fields(options: SynthOptions) -> dict[str, Any]:
    return {name: getattr(options, name) for name in SynthOptions.__dataclass_fields__}


@pytest.fixture(scope="module")
def tree(bundle: Path) -> dict[str, bytes]:
    return read_tree(bundle)


@pytest.fixture(scope="module")
def expected(bundle: Path) -> Json:
    document: Json = json.loads((bundle / EXPECTED_FILE).read_text(encoding="utf-8"))
    return document


def test_keys_and_files_follow_the_delivered_layout(tree: dict[str, bytes]) -> None:
    files = list(_config_files(tree))
    assert files
    for key, document in files:
        snapshot, history = SNAPSHOT_KEY.fullmatch(key), HISTORY_KEY.fullmatch(key)
        assert snapshot or history, key
        match = snapshot or history
        assert match is not None
        stamp = _utc(datetime.strptime(match["stamp" if snapshot else "end"], "%Y%m%dT%H%M%SZ").isoformat() + "Z")
        assert (int(match["y"]), int(match["m"]), int(match["d"])) == (stamp.year, stamp.month, stamp.day), key
        if snapshot:
            assert list(document) == ["fileVersion", "configSnapshotId", "configurationItems"]
            assert document["configSnapshotId"] == snapshot["id"]
        else:
            assert list(document) == ["fileVersion", "configurationItems"]
            assert {i["resourceType"] for i in document["configurationItems"]} == {match["type"]}
        assert document["fileVersion"] == "1.0"
        for item in document["configurationItems"]:
            assert item["awsAccountId"] == match["acct"]


def test_items_carry_exactly_the_documented_fields(tree: dict[str, bytes]) -> None:
    types: set[str] = set()
    for _, document in _config_files(tree):
        for item in document["configurationItems"]:
            assert list(item) == DELIVERED_FIELDS
            assert item["configurationItemVersion"] == "1.3"
            assert item["relatedEvents"] == [] and item["configurationStateMd5Hash"] == ""
            assert CAPTURE.fullmatch(item["configurationItemCaptureTime"])
            captured = _utc(item["configurationItemCaptureTime"])
            assert item["configurationStateId"] == int(captured.timestamp() * 1000)  # a number in files
            assert item["configurationItemStatus"] in {"OK", "ResourceDiscovered", "ResourceDeleted"}
            if item["resourceType"] in IAM_TYPES:
                assert (item["awsRegion"], item["availabilityZone"]) == ("global", "Not Applicable")
                assert item["resourceId"][:4] in {"AIDA", "AGPA", "AROA", "ANPA"}
            types.add(item["resourceType"])
    # what trustmap reads, and resources it must filter out
    assert {"AWS::CloudTrail::Trail", "AWS::S3::Bucket", "AWS::Config::ConfigurationRecorder"} <= types
    assert types >= IAM_TYPES | {"AWS::EC2::VPC", "AWS::EC2::SecurityGroup"}


def _snapshots(tree: dict[str, bytes]) -> dict[tuple[str, str], list[Json]]:
    out: dict[tuple[str, str], list[Json]] = {}
    for key, document in _config_files(tree):
        match = SNAPSHOT_KEY.fullmatch(key)
        if match:
            out[match["acct"], match["region"]] = document["configurationItems"]
    return out


def test_global_items_only_where_the_recorder_records_them(tree: dict[str, bytes], expected: Json) -> None:
    snapshots = _snapshots(tree)
    for (account, region), items in snapshots.items():
        recorders = json.loads(
            tree[layout.regional_path(account, region, "config", "describe-configuration-recorders")]
        )
        globals_ = recorders["ConfigurationRecorders"][0]["recordingGroup"]["includeGlobalResourceTypes"]
        assert any(i["resourceType"] in IAM_TYPES for i in items) == globals_, (account, region)


def test_snapshots_state_the_same_facts_as_the_exports(tree: dict[str, bytes], expected: Json) -> None:
    drifted = {p["arn"] for p in expected["config_snapshots"]["planted"] if p["case"] == "drift"}
    compared = 0
    for (account, _), items in _snapshots(tree).items():
        iam = [i for i in items if i["resourceType"] in IAM_TYPES]
        if not iam:
            continue
        gaad = json.loads(tree[layout.iam_path(account, "get-account-authorization-details")])
        customer = [p for p in gaad["Policies"] if ":iam::aws:policy/" not in p["Arn"]]
        listed = {(i["resourceType"], i["ARN"]) for i in iam}
        assert listed == (
            {("AWS::IAM::User", u["Arn"]) for u in gaad["UserDetailList"]}
            | {("AWS::IAM::Group", g["Arn"]) for g in gaad["GroupDetailList"]}
            | {("AWS::IAM::Role", r["Arn"]) for r in gaad["RoleDetailList"]}
            | {("AWS::IAM::Policy", p["Arn"]) for p in customer}
        )
        by_arn = {i["ARN"]: i["configuration"] for i in iam}
        for role in gaad["RoleDetailList"]:
            config = by_arn[role["Arn"]]
            assert json.loads(unquote(config["assumeRolePolicyDocument"])) == role["AssumeRolePolicyDocument"]
            assert [json.loads(unquote(p["policyDocument"])) for p in config["rolePolicyList"]] == [
                p["PolicyDocument"] for p in role["RolePolicyList"]
            ]
            assert config["attachedManagedPolicies"] == [
                {"policyName": p["PolicyName"], "policyArn": p["PolicyArn"]} for p in role["AttachedManagedPolicies"]
            ]
            compared += role["Arn"] not in drifted
        for user in gaad["UserDetailList"]:
            assert by_arn[user["Arn"]]["groupList"] == user["GroupList"]
        for policy in customer:
            versions = by_arn[policy["Arn"]]["policyVersionList"]
            assert [json.loads(unquote(v["document"])) for v in versions] == [
                v["Document"] for v in policy["PolicyVersionList"]
            ]
    assert compared > 20


def test_trail_and_bucket_items_match_their_exports(tree: dict[str, bytes]) -> None:
    seen = set()
    for (account, region), items in _snapshots(tree).items():
        listing = json.loads(tree[layout.regional_path(account, region, "cloudtrail", "describe-trails")])["trailList"]
        owned = {
            t["TrailARN"]: t for t in listing if t["HomeRegion"] == region and t["TrailARN"].split(":")[4] == account
        }
        trails = {i["ARN"]: i["configuration"] for i in items if i["resourceType"] == "AWS::CloudTrail::Trail"}
        assert set(trails) == set(owned)
        for arn, config in trails.items():
            assert config["s3BucketName"] == owned[arn]["S3BucketName"]
            assert config["logFileValidationEnabled"] == owned[arn]["LogFileValidationEnabled"]
            assert config["isMultiRegionTrail"] == owned[arn]["IsMultiRegionTrail"]
            seen.add("trail")
        for bucket in (i for i in items if i["resourceType"] == "AWS::S3::Bucket"):
            exported = json.loads(tree[layout.bucket_path(account, bucket["resourceId"])])
            assert bucket["supplementaryConfiguration"]["BucketPolicy"]["policyText"] == exported["Policy"]
            seen.add("bucket")
    assert seen == {"trail", "bucket"}


@pytest.mark.parametrize(
    "document",
    [
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]},
        {"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/a+b c/%41~é"}},
        {"Statement": [{"Condition": {"StringLike": {"aws:PrincipalTag/team": "a&b=c?d#e"}}}]},
    ],
)
def test_policy_documents_round_trip_through_url_encoding(document: Json) -> None:
    encoded = cfg.url_encoded(document)
    assert re.fullmatch(r"(?:[A-Za-z0-9._~-]|%[0-9A-F]{2})*", encoded), encoded  # RFC 3986 unreserved or escaped
    assert json.loads(unquote(encoded)) == document
    if "+" in json.dumps(document):
        assert "%2B" in encoded and json.loads(unquote_plus(encoded)) == document  # '+' is escaped, never literal


def test_encoding_matches_a_real_item() -> None:
    """The trust of a role captured by Config in a real account (``/`` and ``*`` escaped, ``.`` and ``-`` kept)."""
    real = (
        "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal"
        "%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"
    )
    assert cfg.url_encoded(json.loads(unquote(real))) == real
    assert cfg.url_encoded({"Resource": "arn:aws:logs:*:1:log-group:/aws/x"}).endswith(
        "%3A%2A%3A1%3Alog-group%3A%2Faws%2Fx%22%7D"
    )


def test_planted_cases_are_recorded_and_present(tree: dict[str, bytes], expected: Json) -> None:
    section = expected["config_snapshots"]
    assert section["bundle"] == "with-exports"
    planted = {p["case"]: p for p in section["planted"]}
    assert set(planted) == {"deleted-role", "deleted-user", "newer-than-collection", "drift"}
    by_key = dict(_config_files(tree))
    collected = _utc("2026-11-20T10:00:00Z")
    for case in ("deleted-role", "deleted-user", "newer-than-collection"):
        record = planted[case]
        statuses = []
        for entry in record["items"]:
            (item,) = by_key[entry["key"]]["configurationItems"]
            assert (item["ARN"], item["resourceId"], item["configurationItemStatus"]) == (
                record["arn"],
                record["resource_id"],
                entry["status"],
            )
            assert item["configurationStateId"] == entry["configuration_state_id"]
            statuses.append(item["configurationItemStatus"])
            if item["configurationItemStatus"] == "ResourceDeleted":
                assert item["configuration"] is None and _utc(item["configurationItemCaptureTime"]) < collected
        assert record["arn"].split(":")[4] == record["account"]
        gaad = json.loads(tree[layout.iam_path(record["account"], "get-account-authorization-details")])
        arns = {e["Arn"] for kind in ("UserDetailList", "RoleDetailList") for e in gaad[kind]}
        assert record["arn"] not in arns  # gone (or not yet there) at the collection
        in_snapshots = {i["ARN"] for items in _snapshots(tree).values() for i in items}
        assert record["arn"] not in in_snapshots
        if case == "newer-than-collection":
            assert statuses == ["ResourceDiscovered"]
            assert _utc(record["items"][0]["captured"]) > collected
        else:
            assert statuses == ["ResourceDiscovered", "ResourceDeleted"]


def test_config_newer_drift(tree: dict[str, bytes], expected: Json) -> None:
    (drift,) = [p for p in expected["config_snapshots"]["planted"] if p["case"] == "drift"]
    assert (drift["variant"], drift["newer"]) == ("config-newer", "config")
    assert drift["arn"].endswith(f":role/{READONLY_ROLE}")
    captured = _utc(drift["config_captured"])
    assert captured > _utc(drift["export_captured"])
    items = [
        i
        for _, document in _config_files(tree)
        for i in document["configurationItems"]
        if i["ARN"] == drift["arn"] and _utc(i["configurationItemCaptureTime"]) == captured
    ]
    assert len(items) == 1
    assert json.loads(unquote(items[0]["configuration"]["assumeRolePolicyDocument"])) == drift["config_trust"]
    gaad = json.loads(tree[layout.iam_path(drift["account"], "get-account-authorization-details")])
    (role,) = [r for r in gaad["RoleDetailList"] if r["Arn"] == drift["arn"]]
    assert role["AssumeRolePolicyDocument"] == drift["export_trust"] != drift["config_trust"]
    failure = {"rule": "EVD-004", "account": drift["account"], "region": "-", "resource": "-"}
    assert failure in expected["failures"]
    assert any(d["rule"] == "EVD-004" and d["variant"] == "config-drift-config-newer" for d in expected["defects"])


def test_export_newer_drift_is_in_the_snapshot(tmp_path: Path) -> None:
    out = tmp_path / "org"
    generate(
        out, SynthOptions(accounts=ACCOUNTS, seed=SEED, regions=1, config_snapshots=True, config_drift="export-newer")
    )
    tree = read_tree(out)
    document = json.loads(tree[EXPECTED_FILE])
    (drift,) = [p for p in document["config_snapshots"]["planted"] if p["case"] == "drift"]
    assert drift["newer"] == "export" and _utc(drift["config_captured"]) < _utc(drift["export_captured"])
    (item,) = [i for items in _snapshots(tree).values() for i in items if i["ARN"] == drift["arn"]]
    assert item["configurationItemCaptureTime"] == drift["config_captured"]
    assert json.loads(unquote(item["configuration"]["assumeRolePolicyDocument"])) == drift["config_trust"]


def test_same_seed_same_bytes_and_gzip_without_time(tmp_path: Path) -> None:
    options = SynthOptions(accounts=8, seed=11, regions=2, config_snapshots=True)
    generate(tmp_path / "a.zip", options)
    generate(tmp_path / "b.zip", options)
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    generate(tmp_path / "dir", options)
    for path, data in read_tree(tmp_path / "dir").items():
        if path.endswith(".json.gz") and "/config/" in path:
            assert data[:2] == b"\x1f\x8b" and data[4:8] == b"\x00\x00\x00\x00"  # MTIME 0 (RFC 1952)


def test_config_files_change_nothing_else(tmp_path: Path) -> None:
    """The planted cases draw from their own random source: every other file is the bundle without Config."""
    plain, with_config = tmp_path / "plain", tmp_path / "config"
    generate(plain, SynthOptions(accounts=ACCOUNTS, seed=SEED, regions=2, defect_rate=1.0))
    generate(with_config, SynthOptions(accounts=ACCOUNTS, seed=SEED, regions=2, defect_rate=1.0, config_snapshots=True))
    before, after = read_tree(plain), read_tree(with_config)
    added = {p for p in after if "/config/AWSLogs/" in p}
    assert added and set(after) - added == set(before)
    assert all(after[p] == before[p] for p in before if p != EXPECTED_FILE)
    assert "config_snapshots" not in json.loads(before[EXPECTED_FILE])
    old, new = json.loads(before[EXPECTED_FILE]), json.loads(after[EXPECTED_FILE])
    assert new["failures"] == old["failures"] and new["defects"] == old["defects"]


def test_config_only_holds_the_central_bucket(tmp_path: Path) -> None:
    out = tmp_path / "bucket"
    generate(out, SynthOptions(accounts=ACCOUNTS, seed=SEED, regions=2, defect_rate=1.0, config_only=True))
    document = json.loads((out / EXPECTED_FILE).read_text(encoding="utf-8"))
    folder = document["config_snapshots"]["folder"].removesuffix("config/AWSLogs/")
    paths = set(read_tree(out))
    assert {p for p in paths if not p.startswith(folder)} == {EXPECTED_FILE, layout.MANIFEST}
    assert any("/config/AWSLogs/" in p for p in paths)
    assert document["config_snapshots"]["bundle"] == "config-only"
    assert document["options"]["config_only"] is True


def test_drift_needs_the_exports(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="drift"):
        generate(tmp_path / "x", SynthOptions(accounts=8, config_only=True, config_drift="config-newer"))
    result = CliRunner().invoke(
        main, ["synth", str(tmp_path / "y"), "--accounts", "8", "--config-only", "--config-drift", "config-newer"]
    )
    assert result.exit_code == 2 and "--config-drift" in result.output
    result = CliRunner().invoke(
        main, ["synth", str(tmp_path / "z"), "--single-account-principals", "4", "--config-only"]
    )
    assert result.exit_code == 2 and "--accounts" in result.output


def _account_files(plan: Any, account: Any) -> dict[str, Any]:
    files = account_iam_files(plan, account)
    files.update(account_logging_files(plan, account, org_trail_evidence(plan) if plan.org_trail else None))
    return files


def test_no_files_where_the_exports_say_nothing_reaches_the_bucket() -> None:
    plan = plan_organization(SEED, ACCOUNTS, 3)
    workload = [a for a in plan.accounts if a.kind == "workload"]
    refused, local, stopped = workload[0], workload[1], workload[2]
    plan.bucket_knobs.config_omitted.append(refused.id)
    local.knobs.logging["local_channel_regions"] = (plan.regions[1],)
    stopped.knobs.logging["no_recorder_regions"] = (plan.regions[2],)
    cases = plan_config_cases(plan)
    assert account_config_files(plan, refused, _account_files(plan, refused), cases) == {}
    for account, region in ((local, plan.regions[1]), (stopped, plan.regions[2])):
        written = account_config_files(plan, account, _account_files(plan, account), cases)
        regions = {SNAPSHOT_KEY.search(p)["region"] for p in written if SNAPSHOT_KEY.search(p)}  # type: ignore[index]
        assert regions == set(plan.regions) - {region}


def test_cli_flag(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["synth", str(tmp_path / "org"), "--accounts", "6", "--regions", "1", "--config-snapshots"]
    )
    assert result.exit_code == 0, result.output
    assert "with Config files" in result.output
    assert any("/config/AWSLogs/" in p for p in read_tree(tmp_path / "org"))
