"""One reading of every document: what a doctored file would need two readings for is refused.

Each test reproduces a way a verdict was bought in the evidence-integrity review: a key given twice
(JSON readers keep the last value), a credential-report header with a second ``mfa_active``, a role
or a report row listed twice with other content, a second default policy version.
"""

from __future__ import annotations

import base64
import json

import pytest

from analyzer.evidence import load_bundle
from analyzer.model.evidence import EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.model.snapshot import FileStatus, InventoryRow, Snapshot
from tests.evidence import conftest as shapes
from tests.evidence.conftest import IDENTITY, REGION, BundleBuilder

GAAD = f"{IDENTITY}/iam/get-account-authorization-details.json"
REPORT = f"{IDENTITY}/iam/get-credential-report.json"
TRAILS = f"{IDENTITY}/{REGION}/cloudtrail/describe-trails.json"


def _row(snapshot: Snapshot, path: str) -> InventoryRow:
    return next(r for r in snapshot.inventory if r.path == path)


# --------------------------------------------------------------------------- keys given twice


def test_a_trail_setting_given_twice_makes_the_trail_list_unusable(builder: BundleBuilder) -> None:
    """``"LogFileValidationEnabled": false`` then ``true``: read as ``true``, LOG-003 passed."""
    text = json.dumps({"trailList": [shapes.trail(IDENTITY, REGION, LogFileValidationEnabled=False)]})
    builder.write(
        TRAILS,
        text.replace(
            '"LogFileValidationEnabled": false', '"LogFileValidationEnabled": false, "LogFileValidationEnabled": true'
        ),
    )
    snapshot = load_bundle(builder.root)
    row = _row(snapshot, TRAILS)
    assert row.status is FileStatus.INVALID
    assert [(p.pointer, p.message.split(":")[0]) for p in row.problems] == [
        ("/trailList/0", "key 'LogFileValidationEnabled' appears more than once in this object")
    ]
    assert snapshot.state(Kind.TRAILS, IDENTITY, REGION).status is EvidenceStatus.INVALID


def test_a_list_given_twice_makes_the_file_unusable(builder: BundleBuilder) -> None:
    """The genuine ``RoleDetailList`` and then a clean one: only the second would be read."""
    document = shapes.gaad(IDENTITY)
    text = json.dumps(document)[:-1] + ', "RoleDetailList": []}'
    builder.write(GAAD, text)
    snapshot = load_bundle(builder.root)
    assert _row(snapshot, GAAD).problems[0].pointer == ""
    assert "'RoleDetailList' appears more than once" in _row(snapshot, GAAD).reason
    assert snapshot.state(Kind.IAM_AUTH_DETAILS, IDENTITY).status is EvidenceStatus.INVALID


def test_every_object_that_repeats_a_key_is_named(builder: BundleBuilder) -> None:
    builder.write(
        f"{IDENTITY}/iam/get-account-summary.json",
        '{"SummaryMap": {"Users": 1, "Users": 0, "Roles": 1, "Roles": 2}, "x": [{"a": 1, "a": 2}]}',
    )
    row = _row(load_bundle(builder.root), f"{IDENTITY}/iam/get-account-summary.json")
    assert row.status is FileStatus.INVALID
    assert sorted((p.pointer, p.message.split(" appears")[0]) for p in row.problems) == [
        ("/SummaryMap", "key 'Roles', 'Users'"),
        ("/x/0", "key 'a'"),
    ]


def test_a_manifest_that_repeats_a_key_is_not_used(builder: BundleBuilder) -> None:
    builder.write("manifest.json", f'{{"identity_account": "{IDENTITY}", "identity_account": "222222222222"}}')
    snapshot = load_bundle(builder.root)
    assert _row(snapshot, "manifest.json").status is FileStatus.INVALID
    assert snapshot.manifest.identity_account is None


def test_an_error_record_that_repeats_a_key_is_not_used(builder: BundleBuilder) -> None:
    """``NoSuchEntity`` (AWS defaults apply) or ``AccessDenied``: two readings of one record."""
    path = f"{IDENTITY}/iam/get-account-password-policy.error.json"
    builder.write(path, '{"Error": {"Code": "AccessDenied", "Code": "NoSuchEntity", "Message": ""}}')
    snapshot = load_bundle(builder.root)
    assert _row(snapshot, path).status is FileStatus.INVALID
    assert snapshot.state(Kind.IAM_PASSWORD_POLICY, IDENTITY).status is EvidenceStatus.INVALID


# --------------------------------------------------------------------------- the credential report


def _report(builder: BundleBuilder, csv_text: str) -> Snapshot:
    builder.write(REPORT, shapes.credential_report(IDENTITY, csv_text))
    return load_bundle(builder.root)


def _with_column(csv_text: str, name: str, value: str) -> str:
    lines = csv_text.strip().split("\n")
    return "\n".join([f"{lines[0]},{name}", *(f"{line},{value}" for line in lines[1:])]) + "\n"


