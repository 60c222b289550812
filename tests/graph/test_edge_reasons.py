"""The whole reason of a ``can_assume`` edge, as the report and ``trustmap graph`` show it.

After the deciding statements: the role session the trust names (whoever assumes the role names it), the
MFA verdict and the sides that make it (IAMUG "Policy evaluation logic",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html; a
``...IfExists`` MFA condition lets long-term access keys through, IAMUG "Condition operators ...
IfExists", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists),
role chaining, then the open conditions.
"""

from __future__ import annotations

from typing import Any

from analyzer.graph.access import MfaStatus
from tests.graph.builders import (
    FULL_ACCESS,
    IDENTITY,
    MEMBER,
    MFA_TRUE,
    ROOT_ID,
    allow_assume,
    build,
    doc,
    evidence,
    managed,
    role,
    scp,
    snapshot,
    trust_statement,
    user,
)

ALICE = f"arn:aws:iam::{IDENTITY}:user/alice"
TARGET = f"arn:aws:iam::{MEMBER}:role/Target"
IDENTITY_ROOT = {"AWS": f"arn:aws:iam::{IDENTITY}:root"}
MFA_IF_EXISTS = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}
NO_MFA = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
DENY_WITHOUT_MFA = {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": NO_MFA}
FROM_OFFICE = {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}


def _edge(trust: dict[str, Any], *, alice: dict[str, Any] | None = None, scps: tuple[Any, ...] = ()) -> Any:
    people = [user(IDENTITY, "alice", **({"policies": [doc(allow_assume(TARGET))]} | (alice or {})))]
    target = role(MEMBER, "Target", trust)
    snap = snapshot(
        {IDENTITY: evidence(IDENTITY, users=people), MEMBER: evidence(MEMBER, roles=[target])},
        scps=scps,
    )
    edge = build(snap)[0].edge(ALICE, TARGET)
    assert edge is not None
    return edge


def test_weak_mfa_names_the_side_with_if_exists() -> None:
    edge = _edge(doc(trust_statement(IDENTITY_ROOT, MFA_IF_EXISTS)))
    assert edge.mfa is MfaStatus.WEAK and edge.mfa_by == ("trust",)
    assert edge.reason == (
        "allowed by inline policy alice-inline-0 statement /Statement/0; trust policy Target statement /Statement/0; "
        "MFA weak: the trust policy refuses a session without MFA but long-term access keys pass (...IfExists)"
    )


def test_weak_mfa_on_the_identity_side_alone_agrees_with_its_plural_noun() -> None:
    grant = doc(allow_assume(TARGET, condition=MFA_IF_EXISTS))
    edge = _edge(doc(trust_statement(IDENTITY_ROOT)), alice={"policies": [grant]})
    assert edge.mfa is MfaStatus.WEAK and edge.mfa_by == ("identity",)
    assert edge.reason.endswith(
        "MFA weak: the identity policies refuse a session without MFA but long-term access keys pass (...IfExists)"
    )


def test_weak_mfa_on_two_sides_names_both() -> None:
    grant = doc(allow_assume(TARGET, condition=MFA_IF_EXISTS))
    edge = _edge(doc(trust_statement(IDENTITY_ROOT, MFA_IF_EXISTS)), alice={"policies": [grant]})
    assert edge.mfa is MfaStatus.WEAK and edge.mfa_by == ("identity", "trust")
    assert edge.reason.endswith(
        "MFA weak: the identity policies and the trust policy refuse a session without MFA but long-term access "
        "keys pass (...IfExists)"
    )


def test_enforced_mfa_names_every_side_that_requires_it_and_the_open_conditions() -> None:
    boundary = managed(
        IDENTITY, "MfaBoundary", doc({"Effect": "Allow", "Action": "*", "Resource": "*"}, DENY_WITHOUT_MFA)
    )
    scps = (
        scp("p-FullAWSAccess", FULL_ACCESS, ROOT_ID),
        scp("p-mfa", doc(dict(DENY_WITHOUT_MFA, Action="sts:AssumeRole")), ROOT_ID),
    )
    grant = doc(allow_assume(TARGET, condition=MFA_TRUE))
    edge = _edge(
        doc(trust_statement(IDENTITY_ROOT, {**MFA_TRUE, **FROM_OFFICE})),
        alice={"policies": [grant], "boundary": boundary},
        scps=scps,
    )
    assert edge.mfa is MfaStatus.ENFORCED and edge.mfa_by == ("boundary", "identity", "scp", "trust")
    office = '{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}'
    assert edge.conditional == (office,)
    assert edge.reason == (
        "allowed by inline policy alice-inline-0 statement /Statement/0; managed policy MfaBoundary statement "
        "/Statement/0; trust policy Target statement /Statement/0; SCP p-FullAWSAccess statement /Statement/0 at "
        "level r-a1b2; MFA enforced by the permissions boundary and the identity policies and an SCP and the trust "
        f"policy; only if: {office}"
    )


def test_a_role_session_named_by_the_trust_is_in_the_reason() -> None:
    jump = role(IDENTITY, "Jump", doc(trust_statement({"AWS": ALICE})), policies=[doc(allow_assume("*"))])
    target = role(MEMBER, "Target", doc(trust_statement({"AWS": f"arn:aws:sts::{IDENTITY}:assumed-role/Jump/deploy"})))
    snap = snapshot({IDENTITY: evidence(IDENTITY, roles=[jump]), MEMBER: evidence(MEMBER, roles=[target])})
    edge = build(snap)[0].edge(jump.arn, TARGET)
    assert edge is not None and edge.mfa is MfaStatus.ABSENT and edge.conditional == ()
    assert edge.reason == (
        "allowed by inline policy Jump-inline-0 statement /Statement/0; trust policy Target statement /Statement/0 "
        "for the role's session 'deploy', which the trust names (whoever assumes the role names it); no MFA required "
        "(role chaining: the calling session keeps the MFA state it was assumed with)"
    )


def _deny_without_mfa_only(operator: str) -> str:
    """alice's own policy grants nothing but denies sts:AssumeRole without MFA; Target's trust, in her
    account, names her (enough without a grant, IAMUG "Policy evaluation logic"): no side alone both admits
    an MFA session and refuses one without, so the reason names the policies together."""
    deny = {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}
    deny["Condition"] = {operator: {"aws:MultiFactorAuthPresent": "false"}}
    alice = user(MEMBER, "alice", policies=[doc(deny)])
    target = role(MEMBER, "Target", doc(trust_statement({"AWS": f"arn:aws:iam::{MEMBER}:user/alice"})))
    edge = build(snapshot({MEMBER: evidence(MEMBER, users=[alice], roles=[target])}))[0].edge(alice.arn, TARGET)
    assert edge is not None and edge.mfa_by == () and edge.conditional == ()
    assert edge.reason.startswith("allowed by trust policy Target statement /Statement/0; ")
    return str(edge.mfa.value) + ": " + edge.reason.split("; ", 1)[1]


def test_mfa_enforced_by_no_side_alone_names_the_policies_together() -> None:
    assert _deny_without_mfa_only("BoolIfExists") == "enforced: MFA enforced by the policies together"


def test_weak_mfa_by_no_side_alone_names_the_policies() -> None:
    """``Bool`` false does not match a request without the MFA key (long-term access keys): they pass."""
    assert _deny_without_mfa_only("Bool") == (
        "weak: MFA weak: the policies refuse a session without MFA but long-term access keys pass (...IfExists)"
    )
