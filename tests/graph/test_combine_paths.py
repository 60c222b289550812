"""How the two sides of an AssumeRole decision join (analyzer/graph/combine.py), on every edge attribute.

Within one account a trust policy that names the caller itself needs no identity grant, except that a
permissions boundary still limits a grant to a role ARN (not to a user ARN); the boundary's own
requirement and its conditional denies are part of every other way in. IAM User Guide, "Policy
evaluation logic" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)
and "Permissions boundaries for IAM entities", "Evaluating effective permissions with boundaries"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html): "Resource-based
policies that grant permissions to an IAM user ARN that is in the same account are not limited by an
implicit deny in a permissions boundary", while those that name an IAM role ARN are.

Each organization here is small and built for one join path; the edges are pinned attribute by attribute
and compared with the per-pair reference (tests/graph/reference_edges.py) on every attribute.
"""

from __future__ import annotations

from typing import Any

from analyzer.graph.access import AssumeEdge, MfaStatus
from analyzer.model.evidence import EvidenceRef
from tests.graph.builders import MEMBER, build, doc, evidence, managed, role, snapshot, trust_statement, user
from tests.graph.reference_edges import reference_edges

ACCOUNT_ROOT = {"AWS": f"arn:aws:iam::{MEMBER}:root"}
FROM_OFFICE = {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}  # a request key no evidence holds: unknown
FROM_VPC = {"StringEquals": {"aws:SourceVpc": "vpc-0a1b2c3d"}}
S3_ONLY = doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
ASSUME_ANY = doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
GAAD = f"{MEMBER}/iam/get-account-authorization-details.json"


def _arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{MEMBER}:{kind}/{name}"


def _edges(*principals: Any) -> dict[tuple[str, str], AssumeEdge]:
    users = [p for p in principals if p.arn.split(":")[5].startswith("user/")]
    roles = [p for p in principals if p.arn.split(":")[5].startswith("role/")]
    snap = snapshot({MEMBER: evidence(MEMBER, users=users, roles=roles)})
    built = {(e.source, e.target): e for e in build(snap)[0].assume_edges()}
    assert built == reference_edges(snap)  # the per-pair evaluation, every attribute
    return built


def _ref(pointer: str) -> EvidenceRef:
    return EvidenceRef(GAAD, pointer)


def test_a_definite_grant_wins_over_a_conditional_trust_statement_naming_the_caller() -> None:
    """dana's identity policy allows the role and the trust's second statement admits her account
    unconditionally: the edge holds whatever her source address, though the trust's first statement,
    which names her, asks for one (of two ways in, the one without conditions decides)."""
    dana = user(MEMBER, "dana", policies=[ASSUME_ANY])
    trust = doc(trust_statement({"AWS": _arn("user", "dana")}, FROM_OFFICE), trust_statement(ACCOUNT_ROOT))
    edges = _edges(dana, role(MEMBER, "Ops", trust))
    edge = edges[(_arn("user", "dana"), _arn("role", "Ops"))]
    assert edge.mfa is MfaStatus.ABSENT and edge.mfa_by == () and edge.conditional == ()
    assert edge.evidence == (
        _ref("/UserDetailList/0/UserPolicyList/0/PolicyDocument/Statement/0"),
        _ref("/RoleDetailList/0/AssumeRolePolicyDocument/Statement/1"),
    )
    assert edge.reason == (
        "allowed by inline policy dana-inline-0 statement /Statement/0; trust policy Ops statement /Statement/1; "
        "no MFA required"
    )


def test_a_trust_naming_a_role_arn_is_limited_by_the_callers_boundary() -> None:
    """Runner and Runner2 have no identity policy; Deploy's trust names both role ARNs. Runner's boundary
    allows only S3: no edge (a grant to a role ARN is limited by the boundary). Runner2's boundary allows
    sts:AssumeRole: an edge that cites the trust and the boundary."""
    runner = role(MEMBER, "Runner", doc(trust_statement(ACCOUNT_ROOT)), boundary=managed(MEMBER, "S3Only", S3_ONLY))
    runner2 = role(
        MEMBER,
        "Runner2",
        doc(trust_statement(ACCOUNT_ROOT)),
        index=1,
        boundary=managed(MEMBER, "AssumeOnly", ASSUME_ANY, 1),
    )
    deploy = role(
        MEMBER, "Deploy", doc(trust_statement({"AWS": [_arn("role", "Runner"), _arn("role", "Runner2")]})), index=2
    )
    edges = _edges(runner, runner2, deploy)
    assert set(edges) == {(_arn("role", "Runner2"), _arn("role", "Deploy"))}
    edge = edges[(_arn("role", "Runner2"), _arn("role", "Deploy"))]
    assert edge.mfa is MfaStatus.ABSENT and edge.mfa_by == () and edge.conditional == ()
    assert edge.evidence == (
        _ref("/RoleDetailList/2/AssumeRolePolicyDocument/Statement/0"),
        _ref("/Policies/1/PolicyVersionList/0/Document/Statement/0"),
    )
    assert edge.reason == (
        "allowed by trust policy Deploy statement /Statement/0; managed policy AssumeOnly statement /Statement/0; "
        "no MFA required (role chaining: the calling session keeps the MFA state it was assumed with)"
    )


