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
owner's account and by a principal of another organization account, each with ``aws:SecureTransport``
``false`` and the organization id when the caller belongs to it; every other key is unknown. Each
request must meet a definite explicit Deny; one that only a Deny conditioned on an unknown key (a VPC
endpoint, a source IP) may refuse is undecided, and one that no Deny refuses is open.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.iam import Principal, Request, RequestContext
from analyzer.iam.statements import RequestView, evaluate_policy_set
from analyzer.model.evidence import EvidenceRef
from analyzer.model.policy import PolicySource

#: What a request without TLS would do to the logs: read them, or plant and overwrite them.
TLS_ACTIONS = ("s3:GetObject", "s3:PutObject")
#: An object of the bucket (the Deny must protect every object, not only some prefixes).
SAMPLE_KEY = "AWSLogs/any-object"


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


def tls_callers(owner: str | None, members: tuple[str, ...], org_id: str | None, partition: str) -> list[TlsCaller]:
    """Anyone, a principal of the owner's account and one of another organization account, without TLS."""
    anonymous = RequestContext.build(
        {"aws:SecureTransport": "false"}, ["aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:SourceOrgID"]
    )
    inside = RequestContext.build(
        {"aws:SecureTransport": "false", **({"aws:PrincipalOrgID": org_id} if org_id else {})}
    )
    callers = [TlsCaller(Principal.anonymous(), "anyone", anonymous)]
    others = [a for a in members if a != owner]
    for account, label in ((owner, "the bucket owner's account"), (others[0] if others else None, "account")):
        if account is not None:
            arn = f"arn:{partition}:iam::{account}:role/any-role"
            callers.append(TlsCaller(Principal.role(arn), f"a principal of {label} {account}", inside))
    return callers


def _grouped(requests: list[tuple[str, str]]) -> tuple[str, ...]:
    """``caller (action, action)`` for (caller, action) pairs, callers in order of first appearance."""
    by_caller: dict[str, list[str]] = {}
    for caller, action in requests:
        by_caller.setdefault(caller, []).append(action)
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
        _grouped(open_requests),
        tuple((", ".join(_grouped(requests)), clauses) for clauses, requests in undecided.items()),
        tuple(refused_by),
        tuple(dict.fromkeys(refused_by.values())),
    )
