"""Can this caller assume that role, and with what MFA? Each side evaluated once, each pair a join.

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

The management account is never restricted by SCPs (ORGUG "Service control policies (SCPs)"). When
the evidence cannot say which account it is (:attr:`ScpResolver.management_unknown`), a caller of any
organization account is evaluated with its SCP levels and without: where only the SCPs refuse it (or
only they demand MFA), the unrestricted verdict is kept with :data:`IF_MANAGEMENT` among its
conditions, so the graph over-approximates rather than hide a path. The text names no account, and
the SCP shape is part of both memo keys, so such verdicts stay shareable between accounts.

How a verdict is computed (issue 14 §1): the caller's side (identity policies after its groups,
boundary, SCP levels) is evaluated once per caller, MFA state and *kind* of role: which of its
``sts:AssumeRole`` statements match the role ARN (:class:`SignatureTable`, the compiled resource
patterns: exact ARNs by set lookup, wildcards, ``*`` and ``NotResource`` left out as constant), the
role's account and its tags when a condition reads them (:mod:`.sides`). The trust side is evaluated
once per role and kind of caller. A pair's decision is then :func:`analyzer.graph.combine.join` of
the two, which is what :func:`analyzer.iam.evaluate.decide` returns on them: no engine call per
pair; a condition the evidence cannot settle stays a residual in the sides' results (a conditional
hit), and the join carries it to the edge (``conditional``, ``denied if ...``).

Verdicts are memoized in two steps. The first key is the caller's class (principal type,
account, the identity and boundary ``PolicySource`` objects), the trust document, which of the
class's ``sts:AssumeRole`` statements match the role ARN, same-account or not, and whether the role
is in the organization; the role's account when a condition reads ``aws:ResourceAccount`` or
``aws:ResourceOrgPaths``, its tags when one reads ``aws:ResourceTag/*`` (:mod:`.request_keys`: the
only other facts of the role a request holds). The caller's own ARN joins the key only when a statement reads a
caller-specific key (``aws:PrincipalArn``, ``aws:username``, a tag, a policy variable) or the
trust names the caller directly.

On a miss, the second key (:meth:`AssumeEvaluator._shared_key`) replaces the class by what the
engine really reads of it: the identity and boundary *documents* by position (an AWS-managed
policy attached in every account is one document), the SCP policies per level with the account's
own level marked rather than named, the caller's type and partition, and whether its account is in
the organization (``aws:PrincipalOrgID``; outside it, known or not, is the same for every account),
and its account's OU path when a condition reads ``aws:PrincipalOrgPaths``. The caller's account
itself joins only when a condition reads ``aws:PrincipalAccount`` or the trust names that account:
the only other ways the engine tells two accounts apart. So a role present in every account, with
one AWS-managed policy, is evaluated once per trust document and SCP path, not once per account.
A verdict found under the second key was computed for another caller: its deciding statements
are re-pointed at this caller's own policies and account-level SCP (:meth:`AssumeEvaluator._rebased`),
which is exactly what evaluating this caller would have produced. Evidence refs are likewise
re-pointed at each role's own trust policy (by the builder).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from analyzer.graph.access import MfaStatus
from analyzer.graph.combine import Joined, deciding, join
from analyzer.graph.index import (
    PRINCIPAL_ACCOUNT,
    PRINCIPAL_ORG_PATHS,
    RESOURCE_TAG,
    ROLE_ACCOUNT_KEYS,
    TrustInfo,
    assume_statements,
    prefilter_pattern,
    principal_sensitive,
    reads,
)
from analyzer.graph.request_keys import ROLE_TAG_PREFIXES, OrgContext
from analyzer.graph.scp import ScpResolver
from analyzer.graph.sides import CallerSide, SideResults
from analyzer.iam import (
    MFA_AGE,
    MFA_PRESENT,
    MFA_STATES,
    DecidingStatement,
    MfaState,
    Principal,
    Request,
    RequestContext,
    ScpLevel,
    evaluate,
    principal_context,
    with_mfa,
)
from analyzer.iam.arn import is_account_id, parse_arn
from analyzer.iam.mfa import requirement_of_results
from analyzer.iam.statements import CompiledStatement, PolicySetResult
from analyzer.iam.wildcard import arn_matches, has_wildcard
from analyzer.model.entities import Role
from analyzer.model.policy import ConditionClause, PolicySource

CallerKind = Literal["user", "role"]
USER_STATES: tuple[MfaState, ...] = ("absent", "false", "true")
SESSION_STATES: tuple[MfaState, ...] = ("false", "true")
_REFUSED_BY_CLASS: Mapping[str, frozenset[MfaState]] = {
    "enforced": frozenset({"absent", "false"}),
    "weak": frozenset({"false"}),
    "absent": frozenset(),
    "denied": frozenset({"absent", "false", "true"}),
}
_MFA_KEYS = frozenset({MFA_PRESENT.lower(), MFA_AGE.lower()})
#: The condition under which a caller is not restricted by SCPs when the management account is unknown
#: (one text for every account, so verdicts stay shareable between accounts; see :mod:`.scp`).
IF_MANAGEMENT = (
    "the caller's account is the organization's management account, which SCPs do not restrict "
    "(the evidence does not say which account that is)"
)
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
    #: for a role: why whoever assumes it may not name its session freely ("" = the caller chooses it)
    session_name_rule: str = ""
    class_key: tuple[object, ...] = field(init=False, repr=False, compare=False)
    shape_key: tuple[object, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        boundary = id(self.boundary) if self.boundary is not None else 0
        key = (self.kind, self.account, tuple(id(s) for s in self.identity), boundary)
        object.__setattr__(self, "class_key", key)
        object.__setattr__(self, "shape_key", self._shape())

    def _shape(self) -> tuple[object, ...]:
        """What the engine reads of this caller besides its account and its ARN-specific keys.

        Kind, partition, service-linked or not, the ARN's account when it is not :attr:`account`;
        then the identity documents and the boundary's (``None`` marks no boundary), each with the first
        position its ``PolicySource`` object holds: two callers with equal shapes have the same
        documents in the same order, and the same repeats of one source, so a verdict's deciding
        statements map position by position from one caller's sources to the other's.
        """
        sources = (*self.identity, self.boundary)
        first: dict[int, int] = {}
        documents = tuple(
            (id(s.document), first.setdefault(id(s), i)) if s is not None else None for i, s in enumerate(sources)
        )
        principal = self.principal
        # the engine reads the account of the ARN; it is this caller's account but in a malformed bundle
        own_account = principal.account_id if principal.account_id != self.account else None
        return (self.kind, principal.partition, principal.is_service_linked, own_account, len(self.identity), documents)

    @property
    def states(self) -> tuple[MfaState, ...]:
        return USER_STATES if self.kind == "user" else SESSION_STATES

    @property
    def unknown_grants(self) -> tuple[str, ...]:
        """The unresolved items that may grant (everything but the boundary): the caller may reach more."""
        return tuple(u for u in self.unresolved if not u.startswith(BOUNDARY_PREFIX))

    @property
    def session_of(self) -> tuple[str, str] | None:
        """(account, role name) for a role: what an ``assumed-role`` session ARN of it names."""
        name = self.principal.name
        return (self.account, name) if self.kind == "role" and name else None


def named_sessions(info: TrustInfo, caller: Caller) -> tuple[str, ...]:
    """The session names of ``caller`` (a role) that the trust names (``arn:aws:sts::<acct>:assumed-role/...``)."""
    if not info.sessions:
        return ()
    session_of = caller.session_of
    return info.sessions_of(*session_of) if session_of is not None else ()


def names_caller(info: TrustInfo, caller: Caller) -> bool:
    """Does the trust name ``caller`` itself (its ARN, unique id or a session of it)? Then its verdict is its own."""
    if not info.named and not info.sessions:
        return False  # most trusts name accounts, services or providers only
    return (
        caller.arn in info.named
        or (caller.principal.unique_id or "") in info.named
        or bool(named_sessions(info, caller))
    )


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

    @property
    def constant(self) -> bool:
        """The same answer for every ARN: no ``Resource`` element, or a ``*`` among the patterns."""
        return self.everything or "*" in self.patterns

    def __call__(self, arn: str) -> bool:
        if self.everything:
            return True
        hit = arn in self.literals
        if not hit:
            for pattern in self.patterns:
                if arn_matches(pattern, arn):
                    hit = True
                    break
        return hit != self.negated


@dataclass(frozen=True, slots=True)
class SignatureTable:
    """Which of some resource matchers cover a role ARN, memoized by ARN.

    One table per distinct tuple of matchers, shared by every class whose statements that depend
    on the ARN have those resources (users of different groups often differ only in statements
    that cover every role alike).
    """

    matchers: tuple[ResourceMatcher, ...]
    memo: dict[str, tuple[bool, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __call__(self, arn: str) -> tuple[bool, ...]:
        found = self.memo.get(arn)
        if found is None:
            found = self.memo[arn] = tuple(m(arn) for m in self.matchers)
        return found


@dataclass(frozen=True, slots=True)
class CallerClass:
    """What callers with the same identity, boundary and SCP documents share (one object for all of them)."""

    relevant: tuple[CompiledStatement, ...]  # identity, boundary and SCP statements that cover sts:AssumeRole
    signature: SignatureTable  # the relevant statements whose answer depends on the role ARN
    templated: bool  # a relevant resource holds a policy variable: match per caller
    allow_patterns: tuple[str, ...] | None  # identity Allow resource patterns; None = any resource
    can_allow: bool  # some identity statement may allow sts:AssumeRole at all
    sensitive: bool
    uses_resource_account: bool  # a key fixed by the role's account (aws:ResourceAccount, aws:ResourceOrgPaths)
    reads_caller_account: bool  # a relevant statement's condition reads aws:PrincipalAccount
    reads_role_tags: bool  # aws:ResourceTag/*: the verdict depends on the role's tags
    reads_org_paths: bool  # aws:PrincipalOrgPaths: the verdict depends on the caller account's OU path


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome for one (caller class, trust, role shape): the MFA status and what decided it."""

    mfa: MfaStatus
    mfa_by: tuple[str, ...]
    conditional: tuple[str, ...]
    deciding: tuple[DecidingStatement, ...]
    trust: PolicySource  # the trust source the deciding statements were evaluated with
    session: str = ""  # the caller role's session name the trust names (an assumed-role principal), if that got in

    @property
    def content_key(self) -> tuple[object, ...]:
        """Equal for verdicts that say the same (so per-caller verdicts can share one object and its texts)."""
        deciding = tuple((id(d.source), id(d.statement), d.unknown, d.level) for d in self.deciding)
        return (self.mfa, self.mfa_by, self.conditional, deciding, id(self.trust), self.session)


