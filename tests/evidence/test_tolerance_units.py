"""Derived facts, exact problem counts and messages that give the reason first (issue 13 §1)."""

from __future__ import annotations

from analyzer.evidence import load_bundle
from analyzer.model.evidence import EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.model.snapshot import FileStatus
from tests.evidence import conftest as shapes
from tests.evidence.conftest import IDENTITY, MGMT, BundleBuilder

ORG = "organization/describe-organization.json"
GAAD = f"{IDENTITY}/iam/get-account-authorization-details.json"


def test_management_account_is_derived_from_its_arn_and_says_so(builder: BundleBuilder) -> None:
    """Seen on real exports: describe-organization with MasterAccountArn and no MasterAccountId."""
    document = shapes.describe_organization()
    del document["Organization"]["MasterAccountId"]
    builder.write(ORG, document)
    snapshot = load_bundle(builder.root)
    assert snapshot.organization is not None and snapshot.organization.management_account_id == MGMT
    row = next(r for r in snapshot.inventory if r.path == ORG)
    assert row.status is FileStatus.LOADED
    assert [(p.pointer, p.warning) for p in row.problems] == [("/Organization/MasterAccountId", True)]
    assert f"derived from MasterAccountArn: {MGMT}" in row.problems[0].message


def test_without_id_or_arn_the_management_account_is_unknown(builder: BundleBuilder) -> None:
    document = shapes.describe_organization()
    del document["Organization"]["MasterAccountId"], document["Organization"]["MasterAccountArn"]
    builder.write(ORG, document)
    snapshot = load_bundle(builder.root)
    assert snapshot.state(Kind.ORG_DESCRIBE).status is EvidenceStatus.INVALID


def test_problem_counts_are_exact(builder: BundleBuilder) -> None:
    """25 wrong values where a verdict reads: one named, 'and 24 more' (not 'and 19 more')."""
    users = [shapes.user(IDENTITY, f"u{i}", UserId=12345) for i in range(25)]
    builder.write(GAAD, shapes.gaad(IDENTITY, users=users))
    row = next(r for r in load_bundle(builder.root).inventory if r.path == GAAD)
    assert row.status is FileStatus.INVALID
    assert len(row.problems) == 25
    assert row.reason.endswith("(and 24 more)")


def test_a_message_gives_the_reason_before_the_data(builder: BundleBuilder) -> None:
    """A long wrong value never pushes the reason out of the message."""
    users = [shapes.user(IDENTITY, "alice", Tags={"Key": "x" * 5000})]
    builder.write(GAAD, shapes.gaad(IDENTITY, users=users))
    row = next(r for r in load_bundle(builder.root).inventory if r.path == GAAD)
    assert row.status is FileStatus.INVALID
    (problem,) = row.problems
    assert problem.pointer == "/UserDetailList/0/Tags"
    assert problem.message.startswith("expected array, got an object")
    assert len(problem.message) < 120
