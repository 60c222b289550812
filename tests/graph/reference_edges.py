"""Every ``can_assume`` edge of a snapshot, each pair decided on its own straight through :func:`evaluate`.

The reference for every edge attribute (existence, MFA state, ``mfa_by``, conditions, evidence, reason):
no memo, no index, no shared policy-set result. It is the per-pair algorithm the builder had before
its sides were memoized (:mod:`analyzer.graph.sides`), kept here as the definition: each caller
against each assumable role, in each MFA state the caller can be in, with its identity policies,
boundary and SCP levels and the role's trust; the weakest state that gets in decides the MFA status;
``mfa_by`` from each side alone (:func:`mfa_requirement_of`); the trust's role sessions; when the
management account is unknown, what only SCPs take away is kept, conditionally.
"""

from __future__ import annotations

from dataclasses import replace

from analyzer.audit.org_shape import resolve_shape
from analyzer.audit.settings import Settings
from analyzer.graph.access import AssumeEdge, MfaStatus
from analyzer.graph.assume import _MFA_KEYS, _REFUSED_BY_CLASS, IF_MANAGEMENT, Caller, Verdict, named_sessions
from analyzer.graph.build import _Builder, _reason_tail
from analyzer.graph.index import TrustInfo
from analyzer.graph.request_keys import ROLE_TAG_PREFIXES, OrgContext
from analyzer.graph.scp import ScpResolver
from analyzer.iam import (
    DecidingStatement,
    Decision,
    MfaState,
    Principal,
    Request,
    RequestContext,
    ScpLevel,
    evaluate,
    mfa_requirement_of,
    with_mfa,
)
from analyzer.model.entities import Role
from analyzer.model.kinds import Kind
from analyzer.model.policy import PolicySource
from analyzer.model.snapshot import Snapshot


class _Reference:
    def __init__(self, scps: ScpResolver, org: OrgContext) -> None:
        self.scps = scps
        self.org = org

    def verdict(self, caller: Caller, role: Role, trust: PolicySource) -> Verdict | None:
        info = TrustInfo.of(trust.document)
        verdict = self._as(caller, caller.principal, role, trust)
        for name in named_sessions(info, caller):
            found = self._as(caller, replace(caller.principal, session_name=name), role, trust)
            if found is None or (verdict is not None and verdict.mfa.rank >= found.mfa.rank):
                continue
            conditional = found.conditional
            if caller.session_name_rule:
                condition = f"the session of {caller.arn} is named {name!r} ({caller.session_name_rule})"
                conditional = tuple(sorted({*conditional, condition}))
            verdict = replace(found, conditional=conditional, session=name)
        return verdict

    def _as(self, caller: Caller, principal: Principal, role: Role, trust: PolicySource) -> Verdict | None:
        levels = self.scps.levels(caller.account)
        verdict = self._decide(caller, principal, role, trust, levels)
        if levels is None or not self.scps.management_unknown:
            return verdict
        unrestricted = self._decide(caller, principal, role, trust, None)
        if unrestricted is None or (verdict is not None and verdict.mfa is unrestricted.mfa):
            return verdict
        return replace(unrestricted, conditional=tuple(sorted({*unrestricted.conditional, IF_MANAGEMENT})))

    def _decide(
        self, caller: Caller, principal: Principal, role: Role, trust: PolicySource, levels: tuple[ScpLevel, ...] | None
    ) -> Verdict | None:
        context = RequestContext.build(self.org.values(caller.account, role), absent_prefixes=ROLE_TAG_PREFIXES)
        base = Request(principal, "sts:AssumeRole", role.arn, context)
        boundaries = (caller.boundary,) if caller.boundary is not None else None
        decisions: dict[MfaState, Decision] = {
            state: evaluate(
                with_mfa(base, state),
                identity_policies=caller.identity,
                boundaries=boundaries,
                scp_levels=levels,
                resource_policy=trust,
                trust_policy=True,
            )
            for state in caller.states
        }
        refused = {s for s, d in decisions.items() if not d.allowed}
        if refused == set(caller.states):
            return None
        if "false" not in refused:
            mfa, decisive = MfaStatus.ABSENT, decisions["false"]
        elif caller.kind == "user" and "absent" not in refused:
            mfa, decisive = MfaStatus.WEAK, decisions["absent"]
        else:
            mfa, decisive = MfaStatus.ENFORCED, decisions["true"]
        mfa_by = self._mfa_by(caller, base, trust, refused, levels) if refused else ()
        conditional = [c.text for c in decisive.conditional if c.key.lower() not in _MFA_KEYS]
        conditional += [f"denied if {c.text}" for d in decisive.conditional_denies for c in d.unknown]
        return Verdict(mfa, mfa_by, tuple(sorted(set(conditional))), decisive.deciding, trust)

    def _mfa_by(
        self,
        caller: Caller,
        base: Request,
        trust: PolicySource,
        refused: set[MfaState],
        levels: tuple[ScpLevel, ...] | None,
    ) -> tuple[str, ...]:
        has_boundary = caller.boundary is not None
        sides: dict[str, set[str]] = {
            "trust": set(
                _REFUSED_BY_CLASS[mfa_requirement_of(trust, base, resource_policy=True, has_boundary=has_boundary)]
            )
        }
        sides["identity"] = {
            state
            for state in caller.states
            if not evaluate(
                with_mfa(base, state), identity_policies=caller.identity, resource_account=caller.account
            ).allowed
        }
        if caller.boundary is not None:
            sides["boundary"] = set(_REFUSED_BY_CLASS[mfa_requirement_of(caller.boundary, base, has_boundary=True)])
        scp_refuses: set[str] = set()
        for policy in (p for level in levels or () for p in level.policies):
            scp_refuses |= _REFUSED_BY_CLASS[mfa_requirement_of(policy, base)]
        sides["scp"] = scp_refuses
        return tuple(sorted(name for name, states in sides.items() if states & refused and "true" not in states))


def reason_of(caller_kind: str, deciding: tuple[DecidingStatement, ...], verdict: Verdict) -> str:
    """An edge's reason: its deciding statements as the evaluation gives them, then the builder's tail."""
    allowed = "allowed by " + "; ".join(d.describe() for d in deciding) if deciding else "allowed"
    return allowed + _reason_tail(caller_kind, verdict)


def reference_edges(snap: Snapshot) -> dict[tuple[str, str], AssumeEdge]:
    """Every pair decided on its own (see the module docstring); no self-loops, as in the builder."""
    builder = _Builder(snap, resolve_shape(snap, Settings()))
    shape = builder.shape
    listed = snap.state(Kind.ORG_ACCOUNTS).status.usable
    org = OrgContext.of(shape.organization_id, {a.id: a.parent_path for a in snap.org_accounts}, complete=listed)
    reference = _Reference(ScpResolver.of(snap, shape.management_account), org)
    roles = [r for a in snap.accounts.values() for r in a.roles if r.trust_policy and not r.is_service_linked]
    edges: dict[tuple[str, str], AssumeEdge] = {}
    for caller in builder._callers():
        for target in (r for r in roles if r.arn != caller.arn):
            assert target.trust_policy is not None
            verdict = reference.verdict(caller, target, target.trust_policy)
            if verdict is None:
                continue
            edges[(caller.arn, target.arn)] = AssumeEdge(
                source=caller.arn,
                target=target.arn,
                mfa=verdict.mfa,
                mfa_by=verdict.mfa_by,
                conditional=verdict.conditional,
                evidence=tuple(dict.fromkeys(d.ref for d in verdict.deciding)),
                reason=reason_of(caller.kind, verdict.deciding, verdict),
            )
    return edges
