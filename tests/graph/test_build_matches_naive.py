"""The memoized, index-pruned build gives exactly the edges of a naive all-pairs evaluation.

The naive side is written independently here: every user and (non service-linked) role against
every assumable role, straight through :func:`analyzer.iam.evaluate` in each MFA state. A small
synthetic organization (tests/graph/synthetic.py) exercises shared group policies, wildcard and
literal resource patterns, a deny-without-MFA guard, an SCP reading ``aws:ResourceOrgID``, role
chaining by ARN, SSO roles, service-linked roles and an external trust with ``sts:ExternalId``.
"""

from __future__ import annotations

import pytest

from analyzer.graph.access import MfaStatus
from analyzer.iam import Principal, Request, RequestContext, ScpLevel, evaluate, with_mfa
from analyzer.model.entities import Role
from analyzer.model.policy import PolicySource
from analyzer.model.snapshot import Snapshot
from tests.graph.builders import MGMT, ORG_ID, ROOT_ID, build
from tests.graph.synthetic import synthetic_snapshot


def _callers(snap: Snapshot) -> list[tuple[Principal, tuple[PolicySource, ...], str]]:
    out = []
    for account in snap.accounts.values():
        groups = {g.name: g for g in account.groups}
        for u in account.users:
            policies = [*u.inline_policies, *(a.policy for a in u.attached_policies if a.policy)]
            for name in u.group_names:
                g = groups[name]
                policies += [*g.inline_policies, *(a.policy for a in g.attached_policies if a.policy)]
            principal = Principal.user(u.arn, tags=dict(u.tags), unique_id=u.user_id)
            out.append((principal, tuple(policies), "user"))
        for r in account.roles:
            if not r.is_service_linked:
                policies = [*r.inline_policies, *(a.policy for a in r.attached_policies if a.policy)]
                out.append((Principal.role(r.arn, tags=dict(r.tags), unique_id=r.role_id), tuple(policies), "role"))
    return out


def _naive(snap: Snapshot) -> dict[tuple[str, str], MfaStatus]:
    roles: list[Role] = [r for a in snap.accounts.values() for r in a.roles if not r.is_service_linked]
    root_scps = tuple(s.source for s in snap.scps if ROOT_ID in s.targets)
    members = {a.id for a in snap.org_accounts}
    edges: dict[tuple[str, str], MfaStatus] = {}
    for principal, policies, kind in _callers(snap):
        caller_account = principal.account_id or ""
        levels = None if caller_account == MGMT else [ScpLevel(ROOT_ID, root_scps)]
        states = ("absent", "false", "true") if kind == "user" else ("false", "true")
        for target in roles:
            assert target.trust_policy is not None
            values = {"aws:ResourceAccount": target.account_id}
            if caller_account in members:
                values["aws:PrincipalOrgID"] = ORG_ID
            if target.account_id in members:
                values["aws:ResourceOrgID"] = ORG_ID
            base = Request(principal, "sts:AssumeRole", target.arn, RequestContext.build(values))
            allowed = {
                s: evaluate(
                    with_mfa(base, s),  # type: ignore[arg-type]
                    identity_policies=policies,
                    scp_levels=levels,
                    resource_policy=target.trust_policy,
                    trust_policy=True,
                ).allowed
                for s in states
            }
            if not any(allowed.values()):
                continue
            if allowed["false"]:
                edges[(principal.arn, target.arn)] = MfaStatus.ABSENT
            elif allowed.get("absent"):
                edges[(principal.arn, target.arn)] = MfaStatus.WEAK
            else:
                edges[(principal.arn, target.arn)] = MfaStatus.ENFORCED
    return edges


@pytest.mark.parametrize("per_principal_scp", [False, True], ids=["shared", "per-principal"])
def test_build_equals_naive_evaluation(per_principal_scp: bool) -> None:
    snap = synthetic_snapshot(accounts=3, roles=13, users=10, groups=4, per_principal_scp=per_principal_scp)
    graph, _ = build(snap)
    built = {(e.source, e.target): e.mfa for e in graph.assume_edges() if not e.via_saml and "provider" not in e.source}
    naive = _naive(snap)
    assert naive, "the synthetic organization should have edges"
    assert built == naive
    # the synthetic org has each kind of hop it claims: MFA-enforced user hops and chained ABSENT hops
    assert {MfaStatus.ENFORCED, MfaStatus.ABSENT} <= set(built.values())
