"""What a trust policy names, and the candidate roles the graph evaluates per caller (analyzer/graph/index.py).

The graph evaluates a (caller, role) pair only when the role's trust can name the caller: IAM User Guide,
"AWS JSON policy elements: Principal"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html): an account
id or ``arn:aws:iam::<id>:root`` names the whole account, an ARN names one user or role (an assumed-role
session ARN one session), ``"*"`` anyone, and a bare unique id (``AIDA...``) a principal since deleted.
A role missing from a caller's candidates is a missing edge, so every kind of name must index the role.
Session names: "Passing session tags in AWS STS" and ``sts:RoleSessionName``
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_rolesessionname).
"""

from __future__ import annotations

from typing import Any

from analyzer.graph.index import (
    TrustIndex,
    TrustInfo,
    allows_session_tags,
    prefilter_pattern,
    principal_sensitive,
    reads,
    session_name_rule,
    uses_key,
)
from analyzer.iam.wildcard import arn_matches
from analyzer.model.evidence import EvidenceRef
from analyzer.model.policy import PolicyDocument, PolicySource
from tests.graph.builders import IDENTITY, MEMBER, MGMT, doc, role, source, trust_statement

SAML = f"arn:aws:iam::{IDENTITY}:saml-provider/Okta"
OIDC = f"arn:aws:iam::{IDENTITY}:oidc-provider/token.actions.githubusercontent.com"
ALICE = f"arn:aws:iam::{IDENTITY}:user/alice"
DELETED = "AIDAJQABLZS4A3QDU576Q"
SESSION = f"arn:aws:sts::{MEMBER}:assumed-role/Deploy/ci"


def _source(*statements: dict[str, Any]) -> PolicySource:
    return source("trust", "T", doc(*statements), EvidenceRef("t.json", "/AssumeRolePolicyDocument"))


def _document(*statements: dict[str, Any]) -> PolicyDocument:
    return _source(*statements).document


def _info(*statements: dict[str, Any]) -> TrustInfo:
    return TrustInfo.of(_document(*statements))


def test_every_kind_of_aws_principal_is_indexed_by_what_it_names() -> None:
    info = _info(
        trust_statement({"AWS": [IDENTITY, f"arn:aws:iam::{MEMBER}:root", ALICE, DELETED, SESSION]}),
        # a Deny names an account too: it is named (per-caller sharing), but grants it nothing
        {"Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{MGMT}:root"}, "Action": "sts:AssumeRole"},
        # an Allow of another action names an account without granting sts:AssumeRole
        {"Effect": "Allow", "Principal": {"AWS": "888888888888"}, "Action": "sts:TagSession"},
    )
    assert info.accounts == frozenset({IDENTITY, MEMBER})
    assert info.named == frozenset({ALICE, DELETED, SESSION})
    assert info.named_accounts == frozenset({IDENTITY, MEMBER, MGMT, "888888888888"})
    assert info.sessions == {(MEMBER, "Deploy"): ("ci",)}
    assert info.sessions_of(MEMBER, "Deploy") == ("ci",)
    assert info.sessions_of(MEMBER, "Other") == ()
    assert not info.anyone and info.federated == ()
    assert not info.principal_sensitive and not info.has_resource
    assert not info.uses_resource_account and not info.reads_caller_account
    assert not info.reads_role_tags and not info.reads_org_paths


def test_a_deny_statement_first_does_not_hide_the_allows_after_it() -> None:
    info = _info(
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        trust_statement({"AWS": IDENTITY}),
        {"Effect": "Allow", "Principal": {"Federated": SAML}, "Action": "sts:AssumeRoleWithSAML"},
    )
    assert info.accounts == frozenset({IDENTITY})
    assert info.federated == ((SAML, "sts:assumerolewithsaml"),)


