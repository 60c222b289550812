"""The decision for one request, in AWS's evaluation order.

IAMUG ``reference_policies_evaluation-logic``, ``..._policy-eval-denyallow``,
``...-cross-account``, ``access_policies_boundaries``; ORGUG ``orgs_manage_policies_scps``.

1. **Explicit deny.** A ``Deny`` that applies in any applicable policy (SCPs at every level,
   the resource or trust policy, identity policies, the permissions boundary) decides.
2. **SCPs** (``scp_levels``: root, OUs..., account; each a list of policies). Every level must
   have an ``Allow`` that applies. ``scp_levels=None`` means no SCP effect: the management account,
   or no organization evidence. SCPs never apply to service principals, anonymous or federated
   callers, or service-linked roles. They do restrict a member account's root user.
3. **Grants**, by caller type and place:

   * ``service`` / ``anonymous`` / ``federated``: only the resource (or trust) policy can grant.
   * ``root``: in its own account it has every permission (only SCPs and explicit denies limit
     it); across accounts the resource policy must allow it. The root user cannot assume roles
     ("Roles may not be assumed by root accounts"), so ``sts:AssumeRole*`` against a trust policy
     is an implicit deny.
   * ``user`` / ``role``, with *identity grant* = an identity-policy ``Allow`` and, when the caller
     has a permissions boundary, a boundary ``Allow`` too:

     - **trust policy** (``trust_policy=True``): the trust policy must allow the caller. Within
       one account, a statement naming the caller directly (its ARN, its session, ``"*"`` or an
       Allow+NotPrincipal that excludes it) is enough alone; naming the *account* (``1234...`` or
       ``:root``) delegates, so the identity grant is needed too. Across accounts both are always
       needed.
     - **resource policy**, same account: the identity grant *or* a resource-policy statement
       naming the caller directly suffices. Across accounts: the identity grant *and* a
       resource-policy ``Allow`` (direct or account) are both needed.
     - **no resource policy**: same account, the identity grant decides; across accounts the
       request is implicitly denied.

   Boundary and direct resource grants (IAMUG ``access_policies_boundaries``, "Resource-based
   policies"): within one account a resource-policy grant to the *user ARN* or to the *role
   session ARN* is not limited by the boundary; a grant to the *role ARN* is. The engine treats
   ``"*"`` and Allow+NotPrincipal grants like grants to the caller's own ARN (not capped): this
   over-approximates access rather than hiding it.

**Unknown condition keys** (see :mod:`analyzer.iam.context`). A statement whose conditions are
TRUE applies definitely; one with an UNKNOWN clause (and no FALSE one) applies *conditionally*.

* A conditional ``Deny`` never produces ``explicit_deny``; it is carried in
  :attr:`Decision.conditional_denies` (the request is denied *if* those clauses hold).
* A requirement met only by conditional ``Allow`` s is still met, and the decision is ``allow``
  with :attr:`Decision.conditional` listing the unknown clauses it depends on. When several
  alternative statements could grant, all are listed: the allow holds if the unknown clauses of
  at least one deciding statement of each requirement hold (each :class:`DecidingStatement`
  carries its own ``unknown`` clauses).
* :attr:`Decision.definite` is True only for an ``allow`` with no unknown clause on its path and
  no conditional deny. Conservative reading for an auditor: ``allowed`` = *may* be allowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Literal

from analyzer.iam.arn import is_account_id, parse_arn
from analyzer.iam.context import ContextValues, Lookup, RequestContext
from analyzer.iam.principals import MatchKind, Principal
from analyzer.iam.statements import (
    PolicySetResult,
    RequestView,
    StatementHit,
    evaluate_policy_set,
    statement_label,
)
from analyzer.model.evidence import EvidenceRef
from analyzer.model.policy import ConditionClause, Effect, PolicySource, Statement

Outcome = Literal["allow", "explicit_deny", "implicit_deny"]

KIND_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "inline": "inline policy",
        "managed": "managed policy",
        "trust": "trust policy",
        "boundary": "permissions boundary",
        "bucket": "bucket policy",
        "scp": "SCP",
        "unresolved": "policy",
    }
)

_CALLED_VIA = ("aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast")
_PRINCIPAL_TYPE_VALUES = {"user": "User", "role": "AssumedRole", "root": "Account", "anonymous": "Anonymous"}


@lru_cache(maxsize=16384)
def principal_context(caller: Principal) -> RequestContext:
    """The condition keys the caller itself determines (IAMUG ``reference_policies_variables``
    "Principal key values", ``reference_policies_condition-keys`` "AWS global condition context keys").

    For an IAM user, role or root user, the request is its own direct call (the engine does not
    model requests a service makes on a principal's behalf): ``aws:ViaAWSService`` is ``false`` and
    ``aws:CalledVia``, ``aws:CalledViaFirst`` and ``aws:CalledViaLast`` are absent.

    Cached: both are immutable, and one caller is asked about in many requests (each MFA state of
    each role it may assume).
    """
    values: dict[str, str] = {}
    absent: set[str] = set()
    kind = caller.principal_type
    if kind in ("user", "role", "root"):
        values["aws:PrincipalArn"] = caller.arn
    else:
        absent.add("aws:PrincipalArn")
    if kind in ("user", "role", "root") and caller.account_id is not None:
        values["aws:PrincipalAccount"] = caller.account_id
    elif kind in ("service", "anonymous", "federated"):
        absent.add("aws:PrincipalAccount")  # not an IAM principal of any account
    if kind in _PRINCIPAL_TYPE_VALUES:
        values["aws:PrincipalType"] = _PRINCIPAL_TYPE_VALUES[kind]
    if kind == "user" and caller.name is not None:
        values["aws:username"] = caller.name
    else:
        absent.add("aws:username")
    if kind == "user" and caller.unique_id:
        values["aws:userid"] = caller.unique_id
    elif kind == "role" and caller.unique_id and caller.session_name:
        values["aws:userid"] = f"{caller.unique_id}:{caller.session_name}"
    elif kind == "root" and caller.account_id:
        values["aws:userid"] = caller.account_id
    elif kind == "anonymous":
        values["aws:userid"] = "anonymous"
    if kind in ("user", "role", "root", "service"):
        values["aws:PrincipalIsAWSService"] = "true" if kind == "service" else "false"
    elif kind in ("anonymous", "federated"):
        # "present ... for all signed API requests that use AWS credentials": an anonymous request and the
        # federated caller's AssumeRoleWithWebIdentity/SAML call are not signed with AWS credentials
        absent.add("aws:PrincipalIsAWSService")
    if kind in ("user", "role", "root"):
        # The engine models a principal's own, direct call: aws:ViaAWSService is "false" (it is true only
        # when a service calls on the principal's behalf with forward access sessions) and the
        # aws:CalledVia keys are absent (present only when a service that supports them makes the call).
        values["aws:ViaAWSService"] = "false"
        absent.update(_CALLED_VIA)
    if kind == "service":
        values["aws:PrincipalServiceName"] = caller.arn
    else:
        absent.add("aws:PrincipalServiceName")
    prefixes: tuple[str, ...] = ()
    if caller.tags is not None:
        values.update({f"aws:PrincipalTag/{k}": v for k, v in caller.tags})
        prefixes = ("aws:principaltag/",)
    elif kind in ("service", "anonymous", "federated"):
        prefixes = ("aws:principaltag/",)  # principal tags are an IAM user's or role's: these callers have none
    return RequestContext.build(values, absent, absent_prefixes=prefixes)


@dataclass(frozen=True, slots=True)
class Request:
    """One request: ``principal`` calls ``action`` on ``resource`` with ``context``.

    The effective context is the caller-derived keys (:func:`principal_context`) with
    ``context`` laid over them; keys in neither follow ``context.default`` (unknown by default).
    """

    principal: Principal
    action: str
    resource: str
    context: RequestContext = field(default_factory=RequestContext)
    effective_context: RequestContext = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "effective_context", principal_context(self.principal).overlay(self.context))

    def lookup(self, key: str) -> Lookup:
        return self.effective_context.lookup(key)

    def with_context(self, values: ContextValues | None = None, absent: Sequence[str] = ()) -> Request:
        """The same request with some context keys set or made absent."""
        return Request(self.principal, self.action, self.resource, self.context.with_values(values, absent))

    def on(self, resource: str) -> Request:
        """The same request on another resource: the resource is not a context key, so the effective
        context (the costly part to build) is this one's."""
        other = object.__new__(Request)
        for name, value in (
            ("principal", self.principal),
            ("action", self.action),
            ("resource", resource),
            ("context", self.context),
            ("effective_context", self.effective_context),
        ):
            object.__setattr__(other, name, value)
        return other


@dataclass(frozen=True, slots=True)
class ScpLevel:
    """The SCPs attached at one level of the account's path: ``target`` is ``r-...``, ``ou-...`` or the account."""

    target: str
    policies: tuple[PolicySource, ...]


@dataclass(frozen=True, slots=True, repr=False)
class DecidingStatement:
    """A statement that decided (or conditions) a decision, with where it is in the bundle."""

    source: PolicySource
    statement: Statement
    ref: EvidenceRef
    unknown: tuple[ConditionClause, ...] = ()  # its clauses on unknown keys; () = applies definitely
    level: str | None = None  # SCP level target

    @property
    def effect(self) -> Effect:
        return self.statement.effect

    @property
    def sid(self) -> str | None:
        return self.statement.sid

    @property
    def label(self) -> str:
        return statement_label(self.statement)

    def describe(self) -> str:
        text = f"{KIND_LABELS.get(self.source.kind, 'policy')} {self.source.name} statement {self.label}"
        return f"{text} at level {self.level}" if self.level else text

    @classmethod
    def of(cls, hit: StatementHit) -> DecidingStatement:
        return cls(hit.source, hit.statement, hit.ref, hit.unknown, hit.level)

    def __repr__(self) -> str:
        unknown = f", unknown={[c.text for c in self.unknown]}" if self.unknown else ""
        return f"DecidingStatement({self.effect} {self.describe()} @ {self.ref}{unknown})"


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    reason: str
    deciding: tuple[DecidingStatement, ...] = ()
    conditional: tuple[ConditionClause, ...] = ()
    conditional_denies: tuple[DecidingStatement, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        """Allowed, possibly only under the unknown clauses in :attr:`conditional`."""
        return self.outcome == "allow"

    @property
    def definite(self) -> bool:
        """Allowed whatever the unknown keys turn out to be."""
        return self.allowed and not self.conditional and not self.conditional_denies

    @property
    def sids(self) -> tuple[str | None, ...]:
        return tuple(d.sid for d in self.deciding)


# ---- evaluation ---------------------------------------------------------------------------------

_Path = tuple[tuple[StatementHit, ...], ...]  # requirements, each met by one or more hits


def _requirement(definite: Sequence[StatementHit], conditional: Sequence[StatementHit]) -> tuple[StatementHit, ...]:
    """The hits that meet a requirement: the first definite Allow, else every conditional one."""
    return (definite[0],) if definite else tuple(conditional)


def _definite(path: _Path) -> bool:
    return all(len(req) == 1 and req[0].definite for req in path)


def _choose(paths: Sequence[_Path]) -> _Path:
    """Alternatives ORed: the first definite one; otherwise every alternative together."""
    for path in paths:
        if _definite(path):
            return path
    return tuple(req for path in paths for req in path)


def _scp_levels(
    scp_levels: Sequence[ScpLevel | Sequence[PolicySource]],
) -> tuple[ScpLevel, ...]:
    out: list[ScpLevel] = []
    for index, level in enumerate(scp_levels):
        if isinstance(level, ScpLevel):
            out.append(level)
        else:
            out.append(ScpLevel(f"level {index}", tuple(level)))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Ask:
    """What the decision reads of a request besides its policy sets: who asks for what on which resource."""

    principal: Principal
    action: str
    resource: str


def _resource_account(request: Ask, resource_account: str | None) -> str | None:
    if resource_account is not None:
        return resource_account
    arn = parse_arn(request.resource)
    if arn is not None and is_account_id(arn.account):
        return arn.account
    return request.principal.account_id  # S3 ARNs carry no account: assume the caller's


def _distinct(hits: Iterable[StatementHit]) -> tuple[StatementHit, ...]:
    """Hits in order without repeats; by identity (hashing a hit would walk its whole document)."""
    seen: set[int] = set()
    out: list[StatementHit] = []
    for hit in hits:
        if id(hit) not in seen:
            seen.add(id(hit))
            out.append(hit)
    return tuple(out)


def _unique(clauses: Sequence[ConditionClause]) -> tuple[ConditionClause, ...]:
    return tuple(dict.fromkeys(clauses))


@dataclass(slots=True)
class PolicySets:
    """Each applicable set of policies evaluated against one request (:func:`evaluate_policy_set`).

    The decision reads nothing else of the policies: two requests with equal sets (and equal
    :class:`Ask`) get the same decision, so a caller may evaluate and reuse the sets itself (:func:`decide`).
    """

    scp: list[tuple[ScpLevel, PolicySetResult]]
    identity: PolicySetResult | None
    boundary: PolicySetResult | None
    resource: PolicySetResult | None

    def all(self) -> list[PolicySetResult]:
        found = [r for _, r in self.scp]
        found.extend(r for r in (self.resource, self.identity, self.boundary) if r is not None)
        return found


def evaluate(
    request: Request,
    *,
    identity_policies: Sequence[PolicySource] = (),
    resource_policy: PolicySource | None = None,
    boundaries: Sequence[PolicySource] | None = None,
    scp_levels: Sequence[ScpLevel | Sequence[PolicySource]] | None = None,
    resource_account: str | None = None,
    trust_policy: bool = False,
) -> Decision:
    """Decide ``request`` (see the module docstring for the order and the unknown-key semantics).

    ``identity_policies``: every identity policy of the caller (its inline and managed policies and
    those of its groups). ``resource_policy``: the bucket (or other resource) policy, or the role's
    trust policy with ``trust_policy=True``. ``boundaries``: the caller's permissions boundary
    (``None`` or empty = none). ``resource_account``: the account owning the resource; by default
    the account in the resource ARN, else (S3) the caller's.
    """
    caller = request.principal
    kind = caller.principal_type
    has_boundary = bool(boundaries) and kind in ("user", "role")
    view = RequestView(request.action.lower(), request.resource, request.lookup, caller, has_boundary)
    scp_applies = scp_levels is not None and kind in ("user", "role", "root") and not caller.is_service_linked
    levels = _scp_levels(scp_levels) if scp_levels is not None and scp_applies else ()
    sets = PolicySets(
        scp=[(lv, evaluate_policy_set(lv.policies, view, mode="identity", level=lv.target)) for lv in levels],
        identity=evaluate_policy_set(identity_policies, view, mode="identity") if kind in ("user", "role") else None,
        boundary=evaluate_policy_set(boundaries or (), view, mode="identity") if has_boundary else None,
        resource=evaluate_policy_set((resource_policy,), view, mode="resource") if resource_policy else None,
    )
    ask = Ask(caller, request.action, request.resource)
    return decide(ask, sets, has_boundary, resource_policy, trust_policy, resource_account)


def decide(
    request: Ask,
    sets: PolicySets,
    has_boundary: bool,
    resource_policy: PolicySource | None,
    trust_policy: bool,
    resource_account: str | None,
) -> Decision:
    """The decision from the evaluated policy sets (the second half of :func:`evaluate`).

    ``sets`` must be what :func:`evaluate` would compute for the request: SCP levels only where SCPs
    apply, the identity set for a user or role, the boundary set when ``has_boundary``.
    """
    problems = tuple(dict.fromkeys(p for r in sets.all() for p in r.problems))

    denies = [h for r in sets.all() for h in r.denies]
    if denies:
        deciding = tuple(DecidingStatement.of(h) for h in denies)
        return Decision("explicit_deny", f"denied by {deciding[0].describe()}", deciding, problems=problems)

    def implicit(reason: str) -> Decision:
        return Decision("implicit_deny", reason, problems=problems)

    scp_path: list[tuple[StatementHit, ...]] = []
    for level, result in sets.scp:
        if not result.allowed:
            return implicit(f"no SCP at level {level.target} allows {request.action}")
        scp_path.append(_requirement(result.allows, result.conditional_allows))

    grant = _grant(request, sets, has_boundary, resource_policy, trust_policy, resource_account)
    if isinstance(grant, str):
        return implicit(grant)
    path, why = grant
    full = (*path, *scp_path)
    hits = _distinct(h for req in full for h in req)
    deciding = tuple(DecidingStatement.of(h) for h in hits)
    conditional = _unique([c for h in hits for c in h.unknown])
    conditional_denies = tuple(DecidingStatement.of(h) for r in sets.all() for h in r.conditional_denies)
    reason = why
    if deciding:
        reason += ": " + "; ".join(d.describe() for d in deciding)
    if conditional:
        reason += " (conditional on unknown keys: " + ", ".join(sorted({c.key for c in conditional})) + ")"
    return Decision("allow", reason, deciding, conditional, conditional_denies, problems)


def _grant(
    request: Ask,
    sets: PolicySets,
    has_boundary: bool,
    resource_policy: PolicySource | None,
    trust_policy: bool,
    resource_account: str | None,
) -> tuple[_Path, str] | str:
    """The requirements that grant the request with a short reason, or why nothing grants it."""
    caller = request.principal
    kind = caller.principal_type
    who = caller.describe()
    res = sets.resource
    policy_name = f"{KIND_LABELS.get(resource_policy.kind, 'policy')} {resource_policy.name}" if resource_policy else ""
    resource_req = _requirement(res.allows, res.conditional_allows) if res is not None else ()

    if kind in ("service", "anonymous", "federated"):
        if res is None:
            return f"{who} can only be granted access by a resource policy, and none applies"
        if not resource_req:
            return f"no statement in the {policy_name} allows {who}"
        return (resource_req,), f"allowed for {who} by the {policy_name}"

    same_account = _resource_account(request, resource_account) == caller.account_id

    if kind == "root":
        if trust_policy and request.action.lower().startswith("sts:assumerole"):
            return "the root user cannot assume roles"
        if same_account:
            return (), "the root user has full access in its own account"
        if res is None or not resource_req:
            where = f"the {policy_name}" if res is not None else "a resource policy"
            return f"cross-account request by the root user is not allowed by {where}"
        return (resource_req,), "allowed for the account's root user by the resource policy"

    identity = sets.identity or PolicySetResult()
    identity_req = _requirement(identity.allows, identity.conditional_allows)
    boundary_req: tuple[StatementHit, ...] = ()
    if has_boundary and sets.boundary is not None:
        boundary_req = _requirement(sets.boundary.allows, sets.boundary.conditional_allows)
    identity_path: _Path | None = None
    if identity_req and (boundary_req or not has_boundary):
        identity_path = (identity_req, boundary_req) if has_boundary else (identity_req,)
    identity_failure = (
        f"no identity policy of {who} allows {request.action} on {request.resource}"
        if not identity_req
        else f"the permissions boundary of {who} does not allow {request.action}"
    )

    direct_paths: list[_Path] = []
    if res is not None:
        for hits in (res.allows, res.conditional_allows):
            for hit in hits:
                if hit.match is None or not hit.match.direct:
                    continue
                if hit.match is MatchKind.ROLE and has_boundary:
                    if boundary_req:
                        direct_paths.append(((hit,), boundary_req))
                else:
                    direct_paths.append(((hit,),))

    if trust_policy:
        if res is None:
            return f"no trust policy given for {request.resource}"
        if not resource_req:
            return f"no statement in the {policy_name} allows {who}"
        delegated: list[_Path] = [(*identity_path, resource_req)] if identity_path is not None else []
        if same_account and direct_paths:
            chosen = _choose([*direct_paths, *delegated])
            how = "allowed by the identity policy and the trust policy" if delegated and chosen is delegated[0] else ""
            return chosen, how or f"the {policy_name} names {who} directly"
        if not delegated:
            scope = "same-account trust by account" if same_account else "cross-account trust"
            return f"{scope} requires an identity-policy allow too: {identity_failure}"
        return delegated[0], "allowed by the identity policy and the trust policy"

    if res is not None:
        if same_account:
            alternatives = ([identity_path] if identity_path else []) + direct_paths
            if not alternatives:
                return f"neither an identity policy nor the {policy_name} allows {who}"
            return _choose(alternatives), "allowed within the account"
        if identity_path is None:
            return f"cross-account request: {identity_failure}"
        if not resource_req:
            return f"cross-account request: no statement in the {policy_name} allows {who}"
        return (*identity_path, resource_req), "allowed by the identity policy and the resource policy"

    if not same_account:
        return f"cross-account request to {request.resource} and no resource policy given"
    if identity_path is None:
        return identity_failure
    return identity_path, "allowed by the identity policy"
