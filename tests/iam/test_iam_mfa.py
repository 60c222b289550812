"""MFA verdicts for whole request paths, and which policy the MFA requirement comes from.

IAMUG reference_policies_condition-keys.html#condition-keys-multifactorauthpresent,
id_credentials_mfa_configure-api-require.html,
reference_policies_elements_condition_operators.html#Conditions_BoolIfExists.
"""

from __future__ import annotations

from typing import Any

import pytest
from iam_case_support import ALICE, IDENTITY_ACCT, MEMBER_ACCT, allow, deny, policy, source

from analyzer.iam import MFA_AGE, MFA_PRESENT, Request, RequestContext, mfa_requirement_of, mfa_verdict, with_mfa

ROLE = f"arn:aws:iam::{MEMBER_ACCT}:role/Admin"
ASSUME = "sts:AssumeRole"
REQUEST = Request(ALICE, ASSUME, ROLE)
CAN_ASSUME = source("inline", "can-assume", policy(allow("CanAssume", Action=ASSUME, Resource=ROLE)))


def trust(condition: dict[str, Any] | None = None, deny_condition: dict[str, Any] | None = None) -> Any:
    statements = [
        allow(
            "Trust", Principal={"AWS": IDENTITY_ACCT}, Action=ASSUME, **({"Condition": condition} if condition else {})
        )
    ]
    if deny_condition:
        statements.append(deny("DenyNoMfa", Principal={"AWS": "*"}, Action=ASSUME, Condition=deny_condition))
    return source("trust", "trust", policy(*statements))


@pytest.mark.parametrize(
    ("trust_policy", "expected"),
    [
        (trust({"Bool": {MFA_PRESENT: "true"}}), "enforced"),
        (trust({"BoolIfExists": {MFA_PRESENT: "true"}}), "weak"),
        (trust(deny_condition={"Bool": {MFA_PRESENT: "false"}}), "weak"),
        (trust(deny_condition={"BoolIfExists": {MFA_PRESENT: "false"}}), "enforced"),
        (trust({"NumericLessThan": {MFA_AGE: "3600"}}), "enforced"),
        (trust({"Null": {MFA_PRESENT: "false"}}), "absent"),
        (trust(), "absent"),
        (trust({"Bool": {MFA_PRESENT: "maybe"}}), "denied"),
    ],
    ids=["bool", "boolifexists-trap", "deny-bool-false", "deny-boolifexists-false", "age", "null", "none", "never"],
)
def test_verdict(trust_policy: Any, expected: str) -> None:
    verdict = mfa_verdict(REQUEST, identity_policies=[CAN_ASSUME], resource_policy=trust_policy, trust_policy=True)
    assert verdict.verdict == expected
    assert verdict.decision("true") is verdict.mfa_true
    assert verdict.enforced is (expected == "enforced")


def test_verdict_keeps_the_three_decisions_distinct() -> None:
    verdict = mfa_verdict(
        REQUEST,
        identity_policies=[CAN_ASSUME],
        resource_policy=trust({"BoolIfExists": {MFA_PRESENT: "true"}}),
        trust_policy=True,
    )
    assert verdict.without_mfa_keys.allowed and not verdict.without_mfa_keys.conditional
    assert verdict.mfa_false.outcome == "implicit_deny"
    assert verdict.mfa_true.allowed


def test_without_identity_allow_nothing_is_allowed() -> None:
    verdict = mfa_verdict(REQUEST, resource_policy=trust({"Bool": {MFA_PRESENT: "true"}}), trust_policy=True)
    assert verdict.verdict == "denied"


def test_with_mfa_sets_and_clears_keys() -> None:
    base = Request(ALICE, ASSUME, ROLE, RequestContext.build({MFA_PRESENT: "true", MFA_AGE: "5"}))
    absent = with_mfa(base, "absent")
    assert absent.lookup(MFA_PRESENT) is None and absent.lookup(MFA_AGE) is None
    false = with_mfa(base, "false")
    assert false.lookup(MFA_PRESENT) == ("false",) and false.lookup(MFA_AGE) is None
    true = with_mfa(absent, "true")
    assert true.lookup(MFA_PRESENT) == ("true",) and true.lookup(MFA_AGE) == ("1",)


IDENTITY_MFA = source(
    "inline",
    "assume-with-mfa",
    policy(allow("AssumeWithMfa", Action=ASSUME, Resource=ROLE, Condition={"Bool": {MFA_PRESENT: "true"}})),
)
GUARD = source(
    "managed",
    "force-mfa",
    policy(deny("DenyWithoutMfa", NotAction="iam:*MFA*", Condition={"BoolIfExists": {MFA_PRESENT: "false"}})),
)
UNRELATED = source("inline", "ec2", policy(allow("Ec2", Action="ec2:*")))


