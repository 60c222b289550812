"""The one definition of where people enter (analyzer.graph.scope), on the sample organization."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.graph.access import AccessGraph
from analyzer.graph.scope import EntryKind, member_paths, people_entries
from analyzer.pipeline import analyze

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample-org"
IDENTITY, MANAGEMENT, DEVELOPMENT = "123456789012", "111122223333", "565392545550"
SSO_PROVIDER = f"arn:aws:iam::{DEVELOPMENT}:saml-provider/AWSSSO_5c1a9f3e2b7d4a60_DO_NOT_DELETE"
ORG_ADMIN = f"arn:aws:iam::{MANAGEMENT}:user/org-admin"


@pytest.fixture(scope="module")
def graph() -> AccessGraph:
    return analyze(SAMPLE, only=["IDN-010"]).graph


def test_entries_are_sorted_and_classified(graph: AccessGraph) -> None:
    entries = people_entries(graph, IDENTITY)
    assert [e.node for e in entries] == sorted(e.node for e in entries)
    kinds = {e.node: e.kind for e in entries}
    assert kinds[SSO_PROVIDER] is EntryKind.IDENTITY_CENTER  # Identity Center's provider, in a member account
    assert kinds[ORG_ADMIN] is EntryKind.OUTSIDE  # an IAM user of the management account
    assert kinds[f"arn:aws:iam::{IDENTITY}:user/ci-deploy"] is EntryKind.IDENTITY
    # service-linked roles are no one's way in; the Identity account's other roles are
    identity_roles = [e.node for e in entries if e.kind is EntryKind.IDENTITY and ":role/" in e.node]
    assert identity_roles == [r for r in identity_roles if "aws-service-role" not in r]
    assert all(e.account == IDENTITY for e in entries if e.kind is EntryKind.IDENTITY)


def test_without_the_identity_account_only_identity_center_is_told_apart(graph: AccessGraph) -> None:
    assert {e.kind for e in people_entries(graph, None)} == {EntryKind.IDENTITY_CENTER}


def test_member_paths_leave_out_the_identity_account(graph: AccessGraph) -> None:
    org_admin = next(e for e in people_entries(graph, IDENTITY) if e.node == ORG_ADMIN)
    reached = member_paths(graph, org_admin, IDENTITY)
    assert sorted(r.rsplit("/", 1)[-1] for r in reached) == ["ExternalAuditRole", "OrganizationAccountAccessRole"]
    assert all(graph.account_of(r) != IDENTITY for r in reached)
