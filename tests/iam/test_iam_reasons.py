"""Every decision says why, exactly: each path of the evaluation has its reason (IAMUG
reference_policies_evaluation-logic.html, reference_policies_evaluation-logic-cross-account.html,
id_roles_terms-and-concepts.html for trust policies, access_policies_boundaries.html,
orgs_manage_policies_scps.html).

The reason is what the report prints for an edge or a finding: a changed word is a changed claim.
"""

from __future__ import annotations

import pytest
from iam_case_support import (
    BUCKET,
    CLOUDTRAIL,
    DEV_ROLE,
    IDENTITY_ACCT,
    MEMBER_ACCT,
    MEMBER_USER,
    OTHER_ACCT,
    ROOT_MEMBER,
    Case,
    allow,
    deny,
    policy,
    source,
)

from analyzer.iam import Principal, Request, evaluate

GET = {"Action": "s3:GetObject"}
OBJ = f"{BUCKET}/AWSLogs/{IDENTITY_ACCT}/file.json"
ROLE = f"arn:aws:iam::{IDENTITY_ACCT}:role/Ops"
XROLE = f"arn:aws:iam::{MEMBER_ACCT}:role/Admin"
AS = "sts:AssumeRole"
ME = Principal.user(f"arn:aws:iam::{IDENTITY_ACCT}:user/alice")


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        pytest.param(
            Case(
                "x",
                "",
                "allow",
                resource=policy(allow("S", Principal={"Service": "cloudtrail.amazonaws.com"}, **GET, Resource="*")),
                principal=CLOUDTRAIL,
            ),
            "allowed for service cloudtrail.amazonaws.com by the bucket policy bucket: bucket policy bucket "
            "statement S",
            id="odd-kind-policy",
        ),
        pytest.param(
            Case("x", "", "implicit_deny", principal=CLOUDTRAIL),
            "service cloudtrail.amazonaws.com can only be granted access by a resource policy, and none applies",
            id="service-no-resource-policy",
        ),
        pytest.param(
            Case(
                "x",
                "",
                "implicit_deny",
                resource=policy(allow("S", Principal={"AWS": IDENTITY_ACCT}, **GET, Resource="*")),
                principal=Principal.federated("accounts.google.com"),
            ),
            "no statement in the bucket policy bucket allows accounts.google.com",
            id="federated-no-statement",
        ),
        pytest.param(
            Case(
                "x",
                "",
                "implicit_deny",
                principal=Principal.root(IDENTITY_ACCT),
                action=AS,
                arn=XROLE,
                trust=True,
                resource=policy(allow("T", Principal={"AWS": IDENTITY_ACCT}, Action=AS)),
            ),
            "the root user cannot assume roles",
            id="root-assume",
        ),
        pytest.param(
            Case("x", "", "allow", principal=ROOT_MEMBER, arn="arn:aws:s3:::b/x", resource_account=MEMBER_ACCT),
            "the root user has full access in its own account",
            id="root-own",
        ),
        pytest.param(
            Case("x", "", "implicit_deny", principal=ROOT_MEMBER, arn=OBJ, resource_account=IDENTITY_ACCT),
            "cross-account request by the root user is not allowed by a resource policy",
            id="root-cross-none",
        ),
        pytest.param(
            Case(
                "x",
                "",
                "implicit_deny",
                principal=ROOT_MEMBER,
                arn=OBJ,
                resource_account=IDENTITY_ACCT,
                resource=policy(allow("S", Principal={"AWS": OTHER_ACCT}, **GET, Resource="*")),
            ),
            "cross-account request by the root user is not allowed by the bucket policy bucket",
            id="root-cross-policy-no",
        ),
        pytest.param(
            Case(
                "x",
                "",
                "allow",
                principal=ROOT_MEMBER,
                arn=OBJ,
                resource_account=IDENTITY_ACCT,
                resource=policy(allow("S", Principal={"AWS": MEMBER_ACCT}, **GET, Resource="*")),
            ),
            "allowed for the account's root user by the resource policy: bucket policy bucket statement S",
            id="root-cross-allowed",
        ),
        pytest.param(
            Case("x", "", "implicit_deny", principal=ME, arn="arn:aws:s3:::b/x", resource_account=IDENTITY_ACCT),
            "no identity policy of arn:aws:iam::111111111111:user/alice allows s3:GetObject on arn:aws:s3:::b/x",
            id="no-identity",
        ),
        pytest.param(
            Case(
                "x",
                "",
                "implicit_deny",
                principal=ME,
                arn="arn:aws:s3:::b/x",
                resource_account=IDENTITY_ACCT,
                identity=[policy(allow("Get", **GET, Resource="*"))],
                boundary=policy(allow("Ec2", Action="ec2:*")),
            ),
            "the permissions boundary of arn:aws:iam::111111111111:user/alice does not allow s3:GetObject",
            id="boundary-blocks",
        ),
        pytest.param(
            Case(
                "x",
                "",
                "allow",
                principal=ME,
                arn="arn:aws:s3:::b/x",
                resource_account=IDENTITY_ACCT,
                identity=[policy(allow("Get", **GET, Resource="*"))],
            ),
            "allowed by the identity policy: inline policy identity-0 statement Get",
            id="identity-only",
        ),
        pytest.param(
            Case(
                "x",
                "",
                "allow",
                principal=ME,
                arn=OBJ,
                resource_account=IDENTITY_ACCT,
                resource=policy(allow("S", Principal={"AWS": ME.arn}, **GET, Resource="*")),
            ),
            "allowed within the account: bucket policy bucket statement S",
            id="within-account",
        ),
        pytest.param(
            Case(
                "x",
                "",
                "implicit_deny",
                principal=ME,
                arn=OBJ,
                resource_account=IDENTITY_ACCT,
                resource=policy(allow("S", Principal={"AWS": OTHER_ACCT}, **GET, Resource="*")),
            ),
            "neither an identity policy nor the bucket policy bucket allows arn:aws:iam::111111111111:user/alice",
            id="within-account-none",
        ),
        pytest.param(
            Case(
                "x",
                "",
                "allow",
                principal=MEMBER_USER,
                arn=OBJ,
                resource_account=IDENTITY_ACCT,
                identity=[policy(allow("Get", **GET, Resource="*"))],
                resource=policy(allow("S", Principal={"AWS": MEMBER_ACCT}, **GET, Resource="*")),
            ),
            "allowed by the identity policy and the resource policy: inline policy identity-0 statement Get; "
            "bucket policy bucket statement S",
            id="cross-identity-and-resource",
        ),
        pytest.param(
            Case(
                "x",
                "",
                "implicit_deny",
                principal=MEMBER_USER,
                arn=OBJ,
                resource_account=IDENTITY_ACCT,
                resource=policy(allow("S", Principal={"AWS": MEMBER_ACCT}, **GET, Resource="*")),
            ),
            "cross-account request: no identity policy of arn:aws:iam::222222222222:user/carol allows "
            "s3:GetObject on arn:aws:s3:::central-logs/AWSLogs/111111111111/file.json",
            id="cross-no-identity",
        ),
        pytest.param(
            Case(
                "x",
                "",
                "implicit_deny",
                principal=MEMBER_USER,
                arn=OBJ,
                resource_account=IDENTITY_ACCT,
                identity=[policy(allow("Get", **GET, Resource="*"))],
                resource=policy(allow("S", Principal={"AWS": OTHER_ACCT}, **GET, Resource="*")),
            ),
            "cross-account request: no statement in the bucket policy bucket allows "
            "arn:aws:iam::222222222222:user/carol",
            id="cross-no-resource-statement",
        ),
        pytest.param(
            Case(
                "x",
                "",
                "implicit_deny",
                principal=MEMBER_USER,
                arn=OBJ,
                resource_account=IDENTITY_ACCT,
                identity=[policy(allow("Get", **GET, Resource="*"))],
            ),
            "cross-account request to arn:aws:s3:::central-logs/AWSLogs/111111111111/file.json and no resource "
            "policy given",
            id="cross-no-resource-policy",
        ),
        pytest.param(
            Case(
                "x",
                "",
                "implicit_deny",
                principal=ME,
                action=AS,
                arn=ROLE,
                trust=True,
                resource=policy(allow("T", Principal={"AWS": IDENTITY_ACCT}, Action=AS)),
            ),
            "same-account trust by account requires an identity-policy allow too: no identity policy of "
            "arn:aws:iam::111111111111:user/alice allows sts:AssumeRole on arn:aws:iam::111111111111:role/Ops",
            id="trust-account-only-no-identity",
        ),
        pytest.param(
            Case(
                "x",
                "",
                "implicit_deny",
                principal=ME,
                action=AS,
                arn=XROLE,
                trust=True,
                resource=policy(allow("T", Principal={"AWS": IDENTITY_ACCT}, Action=AS)),
            ),
            "cross-account trust requires an identity-policy allow too: no identity policy of "
            "arn:aws:iam::111111111111:user/alice allows sts:AssumeRole on arn:aws:iam::222222222222:role/Admin",
            id="trust-cross-no-identity",
        ),
        pytest.param(
            Case(
                "x",
                "",
                "allow",
                principal=ME,
                action=AS,
                arn=XROLE,
                trust=True,
                identity=[policy(allow("A", Action=AS, Resource=XROLE))],
                resource=policy(allow("T", Principal={"AWS": IDENTITY_ACCT}, Action=AS)),
            ),
            "allowed by the identity policy and the trust policy: inline policy identity-0 statement A; trust "
            "policy trust statement T",
            id="trust-cross-ok",
        ),
        pytest.param(
            Case(
                "x",
                "",
                "allow",
                principal=ME,
                action=AS,
                arn=ROLE,
                trust=True,
                resource=policy(
                    allow("ByAccount", Principal={"AWS": IDENTITY_ACCT}, Action=AS),
                    allow("ByName", Principal={"AWS": ME.arn}, Action=AS),
                ),
            ),
            "the trust policy trust names arn:aws:iam::111111111111:user/alice directly: trust policy trust "
            "statement ByName",
            id="trust-direct-after-account",
        ),
        pytest.param(
            Case(
                "x",
                "",
                "allow",
                principal=ME,
                action=AS,
                arn=ROLE,
                trust=True,
                identity=[policy(allow("A", Action=AS, Resource=ROLE))],
                resource=policy(allow("ByName", Principal={"AWS": ME.arn}, Action=AS)),
            ),
            "the trust policy trust names arn:aws:iam::111111111111:user/alice directly: trust policy trust "
            "statement ByName",
            id="trust-direct-and-identity",
        ),
        pytest.param(
            Case(
                "x",
                "",
                "implicit_deny",
                principal=ME,
                action=AS,
                arn=ROLE,
                trust=True,
                resource=policy(allow("T", Principal={"AWS": OTHER_ACCT}, Action=AS)),
            ),
            "no statement in the trust policy trust allows arn:aws:iam::111111111111:user/alice",
            id="trust-no-statement",
        ),
        pytest.param(
            Case(
                "x",
                "",
                "implicit_deny",
                principal=DEV_ROLE,
                arn="arn:aws:s3:::b/x",
                resource_account=MEMBER_ACCT,
                identity=[policy(allow("Get", **GET, Resource="*"))],
                scps=[[policy(allow("Ec2", Action="ec2:*"))]],
            ),
            "no SCP at level r-root allows s3:GetObject",
            id="role-under-scp",
        ),
        pytest.param(
            Case("x", "", "implicit_deny", principal=ME, action=AS, arn=ROLE, trust=True),
            "no trust policy given for arn:aws:iam::111111111111:role/Ops",
            id="trust-none-given",
        ),
        pytest.param(
            Case(
                "x",
                "",
                "allow",
                principal=ME,
                action=AS,
                arn=ROLE,
                trust=True,
                default="unknown",
                identity=[policy(allow("A", Action=AS, Resource=ROLE))],
                resource=policy(
                    allow(
                        "ByName",
                        Principal={"AWS": ME.arn},
                        Action=AS,
                        Condition={"StringEquals": {"sts:ExternalId": "x"}},
                    ),
                    allow("ByAccount", Principal={"AWS": IDENTITY_ACCT}, Action=AS),
                ),
            ),
            "allowed by the identity policy and the trust policy: inline policy identity-0 statement A; "
            "trust policy trust statement ByAccount",
            id="trust-delegated-definite-over-conditional-direct",
        ),
    ],
)
def test_each_path_gives_its_reason(case: Case, reason: str) -> None:
    decision = case.decide()
    assert (decision.outcome, decision.reason) == (case.expect, reason)