def test_sessions_of_one_role_are_gathered_sorted_once_each_from_principal_and_not_principal() -> None:
    other = f"arn:aws:sts::{MEMBER}:assumed-role/Deploy/build"
    info = _info(
        trust_statement({"AWS": [SESSION, other, SESSION]}),
        {"Effect": "Deny", "NotPrincipal": {"AWS": f"arn:aws:sts::{IDENTITY}:assumed-role/Ops/x"}, "Action": "*"},
    )
    assert info.sessions == {(IDENTITY, "Ops"): ("x",), (MEMBER, "Deploy"): ("build", "ci")}
    assert list(info.sessions) == [(IDENTITY, "Ops"), (MEMBER, "Deploy")]


def test_anyone_is_a_star_or_an_allow_with_not_principal_for_assume_role_only() -> None:
    assert _info(trust_statement("*")).anyone
    assert _info(trust_statement({"AWS": "*"})).anyone
    assert _info({"Effect": "Allow", "NotPrincipal": {"AWS": ALICE}, "Action": "sts:AssumeRole"}).anyone
    assert not _info({"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}).anyone
    assert not _info({"Effect": "Allow", "Principal": "*", "Action": "sts:TagSession"}).anyone


def test_federated_providers_are_kept_with_the_action_their_kind_needs() -> None:
    saml = {"Effect": "Allow", "Principal": {"Federated": SAML}, "Action": "sts:AssumeRoleWithSAML"}
    oidc = {"Effect": "Allow", "Principal": {"Federated": OIDC}, "Action": "sts:AssumeRoleWithWebIdentity"}
    info = _info(saml, oidc, saml)
    assert info.federated == (
        (SAML, "sts:assumerolewithsaml"),
        (OIDC, "sts:assumerolewithwebidentity"),
    )
    # a SAML provider allowed only sts:AssumeRoleWithWebIdentity (or a Deny) federates nothing
    wrong = {"Effect": "Allow", "Principal": {"Federated": SAML}, "Action": "sts:AssumeRoleWithWebIdentity"}
    denied = {"Effect": "Deny", "Principal": {"Federated": OIDC}, "Action": "sts:AssumeRoleWithWebIdentity"}
    assert _info(wrong, denied).federated == ()


def test_what_the_trusts_conditions_read() -> None:
    def flags(condition: dict[str, Any], **extra: Any) -> tuple[bool, ...]:
        info = _info(trust_statement("*", condition, **extra))
        return (
            info.principal_sensitive,
            info.uses_resource_account,
            info.reads_caller_account,
            info.reads_role_tags,
            info.reads_org_paths,
            info.has_resource,
        )

    assert flags({"StringEquals": {"aws:username": "alice"}}) == (True, False, False, False, False, False)
    assert flags({"StringEquals": {"AWS:PrincipalArn": ALICE}}) == (True, False, False, False, False, False)
    assert flags({"StringEquals": {"aws:userid": "AIDA"}}) == (True, False, False, False, False, False)
    assert flags({"StringEquals": {"aws:PrincipalTag/team": "ops"}}) == (True, False, False, False, False, False)
    assert flags({"StringEquals": {"sts:ExternalId": "${aws:username}"}}) == (True, False, False, False, False, False)
    assert flags({"StringEquals": {"aws:ResourceAccount": MEMBER}}) == (False, True, False, False, False, False)
    assert flags({"StringLike": {"aws:ResourceOrgPaths": "o-*"}}) == (False, True, False, False, False, False)
    assert flags({"StringEquals": {"aws:PrincipalAccount": MEMBER}}) == (False, False, True, False, False, False)
    # a policy variable reads the key too, spaces inside the braces or not
    assert flags({"StringEquals": {"sts:ExternalId": "${ aws:PrincipalAccount }"}})[2]
    assert flags({"StringEquals": {"aws:ResourceTag/team": "ops"}}) == (False, False, False, True, False, False)
    assert flags({"StringLike": {"aws:PrincipalOrgPaths": "o-*"}}) == (False, False, False, False, True, False)
    assert flags({"Bool": {"aws:MultiFactorAuthPresent": "true"}}) == (False,) * 6
    assert flags({}, Resource="*") == (False, False, False, False, False, True)
    assert flags({}, NotResource="arn:aws:iam::*:role/x") == (False, False, False, False, False, True)
    assert flags({}, Resource="arn:aws:iam::*:role/${aws:username}") == (True, False, False, False, False, True)
    assert flags({}, NotResource="arn:aws:iam::*:role/${aws:username}")[0]


def test_the_clause_helpers() -> None:
    clauses = (
        _document(
            trust_statement("*", {"StringEquals": {"AWS:ResourceTag/Team": "ops", "sts:ExternalId": "${aws:userid}"}})
        )
        .statements[0]
        .conditions
    )
    assert uses_key(clauses, "aws:resourcetag/team")
    assert not uses_key(clauses, "aws:resourcetag/")
    assert reads(clauses, "aws:resourcetag/")  # a key ending in "/" is a prefix
    assert not reads(clauses, "aws:resourcetag")  # a key not ending in "/" is not
    assert reads(clauses, "aws:userid")  # in a variable
    assert not reads(clauses, "aws:username")
    assert principal_sensitive(clauses)
    assert not principal_sensitive(())
    assert prefilter_pattern("arn:aws:iam::${aws:PrincipalAccount}:role/${aws:username}-x") == "arn:aws:iam::*:role/*-x"
    assert prefilter_pattern("arn:aws:iam::1:role/$x{y}") == "arn:aws:iam::1:role/$x{y}"


def test_who_chooses_the_session_name() -> None:
    assert session_name_rule(None) == "its trust policy cannot be read"
    constrained = _source(trust_statement({"AWS": ALICE}, {"StringLike": {"STS:RoleSessionName": "${aws:username}"}}))
    assert session_name_rule(constrained) == "its trust constrains sts:RoleSessionName"
    saml = _source({"Effect": "Allow", "Principal": {"Federated": SAML}, "Action": "sts:AssumeRoleWithSAML"})
    assert session_name_rule(saml) == "its SAML identity provider sets the session name"
    denied_saml = _source(
        trust_statement({"AWS": ALICE}),
        {"Effect": "Deny", "Principal": {"Federated": SAML}, "Action": "sts:AssumeRoleWithSAML"},
    )
    assert session_name_rule(denied_saml) == ""
    oidc = _source({"Effect": "Allow", "Principal": {"Federated": OIDC}, "Action": "sts:AssumeRoleWithWebIdentity"})
    assert session_name_rule(oidc) == ""
    assert session_name_rule(_source(trust_statement({"AWS": ALICE}))) == ""


def test_who_may_pass_session_tags() -> None:
    assert allows_session_tags(None)  # unreadable: they may
    assert not allows_session_tags(_source(trust_statement({"AWS": ALICE})))
    tags = {"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": ["sts:AssumeRole", "sts:TagSession"]}
    assert allows_session_tags(_source(tags))
    denied = {"Effect": "Deny", "Principal": {"AWS": ALICE}, "Action": "sts:TagSession"}
    assert not allows_session_tags(_source(trust_statement({"AWS": ALICE}), denied))


def _arns(roles: Any) -> list[str]:
    return [r.arn for r in roles]


def test_the_index_finds_each_role_by_what_its_trust_names() -> None:
    by_account = role(MEMBER, "ByAccount", doc(trust_statement({"AWS": IDENTITY})))
    by_arn = role(MEMBER, "ByArn", doc(trust_statement({"AWS": [ALICE, DELETED]})))
    by_session = role(MEMBER, "BySession", doc(trust_statement({"AWS": SESSION})))
    open_member = role(MEMBER, "Open", doc(trust_statement("*")))
    open_mgmt = role(MGMT, "OpenToo", doc(trust_statement("*")))
    other_account = role(MEMBER, "Other", doc(trust_statement({"AWS": MGMT})))
    index = TrustIndex()
    for r in (open_mgmt, by_account, by_arn, by_session, open_member, other_account):
        assert r.trust_policy is not None
        index.add(r, r.trust_policy)
    # a caller of the Identity account reaches, by its identity policies, its account's roles and the open ones
    pool = index.pool_for_account(IDENTITY)
    assert _arns(pool.matching(None)) == [by_account.arn, open_member.arn, open_mgmt.arn]
    assert index.pool_for_account(IDENTITY) is pool  # one pool per account
    assert _arns(index.pool_for_account(MGMT).matching(["*"])) == [open_member.arn, other_account.arn, open_mgmt.arn]
    assert _arns(index.pool_for_account("555555555555").matching(None)) == [open_member.arn, open_mgmt.arn]
    assert _arns(index.open_in(MEMBER)) == [open_member.arn]
    assert _arns(index.open_in(IDENTITY)) == []
    assert _arns(index.naming(None, ALICE)) == [by_arn.arn]
    assert _arns(index.naming(DELETED, ALICE)) == [by_arn.arn]  # once
    assert _arns(index.naming("", session_of=(MEMBER, "Deploy"))) == [by_session.arn]
    assert _arns(index.naming(ALICE, session_of=(MEMBER, "Deploy"))) == [by_arn.arn, by_session.arn]
    assert _arns(index.naming(ALICE, session_of=(MEMBER, "Other"))) == [by_arn.arn]
    assert index.info(by_arn.trust_policy.document) is index.info(by_arn.trust_policy.document)  # type: ignore[union-attr]


def test_a_pool_matches_resource_patterns_of_every_shape() -> None:
    roles = [
        role(MEMBER, "Admin", None),
        role(MEMBER, "Deploy", None, path="/ci/"),
        role(IDENTITY, "Admin", None),
        role(MGMT, "Billing", None),
    ]
    index = TrustIndex()
    pool = index.pool_for_account("555555555555")
    for r in roles:
        pool.add(r)
    pool.add(role(MEMBER, "Admin", doc(trust_statement("*"))))  # the same ARN again: kept once
    assert _arns(pool.roles.values()) == [r.arn for r in roles]
    assert _arns(pool.by_name["Admin"]) == [roles[0].arn, roles[2].arn]
    by_pattern = {
        f"arn:aws:iam::{MEMBER}:role/Admin": [roles[0].arn],
        f"arn:aws:iam::{MEMBER}:role/Nobody": [],
        "arn:aws:iam::*:role/Admin": [roles[2].arn, roles[0].arn],
        "arn:aws:iam::*:role/ci/Deploy": [roles[1].arn],
        "arn:aws:iam::*:role/*/Deploy": [roles[1].arn],
        f"arn:aws:iam::{MEMBER}:role/*": [roles[0].arn, roles[1].arn],
        f"arn:aws:iam::{MGMT}:*": [roles[3].arn],
        "arn:aws:iam::*:role/A*": [roles[2].arn, roles[0].arn],
        "arn:aws:*:*:*:role/Billing": [roles[3].arn],
        "arn:aws:iam::*:*": [roles[2].arn, roles[0].arn, roles[1].arn, roles[3].arn],
    }
    for pattern, expected in by_pattern.items():
        assert _arns(pool.matching([pattern])) == expected, pattern
    both = pool.matching([f"arn:aws:iam::{MGMT}:role/Billing", "arn:aws:iam::*:role/Billing"])
    assert _arns(both) == [roles[3].arn]
    assert _arns(pool.matching([])) == []
    # evidence is hostile: a Resource that is no ARN, or an ARN cut short, matches no role and breaks nothing
    assert _arns(pool.matching(["Admin", f"arn:aws:iam::{MEMBER}", "arn:aws:iam:"])) == []
    # a wildcard ARN cut short: no narrowing to rely on, the roles arn_matches gives, no error
    for short in ("arn:aws:iam::*", "arn:aws:iam:*", "arn:*"):
        assert _arns(pool.matching([short])) == sorted(r.arn for r in roles if arn_matches(short, r.arn)), short
    # a role name or an account no role has, behind a wildcard elsewhere: no candidate, no error
    assert _arns(pool.matching(["arn:aws:iam::*:role/Nobody", "arn:aws:iam::555555555555:role/*"])) == []
    assert _arns(pool.matching(["s3:*", "*"])) == sorted(r.arn for r in roles)