@pytest.mark.parametrize(
    ("src", "resource_policy", "expected"),
    [
        (trust({"Bool": {MFA_PRESENT: "true"}}), True, "enforced"),
        (trust({"BoolIfExists": {MFA_PRESENT: "true"}}), True, "weak"),
        (trust(), True, "absent"),
        (IDENTITY_MFA, False, "enforced"),
        (CAN_ASSUME, False, "absent"),
        (GUARD, False, "enforced"),
        (UNRELATED, False, "absent"),
        (trust({"StringEquals": {"aws:PrincipalAccount": "999999999999"}}), True, "denied"),
    ],
    ids=[
        "trust-bool",
        "trust-ifexists",
        "trust-none",
        "identity-bool",
        "identity-none",
        "deny-guard",
        "unrelated",
        "trust-blocks",
    ],
)
def test_requirement_of_one_source(src: Any, resource_policy: bool, expected: str) -> None:
    assert mfa_requirement_of(src, REQUEST, resource_policy=resource_policy) == expected


def test_enforced_by_identity_and_trust_both() -> None:
    trust_policy = trust({"Bool": {MFA_PRESENT: "true"}})
    verdict = mfa_verdict(REQUEST, identity_policies=[IDENTITY_MFA], resource_policy=trust_policy, trust_policy=True)
    assert verdict.verdict == "enforced"
    by = {
        "trust": mfa_requirement_of(trust_policy, REQUEST, resource_policy=True),
        "identity": mfa_requirement_of(IDENTITY_MFA, REQUEST),
    }
    assert by == {"trust": "enforced", "identity": "enforced"}


def test_each_state_has_its_own_decision() -> None:
    verdict = mfa_verdict(
        REQUEST,
        identity_policies=[CAN_ASSUME],
        resource_policy=trust({"BoolIfExists": {MFA_PRESENT: "true"}}),
        trust_policy=True,
    )
    assert verdict.decision("absent") is verdict.without_mfa_keys
    assert verdict.decision("false") is verdict.mfa_false
    assert verdict.decision("true") is verdict.mfa_true
    assert [verdict.decision(s).allowed for s in ("absent", "false", "true")] == [True, False, True]


OTHER_TRUST = source(
    "trust",
    "other-account",
    policy(
        allow(
            "Trust",
            Principal={"AWS": "arn:aws:iam::999999999999:root"},
            Action=ASSUME,
            Condition={"Bool": {MFA_PRESENT: "true"}},
        )
    ),
)


def test_a_trust_policy_is_read_with_its_principal() -> None:
    """A trust policy naming another account lets this caller through in no state; read as an identity
    policy (Principal ignored) it would demand MFA."""
    assert mfa_requirement_of(OTHER_TRUST, REQUEST, resource_policy=True) == "denied"
    assert mfa_requirement_of(OTHER_TRUST, REQUEST) == "enforced"


def test_must_allow_overrides_the_policy_kind() -> None:
    """An identity policy the request needs an Allow from (``must_allow``) that says nothing about it
    lets it through in no state; a trust policy whose Allow is not needed passes every state."""
    assert mfa_requirement_of(UNRELATED, REQUEST, must_allow=True) == "denied"
    assert mfa_requirement_of(UNRELATED, REQUEST) == "absent"
    assert mfa_requirement_of(OTHER_TRUST, REQUEST, resource_policy=True, must_allow=False) == "absent"


def test_a_not_principal_deny_reaches_a_caller_with_a_boundary() -> None:
    """IAMUG reference_policies_elements_notprincipal.html: a Deny with NotPrincipal that names the caller
    still applies when the caller has a permissions boundary. The guard denies sessions without MFA:
    with a boundary, long-term keys pass and sessions without MFA do not (weak); without one the caller
    escapes the guard (absent)."""
    guarded = source(
        "trust",
        "guarded",
        policy(
            allow("Trust", Principal={"AWS": IDENTITY_ACCT}, Action=ASSUME),
            deny(
                "DenyNoMfa",
                NotPrincipal={"AWS": [ALICE.arn, f"arn:aws:iam::{IDENTITY_ACCT}:root"]},
                Action=ASSUME,
                Condition={"Bool": {MFA_PRESENT: "false"}},
            ),
        ),
    )
    assert mfa_requirement_of(guarded, REQUEST, resource_policy=True) == "absent"
    assert mfa_requirement_of(guarded, REQUEST, resource_policy=True, has_boundary=True) == "weak"