def test_a_trust_naming_a_user_arn_is_not_limited_by_the_users_boundary() -> None:
    """erin's boundary allows only S3 and she has no identity policy: the trust naming her user ARN alone
    lets her in (an implicit deny of the boundary does not limit it)."""
    erin = user(MEMBER, "erin", boundary=managed(MEMBER, "S3Only", S3_ONLY))
    edges = _edges(erin, role(MEMBER, "Deploy", doc(trust_statement({"AWS": _arn("user", "erin")}))))
    edge = edges[(_arn("user", "erin"), _arn("role", "Deploy"))]
    assert edge.mfa is MfaStatus.ABSENT and edge.mfa_by == () and edge.conditional == ()
    assert edge.evidence == (_ref("/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0"),)
    assert edge.reason == "allowed by trust policy Deploy statement /Statement/0; no MFA required"


def test_two_conditional_ways_in_cite_a_statement_they_share_once() -> None:
    """finn's trust statement (only from the office) admits him alone, and with his identity grant (only
    from a VPC): neither way is definite, so both are cited, the trust statement once."""
    grant = doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*", "Condition": FROM_VPC})
    finn = user(MEMBER, "finn", policies=[grant])
    edges = _edges(finn, role(MEMBER, "Shared", doc(trust_statement({"AWS": _arn("user", "finn")}, FROM_OFFICE))))
    edge = edges[(_arn("user", "finn"), _arn("role", "Shared"))]
    office = '{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}'
    vpc = '{"StringEquals": {"aws:SourceVpc": "vpc-0a1b2c3d"}}'
    assert edge.mfa is MfaStatus.ABSENT and edge.mfa_by == () and edge.conditional == (office, vpc)
    assert edge.evidence == (
        _ref("/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0"),
        _ref("/UserDetailList/0/UserPolicyList/0/PolicyDocument/Statement/0"),
    )
    assert edge.reason == (
        "allowed by trust policy Shared statement /Statement/0; inline policy finn-inline-0 statement /Statement/0; "
        f"no MFA required; only if: {office}, {vpc}"
    )


def test_the_boundarys_conditional_allow_and_conditional_deny_hold_the_edge() -> None:
    """gwen's identity policy allows any role; her boundary allows sts:AssumeRole only from the office and
    denies it from a VPC. Both are open conditions of the edge, and the boundary statement is cited."""
    boundary = managed(
        MEMBER,
        "Fenced",
        doc(
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*", "Condition": FROM_OFFICE},
            {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*", "Condition": FROM_VPC},
        ),
    )
    gwen = user(MEMBER, "gwen", policies=[ASSUME_ANY], boundary=boundary)
    edges = _edges(gwen, role(MEMBER, "Ops", doc(trust_statement(ACCOUNT_ROOT))))
    edge = edges[(_arn("user", "gwen"), _arn("role", "Ops"))]
    office = '{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}'
    denied = 'denied if {"StringEquals": {"aws:SourceVpc": "vpc-0a1b2c3d"}}'
    assert edge.mfa is MfaStatus.ABSENT and edge.mfa_by == () and edge.conditional == (denied, office)
    assert edge.evidence == (
        _ref("/UserDetailList/0/UserPolicyList/0/PolicyDocument/Statement/0"),
        _ref("/Policies/0/PolicyVersionList/0/Document/Statement/0"),
        _ref("/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0"),
    )
    assert edge.reason == (
        "allowed by inline policy gwen-inline-0 statement /Statement/0; managed policy Fenced statement /Statement/0; "
        f"trust policy Ops statement /Statement/0; no MFA required; only if: {denied}, {office}"
    )
