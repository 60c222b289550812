"""Each side of an ``sts:AssumeRole`` decision evaluated once per what it reads, not once per pair.

:func:`analyzer.iam.evaluate` evaluates four kinds of policy sets (SCP levels, identity policies,
permissions boundary, trust policy) and then decides from their results alone
(:func:`analyzer.iam.evaluate.decide`). Each set's result depends on a few facts of the request only,
so it is computed once per those facts and reused by every (caller, role) pair that shares them:

* **the caller's side** (identity, boundary, SCP levels, and each boundary or SCP policy alone for
  ``mfa_by``): the caller (its ARN and session name: its own policies and condition keys), the
  MFA state, the role's account (``aws:ResourceAccount``, ``aws:ResourceOrg*``, same account or
  not), the role's tags when a statement reads ``aws:ResourceTag/*``, and which of the caller's
  ``sts:AssumeRole`` statements match the role's ARN (the signature of :class:`CallerClass`;
  the ARN itself when a resource holds a policy variable). So a caller is evaluated once per
  *kind* of role it may reach, however many roles there are of that kind.
* **the trust side**: the role's trust policy (the role itself), the MFA state, and of the caller
  only what a principal match and a condition can read: its type, account, partition and whether it
  has a boundary, unless the trust names the caller itself, holds a caller-specific condition key or
  a policy variable, or a resource element (:attr:`TrustInfo.principal_sensitive`, ``has_resource``),
  or the caller is a role session named by the trust: then the caller's ARN and session join the key.
  A trust naming the account root is thus evaluated once per MFA state for every caller of the account.

The decision is then :func:`decide` on those very results: exactly what :func:`evaluate` returns
(tests/graph/test_build_matches_naive.py compares every edge attribute with a per-pair evaluation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from analyzer.graph.combine import CallerPart, TrustPart
from analyzer.graph.index import TrustInfo
from analyzer.iam import MfaState, Principal, Request, ScpLevel
from analyzer.iam.statements import PolicySetResult, RequestView, evaluate_policy_set
from analyzer.model.entities import Role
from analyzer.model.policy import PolicySource

#: (caller ARN, session name, the caller's identity/boundary source ids, ...): see :class:`SideResults`
SideKey = tuple[object, ...]
RequestAt = Callable[[MfaState], Request]


@dataclass(frozen=True, slots=True)
class CallerSide:
    """The caller's policy sets in one MFA state: identity, boundary (``None``: none) and SCP levels."""

    identity: PolicySetResult
    boundary: PolicySetResult | None
    scp: tuple[tuple[ScpLevel, PolicySetResult], ...]
    part: CallerPart  # what the decision reads of these sets (:mod:`.combine`)


@dataclass(slots=True)
class SideResults:
    """Memoized policy-set results, keyed by what each set reads (see the module docstring)."""

    _caller: dict[SideKey, CallerSide] = field(default_factory=dict)
    _alone: dict[SideKey, PolicySetResult] = field(default_factory=dict)
    _trust: dict[SideKey, PolicySetResult] = field(default_factory=dict)
    _trust_parts: dict[int, TrustPart] = field(default_factory=dict)  # id(result): results live in _trust
    set_evaluations: int = 0  # policy sets evaluated (the rest were found in the memo)

    def caller_side(
        self,
        key: SideKey,
        state: MfaState,
        request_at: RequestAt,
        identity: tuple[PolicySource, ...],
        boundary: PolicySource | None,
        levels: tuple[ScpLevel, ...] | None,
        own_account: bool = True,
    ) -> CallerSide:
        """``key``: the caller's side key (:meth:`AssumeEvaluator._side_key`), which fixes the sources too.
        ``own_account``: the caller's account is the one of its principal ARN (see :meth:`CallerPart.of`)."""
        full = (key, state, boundary is not None, levels is None)
        found = self._caller.get(full)
        if found is None:
            view = _view(request_at(state), boundary is not None)
            self.set_evaluations += 1 + (boundary is not None) + len(levels or ())
            identity_result = evaluate_policy_set(identity, view, mode="identity")
            boundary_result = evaluate_policy_set((boundary,), view, mode="identity") if boundary is not None else None
            scp = tuple(
                (lv, evaluate_policy_set(lv.policies, view, mode="identity", level=lv.target)) for lv in levels or ()
            )
            part = CallerPart.of(tuple(r for _, r in scp), identity_result, boundary_result, own_account)
            found = self._caller[full] = CallerSide(identity_result, boundary_result, scp, part)
        return found

    def trust_part(self, result: PolicySetResult) -> TrustPart:
        """What the decision reads of a trust-side result (one of :meth:`trust_side`'s, kept alive there)."""
        found = self._trust_parts.get(id(result))
        if found is None:
            found = self._trust_parts[id(result)] = TrustPart.of(result)
        return found

    def alone(self, key: SideKey, state: MfaState, request_at: RequestAt, policy: PolicySource) -> PolicySetResult:
        """One boundary or SCP policy evaluated alone (``mfa_requirement_of``), identity mode."""
        full = (key, state, id(policy))
        found = self._alone.get(full)
        if found is None:
            self.set_evaluations += 1
            view = _view(request_at(state), False)
            found = self._alone[full] = evaluate_policy_set((policy,), view, mode="identity")
        return found

    @staticmethod
    def trust_key(
        caller_arn: str,
        caller_account: str,
        principal: Principal,
        role: Role,
        trust: PolicySource,
        info: TrustInfo,
        names_caller: bool,
        has_boundary: bool,
    ) -> SideKey:
        """What the trust side reads of a pair (see the module docstring), for :meth:`trust_side`."""
        per_caller = names_caller or info.principal_sensitive or info.has_resource or principal.session_name is not None
        who: tuple[object, ...] = (
            (caller_arn, principal.session_name)
            if per_caller
            else (principal.principal_type, principal.account_id, caller_account, caller_arn.split(":", 2)[1])
        )
        return (id(trust), role.arn, has_boundary, who)

    def trust_side(
        self, key: SideKey, trust: PolicySource, state: MfaState, request_at: RequestAt, has_boundary: bool
    ) -> PolicySetResult:
        """The trust policy's result for the caller in ``state``; ``key``: :meth:`trust_key` of the pair."""
        full = (key, state)
        found = self._trust.get(full)
        if found is None:
            self.set_evaluations += 1
            found = self._trust[full] = evaluate_policy_set(
                (trust,), _view(request_at(state), has_boundary), mode="resource"
            )
        return found


def _view(request: Request, has_boundary: bool) -> RequestView:
    return RequestView(request.action.lower(), request.resource, request.lookup, request.principal, has_boundary)


__all__ = ["CallerSide", "SideResults"]
