"""Can this caller assume that role, and with what MFA? One engine evaluation per equivalence class.

The decision is :func:`analyzer.iam.evaluate` with the caller's identity policies, permissions
boundary and SCP levels, and the role's trust policy (``trust_policy=True``), evaluated in the MFA
states the caller can be in (:mod:`analyzer.iam.mfa`):

* an IAM **user** calls with long-term access keys (``aws:MultiFactorAuthPresent`` absent) or from
  a console/STS session (the key present, ``false`` or ``true``): all three states;
* a **role** (role chaining) always calls with temporary credentials, so the key is always present
  (IAMUG ``reference_policies_condition-keys``, ``aws:MultiFactorAuthPresent``: "Temporary
  credentials are used to authenticate IAM roles ..."; the key is missing only for long-term
  credentials). Its value is the one of the session being used: ``true`` when that session was
  obtained with MFA. Only the states ``false`` and ``true`` are evaluated, so a role-to-role hop is
  never ``weak``, and an ``enforced`` hop means the chain works only from a session that was itself
  assumed with MFA. IAMUG ``id_credentials_mfa_configure-api-require`` also says "the temporary
  credentials returned by AssumeRole do not include MFA information in the context"; if that holds
  for chaining, an MFA-requiring trust can never be met by a role session at all. We keep such hops
  (marked ``enforced``) rather than hide a path that CloudTrail shows working in practice: the
  graph over-approximates access, never under-approximates it.

Verdicts are memoized by everything the decision depends on: the caller's class (principal type,
account, the identity and boundary ``PolicySource`` objects), the trust document, which of the
class's ``sts:AssumeRole`` statements match the role ARN, same-account or not, and whether the role
is in the organization. The caller's own ARN joins the key only when a statement reads a
caller-specific key (``aws:PrincipalArn``, ``aws:username``, a tag, a policy variable) or the
trust names the caller directly. Evidence refs are re-pointed at each role's own trust policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from analyzer.graph.access import MfaStatus
from analyzer.graph.index import (
    RESOURCE_ACCOUNT,
    TrustInfo,
    assume_statements,
    prefilter_pattern,
    principal_sensitive,
    uses_key,
)
from analyzer.graph.scp import ScpResolver
from analyzer.iam import (
    MFA_AGE,
    MFA_PRESENT,
    DecidingStatement,
    Decision,
    MfaState,
    Principal,
    Request,
    RequestContext,
    evaluate,
    mfa_requirement_of,
    principal_context,
    with_mfa,
)
from analyzer.iam.statements import CompiledStatement
from analyzer.iam.wildcard import arn_matches, has_wildcard
from analyzer.model.entities import Role
from analyzer.model.policy import PolicySource

CallerKind = Literal["user", "role"]
USER_STATES: tuple[MfaState, ...] = ("absent", "false", "true")
SESSION_STATES: tuple[MfaState, ...] = ("false", "true")
_REFUSED_BY_CLASS: Mapping[str, frozenset[str]] = {
    "enforced": frozenset({"absent", "false"}),
    "weak": frozenset({"false"}),
    "absent": frozenset(),
    "denied": frozenset({"absent", "false", "true"}),
}
_MFA_KEYS = frozenset({MFA_PRESENT.lower(), MFA_AGE.lower()})
#: How an unresolved permissions boundary is listed in :attr:`Caller.unresolved`. A boundary only
#: limits: without it the caller is shown with more access, never less.
BOUNDARY_PREFIX = "boundary "


@dataclass(frozen=True, slots=True)
class Caller:
    """A user or role as the caller of ``sts:AssumeRole``, with everything its side of the decision reads."""

    arn: str
    kind: CallerKind
    account: str
    principal: Principal
    identity: tuple[PolicySource, ...]
    boundary: PolicySource | None
    unresolved: tuple[str, ...] = ()  # policies, groups or the boundary whose documents are not readable
    class_key: tuple[object, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        boundary = id(self.boundary) if self.boundary is not None else 0
        key = (self.kind, self.account, tuple(id(s) for s in self.identity), boundary)
        object.__setattr__(self, "class_key", key)

    @property
    def states(self) -> tuple[MfaState, ...]:
        return USER_STATES if self.kind == "user" else SESSION_STATES

    @property
    def unknown_grants(self) -> tuple[str, ...]:
        """The unresolved items that may grant (everything but the boundary): the caller may reach more."""
        return tuple(u for u in self.unresolved if not u.startswith(BOUNDARY_PREFIX))


@dataclass(frozen=True, slots=True)
class ResourceMatcher:
    """Does a statement's ``Resource``/``NotResource`` cover a role ARN? Literal ARNs by set lookup."""

    literals: frozenset[str]
    patterns: tuple[str, ...]
    negated: bool
    everything: bool  # no Resource element at all

    @classmethod
    def of(cls, statement: CompiledStatement) -> ResourceMatcher:
        resources = statement.resources or ()
        return cls(
            literals=frozenset(r for r in resources if not has_wildcard(r)),
            patterns=tuple(r for r in resources if has_wildcard(r)),
            negated=statement.resource_negated,
            everything=statement.resources is None,
        )

    def __call__(self, arn: str) -> bool:
        if self.everything:
            return True
        hit = arn in self.literals or any(p == "*" or arn_matches(p, arn) for p in self.patterns)
        return hit != self.negated


