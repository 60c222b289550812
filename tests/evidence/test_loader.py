"""The per-file pipeline: every kind, tolerated variants, invalid files, placement, pagination,
error records, duplicates, and the evidence state each file sets."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from analyzer.evidence import load_bundle, schemas
from analyzer.evidence.layout import read_path
from analyzer.model.evidence import EvidenceStatus
from analyzer.model.kinds import ACTIVITY_KINDS, CONFIG_ITEM_KINDS, SCOPE, Kind, Scope
from analyzer.model.snapshot import FileStatus, InventoryRow, Snapshot
from tests.evidence import conftest as shapes
from tests.evidence.conftest import BUCKET, DEV, IDENTITY, MGMT, REGION, BundleBuilder

SCHEMA_CASES = Path(__file__).resolve().parents[1] / "schema_cases"
GAAD = f"{IDENTITY}/iam/get-account-authorization-details.json"
#: A copy of part of the central bucket's AWSLogs/ tree, under the bucket owner's folder.
LOG_DAY = f"{IDENTITY}/s3/{BUCKET}/AWSLogs/o-abcdefghij/{DEV}/CloudTrail/{REGION}/2026/03/01"
DIGEST = (
    f"{IDENTITY}/s3/{BUCKET}/AWSLogs/o-abcdefghij/{DEV}/CloudTrail-Digest/{REGION}/2026/03/01/"
    f"{DEV}_CloudTrail-Digest_{REGION}_org-audit_{REGION}_20260301T130000Z.json.gz"
)

#: A copy of part of the bucket's Config objects (date folders not zero-padded, as Config writes them).
CONFIG_DAY = f"central-logs/AWSLogs/{IDENTITY}/Config/{REGION}/2026/3/1"
_ROLE_CONFIG = {
    "roleName": "audit",
    "roleId": "AROAAUDIT0000000001",
    "arn": f"arn:aws:iam::{IDENTITY}:role/audit",
    "path": "/",
    "assumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow"
    "%22%2C%22Principal%22%3A%7B%22Service%22%3A%22config.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D",
    "rolePolicyList": [],
    "attachedManagedPolicies": [],
}
#: One AWS::IAM::Role item in each naming form (AWS Config Developer Guide, "Components of a
#: configuration item"; API form: AWS Config API Reference, ConfigurationItem).
_FILE_ITEM = {
    "configurationItemVersion": "1.3",
    "configurationItemCaptureTime": "2026-03-01T05:00:00.123Z",
    "configurationStateId": 1772341200123,
    "awsAccountId": IDENTITY,
    "configurationItemStatus": "OK",
    "resourceType": "AWS::IAM::Role",
    "resourceId": "AROAAUDIT0000000001",
    "resourceName": "audit",
    "ARN": f"arn:aws:iam::{IDENTITY}:role/audit",
    "awsRegion": "global",
    "configuration": _ROLE_CONFIG,
    "supplementaryConfiguration": {},
}
_API_ITEM = {
    "version": "1.3",
    "configurationItemCaptureTime": "2026-03-01T05:00:00.123000+00:00",
    "configurationStateId": "1772341200123",
    "accountId": IDENTITY,
    "configurationItemStatus": "OK",
    "resourceType": "AWS::IAM::Role",
    "resourceId": "AROAAUDIT0000000001",
    "resourceName": "audit",
    "arn": f"arn:aws:iam::{IDENTITY}:role/audit",
    "awsRegion": "global",
    "configuration": json.dumps(_ROLE_CONFIG),
    "supplementaryConfiguration": {},
}
_ROW = json.dumps({**{k: v for k, v in _API_ITEM.items() if k != "configuration"}, "configuration": _ROLE_CONFIG})

#: The documented place of one file of every kind (in account IDENTITY, region REGION).
PLACES: dict[Kind, str] = {
    Kind.MANIFEST: "manifest.json",
    Kind.ORG_DESCRIBE: "organization/describe-organization.json",
    Kind.ORG_ACCOUNTS: "organization/list-accounts.json",
    Kind.ORG_ROOTS: "organization/list-roots.json",
    Kind.ORG_POLICY: "organization/policies/p-abcd1234.json",
    Kind.ORG_TARGETS: "organization/targets/p-abcd1234.json",
    Kind.IAM_AUTH_DETAILS: GAAD,
    Kind.IAM_PASSWORD_POLICY: f"{IDENTITY}/iam/get-account-password-policy.json",
    Kind.IAM_SUMMARY: f"{IDENTITY}/iam/get-account-summary.json",
    Kind.IAM_VIRTUAL_MFA: f"{IDENTITY}/iam/list-virtual-mfa-devices.json",
    Kind.IAM_CREDENTIAL_REPORT: f"{IDENTITY}/iam/get-credential-report.json",
    Kind.IAM_ORG_FEATURES: f"{IDENTITY}/iam/list-organizations-features.json",
    Kind.EC2_REGIONS: f"{IDENTITY}/ec2/describe-regions.json",
    Kind.TRAILS: f"{IDENTITY}/{REGION}/cloudtrail/describe-trails.json",
    Kind.TRAIL_STATUS: f"{IDENTITY}/{REGION}/cloudtrail/get-trail-status/org-audit.json",
    Kind.TRAIL_SELECTORS: f"{IDENTITY}/{REGION}/cloudtrail/get-event-selectors/org-audit.json",
    Kind.CONFIG_RECORDERS: f"{IDENTITY}/{REGION}/config/describe-configuration-recorders.json",
    Kind.CONFIG_RECORDER_STATUS: f"{IDENTITY}/{REGION}/config/describe-configuration-recorder-status.json",
    Kind.CONFIG_CHANNELS: f"{IDENTITY}/{REGION}/config/describe-delivery-channels.json",
    Kind.CONFIG_CHANNEL_STATUS: f"{IDENTITY}/{REGION}/config/describe-delivery-channel-status.json",
    Kind.S3_BUCKET_POLICY: f"{IDENTITY}/s3/{BUCKET}/get-bucket-policy.json",
    Kind.CT_LOG_FILE: f"{LOG_DAY}/{DEV}_CloudTrail_{REGION}_20260301T1205Z_AbCdEfGhIjKlMnOp.json",
    Kind.CT_DIGEST_FILE: DIGEST,
    Kind.S3_HEAD_OBJECT: f"{DIGEST}.head-object.json",
    Kind.CT_PUBLIC_KEYS: f"{IDENTITY}/{REGION}/cloudtrail/list-public-keys.json",
    Kind.CT_LOOKUP_EVENTS: f"{IDENTITY}/{REGION}/cloudtrail/lookup-events.json",
    Kind.S3_LIST_OBJECTS: f"{IDENTITY}/s3/{BUCKET}/list-objects-v2.json",
    Kind.CONFIG_SNAPSHOT_FILE: f"{CONFIG_DAY}/ConfigSnapshot/{IDENTITY}_Config_{REGION}_ConfigSnapshot_"
    "20260301T060000Z_0a1b2c3d-0c1e-4a5b-9d3e-111111111111.json.gz",
    Kind.CONFIG_HISTORY_FILE: f"{CONFIG_DAY}/ConfigHistory/{IDENTITY}_Config_{REGION}_ConfigHistory_"
    "AWS::IAM::Role_20260301T000000Z_20260301T060000Z_1.json.gz",
    Kind.CONFIG_RESOURCE_HISTORY: f"{IDENTITY}/{REGION}/config/get-resource-config-history/role-audit.json",
    Kind.CONFIG_BATCH_GET: f"{IDENTITY}/{REGION}/config/batch-get-resource-config.json",
    Kind.CONFIG_SELECT: f"{IDENTITY}/{REGION}/config/select-resource-config.json",
    Kind.CONFIG_SELECT_AGGREGATE: f"{IDENTITY}/{REGION}/config/select-aggregate-resource-config.json",
}
TRAIL_ARN = f"arn:aws:cloudtrail:{REGION}:{MGMT}:trail/org-audit"
VALID: dict[Kind, Any] = {
    Kind.MANIFEST: {"collected_at": "2026-03-02T10:00:00Z", "identity_account": IDENTITY, "log_bucket": BUCKET},
    Kind.ORG_DESCRIBE: shapes.describe_organization(),
    Kind.ORG_ACCOUNTS: shapes.list_accounts(IDENTITY, DEV),
    Kind.ORG_ROOTS: {"Roots": [{"Id": "r-ab12", "Name": "Root", "PolicyTypes": []}]},
    Kind.ORG_POLICY: shapes.scp("p-abcd1234", json.dumps(shapes.MFA_TRUST)),
    Kind.ORG_TARGETS: shapes.targets("r-ab12"),
    Kind.IAM_AUTH_DETAILS: shapes.gaad(IDENTITY),
    Kind.IAM_PASSWORD_POLICY: shapes.password_policy(),
    Kind.IAM_SUMMARY: shapes.account_summary(),
    Kind.IAM_VIRTUAL_MFA: shapes.mfa_devices(IDENTITY),
    Kind.IAM_CREDENTIAL_REPORT: shapes.credential_report(IDENTITY),
    Kind.IAM_ORG_FEATURES: {"OrganizationId": "o-abcdefghij", "EnabledFeatures": ["RootCredentialsManagement"]},
    Kind.EC2_REGIONS: shapes.regions(REGION, "eu-west-1"),
    Kind.TRAILS: {"trailList": [shapes.trail(MGMT, REGION)]},
    Kind.TRAIL_STATUS: shapes.trail_status(),
    Kind.TRAIL_SELECTORS: shapes.basic_selectors(TRAIL_ARN),
    Kind.CONFIG_RECORDERS: shapes.recorders(IDENTITY),
    Kind.CONFIG_RECORDER_STATUS: shapes.recorder_status(),
    Kind.CONFIG_CHANNELS: shapes.channels(),
    Kind.CONFIG_CHANNEL_STATUS: shapes.channel_status(),
    Kind.S3_BUCKET_POLICY: {"Policy": shapes.bucket_policy_text()},
    Kind.CT_LOG_FILE: {
        "Records": [{"eventTime": "2026-03-01T12:01:00Z", "eventName": "ListUsers", "eventSource": "iam.amazonaws.com"}]
    },
    Kind.CT_DIGEST_FILE: json.loads(
        (SCHEMA_CASES / "cloudtrail-digest-file/valid/starting-empty-hour.json").read_text()
    ),
    Kind.S3_HEAD_OBJECT: {"Metadata": {"signature": "00ff", "signature-algorithm": "SHA256withRSA"}},
    Kind.CT_PUBLIC_KEYS: {
        "PublicKeyList": [{"Value": "MIIBCgKCAQEA", "Fingerprint": "7f3f401420072e50a65a141430817ab3"}]
    },
    Kind.CT_LOOKUP_EVENTS: {"Events": [{"EventId": "e1", "CloudTrailEvent": '{"eventName": "ConsoleLogin"}'}]},
    Kind.S3_LIST_OBJECTS: {"Contents": [{"Key": "AWSLogs/x", "Size": 1}]},
    Kind.CONFIG_SNAPSHOT_FILE: {"fileVersion": "1.0", "configSnapshotId": "0a1b", "configurationItems": [_FILE_ITEM]},
    Kind.CONFIG_HISTORY_FILE: {"fileVersion": "1.0", "configurationItems": [_FILE_ITEM]},
    Kind.CONFIG_RESOURCE_HISTORY: {"configurationItems": [_API_ITEM]},
    Kind.CONFIG_BATCH_GET: {"baseConfigurationItems": [_API_ITEM], "unprocessedResourceKeys": []},
    Kind.CONFIG_SELECT: {"QueryInfo": {"SelectFields": [{"Name": "resourceId"}]}, "Results": [_ROW]},
    Kind.CONFIG_SELECT_AGGREGATE: {"QueryInfo": {"SelectFields": [{"Name": "resourceId"}]}, "Results": [_ROW]},
}


def _row(snapshot: Snapshot, path: str) -> InventoryRow:
    (row,) = [r for r in snapshot.inventory if r.path == path]
    return row


def _state_args(kind: Kind) -> tuple[str | None, str | None, str | None]:
    scope = SCOPE[kind]
    if (
        kind in ACTIVITY_KINDS or kind in CONFIG_ITEM_KINDS
    ) and scope is not Scope.REGION:  # placed by the object key or the listing's name
        info = read_path(PLACES[kind])
        return info.account_id, info.region if scope is Scope.OBJECT else None, info.item
    account = IDENTITY if scope in (Scope.ACCOUNT, Scope.REGION, Scope.TRAIL, Scope.BUCKET) else None
    region = REGION if scope in (Scope.REGION, Scope.TRAIL) else None
    item = {Scope.TRAIL: "org-audit", Scope.BUCKET: BUCKET, Scope.POLICY: "p-abcd1234"}.get(scope)
    return account, region, item


def test_every_kind_has_a_case() -> None:
    assert set(PLACES) == set(VALID) == set(Kind)


@pytest.mark.parametrize("kind", list(Kind))
def test_each_kind_loads_from_its_place(builder: BundleBuilder, kind: Kind) -> None:
    builder.write(PLACES[kind], VALID[kind])
    snapshot = load_bundle(builder.root)
    row = _row(snapshot, PLACES[kind])
    assert (row.status, row.kind, row.problems) == (FileStatus.LOADED, kind.value, ())
    state = snapshot.state(kind, *_state_args(kind))
    assert state.status is EvidenceStatus.LOADED
    assert state.files == (PLACES[kind],)
    assert len(row.sha256) == 64


#: Log files are placed and hashed by the loader but not parsed (DuckDB reads their records): their
#: shape is checked by analyzer.activity (tests/activity/).
@pytest.mark.parametrize("kind", [k for k in Kind if k not in (Kind.MANIFEST, Kind.CT_LOG_FILE)])
def test_each_kind_with_the_wrong_shape_is_invalid(builder: BundleBuilder, kind: Kind) -> None:
    """A wrong value where a verdict reads (here the first key's) makes the file unusable."""
    key = schemas.fields(kind.value).verdict[0][0]
    builder.write(PLACES[kind], {**VALID[kind], key: 12345} if kind is not Kind.ORG_TARGETS else {})
    builder.write("manifest.json", VALID[Kind.MANIFEST])
    snapshot = load_bundle(builder.root)
    row = _row(snapshot, PLACES[kind])
    assert row.status is FileStatus.INVALID
    assert row.problems and row.problems[0].hint
    assert snapshot.state(kind, *_state_args(kind)).status is EvidenceStatus.INVALID
    assert _row(snapshot, "manifest.json").status is FileStatus.LOADED  # one bad file never stops the rest


# (log files are not parsed by the loader: DuckDB reads them; Config's delivered files are streamed,
# their top-level members other than the items are not read)
@pytest.mark.parametrize(
    "kind",
    [
        k
        for k in Kind
        if k not in (Kind.MANIFEST, Kind.CT_LOG_FILE, Kind.CONFIG_SNAPSHOT_FILE, Kind.CONFIG_HISTORY_FILE)
    ],
)
def test_each_kind_with_an_unknown_key_is_loaded_with_a_warning(builder: BundleBuilder, kind: Kind) -> None:
    """A key no verdict reads (an exporter's addition, a field AWS added) is a warning, not a lost file."""
    builder.write(PLACES[kind], {**VALID[kind], "Unexpected": True})
    snapshot = load_bundle(builder.root)
    row = _row(snapshot, PLACES[kind])
    assert row.status is FileStatus.LOADED
    assert [(p.pointer, p.warning) for p in row.problems] == [("/Unexpected", True)]
    assert snapshot.state(kind, *_state_args(kind)).status is EvidenceStatus.LOADED


def test_standard_bundle_loads_completely(builder: BundleBuilder) -> None:
    snapshot = load_bundle(builder.standard().root)
    assert [r.path for r in snapshot.inventory if r.status is not FileStatus.LOADED or r.problems] == []
    assert [r.path for r in snapshot.inventory] == sorted(r.path for r in snapshot.inventory)
    assert snapshot.account_ids == (IDENTITY, DEV, MGMT)
    assert set(snapshot.accounts) == {IDENTITY, DEV}
    assert all(state.usable for state in snapshot.states.values())
    assert snapshot.manifest.identity_account == IDENTITY
    assert snapshot.manifest.collected_at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_reloading_gives_the_same_snapshot(builder: BundleBuilder) -> None:
    builder.standard()
    assert load_bundle(builder.root) == load_bundle(builder.root)


# --------------------------------------------------------------------------- tolerated variants


def test_boto3_dump_with_response_metadata_and_space_timestamps(builder: BundleBuilder) -> None:
    doc = shapes.gaad(IDENTITY, users=[shapes.user(IDENTITY, "bob", CreateDate="2014-07-30 17:09:20+00:00")])
    doc["ResponseMetadata"] = {"RequestId": "x", "HTTPStatusCode": 200, "RetryAttempts": 0}
    builder.write(GAAD, doc)
    snapshot = load_bundle(builder.root)
    assert _row(snapshot, GAAD).status is FileStatus.LOADED
    assert snapshot.accounts[IDENTITY].users[0].created == datetime(2014, 7, 30, 17, 9, 20, tzinfo=UTC)


def test_cli_v1_epoch_timestamps(builder: BundleBuilder) -> None:
    builder.write(PLACES[Kind.TRAIL_STATUS], shapes.trail_status(epoch=True))
    builder.write(PLACES[Kind.TRAILS], {"trailList": [shapes.trail(IDENTITY, REGION)]})
    builder.write(PLACES[Kind.ORG_ACCOUNTS], shapes.list_accounts(IDENTITY))
    snapshot = load_bundle(builder.root)
    (trail,) = snapshot.accounts[IDENTITY].trails
    assert trail.status is not None
    assert trail.status.latest_delivery_time == datetime.fromtimestamp(1714715921.128, tz=UTC)
    assert snapshot.org_accounts[0].joined == datetime.fromtimestamp(1614592800.5, tz=UTC)


@pytest.mark.parametrize("form", ["object", "url-encoded", "json-text"])
def test_iam_policy_documents_in_every_form(builder: BundleBuilder, form: str) -> None:
    from urllib.parse import quote

    document: Any = shapes.MFA_TRUST
    if form == "url-encoded":
        document = quote(json.dumps(shapes.MFA_TRUST, separators=(",", ":")), safe="")
    elif form == "json-text":
        document = json.dumps(shapes.MFA_TRUST, indent=2)
    inline = {"PolicyName": "Assume", "PolicyDocument": document}
    builder.write(
        GAAD, shapes.gaad(IDENTITY, roles=[shapes.role(IDENTITY, "Admin", trust=document, RolePolicyList=[inline])])
    )
    snapshot = load_bundle(builder.root)
    assert _row(snapshot, GAAD).problems == ()
    (role,) = snapshot.accounts[IDENTITY].roles
    assert role.trust_policy is not None and role.inline_policies
    statement = role.trust_policy.document.statements[0]
    assert statement.principal is not None and statement.principal.aws == (f"arn:aws:iam::{IDENTITY}:root",)
    embedded = isinstance(document, str)
    assert (role.trust_policy.ref.inner is not None) is embedded


def test_unknown_file_names_are_recognised_from_content(builder: BundleBuilder) -> None:
    builder.write(f"{IDENTITY}/exports/users-and-roles.json", shapes.gaad(IDENTITY))
    builder.write(f"{IDENTITY}/{REGION}/misc/recorders.json", shapes.recorders(IDENTITY))
    snapshot = load_bundle(builder.root)
    assert _row(snapshot, f"{IDENTITY}/exports/users-and-roles.json").kind == Kind.IAM_AUTH_DETAILS.value
    assert snapshot.state(Kind.IAM_AUTH_DETAILS, IDENTITY).status is EvidenceStatus.LOADED
    assert snapshot.state(Kind.CONFIG_RECORDERS, IDENTITY, REGION).status is EvidenceStatus.LOADED


@pytest.mark.parametrize(
    ("rel", "content"),
    [
        ("exports/gaad.json", shapes.gaad(DEV)),
        ("exports/mfa.json", shapes.mfa_devices(DEV)),
        ("exports/report.json", shapes.credential_report(DEV)),
        ("exports/credential-report.csv", shapes.report_csv(DEV)),
    ],
)
def test_account_is_taken_from_arns_when_the_path_has_none(builder: BundleBuilder, rel: str, content: Any) -> None:
    builder.write(rel, content)
    snapshot = load_bundle(builder.root)
    row = _row(snapshot, rel)
    assert (row.status, row.account_id) == (FileStatus.LOADED, DEV)
    assert DEV in snapshot.accounts


@pytest.mark.parametrize(
    ("rel", "content", "reason"),
    [
        ("exports/get-account-summary.json", shapes.account_summary(), "which account"),
        ("exports/policy.json", shapes.password_policy(), "which account"),
        (f"{IDENTITY}/cloudtrail/describe-trails.json", {"trailList": []}, "which region"),
        (f"{IDENTITY}/notes/other.json", {"Something": "else"}, "neither the file name nor its top-level keys"),
        (f"{IDENTITY}/README.md", "# notes", "not an evidence file"),
        (f"{IDENTITY}/iam/users.csv", "name,email\nalice,a@example.com\n", "not a credential report"),
        (f"{IDENTITY}/iam/list-users.error.json", shapes.error_record("AccessDenied"), "does not read"),
        ("sub/manifest.json", {"collected_at": "2026-01-01T00:00:00Z"}, "top of the bundle"),
    ],
)
def test_files_that_cannot_be_placed_or_recognised_are_ignored(
    builder: BundleBuilder, rel: str, content: Any, reason: str
) -> None:
    builder.write(rel, content)
    snapshot = load_bundle(builder.root)
    row = _row(snapshot, rel)
    assert row.status is FileStatus.IGNORED
    assert reason in row.reason
    assert snapshot.states == {}


# --------------------------------------------------------------------------- contradictions


def test_auth_details_under_the_wrong_account_is_invalid(builder: BundleBuilder) -> None:
    rel = f"{DEV}/iam/get-account-authorization-details.json"
    builder.write(rel, shapes.gaad(IDENTITY))
    snapshot = load_bundle(builder.root)
    row = _row(snapshot, rel)
    assert (row.status, row.account_id) == (FileStatus.INVALID, DEV)
    assert f"belongs to account {IDENTITY}" in row.reason
    assert f"move it to {IDENTITY}/" in row.problems[0].hint
    state = snapshot.state(Kind.IAM_AUTH_DETAILS, DEV)
    assert (state.status, state.files) == (EvidenceStatus.INVALID, (rel,))
    assert snapshot.accounts == {}  # nothing from the misplaced file reached the model


def test_credential_report_csv_under_the_wrong_account_is_invalid(builder: BundleBuilder) -> None:
    rel = f"{DEV}/iam/credential-report.csv"
    builder.write(rel, shapes.report_csv(IDENTITY))
    snapshot = load_bundle(builder.root)
    assert _row(snapshot, rel).status is FileStatus.INVALID
    assert snapshot.state(Kind.IAM_CREDENTIAL_REPORT, DEV).status is EvidenceStatus.INVALID


def test_file_named_as_one_kind_holding_another_is_invalid(builder: BundleBuilder) -> None:
    rel = f"{IDENTITY}/iam/get-account-summary.json"
    builder.write(rel, shapes.password_policy())
    snapshot = load_bundle(builder.root)
    row = _row(snapshot, rel)
    assert row.status is FileStatus.INVALID
    assert row.kind == Kind.IAM_SUMMARY.value
    assert "holds iam-get-account-password-policy output" in row.reason
    assert snapshot.state(Kind.IAM_SUMMARY, IDENTITY).status is EvidenceStatus.INVALID
    assert snapshot.state(Kind.IAM_PASSWORD_POLICY, IDENTITY).status is EvidenceStatus.MISSING


def test_scp_file_named_for_another_policy_is_invalid(builder: BundleBuilder) -> None:
    rel = "organization/policies/p-abcd1234.json"
    builder.write(rel, shapes.scp("p-zzzz9999", json.dumps(shapes.MFA_TRUST)))
    snapshot = load_bundle(builder.root)
    assert "describes p-zzzz9999" in _row(snapshot, rel).reason
    assert snapshot.state(Kind.ORG_POLICY, item="p-abcd1234").status is EvidenceStatus.INVALID
    assert snapshot.scps == ()


# --------------------------------------------------------------------------- pagination


@pytest.mark.parametrize(
    ("markers", "incomplete"),
    [
        ({"IsTruncated": True, "Marker": "AAAA"}, True),
        ({"IsTruncated": True}, True),
        ({"Marker": "AAAA"}, True),
        ({"NextToken": "eyJNYXJrZXIiOiBudWxsfQ=="}, True),
        ({"IsTruncated": False}, False),
        ({"IsTruncated": False, "Marker": None, "NextToken": None}, False),
    ],
)
def test_pagination_markers_make_the_evidence_incomplete(
    builder: BundleBuilder, markers: dict[str, Any], incomplete: bool
) -> None:
    builder.write(GAAD, {**shapes.gaad(IDENTITY), **markers})
    snapshot = load_bundle(builder.root)
    row = _row(snapshot, GAAD)
    state = snapshot.state(Kind.IAM_AUTH_DETAILS, IDENTITY)
    if incomplete:
        assert (row.status, state.status) == (FileStatus.INCOMPLETE, EvidenceStatus.INCOMPLETE)
        assert "paginated" in row.reason
        assert "--max-items" in row.problems[0].hint
        assert not state.usable
    else:
        assert (row.status, state.status) == (FileStatus.LOADED, EvidenceStatus.LOADED)
    assert len(snapshot.accounts[IDENTITY].users) == 2  # the rows that are there are still read


def test_paginated_organization_listing_is_incomplete(builder: BundleBuilder) -> None:
    builder.write(PLACES[Kind.ORG_ACCOUNTS], {**shapes.list_accounts(IDENTITY), "NextToken": "AAE="})
    snapshot = load_bundle(builder.root)
    assert snapshot.state(Kind.ORG_ACCOUNTS).status is EvidenceStatus.INCOMPLETE


# --------------------------------------------------------------------------- error records


def test_no_such_entity_is_the_aws_default_password_policy(builder: BundleBuilder) -> None:
    rel = f"{IDENTITY}/iam/get-account-password-policy.error.json"
    builder.write(rel, shapes.error_record("NoSuchEntity", "The Password Policy with domain name x cannot be found."))
    snapshot = load_bundle(builder.root)
    row = _row(snapshot, rel)
    assert (row.status, row.kind, row.account_id) == (FileStatus.ERROR_RECORD, Kind.IAM_PASSWORD_POLICY.value, IDENTITY)
    state = snapshot.state(Kind.IAM_PASSWORD_POLICY, IDENTITY)
    assert (state.status, state.error_code, state.usable) == (EvidenceStatus.ABSENT_IN_AWS, "NoSuchEntity", True)
    policy = snapshot.accounts[IDENTITY].password_policy
    assert policy is not None and policy.is_default and policy.minimum_length == 8
    assert policy.ref.file == rel


@pytest.mark.parametrize(
    ("rel", "content", "kind", "status", "code"),
    [
        (
            f"{IDENTITY}/iam/get-account-summary.err",
            "\nAn error occurred (AccessDenied) when calling the GetAccountSummary operation: User: "
            f"arn:aws:sts::{IDENTITY}:assumed-role/Audit/x is not authorized to perform: iam:GetAccountSummary\n",
            Kind.IAM_SUMMARY,
            EvidenceStatus.DENIED,
            "AccessDenied",
        ),
        (
            f"{IDENTITY}/{REGION}/config/describe-configuration-recorders.err",
            "An error occurred (ThrottlingException) (reached max retries: 4) when calling the "
            "DescribeConfigurationRecorders operation (reached max retries: 4): Rate exceeded",
            Kind.CONFIG_RECORDERS,
            EvidenceStatus.ERROR,
            "ThrottlingException",
        ),
        (
            f"{IDENTITY}/s3/{BUCKET}/get-bucket-policy.error.json",
            {"Error": {"Code": "NoSuchBucketPolicy", "Message": "The bucket policy does not exist"}},
            Kind.S3_BUCKET_POLICY,
            EvidenceStatus.ABSENT_IN_AWS,
            "NoSuchBucketPolicy",
        ),
        (
            "organization/list-accounts.error.json",
            {"error": {"code": "AccessDeniedException", "message": "no"}},
            Kind.ORG_ACCOUNTS,
            EvidenceStatus.DENIED,
            "AccessDeniedException",
        ),
        (
            f"{IDENTITY}/{REGION}/cloudtrail/get-trail-status/org-audit.error.json",
            {"Error": {"Code": "TrailNotFoundException"}, "ResponseMetadata": {}},
            Kind.TRAIL_STATUS,
            EvidenceStatus.ERROR,
            "TrailNotFoundException",
        ),
    ],
)
def test_error_records_set_the_state_of_their_kind(
    builder: BundleBuilder, rel: str, content: Any, kind: Kind, status: EvidenceStatus, code: str
) -> None:
    builder.write(rel, content)
    snapshot = load_bundle(builder.root)
    assert _row(snapshot, rel).status is FileStatus.ERROR_RECORD
    state = snapshot.state(kind, *_state_args(kind))
    assert (state.status, state.error_code, state.files) == (status, code, (rel,))
    assert code in state.reason


# --------------------------------------------------------------------------- several files, one piece of evidence


def test_error_record_beside_the_output_is_a_conflict(builder: BundleBuilder) -> None:
    """A recorded failure beside the output of the same call: which one happened cannot be told."""
    data = f"{IDENTITY}/iam/get-account-summary.json"
    failure = f"{IDENTITY}/iam/get-account-summary.error.json"
    builder.write(data, shapes.account_summary())
    builder.write(failure, shapes.error_record("AccessDenied"))
    snapshot = load_bundle(builder.root)
    state = snapshot.state(Kind.IAM_SUMMARY, IDENTITY)
    assert state.status is EvidenceStatus.CONFLICT
    assert state.files == (failure, data)  # in path order
    assert state.reason == f"conflicting evidence: {failure} vs {data}"
    for path, other in ((data, failure), (failure, data)):
        row = _row(snapshot, path)
        assert row.status is FileStatus.INVALID
        assert f"conflicting evidence: {other} provide(s) the same evidence" in row.reason
    assert IDENTITY not in snapshot.accounts  # neither answer was read into the model


def test_different_copies_are_a_conflict_whatever_their_order(builder: BundleBuilder) -> None:
    first = f"{IDENTITY}/iam/get-account-summary.json"
    second = f"{IDENTITY}/iam/get-account-summary.json.gz"
    builder.write(first, shapes.account_summary(Users=1))
    builder.write(second, gzip.compress(json.dumps(shapes.account_summary(Users=2)).encode()))
    snapshot = load_bundle(builder.root)
    assert snapshot.state(Kind.IAM_SUMMARY, IDENTITY).status is EvidenceStatus.CONFLICT
    assert IDENTITY not in snapshot.accounts
    assert {_row(snapshot, p).status for p in (first, second)} == {FileStatus.INVALID}


def test_identical_copies_are_read_once(builder: BundleBuilder) -> None:
    """The same content, once gzip-compressed: one answer, both files named, nothing reported."""
    first = f"{IDENTITY}/iam/get-account-summary.json"
    second = f"{IDENTITY}/iam/get-account-summary.json.gz"
    text = json.dumps(shapes.account_summary(Users=1)).encode()
    builder.write(first, text)
    builder.write(second, gzip.compress(text))
    snapshot = load_bundle(builder.root)
    state = snapshot.state(Kind.IAM_SUMMARY, IDENTITY)
    assert state.status is EvidenceStatus.LOADED
    assert state.files == (first, second)
    assert dict(snapshot.accounts[IDENTITY].summary.counts)["Users"] == 1  # type: ignore[union-attr]
    assert _row(snapshot, second).status is FileStatus.LOADED
    assert _row(snapshot, second).reason.startswith(f"identical copy of {first}: read once")


def test_an_invalid_copy_beside_a_loaded_one_is_a_conflict(builder: BundleBuilder) -> None:
    """Whoever broke the genuine file and added a clean one must not get the clean one read."""
    builder.write(f"{IDENTITY}/iam/a/get-account-summary.json", b"{broken")
    builder.write(f"{IDENTITY}/iam/b/get-account-summary.json", shapes.account_summary())
    snapshot = load_bundle(builder.root)
    assert snapshot.state(Kind.IAM_SUMMARY, IDENTITY).status is EvidenceStatus.CONFLICT
    assert IDENTITY not in snapshot.accounts


@pytest.mark.parametrize(
    "copy",
    [
        f"{IDENTITY}/iam/a.json",  # sorts before the genuine file
        f"{IDENTITY}/IAM/get-account-summary.json",  # an upper-case folder
        f"0-extra/{IDENTITY}/iam/get-account-summary.json",  # a copy under another top folder
        f"{IDENTITY}/get-account-summary.json",  # a stray copy at the account root
    ],
)
def test_a_second_copy_anywhere_conflicts_with_the_genuine_file(builder: BundleBuilder, copy: str) -> None:
    genuine = f"{IDENTITY}/iam/get-account-summary.json"
    builder.write(genuine, shapes.account_summary(AccountMFAEnabled=0))
    builder.write(copy, shapes.account_summary(AccountMFAEnabled=1))
    snapshot = load_bundle(builder.root)
    state = snapshot.state(Kind.IAM_SUMMARY, IDENTITY)
    assert state.status is EvidenceStatus.CONFLICT
    assert set(state.files) == {genuine, copy}


def test_regions_and_trails_are_separate_slots(builder: BundleBuilder) -> None:
    builder.logging(IDENTITY, REGION).logging(IDENTITY, "eu-west-1")
    snapshot = load_bundle(builder.root)
    for region in (REGION, "eu-west-1"):
        assert snapshot.state(Kind.TRAILS, IDENTITY, region).status is EvidenceStatus.LOADED
        assert snapshot.state(Kind.TRAIL_STATUS, IDENTITY, region, "org-audit").usable
    assert snapshot.state(Kind.TRAILS, IDENTITY, "ap-south-1").status is EvidenceStatus.MISSING
    assert snapshot.accounts[IDENTITY].regions_seen == ("eu-west-1", REGION)


# --------------------------------------------------------------------------- manifest


def test_invalid_manifest_is_reported_and_not_used(builder: BundleBuilder) -> None:
    builder.write("manifest.json", {"identity_account": "not-an-account", "collected_at": "soon"})
    builder.write(PLACES[Kind.IAM_CREDENTIAL_REPORT], shapes.credential_report(IDENTITY))
    snapshot = load_bundle(builder.root)
    assert _row(snapshot, "manifest.json").status is FileStatus.INVALID
    assert snapshot.manifest.identity_account is None
    assert snapshot.manifest.collected_at_source == "credential-report"
    assert snapshot.manifest.collected_at == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_no_manifest_and_no_report_leaves_collection_time_unknown(builder: BundleBuilder) -> None:
    builder.write(PLACES[Kind.IAM_SUMMARY], shapes.account_summary())
    manifest = load_bundle(builder.root).manifest
    assert (manifest.collected_at, manifest.collected_at_source, manifest.partition) == (None, "unknown", "aws")


def test_bundle_digest_depends_on_content(builder: BundleBuilder) -> None:
    builder.write(PLACES[Kind.IAM_SUMMARY], shapes.account_summary(Users=1))
    first = load_bundle(builder.root).bundle_sha256
    builder.write(PLACES[Kind.IAM_SUMMARY], shapes.account_summary(Users=2))
    assert load_bundle(builder.root).bundle_sha256 != first


def test_credential_report_content_variants(builder: BundleBuilder) -> None:
    csv_text = shapes.report_csv(IDENTITY)
    bytes_repr = {"Content": repr(csv_text.encode()), "ReportFormat": "text/csv"}  # boto3 + default=str
    plain = {"Content": csv_text, "ReportFormat": "text/csv"}
    wrapped = {"Content": base64.encodebytes(csv_text.encode()).decode()}  # base64 with line breaks
    for doc in (bytes_repr, plain, wrapped):
        builder.write(PLACES[Kind.IAM_CREDENTIAL_REPORT], doc)
        snapshot = load_bundle(builder.root)
        assert _row(snapshot, PLACES[Kind.IAM_CREDENTIAL_REPORT]).status is FileStatus.LOADED
        report = snapshot.accounts[IDENTITY].credential_report
        assert report is not None and [r.user for r in report.rows] == ["<root_account>", "alice", "ops,bot"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ({"Content": "!!!not base64!!!"}, "neither base64"),
        ({"Content": base64.b64encode(b"name,email\nx,y\n").decode()}, "missing column(s) user, arn,"),
        ({"Content": base64.b64encode(b"user,arn,password_enabled\n\x00x").decode()}, "missing column(s)"),
        ({"Content": "b'\\xff\\xfe'"}, "neither base64"),
    ],
)
def test_unreadable_credential_report_is_invalid(builder: BundleBuilder, content: Any, reason: str) -> None:
    builder.write(PLACES[Kind.IAM_CREDENTIAL_REPORT], content)
    snapshot = load_bundle(builder.root)
    row = _row(snapshot, PLACES[Kind.IAM_CREDENTIAL_REPORT])
    assert row.status is FileStatus.INVALID
    assert reason in row.reason
    assert snapshot.accounts.get(IDENTITY) is None or snapshot.accounts[IDENTITY].credential_report is None


