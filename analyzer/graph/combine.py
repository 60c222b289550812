"""The ``sts:AssumeRole`` decision of a user or role against a trust, from each side compiled once.

:func:`analyzer.iam.evaluate.decide` reads only the policy-set results (:mod:`.sides`): the caller's
side (SCP levels, identity policies, permissions boundary), memoized per caller and per *kind* of role
(the role ARN's signature, its account, its tags when read), and the trust side, memoized per role and
per kind of caller. Everything ``decide`` derives from one side alone (its explicit denies, the
requirement an ``Allow`` meets, the SCP path, the statements that name the caller directly) is
therefore derived once per side result here (:class:`CallerPart`, :class:`TrustPart`), and a pair's
decision is the few tuple operations that join them (:func:`join`): no engine call, no text, no
request, per pair. The join is ``decide`` restricted to what a trust decision of a user or role
reads (``trust_policy=True``, a trust always given); tests/graph/test_build_matches_naive.py holds it
to a per-pair evaluation through :func:`analyzer.iam.evaluate` on every edge attribute, on thousands
of random organizations where no two principals share a policy.

The parts also carry what ``mfa_by`` reads of each side (which MFA states a side alone refuses),
so that too is a join (:meth:`AssumeEvaluator._mfa_by`).
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.iam.evaluate import DecidingStatement
from analyzer.iam.principals import MatchKind
from analyzer.iam.statements import PolicySetResult, StatementHit
from analyzer.model.policy import ConditionClause

#: Requirements, each met by one or more statement hits (the ``_Path`` of :mod:`analyzer.iam.evaluate`).
Path = tuple[tuple[StatementHit, ...], ...]


def requirement(result: PolicySetResult) -> tuple[StatementHit, ...]:
    """The hits that meet a set's requirement: its first definite Allow, else every conditional one."""
    return (result.allows[0],) if result.allows else result.conditional_allows


def _definite(path: Path) -> bool:
    return all(len(req) == 1 and not req[0].unknown for req in path)


def _choose(paths: list[Path]) -> Path:
    """Alternatives ORed: the first definite one; otherwise every alternative together (as ``decide``)."""
    for path in paths:
        if _definite(path):
            return path
    return tuple(req for path in paths for req in path)


@dataclass(frozen=True, slots=True)
class CallerPart:
    """One caller-side result (:class:`~analyzer.graph.sides.CallerSide`) as the decision reads it."""

    refused: bool  # an explicit deny of the caller's side, or an SCP level that allows nothing
    scp_path: Path
    identity_path: Path | None  # the identity (and boundary) requirements, None when they are not met
    boundary_req: tuple[StatementHit, ...] | None  # None: no boundary
    scp_conditional_denies: tuple[StatementHit, ...]
    own_conditional_denies: tuple[StatementHit, ...]  # identity, then boundary
    identity_alone: bool  # the identity policies alone let the request through (``mfa_by``)

    @classmethod
    def of(
        cls,
        scp: tuple[PolicySetResult, ...],
        identity: PolicySetResult,
        boundary: PolicySetResult | None,
        same_account_as_caller: bool,
    ) -> CallerPart:
        """``same_account_as_caller``: the caller's account is its principal's (false only in a malformed bundle,
        where the identity policies alone, evaluated in the caller's account, grant nothing)."""
        refused = any(r.denies for r in scp) or bool(identity.denies) or bool(boundary is not None and boundary.denies)
        refused = refused or not all(r.allowed for r in scp)
        identity_req = requirement(identity)
        boundary_req = requirement(boundary) if boundary is not None else None
        identity_path: Path | None = None
        if identity_req and (boundary_req is None or boundary_req):
            identity_path = (identity_req,) if boundary_req is None else (identity_req, boundary_req)
        own = identity.conditional_denies + (boundary.conditional_denies if boundary is not None else ())
        return cls(
            refused=refused,
            scp_path=tuple(requirement(r) for r in scp) if not refused else (),
            identity_path=identity_path,
            boundary_req=boundary_req,
            scp_conditional_denies=tuple(h for r in scp for h in r.conditional_denies),
            own_conditional_denies=own,
            identity_alone=same_account_as_caller and not identity.denies and bool(identity_req),
        )


@dataclass(frozen=True, slots=True)
class TrustPart:
    """One trust-side result as the decision reads it."""

    refused: bool  # an explicit deny, or no Allow for the caller
    resource_req: tuple[StatementHit, ...]
    direct: tuple[StatementHit, ...]  # Allows naming the caller itself, in order (definite ones first)
    conditional_denies: tuple[StatementHit, ...]

    @classmethod
    def of(cls, result: PolicySetResult) -> TrustPart:
        resource_req = requirement(result)
        direct = tuple(
            h
            for hits in (result.allows, result.conditional_allows)
            for h in hits
            if h.match is not None and h.match.direct
        )
        return cls(bool(result.denies) or not resource_req, resource_req, direct, result.conditional_denies)


@dataclass(frozen=True, slots=True)
class Joined:
    """An allowed decision: its deciding hits (in ``decide``'s order) and open clauses."""

    hits: tuple[StatementHit, ...]
    conditional: tuple[ConditionClause, ...]
    conditional_denies: tuple[StatementHit, ...]


def join(caller: CallerPart, trust: TrustPart, same_account: bool) -> Joined | None:
    """What ``decide(..., trust_policy=True)`` decides from the two sides; ``None``: not allowed.

    ``same_account``: the role's account is the caller principal's (a trust naming the caller itself then
    needs no identity grant: IAMUG "Policy evaluation logic", same-account requests).
    """
    if caller.refused or trust.refused:
        return None
    delegated: Path | None = (*caller.identity_path, trust.resource_req) if caller.identity_path is not None else None
    path: Path
    if same_account and trust.direct:
        alternatives: list[Path] = []
        boundary_req = caller.boundary_req
        for hit in trust.direct:
            if hit.match is MatchKind.ROLE and boundary_req is not None:
                if boundary_req:
                    alternatives.append(((hit,), boundary_req))
            else:
                alternatives.append(((hit,),))
        if not alternatives and delegated is None:
            return None
        path = _choose([*alternatives, delegated] if delegated is not None else alternatives)
    elif delegated is None:
        return None
    else:
        path = delegated
    seen: set[int] = set()
    hits: list[StatementHit] = []
    for req in (*path, *caller.scp_path):
        for hit in req:
            if id(hit) not in seen:
                seen.add(id(hit))
                hits.append(hit)
    conditional = tuple(dict.fromkeys(c for h in hits for c in h.unknown)) if any(h.unknown for h in hits) else ()
    denies = caller.scp_conditional_denies + trust.conditional_denies + caller.own_conditional_denies
    return Joined(tuple(hits), conditional, denies)


def deciding(hits: tuple[StatementHit, ...], memo: dict[int, DecidingStatement]) -> tuple[DecidingStatement, ...]:
    """``DecidingStatement.of`` of each hit, one object per hit (hits live as long as the side memo)."""
    out = []
    for hit in hits:
        found = memo.get(id(hit))
        if found is None:
            found = memo[id(hit)] = DecidingStatement.of(hit)
        out.append(found)
    return tuple(out)


__all__ = ["CallerPart", "Joined", "TrustPart", "deciding", "join", "requirement"]
