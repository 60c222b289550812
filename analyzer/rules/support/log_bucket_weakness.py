"""Weaknesses of the central log bucket's policy (LOG-010), found by evaluating it, not by pattern.

Three questions, each asked of the whole policy (so a Deny that neutralizes a broad Allow counts):

* **open write**: can a caller outside the organization (anyone, an account named in the policy
  that is not an organization or trusted account, a service other than CloudTrail and Config, a
  federated identity) write to or administer the bucket? Tested with ``s3:PutObject`` and the
  other destructive actions in :data:`WRITE_ACTIONS`, on a sample object inside each statement's
  resources; the caller sends ``bucket-owner-full-control`` (it chooses its headers) and carries no
  organization id.
* **no bucket-owner-full-control**: would a CloudTrail/Config statement accept an object written
  with another ACL (``s3:x-amz-acl = private``)? Objects then belong to the writer, not the bucket owner.
* **confused deputy**: would a CloudTrail/Config statement let the service act for an account
  outside the organization (``aws:SourceAccount``/``aws:SourceArn`` of such an account, no
  ``aws:SourceOrgID``)? A statement with no such condition lets anyone's trail write here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from analyzer.iam import (
    Principal,
    Request,
    RequestContext,
    account_of_principal,
    action_matches,
    arn_matches,
    parse_arn,
)
from analyzer.iam.conditions import evaluate_conditions
from analyzer.iam.context import Tri
from analyzer.iam.principals import statement_applies_to
from analyzer.iam.statements import VARIABLES_VERSION, PolicySetResult, RequestView, evaluate_policy_set
from analyzer.model.evidence import EvidenceRef
from analyzer.model.policy import PolicySource, Statement
from analyzer.rules.support.log_bucket import ACL, LOG_SERVICES

#: Actions that write to or administer a bucket, with the level of resource they act on.
WRITE_ACTIONS: dict[str, str] = {
    "s3:PutObject": "object",
    "s3:PutObjectAcl": "object",
    "s3:DeleteObject": "object",
    "s3:DeleteObjectVersion": "object",
    "s3:PutObjectRetention": "object",
    "s3:PutObjectLegalHold": "object",
    "s3:BypassGovernanceRetention": "object",
    "s3:PutBucketPolicy": "bucket",
    "s3:DeleteBucketPolicy": "bucket",
    "s3:PutBucketAcl": "bucket",
    "s3:PutBucketVersioning": "bucket",
    "s3:PutLifecycleConfiguration": "bucket",
    "s3:PutBucketObjectLockConfiguration": "bucket",
    "s3:PutReplicationConfiguration": "bucket",
    "s3:PutBucketOwnershipControls": "bucket",
    "s3:PutBucketPublicAccessBlock": "bucket",
    "s3:DeleteBucket": "bucket",
}
#: What the log services do on the bucket (the actions a confused deputy could abuse).
SERVICE_ACTIONS = ("s3:PutObject", "s3:GetBucketAcl", "s3:ListBucket")
SOURCE_KEYS = frozenset({"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid"})
_ACCOUNT_ID = re.compile(r"(?<!\d)\d{12}(?!\d)")


@dataclass(frozen=True, slots=True)
class Weakness:
    statement: Statement
    code: str  # open-write | no-acl-condition | confused-deputy
    message: str
    ref: EvidenceRef


@dataclass(frozen=True, slots=True)
class Caller:
    principal: Principal
    label: str
    context: RequestContext = field(default_factory=RequestContext)


# --------------------------------------------------------------------------- sampling
def _samples(statement: Statement, bucket_arn: str, level: str) -> list[str]:
    """Concrete resources inside the statement's Resource patterns, of the given level."""
    target = f"{bucket_arn}/x" if level == "object" else bucket_arn
    if statement.resources is None:
        return [target]
    found: list[str] = []
    for pattern in statement.resources:
        concrete = pattern.replace("*", "x").replace("?", "x")
        if level == "object" and concrete.startswith(f"{bucket_arn}/"):
            found.append(concrete)
        elif arn_matches(pattern, target):
            found.append(target)
    return list(dict.fromkeys(found))


def _standing_allows(source: PolicySource, caller: Caller, action: str, resource: str) -> PolicySetResult:
    """The policy's statements for this request; the caller of interest is only the resource side."""
    request = Request(caller.principal, action, resource, caller.context)
    view = RequestView(action.lower(), resource, request.lookup, caller.principal)
    return evaluate_policy_set((source,), view, mode="resource")


def _allowing(result: PolicySetResult) -> list[tuple[Statement, tuple[str, ...]]]:
    """(statement, unknown clause texts) of each Allow that stands (no definite Deny applies)."""
    if result.denies:
        return []
    return [(h.statement, tuple(c.text for c in h.unknown)) for h in (*result.allows, *result.conditional_allows)]