def test_merging_extends_lists_updates_maps_and_replaces_values() -> None:
    from analyzer.evidence.readers.base import AccountParts, merge_fields

    target, source = AccountParts(), AccountParts()
    target.regions_seen.add("eu-west-1")
    source.regions_seen.add("us-east-1")
    source.enabled_regions = ()  # an empty tuple is a value: no region enabled
    source.root_credentials_managed_centrally = True
    merge_fields(target, source)
    assert target.regions_seen == {"eu-west-1", "us-east-1"}
    assert target.enabled_regions == ()
    assert target.root_credentials_managed_centrally
    merge_fields(target, AccountParts())  # None, False and empty containers change nothing
    assert target.enabled_regions == () and target.root_credentials_managed_centrally


def test_org_wide_check_knows_every_collector_field() -> None:
    from dataclasses import fields

    from analyzer.evidence.readers.base import COLLECTOR_FIELDS, Collector, has_org_wide

    assert not has_org_wide(Collector())
    samples = {"organization": object(), "org_accounts": [1], "root_ids": ["r"], "scp_sources": {"p": 1}}
    samples |= {"scp_targets": {"p": ()}, "bucket_policies": [1]}
    assert set(COLLECTOR_FIELDS) == set(samples) == {f.name for f in fields(Collector)} - {"accounts"}
    for name, value in samples.items():
        collector = Collector()
        setattr(collector, name, value)
        assert has_org_wide(collector), name
