"""Condition keys the evidence settles for a direct sts:AssumeRole call (IAMUG "AWS global condition
context keys"): each test reproduces a verdict that used to rest on a key the engine left unknown."""

from __future__ import annotations

from typing import Any

from analyzer.graph.access import MfaStatus
from tests.graph.builders import (
    IDENTITY,
    MEMBER,
    MGMT,
    ORG_ID,
    allow_assume,
    build,
    doc,
    evidence,
    group,
    managed,
    org_account,
    role,
    snapshot,
    trust_statement,
    user,
)

OUTSIDER = "888888888888"  # evidence, but not in the organization's account list
ALICE = f"arn:aws:iam::{IDENTITY}:user/alice"
ADMIN = f"arn:aws:iam::{MEMBER}:role/Admin"
IDENTITY_ROOT = {"AWS": f"arn:aws:iam::{IDENTITY}:root"}

#: AWS Knowledge Center, "require MFA for IAM users who use the AWS CLI": everything but MFA set-up is
#: denied without MFA, unless a service makes the call on the user's behalf (aws:ViaAWSService).
KNOWLEDGE_CENTER_GUARD = doc(
    {
        "Sid": "BlockMostAccessUnlessSignedInWithMFA",
        "Effect": "Deny",
        "NotAction": [
            "iam:CreateVirtualMFADevice",
            "iam:EnableMFADevice",
            "iam:ListMFADevices",
            "iam:ListUsers",
            "iam:ListVirtualMFADevices",
            "iam:ResyncMFADevice",
            "sts:GetSessionToken",
        ],
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false", "aws:ViaAWSService": "false"}},
    }
)
DENY_OUTSIDERS = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "sts:AssumeRole",
    "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG_ID}},
}


def _people(guard: dict[str, Any], trust: dict[str, Any]) -> Any:
    admins = group(IDENTITY, "Admins", attached=[managed(IDENTITY, "Guard", guard)], policies=[doc(allow_assume("*"))])
    return snapshot(
        {
            IDENTITY: evidence(IDENTITY, users=[user(IDENTITY, "alice", groups=["Admins"])], groups=[admins]),
            MEMBER: evidence(MEMBER, roles=[role(MEMBER, "Admin", trust)]),
        }
    )


def test_the_knowledge_center_guard_enforces_mfa_on_a_direct_call() -> None:
    """aws:ViaAWSService is false when the principal calls directly, so the guard's deny applies to a
    session without MFA and to long-term keys: MFA is enforced (was: the key unknown, the deny only
    conditional, the hop 'absent' and IDN-003 failing on 'nothing requires MFA')."""
    graph, _ = build(_people(KNOWLEDGE_CENTER_GUARD, doc(trust_statement(IDENTITY_ROOT))))
    edge = graph.edge(ALICE, ADMIN)
    assert edge is not None and edge.mfa is MfaStatus.ENFORCED and edge.mfa_by == ("identity",)
    assert edge.conditional == ()


def _outsider_org(*, listed: bool) -> Any:
    ops = role(
        OUTSIDER, "Ops", doc(trust_statement({"Service": "ec2.amazonaws.com"})), policies=[doc(allow_assume("*"))]
    )
    member_ops = role(MEMBER, "Ops", doc(trust_statement({"Service": "ec2.amazonaws.com"})), index=1)
    fenced = role(MEMBER, "Fenced", doc(trust_statement("*"), DENY_OUTSIDERS), index=2)
    caller = role(
        IDENTITY, "Ops", doc(trust_statement({"Service": "ec2.amazonaws.com"})), policies=[doc(allow_assume("*"))]
    )
    return snapshot(
        {
            OUTSIDER: evidence(OUTSIDER, roles=[ops]),
            IDENTITY: evidence(IDENTITY, roles=[caller]),
            MEMBER: evidence(MEMBER, roles=[member_ops, fenced]),
        },
        org_accounts=[org_account(a, n) for a, n in ((IDENTITY, "Identity"), (MEMBER, "Dev"), (MGMT, "Management"))],
        listed=listed,
    )


def test_a_trust_that_denies_outsiders_gives_no_edge_from_an_account_known_outside() -> None:
    """aws:PrincipalOrgID is in the request only for a member of an organization: a caller from an account
    outside ours has none, or another organization's id (was: unknown, a conditional edge)."""
    graph, _ = build(_outsider_org(listed=True))
    fenced = f"arn:aws:iam::{MEMBER}:role/Fenced"
    assert graph.edge(f"arn:aws:iam::{OUTSIDER}:role/Ops", fenced) is None
    member_edge = graph.edge(f"arn:aws:iam::{IDENTITY}:role/Ops", fenced)
    assert member_edge is not None and member_edge.conditional == ()
    # without a usable account list the caller's account is not known to be outside: conditional
    unlisted, _ = build(_outsider_org(listed=False))
    edge = unlisted.edge(f"arn:aws:iam::{OUTSIDER}:role/Ops", fenced)
    assert edge is not None and "aws:PrincipalOrgID" in " ".join(edge.conditional)


def test_the_roles_tags_decide_a_condition_on_aws_resource_tag() -> None:
    """For sts:AssumeRole the resource is the role: aws:ResourceTag/<key> is its IAM tag, and a tag it does
    not have is absent (was: unknown, so every role was a conditional edge)."""
    by_tag = doc(allow_assume("*", condition={"StringEquals": {"aws:ResourceTag/team": "ops"}}))
    trust = doc(trust_statement(IDENTITY_ROOT))
    ops_only = group(IDENTITY, "Admins", policies=[by_tag])
    alice = user(IDENTITY, "alice", groups=["Admins"])
    roles = [role(MEMBER, "Admin", trust, tags={"team": "ops"}), role(MEMBER, "Other", trust, index=1)]
    graph, _ = build(
        snapshot(
            {
                IDENTITY: evidence(IDENTITY, users=[alice], groups=[ops_only]),
                MEMBER: evidence(MEMBER, roles=roles),
            }
        )
    )
    edge = graph.edge(ALICE, ADMIN)
    assert edge is not None and edge.conditional == ()
    assert graph.edge(ALICE, f"arn:aws:iam::{MEMBER}:role/Other") is None