@pytest.mark.parametrize(
    ("column", "wrong"),
    [
        ("mfa_active", "repeated column(s) mfa_active"),  # an appended second column of "true"
        ("MFA_Active ", "repeated column(s) mfa_active"),  # the same, in another case and padded
        ("mfa_active_2", "unknown column(s) mfa_active_2"),
    ],
)
def test_a_report_header_that_is_not_aws_is_refused(builder: BundleBuilder, column: str, wrong: str) -> None:
    snapshot = _report(builder, _with_column(shapes.report_csv(IDENTITY), column, "true"))
    row = _row(snapshot, REPORT)
    assert row.status is FileStatus.INVALID
    assert f"the credential report's header is not AWS's: {wrong}" in row.reason
    assert row.problems[0].pointer == "/Content (embedded document /line/1)"
    assert snapshot.state(Kind.IAM_CREDENTIAL_REPORT, IDENTITY).status is EvidenceStatus.INVALID


def test_a_report_missing_a_documented_column_is_refused(builder: BundleBuilder) -> None:
    lines = [line.rsplit(",", 1)[0] for line in shapes.report_csv(IDENTITY).strip().split("\n")]
    row = _row(_report(builder, "\n".join(lines) + "\n"), REPORT)
    assert row.status is FileStatus.INVALID
    assert "missing column(s) cert_2_last_rotated" in row.reason


def test_a_user_listed_twice_with_other_values_makes_the_report_unusable(builder: BundleBuilder) -> None:
    lines = shapes.report_csv(IDENTITY).strip().split("\n")
    alice = next(line for line in lines if line.startswith("alice,"))
    forged = alice.replace(",true,true,", ",true,false,", 1)
    assert forged != alice
    row = _row(_report(builder, "\n".join([*lines, forged]) + "\n"), REPORT)
    assert row.status is FileStatus.INVALID
    assert f"arn:aws:iam::{IDENTITY}:user/alice is listed on line 3 and again on line 5 with other values" in row.reason


def test_a_user_listed_twice_identically_is_read_once(builder: BundleBuilder) -> None:
    lines = shapes.report_csv(IDENTITY).strip().split("\n")
    snapshot = _report(builder, "\n".join([*lines, lines[2]]) + "\n")
    report = snapshot.accounts[IDENTITY].credential_report
    assert report is not None
    assert [r.user for r in report.rows] == ["<root_account>", "alice", "ops,bot"]


def test_a_row_wider_than_the_header_is_refused(builder: BundleBuilder) -> None:
    lines = shapes.report_csv(IDENTITY).strip().split("\n")
    row = _row(_report(builder, "\n".join([*lines[:2], lines[2] + ",true"]) + "\n"), REPORT)
    assert row.status is FileStatus.INVALID
    assert "line 3 has 23 cells where the header has 22" in row.reason


# --------------------------------------------------------------------------- entries listed twice


def test_a_role_listed_twice_with_other_content_makes_the_file_unusable(builder: BundleBuilder) -> None:
    genuine = shapes.role(IDENTITY, "Admin")
    other = shapes.role(IDENTITY, "Admin", trust={"Version": "2012-10-17", "Statement": []})
    builder.write(GAAD, shapes.gaad(IDENTITY, roles=[genuine, other]))
    snapshot = load_bundle(builder.root)
    row = _row(snapshot, GAAD)
    assert row.status is FileStatus.INVALID
    assert row.problems[0].pointer == "/RoleDetailList/1"
    assert f"Arn 'arn:aws:iam::{IDENTITY}:role/Admin' is listed at /RoleDetailList/0 and again here" in row.reason


def test_an_entry_listed_twice_identically_is_read_once(builder: BundleBuilder) -> None:
    admin = shapes.role(IDENTITY, "Admin")
    builder.write(GAAD, shapes.gaad(IDENTITY, roles=[admin, dict(admin)]))
    snapshot = load_bundle(builder.root)
    assert _row(snapshot, GAAD).status is FileStatus.LOADED
    assert [r.name for r in snapshot.accounts[IDENTITY].roles] == ["Admin"]


def test_an_account_listed_twice_with_other_content_makes_the_list_unusable(builder: BundleBuilder) -> None:
    document = shapes.list_accounts(IDENTITY, "222222222222")
    document["Accounts"].append({**document["Accounts"][1], "Status": "SUSPENDED", "State": "SUSPENDED"})
    builder.write("organization/list-accounts.json", document)
    snapshot = load_bundle(builder.root)
    assert snapshot.state(Kind.ORG_ACCOUNTS).status is EvidenceStatus.INVALID


def test_two_default_versions_of_a_policy_make_the_file_unusable(builder: BundleBuilder) -> None:
    allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    policy = shapes.managed_policy(IDENTITY, "Ops", allow, versions=2)
    policy["PolicyVersionList"][0]["IsDefaultVersion"] = True  # the Deny version claims to be the default too
    builder.write(GAAD, shapes.gaad(IDENTITY, policies=[policy]))
    row = _row(load_bundle(builder.root), GAAD)
    assert row.status is FileStatus.INVALID
    assert "has more than one default version, with different documents" in row.reason


def test_identical_copies_of_a_report_in_both_forms_conflict_when_they_differ(builder: BundleBuilder) -> None:
    """The report as JSON and as CSV: different bytes, so two answers unless they are the same file."""
    builder.write(REPORT, shapes.credential_report(IDENTITY))
    builder.write(
        f"{IDENTITY}/iam/credential-report.csv", base64.b64decode(shapes.credential_report(IDENTITY)["Content"])
    )
    snapshot = load_bundle(builder.root)
    assert snapshot.state(Kind.IAM_CREDENTIAL_REPORT, IDENTITY).status is EvidenceStatus.CONFLICT
