"""The sample organization's access graph: each identity user's route to each member role, with MFA."""

from __future__ import annotations

from pathlib import Path

from analyzer.audit.org_shape import resolve_shape
from analyzer.audit.settings import Settings
from analyzer.evidence import load_bundle
from analyzer.graph.access import MfaStatus
from analyzer.graph.build import build_access_graph

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample-org"
IDENTITY = "123456789012"
ADMIN_ROLES = {
    "arn:aws:iam::565392545550:role/Dev-Admin-Role",
    "arn:aws:iam::565392545552:role/Test-Admin-Role",
    "arn:aws:iam::565392545553:role/Staging-Admin-Role",
    "arn:aws:iam::576539245557:role/Prod-Admin-Role",
}


def test_staff_reach_every_admin_role_with_mfa_and_only_ci_deploy_has_a_path_without() -> None:
    snapshot = load_bundle(SAMPLE)
    graph = build_access_graph(snapshot, resolve_shape(snapshot, Settings()))
    staff = [u for u in snapshot.accounts[IDENTITY].users if "Staff" in u.group_names]
    assert staff
    for user in staff:
        reach = graph.reachable(user.arn)
        assert set(reach) >= ADMIN_ROLES, user.arn
        for role in ADMIN_ROLES:
            edge = graph.edge(user.arn, role)
            assert edge is not None and edge.mfa is MfaStatus.ENFORCED, (user.arn, role)
    without = {
        (user.arn, role)
        for user in snapshot.accounts[IDENTITY].users
        for role in graph.reachable(user.arn, without_mfa=True)
        if graph.account_of(role) != IDENTITY
    }
    assert without == {
        ("arn:aws:iam::123456789012:user/ci-deploy", "arn:aws:iam::565392545553:role/Staging-Deploy-Role")
    }


def test_weak_trust_role_is_reached_by_nobody() -> None:
    snapshot = load_bundle(SAMPLE)
    graph = build_access_graph(snapshot, resolve_shape(snapshot, Settings()))
    assert graph.who_can_assume("arn:aws:iam::565392545552:role/Test-ReadOnly-Role") == {}
