"""Callers and how ``Principal`` / ``NotPrincipal`` name them, function by function.

IAMUG reference_policies_elements_principal.html (account principals delegate, ARNs name the caller,
services and federated providers by name, canonical users) and
reference_policies_elements_notprincipal.html (a Deny with NotPrincipal spares only a caller whose
whole chain is listed; never one with a permissions boundary).

The callers are built inside the tests: module-level ones are built once, at import.
"""

from __future__ import annotations

import pytest

from analyzer.iam.principals import MatchKind, Principal, escapes_not_principal_deny, match_principal
from analyzer.model.policy import PrincipalSpec

ACCT = "111111111111"
OTHER = "222222222222"
ALICE_ARN = f"arn:aws:iam::{ACCT}:user/team/alice"
ROLE_ARN = f"arn:aws:iam::{ACCT}:role/Admin"
SAML = f"arn:aws:iam::{ACCT}:saml-provider/Okta"


def alice() -> Principal:
    return Principal.user(ALICE_ARN, unique_id="AIDAALICE00000000001")


def admin(session: str | None = "s1") -> Principal:
    return Principal.role(ROLE_ARN, session_name=session, unique_id="AROAADMIN00000000001")


def test_each_constructor_fills_every_field() -> None:
    assert Principal.user(ALICE_ARN, tags={"b": "2", "a": "1"}, unique_id="AIDAX") == Principal(
        ALICE_ARN, "user", ACCT, (("a", "1"), ("b", "2")), "AIDAX"
    )
    assert Principal.user("alice") == Principal("alice", "user", None, None, None)
    assert Principal.role(ROLE_ARN, session_name="s", tags={"t": "v"}, unique_id="AROAX") == Principal(
        ROLE_ARN, "role", ACCT, (("t", "v"),), "AROAX", session_name="s"
    )
    assert Principal.role("Admin") == Principal("Admin", "role", None, None, None)
    assert Principal.root(ACCT) == Principal(f"arn:aws:iam::{ACCT}:root", "root", ACCT, ())
    assert Principal.root(ACCT, "aws-cn").arn == f"arn:aws-cn:iam::{ACCT}:root"
    assert Principal.service("cloudtrail.amazonaws.com") == Principal("cloudtrail.amazonaws.com", "service")
    assert Principal.federated(SAML) == Principal(SAML, "federated", ACCT)
    assert Principal.federated("accounts.google.com") == Principal("accounts.google.com", "federated", None)
    assert Principal.federated("arn:aws:cognito-identity:us-east-1::x") == Principal(
        "arn:aws:cognito-identity:us-east-1::x", "federated", None
    )
    assert Principal.anonymous() == Principal("*", "anonymous")


def test_each_caller_describes_itself() -> None:
    assert Principal.anonymous().describe() == "an anonymous caller"
    assert Principal.service("config.amazonaws.com").describe() == "service config.amazonaws.com"
    assert admin("s1").describe() == f"arn:aws:sts::{ACCT}:assumed-role/Admin/s1"
    assert admin(None).describe() == ROLE_ARN
    assert alice().describe() == ALICE_ARN


@pytest.mark.parametrize(
    ("aws", "caller", "kind"),
    [
        ((ACCT,), alice, MatchKind.ACCOUNT),
        ((f"arn:aws:iam::{ACCT}:root",), alice, MatchKind.ACCOUNT),
        ((OTHER,), alice, None),
        ((ACCT, ALICE_ARN), alice, MatchKind.ARN),  # the direct grant wins over the account
        ((ALICE_ARN, ACCT), alice, MatchKind.ARN),
        (("AIDAALICE00000000001",), alice, MatchKind.UNIQUE_ID),
        ((ACCT, "AIDAALICE00000000001"), alice, MatchKind.UNIQUE_ID),
        ((f"arn:aws:iam::{ACCT}:root",), lambda: Principal.root(ACCT), MatchKind.ARN),
        ((ACCT,), lambda: Principal.root(ACCT), MatchKind.ACCOUNT),
        ((f"arn:aws:iam::{OTHER}:root",), lambda: Principal.root(ACCT), None),
        ((f"arn:aws:sts::{ACCT}:assumed-role/Admin/s1", ROLE_ARN), admin, MatchKind.ROLE),
        ((f"arn:aws:sts::{ACCT}:assumed-role/Admin/s1",), admin, MatchKind.SESSION),
        ((f"arn:aws:sts::{ACCT}:assumed-role/Admin/s2",), admin, None),
    ],
)
def test_the_strongest_way_a_principal_names_the_caller(aws: tuple[str, ...], caller: object, kind: object) -> None:
    assert match_principal(PrincipalSpec(aws=aws), caller()) is kind  # type: ignore[operator]


def test_canonical_users_match_only_their_own() -> None:
    caller = Principal("owner", "user", canonical_user="abc")
    assert match_principal(PrincipalSpec(canonical_user=("abc",)), caller) is MatchKind.CANONICAL_USER
    assert match_principal(PrincipalSpec(canonical_user=("other",)), caller) is None
    assert match_principal(PrincipalSpec(canonical_user=("abc",)), alice()) is None


@pytest.mark.parametrize(
    ("spec", "caller", "has_boundary", "escapes"),
    [
        # NotPrincipal "*": the Deny applies to no one, but always to a caller with a boundary.
        (PrincipalSpec(any=True), alice, False, True),
        (PrincipalSpec(any=True), alice, True, False),
        # The whole chain listed: the account and the role (or user).
        (PrincipalSpec(aws=(ACCT, ROLE_ARN)), admin, False, True),
        (PrincipalSpec(aws=(ACCT, ROLE_ARN)), admin, True, False),
        (PrincipalSpec(aws=(ACCT, ALICE_ARN)), alice, True, False),
        (PrincipalSpec(aws=(ROLE_ARN,)), admin, False, False),  # the account not listed
        # Services by name, case-insensitively.
        (
            PrincipalSpec(service=("CloudTrail.amazonaws.com",)),
            lambda: Principal.service("cloudtrail.amazonaws.com"),
            False,
            True,
        ),
        (
            PrincipalSpec(service=("config.amazonaws.com",)),
            lambda: Principal.service("cloudtrail.amazonaws.com"),
            False,
            False,
        ),
        (
            PrincipalSpec(service=("cloudtrail.amazonaws.com",)),
            lambda: Principal.service("cloudtrail.amazonaws.com"),
            True,
            True,
        ),
        (PrincipalSpec(federated=(SAML,)), lambda: Principal.federated(SAML), False, True),
        (PrincipalSpec(federated=("accounts.google.com",)), lambda: Principal.federated(SAML), False, False),
        (PrincipalSpec(aws=(ACCT,)), Principal.anonymous, False, False),
        # The root user: its account is enough, as an id or as the root ARN.
        (PrincipalSpec(aws=(ACCT,)), lambda: Principal.root(ACCT), False, True),
        (PrincipalSpec(aws=(f"arn:aws:iam::{ACCT}:root",)), lambda: Principal.root(ACCT), False, True),
        (PrincipalSpec(aws=(OTHER,)), lambda: Principal.root(ACCT), False, False),
    ],
)
def test_who_escapes_a_deny_with_not_principal(
    spec: PrincipalSpec, caller: object, has_boundary: bool, escapes: bool
) -> None:
    assert escapes_not_principal_deny(spec, caller(), has_boundary) is escapes  # type: ignore[operator]
