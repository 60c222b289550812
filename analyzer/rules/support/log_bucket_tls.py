"""Whether the central log bucket refuses requests made without TLS (LOG-010), decided by the policy engine.

S3 accepts plain HTTP requests unless the bucket policy denies them; the documented protection is a
statement denying requests whose ``aws:SecureTransport`` is ``false`` (CIS AWS Foundations Benchmark,
section 2.1 "Ensure S3 Bucket Policy is set to deny HTTP requests"; AWS Config managed rule
``s3-bucket-ssl-requests-only``; ``aws:SecureTransport`` in IAMUG "AWS global condition context
keys"). The policy's text is not searched for that statement: requests without TLS are evaluated
against the whole policy, so a Deny that names only some callers, some actions, or tests the key the
wrong way round shows as what it is.

The requests: reading (``s3:GetObject``) and writing (``s3:PutObject``) an object of the bucket, by
anyone (an anonymous caller, which a ``"Principal": "*"`` Deny covers), by a principal of the bucket
owner's account, of another organization account, of an account in no organization (no
``aws:PrincipalOrgID``: the key is present only for a member of an organization), of an account of
another organization (an id no Deny names), of each organization a Deny names, and of every other
account a Deny statement names (a Deny can exempt an account or an organization only by naming it:
``aws:PrincipalAccount``, ``aws:PrincipalArn``, ``aws:PrincipalOrgID``, ``NotPrincipal``), each with
``aws:SecureTransport`` ``false`` and the organization id when the caller belongs to it; every other
key is unknown. Each request must meet a definite explicit Deny; one that only a Deny conditioned on
an unknown key (a VPC endpoint, a source IP) may refuse is undecided, and one that no Deny refuses is
open.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import count

from analyzer.iam import Principal, Request, RequestContext
from analyzer.iam.context import NoneOf
from analyzer.iam.statements import RequestView, evaluate_policy_set
from analyzer.model.evidence import EvidenceRef
from analyzer.model.policy import PolicySource

#: What a request without TLS would do to the logs: read them, or plant and overwrite them.
TLS_ACTIONS = ("s3:GetObject", "s3:PutObject")
#: An object of the bucket (the Deny must protect every object, not only some prefixes).
SAMPLE_KEY = "AWSLogs/any-object"
_ACCOUNT_ID = re.compile(r"(?<!\d)\d{12}(?!\d)")
_ORG_ID = re.compile(r"(?<![a-z0-9-])o-[a-z0-9]{10,32}(?![a-z0-9])")
#: The organization and account that stand for "another organization" and "an account outside": ids no
#: Deny names (a Deny can treat an organization or an account apart only by naming it).
_OTHER_ORG = "o-anotherorganization"
_OTHER_ACCOUNT = 999999999999


@dataclass(frozen=True, slots=True)
class TlsCaller:
    principal: Principal
    label: str
    context: RequestContext


@dataclass(frozen=True, slots=True)
class TlsVerdict:
    """The requests without TLS the policy does not refuse (``open``: ``caller (actions)``), refuses only under
    conditions unknown offline (``undecided``: the requests and those conditions' clauses), and the Deny
    statements that refuse the others (their evidence and Sid)."""

    open: tuple[str, ...]
    undecided: tuple[tuple[str, tuple[str, ...]], ...]
    refused_by: tuple[EvidenceRef, ...]
    deny_labels: tuple[str, ...]

    @property
    def refused(self) -> bool:
        return not self.open and not self.undecided


def deny_named_accounts(source: PolicySource) -> tuple[str, ...]:
    """The account ids the policy's Deny statements name, sorted: the only accounts a Deny can treat apart."""
    named = {a for s in source.document.statements if s.effect == "Deny" for a in _ACCOUNT_ID.findall(s.source_json)}
    return tuple(sorted(named))


def deny_named_organizations(source: PolicySource) -> tuple[str, ...]:
    """The organization ids the policy's Deny statements name, sorted."""
    named = {o for s in source.document.statements if s.effect == "Deny" for o in _ORG_ID.findall(s.source_json)}
    return tuple(sorted(named))


def _unnamed(taken: Iterable[str | None], candidates: Iterable[str]) -> str:
    """The first candidate not taken (``candidates`` never run out: more of them than anything can name)."""
    names = set(taken)
    return next(c for c in candidates if c not in names)


def tls_callers(
    owner: str | None,
    members: tuple[str, ...],
    org_id: str | None,
    partition: str,
    named: tuple[str, ...] = (),
    named_orgs: tuple[str, ...] = (),
) -> list[TlsCaller]:
    """Anyone, a principal of the owner's account, one of another organization account, one of an account
    in no organization, one of another organization's account, one of each organization in ``named_orgs``
    (see :func:`deny_named_organizations`) and one of each other account in ``named`` (see
    :func:`deny_named_accounts`), without TLS."""
    anonymous = RequestContext.build(
        {"aws:SecureTransport": "false"}, ["aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:SourceOrgID"]
    )
    no_organization = RequestContext.build(
        {"aws:SecureTransport": "false"}, ["aws:PrincipalOrgID", "aws:PrincipalOrgPaths"]
    )
    inside = RequestContext.build(
        {"aws:SecureTransport": "false", **({"aws:PrincipalOrgID": org_id} if org_id else {})}
    )
    # outside the organization: no aws:PrincipalOrgID, or another organization's
    outside = RequestContext.build(
        {"aws:SecureTransport": "false", **({"aws:PrincipalOrgID": NoneOf(frozenset({org_id}))} if org_id else {})}
    )
    callers = [TlsCaller(Principal.anonymous(), "anyone", anonymous)]
    others = [a for a in members if a != owner]
    accounts = [(owner, "the bucket owner's account"), (others[0] if others else None, "account")]
    tried = {owner, *others[:1]}
    for account, label in accounts:
        if account is not None:
            callers.append(_caller(partition, account, f"a principal of {label} {account}", inside))
    outsider = _unnamed((*members, *named, owner), (str(n) for n in count(_OTHER_ACCOUNT, -1)))
    other_orgs = [_unnamed((*named_orgs, org_id), (f"{_OTHER_ORG}{n or ''}" for n in count()))]
    callers.append(_caller(partition, outsider, "a principal of an account in no organization", no_organization))
    other_orgs += [o for o in named_orgs if o != org_id]
    for other in other_orgs:
        label = "another organization" if other == other_orgs[0] else f"organization {other}"
        values = {
            "aws:SecureTransport": "false",
            "aws:PrincipalOrgID": other,
            "aws:PrincipalOrgPaths": f"{other}/r-0000/",
        }
        callers.append(
            _caller(partition, outsider, f"a principal of an account of {label}", RequestContext.build(values))
        )
    for account in named:
        if account not in tried:
            context = inside if account in members else outside
            callers.append(_caller(partition, account, f"a principal of account {account}", context))
    return callers


def _caller(partition: str, account: str, label: str, context: RequestContext) -> TlsCaller:
    return TlsCaller(Principal.role(f"arn:{partition}:iam::{account}:role/any-role"), label, context)


#: What :func:`_grouped` says when every caller tried makes the same requests.
EVERY_CALLER = "every caller tried: anonymous, and principals of accounts in and outside the organization"


def _grouped(requests: list[tuple[str, str]], callers: int) -> tuple[str, ...]:
    """``caller (action, action)`` for (caller, action) pairs, callers in order of first appearance; one
    :data:`EVERY_CALLER` entry when all ``callers`` tried make the same requests."""
    by_caller: dict[str, list[str]] = {}
    for caller, action in requests:
        by_caller.setdefault(caller, []).append(action)
    if len(by_caller) == callers and len({tuple(a) for a in by_caller.values()}) == 1:
        by_caller = {EVERY_CALLER: next(iter(by_caller.values()))}
    return tuple(f"{caller} ({', '.join(actions)})" for caller, actions in by_caller.items())


def tls_verdict(source: PolicySource, bucket_arn: str, callers: list[TlsCaller]) -> TlsVerdict:
    open_requests: list[tuple[str, str]] = []
    undecided: dict[tuple[str, ...], list[tuple[str, str]]] = {}  # the unknown clauses -> (caller, action)
    refused_by: dict[EvidenceRef, str] = {}  # the refusing Deny statements, with their Sid (or place)
    resource = f"{bucket_arn}/{SAMPLE_KEY}"
    for caller in callers:
        for action in TLS_ACTIONS:
            request = Request(caller.principal, action, resource, caller.context)
            view = RequestView(action.lower(), resource, request.lookup, caller.principal)
            result = evaluate_policy_set((source,), view, mode="resource")
            if result.denies:
                refused_by.update((h.ref, h.statement.sid or h.statement.pointer) for h in result.denies)
            elif result.conditional_denies:
                clauses = tuple(sorted({c.text for h in result.conditional_denies for c in h.unknown}))
                undecided.setdefault(clauses, []).append((caller.label, action))
            else:
                open_requests.append((caller.label, action))
    return TlsVerdict(
        _grouped(open_requests, len(callers)),
        tuple((", ".join(_grouped(requests, len(callers))), clauses) for clauses, requests in undecided.items()),
        tuple(refused_by),
        tuple(dict.fromkeys(refused_by.values())),
    )