def _covers_action(statement: Statement, action: str) -> bool:
    if statement.actions is not None:
        return any(action_matches(p, action) for p in statement.actions)
    return not any(action_matches(p, action) for p in statement.not_actions or ())


def _names(statement: Statement, caller: Principal) -> bool:
    """The statement's Principal/NotPrincipal covers the caller (a cheap filter before evaluating)."""
    return (
        statement_applies_to(statement.principal, statement.not_principal, statement.effect, caller, False) is not None
    )


# --------------------------------------------------------------------------- outsiders
@dataclass(frozen=True, slots=True)
class Outsiders:
    """Accounts outside the organization: those the policy names, and one standing for all the others."""

    named: tuple[str, ...]
    other: str

    @property
    def all(self) -> tuple[str, ...]:
        return (*self.named, self.other)

    def label(self, account: str) -> str:
        return f"account {account}" if account in self.named else "principals of any other account"


def outsider_accounts(source: PolicySource, known: frozenset[str]) -> Outsiders:
    named = {m for s in source.document.statements for m in _ACCOUNT_ID.findall(s.source_json)} - known
    other = next(a for a in ("000000000000", "999999999999", "123456789012") if a not in known | named)
    return Outsiders(tuple(sorted(named)), other)


def _outsider_context(*, service_for: str | None) -> RequestContext:
    values = {"s3:x-amz-acl": ACL, "aws:SecureTransport": "true"}
    absent = ["aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:SourceOrgID"]
    if service_for is None:
        absent += ["aws:SourceAccount", "aws:SourceArn"]
    else:
        values["aws:SourceAccount"] = service_for
    return RequestContext.build(values, absent)


def outsider_callers(source: PolicySource, outsiders: Outsiders, known: frozenset[str]) -> list[Caller]:
    plain = _outsider_context(service_for=None)
    callers = [Caller(Principal.anonymous(), "anyone (Principal *)", plain)]
    callers += [Caller(Principal.root(a), outsiders.label(a), plain) for a in outsiders.all]
    for statement in source.document.statements:
        spec = statement.principal
        if spec is None:
            continue
        for entry in spec.aws:
            owner = account_of_principal(entry)
            arn = parse_arn(entry)
            if owner and owner not in known and arn is not None and arn.resource != "root":
                principal = Principal.user(entry) if arn.resource.startswith("user/") else Principal.role(entry)
                callers.append(Caller(principal, entry, plain))
        for service in spec.service:
            if service.lower() not in LOG_SERVICES:
                context = _outsider_context(service_for=outsiders.other)
                callers.append(Caller(Principal.service(service), f"service {service}", context))
        callers += [Caller(Principal.federated(f), f"federated {f}", plain) for f in spec.federated]
    return list({c.label: c for c in callers}.values())


# --------------------------------------------------------------------------- the three checks
def open_writes(source: PolicySource, bucket_arn: str, callers: list[Caller]) -> list[Weakness]:
    found: dict[Statement, tuple[set[str], set[str], set[str]]] = {}
    for statement in source.document.statements:
        named = [c for c in callers if _names(statement, c.principal)]
        if statement.effect != "Allow" or not named:
            continue
        for action, level in WRITE_ACTIONS.items():
            if not _covers_action(statement, action):
                continue
            for resource in _samples(statement, bucket_arn, level):
                for caller in named:
                    for hit, unknown in _allowing(_standing_allows(source, caller, action, resource)):
                        who, actions, conditions = found.setdefault(hit, (set(), set(), set()))
                        who.add(caller.label)
                        actions.add(action)
                        conditions.update(unknown)
    out = []
    for statement, (who, actions, conditions) in found.items():
        when = f", when {' and '.join(sorted(conditions))} (keys unknown offline)" if conditions else ""
        message = (
            f"statement {_label(statement)} lets {', '.join(sorted(who))} call {', '.join(sorted(actions))} on the "
            f"bucket{when}: a writer outside the organization can plant, overwrite or remove log objects"
        )
        out.append(Weakness(statement, "open-write", message, source.statement_ref(statement)))
    return out


def service_statements(source: PolicySource) -> Iterable[tuple[Statement, list[str]]]:
    for statement in source.document.statements:
        spec = statement.principal
        if statement.effect == "Allow" and spec is not None:
            services = sorted({s.lower() for s in spec.service} & set(LOG_SERVICES))
            if services:
                yield statement, services


def _conditions_may_hold(source: PolicySource, statement: Statement, caller: Caller, action: str) -> bool:
    """A cheap pre-check: conditions that are false for this caller whatever the resource rule the statement out."""
    lookup = Request(caller.principal, action, "*", caller.context).lookup
    variables = source.document.version == VARIABLES_VERSION
    return evaluate_conditions(statement.conditions, lookup, variables).value is not Tri.FALSE