def test_a_policy_of_another_kind_is_named_a_policy() -> None:
    endpoint = source("endpoint", "ep", policy(allow("S", Principal={"Service": CLOUDTRAIL.arn}, **GET, Resource="*")))
    decision = evaluate(Request(CLOUDTRAIL, "s3:GetObject", "arn:aws:s3:::b/x"), resource_policy=endpoint)
    assert decision.reason == "allowed for service cloudtrail.amazonaws.com by the policy ep: policy ep statement S"
    assert repr(decision.deciding[0]) == "DecidingStatement(Allow policy ep statement S @ test.json#/ep/Statement/0)"


def test_a_conditional_statement_shows_its_unknown_clauses() -> None:
    case = Case(
        "x",
        "",
        "allow",
        principal=ME,
        arn="arn:aws:s3:::b/x",
        resource_account=IDENTITY_ACCT,
        default="unknown",
        identity=[policy(allow("Get", **GET, Resource="*", Condition={"StringEquals": {"aws:SourceVpc": "vpc-1"}}))],
    )
    decision = case.decide()
    assert decision.reason == (
        "allowed by the identity policy: inline policy identity-0 statement Get (conditional on unknown "
        "keys: aws:SourceVpc)"
    )
    assert repr(decision.deciding[0]) == (
        "DecidingStatement(Allow inline policy identity-0 statement Get @ test.json#/identity-0/Statement/0, "
        """unknown=['{"StringEquals": {"aws:SourceVpc": "vpc-1"}}'])"""
    )