@dataclass(frozen=True, slots=True)
class CallerClass:
    """What callers with the same policies in the same account share."""

    relevant: tuple[CompiledStatement, ...]  # identity, boundary and SCP statements that cover sts:AssumeRole
    matchers: tuple[ResourceMatcher, ...]  # one per relevant statement
    templated: bool  # a relevant resource holds a policy variable: match per caller
    allow_patterns: tuple[str, ...] | None  # identity Allow resource patterns; None = any resource
    can_allow: bool  # some identity statement may allow sts:AssumeRole at all
    sensitive: bool
    uses_resource_account: bool


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome for one (caller class, trust, role shape): the MFA status and what decided it."""

    mfa: MfaStatus
    mfa_by: tuple[str, ...]
    conditional: tuple[str, ...]
    deciding: tuple[DecidingStatement, ...]
    trust: PolicySource  # the trust source the deciding statements were evaluated with

    @property
    def content_key(self) -> tuple[object, ...]:
        """Equal for verdicts that say the same (so per-caller verdicts can share one object and its texts)."""
        deciding = tuple((id(d.source), id(d.statement), d.unknown, d.level) for d in self.deciding)
        return (self.mfa, self.mfa_by, self.conditional, deciding, id(self.trust))


@dataclass(frozen=True, slots=True)
class OrgContext:
    """Organization-level condition keys the evidence does know."""

    org_id: str | None
    members: frozenset[str]

    def values(self, caller_account: str, role_account: str) -> dict[str, str]:
        out = {RESOURCE_ACCOUNT: role_account}
        if self.org_id:
            if caller_account in self.members:
                out["aws:PrincipalOrgID"] = self.org_id
            if role_account in self.members:
                out["aws:ResourceOrgID"] = self.org_id
        return out


@dataclass(slots=True)
class AssumeEvaluator:
    scps: ScpResolver
    org: OrgContext
    _classes: dict[tuple[object, ...], CallerClass] = field(default_factory=dict)
    _verdicts: dict[tuple[object, ...], Verdict | None] = field(default_factory=dict)
    _signatures: dict[tuple[object, ...], tuple[bool, ...]] = field(default_factory=dict)
    _interned: dict[tuple[object, ...], Verdict] = field(default_factory=dict)
    _blind: dict[tuple[object, ...], bool] = field(default_factory=dict)
    evaluations: int = 0

    # ------------------------------------------------------------------ caller classes
    def caller_class(self, caller: Caller) -> CallerClass:
        found = self._classes.get(caller.class_key)
        if found is None:
            found = self._classes[caller.class_key] = self._make_class(caller)
        return found

    def _make_class(self, caller: Caller) -> CallerClass:
        identity = [cs for s in caller.identity for cs in assume_statements(s.document)]
        others = [caller.boundary] if caller.boundary is not None else []
        others.extend(p for level in self.scps.levels(caller.account) or () for p in level.policies)
        relevant = identity + [cs for s in others for cs in assume_statements(s.document)]
        allows = [cs for cs in identity if cs.statement.effect == "Allow"]
        collected: list[str] = []
        patterns: list[str] | None = collected
        for cs in allows:
            if cs.resources is None or cs.resource_negated:
                patterns = None
                break
            collected.extend(prefilter_pattern(p) for p in cs.resources)
        clauses = [c for cs in relevant for c in cs.statement.conditions]
        variables = any(cs.resource_templates is not None for cs in relevant)
        return CallerClass(
            relevant=tuple(relevant),
            matchers=tuple(ResourceMatcher.of(cs) for cs in relevant),
            templated=variables,
            allow_patterns=None if patterns is None else tuple(dict.fromkeys(patterns)),
            can_allow=bool(allows),
            sensitive=variables or principal_sensitive(clauses),
            uses_resource_account=uses_key(clauses, RESOURCE_ACCOUNT),
        )

    # ------------------------------------------------------------------ verdicts
    def verdict(self, caller: Caller, role: Role, trust: PolicySource, info: TrustInfo) -> Verdict | None:
        cls = self.caller_class(caller)
        signature = self._signature(caller, cls, role.arn)
        named = caller.arn in info.named or (caller.principal.unique_id or "") in info.named
        per_caller = cls.sensitive or info.principal_sensitive or named
        key = (
            caller.class_key,
            caller.arn if per_caller else None,
            id(trust.document),
            role.arn if info.has_resource else None,
            signature,
            role.account_id == caller.account,
            role.account_id if cls.uses_resource_account or info.uses_resource_account else None,
            role.account_id in self.org.members,
        )
        if key not in self._verdicts:
            self._verdicts[key] = self._evaluate(caller, role, trust)
        return self._verdicts[key]

    def may_assume(self, caller: Caller, role: Role) -> bool:
        """Could ``caller`` assume ``role`` if the role's (unreadable) trust policy allowed it?

        Within one account a trust policy can name the caller directly and needs no identity grant,
        so yes. Across accounts the caller's own side (identity policies, boundary, SCPs) must allow
        ``sts:AssumeRole`` on the role in some MFA state.
        """
        if role.account_id == caller.account:
            return True
        cls = self.caller_class(caller)
        if not cls.can_allow:
            return False
        key = (caller.class_key, caller.arn if cls.sensitive else None, role.arn)
        found = self._blind.get(key)
        if found is None:
            context = RequestContext.build(self.org.values(caller.account, role.account_id))
            base = Request(caller.principal, "sts:AssumeRole", role.arn, context)
            boundaries = (caller.boundary,) if caller.boundary is not None else None
            levels = self.scps.levels(caller.account)
            found = self._blind[key] = any(
                evaluate(
                    with_mfa(base, state),
                    identity_policies=caller.identity,
                    boundaries=boundaries,
                    scp_levels=levels,
                    resource_account=caller.account,  # the identity side alone, as if no trust were needed
                ).allowed
                for state in caller.states
            )
        return found

    def _signature(self, caller: Caller, cls: CallerClass, arn: str) -> tuple[bool, ...]:
        """Which of the class's sts:AssumeRole statements cover ``arn``: all the identity side reads of the role."""
        if cls.templated:
            lookup = principal_context(caller.principal).lookup
            return tuple(cs.resource_matches(arn, lookup) for cs in cls.relevant)
        key = (caller.class_key, arn)
        found = self._signatures.get(key)
        if found is None:
            found = self._signatures[key] = tuple(m(arn) for m in cls.matchers)
        return found

    def _evaluate(self, caller: Caller, role: Role, trust: PolicySource) -> Verdict | None:
        context = RequestContext.build(self.org.values(caller.account, role.account_id))
        base = Request(caller.principal, "sts:AssumeRole", role.arn, context)
        levels = self.scps.levels(caller.account)
        boundaries = (caller.boundary,) if caller.boundary is not None else None
        decisions: dict[MfaState, Decision] = {}
        for state in caller.states:
            self.evaluations += 1
            decisions[state] = evaluate(
                with_mfa(base, state),
                identity_policies=caller.identity,
                boundaries=boundaries,
                scp_levels=levels,
                resource_policy=trust,
                trust_policy=True,
            )
        refused = {s for s, d in decisions.items() if not d.allowed}
        if refused == set(caller.states):
            return None  # in no MFA state
        # The weakest state that gets in decides, even when the MFA session itself is refused (a trust
        # admitting only sessions without MFA is still a way in, and must not vanish from the graph).
        if "false" not in refused:
            mfa, decisive = MfaStatus.ABSENT, decisions["false"]
        elif caller.kind == "user" and "absent" not in refused:
            mfa, decisive = MfaStatus.WEAK, decisions["absent"]
        else:
            mfa, decisive = MfaStatus.ENFORCED, decisions["true"]
        mfa_by = self._mfa_by(caller, base, trust, refused) if refused else ()
        conditional = [c.text for c in decisive.conditional if c.key.lower() not in _MFA_KEYS]
        conditional += [f"denied if {c.text}" for d in decisive.conditional_denies for c in d.unknown]
        verdict = Verdict(mfa, mfa_by, tuple(sorted(set(conditional))), decisive.deciding, trust)
        return self._interned.setdefault(verdict.content_key, verdict)

    def _mfa_by(
        self,
        caller: Caller,
        base: Request,
        trust: PolicySource,
        refused: set[MfaState],
    ) -> tuple[str, ...]:
        """Which sides refuse the non-MFA states that the whole decision refuses.

        A side counts only when it lets the MFA session through: a side that refuses every state
        (no identity grant where the trust names the caller directly) is not an MFA requirement.
        """
        sides: dict[str, set[str]] = {}
        has_boundary = caller.boundary is not None
        trust_class = mfa_requirement_of(trust, base, resource_policy=True, has_boundary=has_boundary)
        sides["trust"] = set(_REFUSED_BY_CLASS[trust_class])
        identity_refuses: set[str] = set()
        for state in caller.states:
            self.evaluations += 1
            alone = evaluate(with_mfa(base, state), identity_policies=caller.identity, resource_account=caller.account)
            if not alone.allowed:
                identity_refuses.add(state)
        sides["identity"] = identity_refuses
        if caller.boundary is not None:
            sides["boundary"] = set(_REFUSED_BY_CLASS[mfa_requirement_of(caller.boundary, base, has_boundary=True)])
        scp_refuses: set[str] = set()
        for policy in (p for level in self.scps.levels(caller.account) or () for p in level.policies):
            scp_refuses |= _REFUSED_BY_CLASS[mfa_requirement_of(policy, base)]
        sides["scp"] = scp_refuses
        return tuple(sorted(name for name, states in sides.items() if states & refused and "true" not in states))