@dataclass(slots=True)
class AssumeEvaluator:
    scps: ScpResolver
    org: OrgContext
    _classes: dict[tuple[object, ...], CallerClass] = field(default_factory=dict)
    _classes_by_documents: dict[tuple[object, ...], CallerClass] = field(default_factory=dict)
    _verdicts: dict[tuple[object, ...], Verdict | None] = field(default_factory=dict)
    _signature_tables: dict[tuple[ResourceMatcher, ...], SignatureTable] = field(default_factory=dict)
    _interned: dict[tuple[object, ...], Verdict] = field(default_factory=dict)
    _blind: dict[tuple[object, ...], bool] = field(default_factory=dict)
    _shared: dict[tuple[object, ...], tuple[Verdict | None, Caller]] = field(default_factory=dict)
    _rebased_verdicts: dict[tuple[object, ...], Verdict] = field(default_factory=dict)
    _scp_shapes: dict[str, tuple[object, ...] | None] = field(default_factory=dict)
    sides: SideResults = field(default_factory=SideResults)
    _deciding: dict[int, DecidingStatement] = field(default_factory=dict)  # id(hit): hits live in ``sides``
    _clause_texts: dict[int, str] = field(default_factory=dict)
    _requests: dict[tuple[object, ...], Request] = field(default_factory=dict)
    _role_accounts: dict[str, str] = field(default_factory=dict)
    _trust_refuses: dict[tuple[int, ...], frozenset[str]] = field(default_factory=dict)
    _alone: dict[tuple[object, ...], frozenset[str]] = field(default_factory=dict)
    evaluations: int = 0  # decisions joined (each MFA state, and the identity side alone for mfa_by)
    full_evaluations: int = 0  # verdicts computed (the rest were found in the memo)

    # ------------------------------------------------------------------ caller classes
    def caller_class(self, caller: Caller) -> CallerClass:
        """The caller's class, one object for every caller with the same documents (and SCP documents)."""
        found = self._classes.get(caller.class_key)
        if found is None:
            documents = self._documents_key(caller)
            found = self._classes_by_documents.get(documents)
            if found is None:
                found = self._classes_by_documents[documents] = self._make_class(caller)
            self._classes[caller.class_key] = found
        return found

    def _documents_key(self, caller: Caller) -> tuple[object, ...]:
        """Everything :meth:`_make_class` reads: the identity, boundary and SCP documents, in order.

        By ``id``: the callers (and the snapshot) keep every document alive while the graph is built.
        """
        levels = self.scps.levels(caller.account)
        return (
            tuple(id(s.document) for s in caller.identity),
            id(caller.boundary.document) if caller.boundary is not None else 0,
            None if levels is None else tuple(tuple(id(p.document) for p in lv.policies) for lv in levels),
        )

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
            signature=self._signature_table(relevant),
            templated=variables,
            allow_patterns=None if patterns is None else tuple(dict.fromkeys(patterns)),
            can_allow=bool(allows),
            sensitive=variables or principal_sensitive(clauses),
            uses_resource_account=reads(clauses, *ROLE_ACCOUNT_KEYS),
            reads_caller_account=reads(clauses, PRINCIPAL_ACCOUNT),
            reads_role_tags=reads(clauses, RESOURCE_TAG),
            reads_org_paths=reads(clauses, PRINCIPAL_ORG_PATHS),
        )

    def _signature_table(self, relevant: list[CompiledStatement]) -> SignatureTable:
        varying = tuple(m for m in map(ResourceMatcher.of, relevant) if not m.constant)
        found = self._signature_tables.get(varying)
        if found is None:
            found = self._signature_tables[varying] = SignatureTable(varying)
        return found

    # ------------------------------------------------------------------ verdicts
    def verdict(
        self, caller: Caller, role: Role, trust: PolicySource, info: TrustInfo, cls: CallerClass | None = None
    ) -> Verdict | None:
        """``caller`` -> ``role`` (``None``: in no MFA state); ``cls``: the caller's class, if already at hand."""
        cls = cls or self.caller_class(caller)
        signature = self._signature(caller, cls, role.arn)
        per_caller = cls.sensitive or info.principal_sensitive or names_caller(info, caller)
        key = (
            caller.class_key,
            caller.arn if per_caller else None,
            id(trust.document),
            role.arn if info.has_resource else None,
            signature,
            role.account_id == caller.account,
            role.account_id if cls.uses_resource_account or info.uses_resource_account else None,
            role.account_id in self.org.members,
            role.tags if cls.reads_role_tags or info.reads_role_tags else None,
        )
        try:
            return self._verdicts[key]  # ``None`` is a verdict too (no edge): a miss is the KeyError
        except KeyError:
            found = self._verdicts[key] = self._shared_verdict(caller, role, trust, cls, info, key[1:])
            return found

    def _shared_verdict(
        self,
        caller: Caller,
        role: Role,
        trust: PolicySource,
        cls: CallerClass,
        info: TrustInfo,
        request: tuple[object, ...],
    ) -> Verdict | None:
        """The verdict under the second key (see the module docstring), evaluated at most once per key.

        ``request``: the first key without the caller's class (what it says of the role and the trust).
        """
        key = (*self._shared_key(caller, cls, info), *request)
        found = self._shared.get(key)
        if found is None:
            found = self._shared[key] = (
                self._evaluate(caller, role, trust, info, named_sessions(info, caller)),
                caller,
            )
        verdict, evaluated_for = found
        if verdict is None or evaluated_for.class_key == caller.class_key:
            return verdict
        return self._rebased(verdict, evaluated_for, caller)

    def _shared_key(self, caller: Caller, cls: CallerClass, info: TrustInfo) -> tuple[object, ...]:
        """What the decision reads of the caller's class, with its own sources and account left out.

        The caller's account is read by the engine in five places only: ``aws:PrincipalAccount``,
        ``aws:PrincipalOrgID`` (membership), ``aws:PrincipalOrgPaths`` (its OU path), the SCP levels, and a
        trust naming the account.
        Same-account or not is in the first key already.
        """
        account_read = cls.reads_caller_account or info.reads_caller_account or caller.account in info.named_accounts
        paths_read = cls.reads_org_paths or info.reads_org_paths
        return (
            caller.shape_key,
            self._scp_shape(caller.account),
            caller.account in self.org.members,
            caller.account if account_read else None,
            self.org.paths.get(caller.account) if paths_read else None,
        )

    def _scp_shape(self, account: str) -> tuple[object, ...] | None:
        """The account's SCP levels as policy objects per level, its own level marked rather than named."""
        if account not in self._scp_shapes:
            levels = self.scps.levels(account)
            self._scp_shapes[account] = (
                None
                if levels is None
                else tuple(
                    (lv.target == account, "" if lv.target == account else lv.target, tuple(id(p) for p in lv.policies))
                    for lv in levels
                )
            )
        return self._scp_shapes[account]

    def _rebased(self, verdict: Verdict, evaluated_for: Caller, caller: Caller) -> Verdict:
        """``verdict``, computed for ``evaluated_for``, as ``caller``'s own (same shape, see :meth:`_shared_key`).

        Both callers hold the same documents position by position, so each deciding identity or
        boundary statement is the same statement of ``caller``'s source at that position; an SCP
        statement decided at the account's own level is at ``caller``'s account level.
        """
        key = (id(verdict), evaluated_for.class_key, caller.class_key)
        found = self._rebased_verdicts.get(key)
        if found is None:
            theirs = (*evaluated_for.identity, evaluated_for.boundary)
            mine = (*caller.identity, caller.boundary)
            own = {id(a): b for a, b in zip(theirs, mine, strict=True) if a is not None and b is not None}
            deciding = tuple(_rebase(d, own, evaluated_for.account, caller.account) for d in verdict.deciding)
            rebased = replace(verdict, deciding=deciding)
            found = self._rebased_verdicts[key] = self._interned.setdefault(rebased.content_key, rebased)
        return found

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
            base = Request(caller.principal, "sts:AssumeRole", role.arn, self._context(caller, role))
            boundaries = (caller.boundary,) if caller.boundary is not None else None
            # SCPs only restrict: when any account may be the (unrestricted) management account, leave them out
            levels = None if self.scps.management_unknown else self.scps.levels(caller.account)
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

    def _signature(self, caller: Caller, cls: CallerClass, arn: str) -> tuple[bool | None, ...]:
        """Which of the class's sts:AssumeRole statements cover ``arn``: all the identity side reads of the role.

        Statements that cover every role alike are left out: which ones they are is fixed by the class,
        and both memo keys fix the class.
        """
        if cls.templated:
            lookup = principal_context(caller.principal).lookup
            return tuple(cs.resource_matches(arn, lookup) for cs in cls.relevant)
        return cls.signature(arn) if cls.signature.matchers else ()

    def _context(self, caller: Caller, role: Role) -> RequestContext:
        """The request's keys the organization and the role settle (:mod:`.request_keys`)."""
        return RequestContext.build(self.org.values(caller.account, role), absent_prefixes=ROLE_TAG_PREFIXES)

    def _evaluate(
        self, caller: Caller, role: Role, trust: PolicySource, info: TrustInfo, sessions: tuple[str, ...] = ()
    ) -> Verdict | None:
        """The verdict, also for each session of the caller (a role) that the trust names by its ARN.

        IAMUG "IAM JSON policy elements: Principal", role session principals: a trust naming
        ``arn:aws:sts::<acct>:assumed-role/<role>/<session>`` admits that session of the role, and the
        session name is whatever ``RoleSessionName`` the one assuming the role chose. So the role reaches
        this one when some session name gets in; where the role's own trust constrains the name (an
        ``sts:RoleSessionName`` condition, or SAML, whose assertion sets it), only conditionally.
        """
        self.full_evaluations += 1
        verdict = self._evaluate_as(caller, caller.principal, role, trust, info)
        for name in sessions:
            session = replace(caller.principal, session_name=name)
            found = self._evaluate_as(caller, session, role, trust, info)
            if found is None or (verdict is not None and verdict.mfa.rank >= found.mfa.rank):
                continue
            conditional = found.conditional
            if caller.session_name_rule:
                condition = f"the session of {caller.arn} is named {name!r} ({caller.session_name_rule})"
                conditional = tuple(sorted({*conditional, condition}))
            found = replace(found, conditional=conditional, session=name)
            verdict = self._interned.setdefault(found.content_key, found)
        return verdict

    def _evaluate_as(
        self, caller: Caller, principal: Principal, role: Role, trust: PolicySource, info: TrustInfo
    ) -> Verdict | None:
        levels = self.scps.levels(caller.account)
        verdict = self._decide(caller, principal, role, trust, info, levels)
        if levels is None or not self.scps.management_unknown:
            return verdict
        # Any organization account may be the management account, which SCPs never restrict (ORGUG
        # "Service control policies (SCPs)"): what SCPs alone take away is kept, conditionally.
        unrestricted = self._decide(caller, principal, role, trust, info, None)
        if unrestricted is None or (verdict is not None and verdict.mfa is unrestricted.mfa):
            return verdict
        conditional = tuple(sorted({*unrestricted.conditional, IF_MANAGEMENT}))
        kept = replace(unrestricted, conditional=conditional)
        return self._interned.setdefault(kept.content_key, kept)

    def _decide(
        self,
        caller: Caller,
        principal: Principal,
        role: Role,
        trust: PolicySource,
        info: TrustInfo,
        levels: tuple[ScpLevel, ...] | None,
    ) -> Verdict | None:
        """What :func:`evaluate` decides in each MFA state, from policy-set results shared where they may be
        (:mod:`.sides`): :func:`decide` on the very sets :func:`evaluate` would compute."""
        requests: dict[MfaState, Request] = {}

        def request_at(state: MfaState) -> Request:  # built only when a set is not in the memo
            found = requests.get(state)
            if found is None:
                found = requests[state] = self._request(caller, principal, role, state)
            return found

        side_key = self._side_key(caller, principal, role)
        has_boundary = caller.boundary is not None
        named = names_caller(info, caller)
        scp_levels = levels if levels is not None and not principal.is_service_linked else None
        own_account = principal.account_id == caller.account
        same_account = self._arn_account(role.arn, principal) == principal.account_id
        sides = self.sides

        trust_key = sides.trust_key(caller.arn, caller.account, principal, role, trust, info, named, has_boundary)

        def trust_at(state: MfaState) -> PolicySetResult:
            return sides.trust_side(trust_key, trust, state, request_at, has_boundary)

        caller_sides: dict[MfaState, CallerSide] = {}
        joined: dict[MfaState, Joined | None] = {}
        for state in caller.states:
            self.evaluations += 1
            side = caller_sides[state] = sides.caller_side(
                side_key, state, request_at, caller.identity, caller.boundary, scp_levels, own_account
            )
            joined[state] = join(side.part, sides.trust_part(trust_at(state)), same_account)
        # The weakest state that gets in decides, even when the MFA session itself is refused (a trust
        # admitting only sessions without MFA is still a way in, and must not vanish from the graph).
        decisive = joined["false"]
        mfa = MfaStatus.ABSENT
        if decisive is None and caller.kind == "user":
            decisive, mfa = joined["absent"], MfaStatus.WEAK
        if decisive is None:
            decisive, mfa = joined["true"], MfaStatus.ENFORCED
        if decisive is None:
            return None  # in no MFA state
        refused = {s for s, j in joined.items() if j is None}
        mfa_by = self._mfa_by(caller, side_key, request_at, trust_at, refused, levels, caller_sides) if refused else ()
        conditional = {self._text(c) for c in decisive.conditional if c.key.lower() not in _MFA_KEYS}
        conditional.update(f"denied if {self._text(c)}" for d in decisive.conditional_denies for c in d.unknown)
        verdict = Verdict(mfa, mfa_by, tuple(sorted(conditional)), deciding(decisive.hits, self._deciding), trust)
        return self._interned.setdefault(verdict.content_key, verdict)

    def _request(self, caller: Caller, principal: Principal, role: Role, state: MfaState) -> Request:
        """The request in ``state``, its context built once per caller, role account and tags and MFA state
        (:meth:`_context`: all the request's keys read of the role besides its ARN)."""
        key = (caller.arn, principal.session_name, role.account_id, role.tags, state)
        found = self._requests.get(key)
        if found is None:
            base_key = (*key[:4], None)
            base = self._requests.get(base_key)
            if base is None:
                base = self._requests[base_key] = Request(
                    principal, "sts:AssumeRole", role.arn, self._context(caller, role)
                )
            found = self._requests[key] = with_mfa(base, state)
        return found if found.resource == role.arn else found.on(role.arn)

    def _text(self, clause: ConditionClause) -> str:
        """A clause's text (JSON), once per clause object (clauses live as long as their documents)."""
        found = self._clause_texts.get(id(clause))
        if found is None:
            found = self._clause_texts[id(clause)] = clause.text
        return found

    def _arn_account(self, arn: str, principal: Principal) -> str | None:
        """The account :func:`decide` sees a role in: its ARN's, or the caller's when the ARN has none."""
        found = self._role_accounts.get(arn)
        if found is None:
            parsed = parse_arn(arn)
            found = self._role_accounts[arn] = parsed.account if parsed and is_account_id(parsed.account) else ""
        return found or principal.account_id

    def _side_key(self, caller: Caller, principal: Principal, role: Role) -> tuple[object, ...]:
        """What the caller's side of a decision reads of the role, with the caller itself (see :mod:`.sides`)."""
        cls = self.caller_class(caller)
        if cls.templated:  # a variable in a resource: matched per ARN (and whatever the variable reads)
            where: tuple[object, ...] = (role.arn, role.tags)
        else:
            where = (self._signature(caller, cls, role.arn), role.tags if cls.reads_role_tags else None)
        return (caller.arn, principal.session_name, caller.class_key, role.account_id, *where)

    def _mfa_by(
        self,
        caller: Caller,
        side_key: tuple[object, ...],
        request_at: Callable[[MfaState], Request],
        trust_at: Callable[[MfaState], PolicySetResult],
        refused: set[MfaState],
        levels: tuple[ScpLevel, ...] | None,
        caller_sides: Mapping[MfaState, CallerSide],
    ) -> tuple[str, ...]:
        """Which sides refuse the non-MFA states that the whole decision refuses.

        A side counts only when it lets the MFA session through: a side that refuses every state
        (no identity grant where the trust names the caller directly) is not an MFA requirement.
        ``levels``: the SCP levels of the decision; ``caller_sides``: its caller side in each of the caller's states.
        Each side is :func:`mfa_requirement_of` (the trust, the boundary, each SCP alone) or the identity
        policies alone within the caller's account, from the memoized policy-set results.
        """
        sides: dict[str, set[str]] = {}
        trust_results = tuple(trust_at(s) for s in MFA_STATES)
        trust_key = tuple(map(id, trust_results))
        trust_refuses = self._trust_refuses.get(trust_key)
        if trust_refuses is None:
            trust_class = requirement_of_results(trust_results, True)
            trust_refuses = self._trust_refuses[trust_key] = _REFUSED_BY_CLASS[trust_class]
        sides["trust"] = set(trust_refuses)
        self.evaluations += len(caller.states)
        sides["identity"] = {s for s in caller.states if not caller_sides[s].part.identity_alone}
        if caller.boundary is not None:
            sides["boundary"] = set(self._alone_refuses(side_key, request_at, caller.boundary))
        scp_refuses: set[str] = set()
        for policy in (p for level in levels or () for p in level.policies):
            scp_refuses |= self._alone_refuses(side_key, request_at, policy)
        sides["scp"] = scp_refuses
        return tuple(sorted(name for name, states in sides.items() if states & refused and "true" not in states))

    def _alone_refuses(
        self, side_key: tuple[object, ...], request_at: Callable[[MfaState], Request], policy: PolicySource
    ) -> frozenset[str]:
        """The MFA states a boundary or SCP policy alone refuses (:func:`mfa_requirement_of`), per side key."""
        key = (side_key, id(policy))
        found = self._alone.get(key)
        if found is None:
            results = [self.sides.alone(side_key, s, request_at, policy) for s in MFA_STATES]
            found = self._alone[key] = _REFUSED_BY_CLASS[requirement_of_results(results, False)]
        return found


def _rebase(
    decided: DecidingStatement, own: Mapping[int, PolicySource], old_account: str, account: str
) -> DecidingStatement:
    """``decided`` with the caller's own source in place of ``own``'s keys, and its own account level."""
    source = own.get(id(decided.source), decided.source)
    level = account if decided.level is not None and decided.level == old_account else decided.level
    if source is decided.source and level == decided.level:
        return decided
    ref = decided.ref if source is decided.source else source.statement_ref(decided.statement)
    return DecidingStatement(source, decided.statement, ref, decided.unknown, level)