def test_an_explicit_deny_keeps_the_problems_of_the_policies() -> None:
    case = Case(
        "x",
        "",
        "explicit_deny",
        principal=ME,
        arn="arn:aws:s3:::b/x",
        resource_account=IDENTITY_ACCT,
        identity=[policy(deny("No", Principal={"AWS": "*"}, **GET, Resource="*"))],
    )
    decision = case.decide()
    assert decision.reason == "denied by inline policy identity-0 statement No"
    assert decision.problems == (
        "inline policy identity-0 statement No: Principal/NotPrincipal ignored in a inline policy",
    )


def test_an_scp_that_allows_only_under_unknown_keys_makes_the_allow_conditional() -> None:
    case = Case(
        "x",
        "",
        "allow",
        principal=DEV_ROLE,
        arn="arn:aws:s3:::b/x",
        resource_account=MEMBER_ACCT,
        default="unknown",
        identity=[policy(allow("Get", **GET, Resource="*"))],
        scps=[
            [
                policy(
                    allow(
                        "InRegion",
                        Action="*",
                        Resource="*",
                        Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
                    )
                )
            ]
        ],
    )
    decision = case.decide()
    assert [c.key for c in decision.conditional] == ["aws:RequestedRegion"]
    assert decision.reason == (
        "allowed by the identity policy: inline policy identity-0 statement Get; SCP p-00 statement InRegion at level "
        "r-root (conditional on unknown keys: aws:RequestedRegion)"
    )


