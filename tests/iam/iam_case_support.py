"""Case-table support for the IAM engine tests: policy builders, the Case record and its runner."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from analyzer.iam import Decision, Principal, Request, RequestContext, ScpLevel, evaluate
from analyzer.model.evidence import EvidenceRef
from analyzer.model.policy import PolicySource, parse_policy

IDENTITY_ACCT = "111111111111"
MEMBER_ACCT = "222222222222"
OTHER_ACCT = "333333333333"

ALICE = Principal.user(
    f"arn:aws:iam::{IDENTITY_ACCT}:user/alice", tags={"team": "blue"}, unique_id="AIDAALICE0000000000001"
)
BOB = Principal.user(f"arn:aws:iam::{IDENTITY_ACCT}:user/engineering/bob")
DEV_ROLE = Principal.role(
    f"arn:aws:iam::{MEMBER_ACCT}:role/Developer", session_name="alice", unique_id="AROADEVELOPER000000001"
)
MEMBER_USER = Principal.user(f"arn:aws:iam::{MEMBER_ACCT}:user/carol")
ROOT_MEMBER = Principal.root(MEMBER_ACCT)
CLOUDTRAIL = Principal.service("cloudtrail.amazonaws.com")
CONFIG = Principal.service("config.amazonaws.com")
ANONYMOUS = Principal.anonymous()

ADMIN_ROLE_ARN = f"arn:aws:iam::{MEMBER_ACCT}:role/Admin"
BUCKET = "arn:aws:s3:::central-logs"

Outcome = Literal["allow", "explicit_deny", "implicit_deny"]


def policy(*statements: Mapping[str, Any], version: str | None = "2012-10-17") -> dict[str, Any]:
    doc: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        doc["Version"] = version
    return doc


def stmt(effect: str, sid: str | None = None, **elements: Any) -> dict[str, Any]:
    """A statement; keyword names are the policy element names (Action, NotResource, Condition ...)."""
    out: dict[str, Any] = {"Effect": effect}
    if sid is not None:
        out["Sid"] = sid
    out.update(elements)
    return out


def allow(sid: str | None = None, **elements: Any) -> dict[str, Any]:
    if "NotAction" not in elements:
        elements.setdefault("Action", "*")
    if not any(k in elements for k in ("Resource", "NotResource", "Principal", "NotPrincipal")):
        elements["Resource"] = "*"
    return stmt("Allow", sid, **elements)


def deny(sid: str | None = None, **elements: Any) -> dict[str, Any]:
    if "NotAction" not in elements:
        elements.setdefault("Action", "*")
    if not any(k in elements for k in ("Resource", "NotResource", "Principal", "NotPrincipal")):
        elements["Resource"] = "*"
    return stmt("Deny", sid, **elements)


def source(kind: str, name: str, document: Mapping[str, Any]) -> PolicySource:
    return PolicySource(kind, name, parse_policy(document), EvidenceRef("test.json", f"/{name}"))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Case:
    id: str
    doc: str  # the AWS documentation page the case encodes
    expect: Outcome
    sid: str | None = None  # a Sid that must be among the deciding statements
    identity: Sequence[Mapping[str, Any]] = ()
    resource: Mapping[str, Any] | None = None
    trust: bool = False
    boundary: Mapping[str, Any] | None = None
    scps: Sequence[Sequence[Mapping[str, Any]]] | None = None
    principal: Principal = ALICE
    action: str = "s3:GetObject"
    arn: str = f"{BUCKET}/AWSLogs/{IDENTITY_ACCT}/file.json"
    context: Mapping[str, str | Sequence[str]] = field(default_factory=dict)
    absent: Sequence[str] = ()
    default: Literal["absent", "unknown"] = "absent"
    resource_account: str | None = None
    conditional: bool | None = None  # True: decision.conditional must be non-empty; False: empty
    conditional_deny: str | None = None  # a Sid that must be among decision.conditional_denies
    problem: str | None = None  # a substring of one of decision.problems
    reason: str | None = None  # a substring of decision.reason

    def request(self) -> Request:
        ctx = RequestContext.build(self.context, self.absent, default=self.default)
        return Request(self.principal, self.action, self.arn, ctx)

    def decide(self) -> Decision:
        identity = [source("inline", f"identity-{i}", d) for i, d in enumerate(self.identity)]
        resource = None
        if self.resource is not None:
            resource = source("trust" if self.trust else "bucket", "trust" if self.trust else "bucket", self.resource)
        boundary = [source("boundary", "boundary", self.boundary)] if self.boundary is not None else None
        levels = None
        if self.scps is not None:
            names = ["r-root", "ou-level1", "ou-level2", "ou-level3"]
            levels = [
                ScpLevel(names[i], tuple(source("scp", f"p-{i}{j}", d) for j, d in enumerate(level)))
                for i, level in enumerate(self.scps)
            ]
        return evaluate(
            self.request(),
            identity_policies=identity,
            resource_policy=resource,
            boundaries=boundary,
            scp_levels=levels,
            resource_account=self.resource_account,
            trust_policy=self.trust,
        )


def run(case: Case) -> Decision:
    decision = case.decide()
    assert decision.outcome == case.expect, f"{case.id}: {decision.outcome} ({decision.reason})"
    if case.expect == "implicit_deny":
        assert decision.deciding == ()
    elif case.expect == "explicit_deny" or case.sid is not None:
        assert decision.deciding, "an explicit deny, or an allow by a statement, must name its statements"
    if case.sid is not None:
        assert case.sid in decision.sids, f"{case.sid} not in {decision.sids}: {decision.reason}"
        if case.expect == "explicit_deny":
            assert all(d.effect == "Deny" for d in decision.deciding)
    if case.conditional is not None:
        assert bool(decision.conditional) is case.conditional, decision.conditional
    if case.conditional_deny is not None:
        assert case.conditional_deny in [d.sid for d in decision.conditional_denies], decision.conditional_denies
    if case.problem is not None:
        assert any(case.problem in p for p in decision.problems), decision.problems
    if case.reason is not None:
        assert case.reason in decision.reason, decision.reason
    return decision