def _grants(source: PolicySource, statement: Statement, bucket_arn: str, caller: Caller, action: str) -> bool:
    """The statement allows (possibly conditionally) and no Deny neutralizes it, somewhere in its resources."""
    if not _covers_action(statement, action) or not _conditions_may_hold(source, statement, caller, action):
        return False
    level = "object" if action == "s3:PutObject" else "bucket"
    return any(
        hit == statement
        for resource in _samples(statement, bucket_arn, level)
        for hit, _ in _allowing(_standing_allows(source, caller, action, resource))
    )


def missing_acl(source: PolicySource, bucket_arn: str) -> list[Weakness]:
    context = RequestContext.build({"s3:x-amz-acl": "private", "aws:SecureTransport": "true"})
    out = []
    for statement, services in service_statements(source):
        callers = [Caller(Principal.service(s), s, context) for s in services]
        if any(_grants(source, statement, bucket_arn, c, "s3:PutObject") for c in callers):
            message = (
                f"statement {_label(statement)} lets {', '.join(services)} write objects without s3:x-amz-acl = "
                f"{ACL}: such objects belong to the writer, and the bucket owner may not be able to read them"
            )
            out.append(Weakness(statement, "no-acl-condition", message, source.statement_ref(statement)))
    return out


def _deputy_context(service: str, account: str, partition: str) -> RequestContext:
    arn = (
        f"arn:{partition}:cloudtrail:us-east-1:{account}:trail/any"
        if service.startswith("cloudtrail")
        else f"arn:{partition}:config:us-east-1:{account}:*"
    )
    values = {"aws:SourceAccount": account, "aws:SourceArn": arn, "s3:x-amz-acl": ACL, "aws:SecureTransport": "true"}
    return RequestContext.build(values, ["aws:SourceOrgID", "aws:PrincipalOrgID"])


def confused_deputies(source: PolicySource, bucket_arn: str, outsiders: Outsiders, partition: str) -> list[Weakness]:
    out = []
    for statement, services in service_statements(source):
        admitted = sorted(
            {
                account
                for service in services
                for account in outsiders.all
                for action in SERVICE_ACTIONS
                if _grants(
                    source,
                    statement,
                    bucket_arn,
                    Caller(Principal.service(service), service, _deputy_context(service, account, partition)),
                    action,
                )
            }
        )
        if not admitted:
            continue
        if any(c.key.lower() in SOURCE_KEYS for c in statement.conditions):
            who = ", ".join(outsiders.label(a) for a in admitted)
            why = f"its aws:SourceAccount/aws:SourceArn/aws:SourceOrgID conditions also admit {who} (outside the org)"
        else:
            why = "it has no aws:SourceAccount, aws:SourceArn or aws:SourceOrgID condition: any AWS account qualifies"
        message = (
            f"statement {_label(statement)} for {', '.join(services)}: {why}; the service would then act on this "
            "bucket for another customer's trail or recorder (confused deputy)"
        )
        out.append(Weakness(statement, "confused-deputy", message, source.statement_ref(statement)))
    return out


def _label(statement: Statement) -> str:
    return statement.sid or statement.pointer  # a parsed statement always has its pointer


def weaknesses(source: PolicySource, bucket_arn: str, known: frozenset[str], partition: str) -> list[Weakness]:
    outsiders = outsider_accounts(source, known)
    callers = outsider_callers(source, outsiders, known)
    found = [
        *open_writes(source, bucket_arn, callers),
        *missing_acl(source, bucket_arn),
        *confused_deputies(source, bucket_arn, outsiders, partition),
    ]
    return sorted(found, key=lambda w: (w.statement.pointer, w.code))


def split_by_membership(
    source: PolicySource, bucket_arn: str, known: frozenset[str], partition: str, *, unsure: bool
) -> tuple[list[Weakness], list[tuple[Weakness, tuple[str, ...]]]]:
    """(decided weaknesses, weaknesses that hang on accounts of unknown membership with those accounts).

    ``unsure``: the organization's account list is unusable, so an account the policy names that is not
    in ``known`` (the bundle's accounts, the trusted ones, the owner) may still be a member. The policy
    is then judged twice: with every such account taken as a member (what fails then fails whoever they
    are: ``*``, any account, a service statement without a condition) and as now; what fails only the
    second time is undecided.
    """
    pessimistic = weaknesses(source, bucket_arn, known, partition)
    if not unsure:
        return pessimistic, []
    unknown = frozenset(outsider_accounts(source, known).named)
    decided = weaknesses(source, bucket_arn, known | unknown, partition)
    seen = {(w.statement, w.code) for w in decided}
    undecided = [
        (w, tuple(sorted(unknown.intersection(_ACCOUNT_ID.findall(w.statement.source_json)) or unknown)))
        for w in pessimistic
        if (w.statement, w.code) not in seen
    ]
    return decided, undecided