def test_the_root_user_is_refused_only_role_assumption_through_a_trust_policy() -> None:
    """IAMUG id_root-user.html: the root user cannot assume roles; in its own account it has full access,
    and neither a permissions boundary nor an identity policy applies to it."""
    own = Case(
        "x",
        "",
        "allow",
        principal=ROOT_MEMBER,
        action=AS,
        arn=f"arn:aws:iam::{MEMBER_ACCT}:role/Admin",
        boundary=policy(deny("NoAssume", Action=AS, Resource="*")),
    )
    assert own.decide().reason == "the root user has full access in its own account"
    by_trust = Case(
        "x",
        "",
        "implicit_deny",
        principal=ROOT_MEMBER,
        action=AS,
        arn=f"arn:aws:iam::{MEMBER_ACCT}:role/Admin",
        trust=True,
        resource=policy(allow("T", Principal={"AWS": MEMBER_ACCT}, Action=AS)),
    )
    assert by_trust.decide().reason == "the root user cannot assume roles"


def test_a_statement_met_on_two_paths_is_named_once() -> None:
    """A role named by the bucket policy of its own account, with a permissions boundary: the identity
    path and the direct path both need the boundary's (conditional) Allow; it decides once."""
    vpc = {"StringEquals": {"aws:SourceVpc": "vpc-1"}}
    case = Case(
        "x",
        "",
        "allow",
        principal=DEV_ROLE,
        arn="arn:aws:s3:::b/x",
        resource_account=MEMBER_ACCT,
        default="unknown",
        identity=[policy(allow("Get", **GET, Resource="*", Condition=vpc))],
        boundary=policy(allow("Bound", Action="s3:*", Resource="*", Condition=vpc)),
        resource=policy(allow("Named", Principal={"AWS": DEV_ROLE.arn}, **GET, Resource="*", Condition=vpc)),
    )
    decision = case.decide()
    assert [d.sid for d in decision.deciding] == ["Get", "Bound", "Named"]
    assert decision.reason == (
        "allowed within the account: inline policy identity-0 statement Get; permissions boundary boundary "
        "statement Bound; bucket policy bucket statement Named (conditional on unknown keys: aws:SourceVpc)"
    )
