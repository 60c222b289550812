"""MFA conditions in trust and identity policies, in the three MFA situations.

absent: long-term access keys (no MFA keys in the request); false: a session without MFA;
true: a session with MFA (age 1 second).
"""

from iam_case_support import IDENTITY_ACCT, MEMBER_ACCT, Case, allow, deny, policy

MFA_KEY = "reference_policies_condition-keys.html#condition-keys-multifactorauthpresent"
MFA_AGE = "reference_policies_condition-keys.html#condition-keys-multifactorauthage"
BOOLIFEXISTS = "reference_policies_elements_condition_operators.html#Conditions_BoolIfExists"
API_MFA = "id_credentials_mfa_configure-api-require.html"
NULL = "reference_policies_elements_condition_operators.html#Conditions_Null"

PRESENT = "aws:MultiFactorAuthPresent"
AGE = "aws:MultiFactorAuthAge"
ASSUME = "sts:AssumeRole"
ROLE = f"arn:aws:iam::{MEMBER_ACCT}:role/Admin"
CAN_ASSUME = policy(allow("CanAssume", Action=ASSUME, Resource=ROLE))

STATES = {
    "absent": ({}, (PRESENT, AGE)),
    "false": ({PRESENT: "false"}, (AGE,)),
    "true": ({PRESENT: "true", AGE: "1"}, ()),
}


def trust_case(
    case_id: str, doc: str, state: str, condition: dict, expect: str, sid: str | None, *, effect: str = "Allow"
) -> Case:
    values, absent = STATES[state]
    statements = [
        allow(
            "Trust",
            Principal={"AWS": IDENTITY_ACCT},
            Action=ASSUME,
            **({"Condition": condition} if effect == "Allow" else {}),
        )
    ]
    if effect == "Deny":
        statements.append(deny("DenyNoMfa", Principal={"AWS": "*"}, Action=ASSUME, Condition=condition))
    return Case(
        case_id,
        doc,
        expect,  # type: ignore[arg-type]
        sid,
        identity=[CAN_ASSUME],
        resource=policy(*statements),
        trust=True,
        action=ASSUME,
        arn=ROLE,
        context=values,
        absent=absent,
        default="unknown",
        conditional=False if expect == "allow" else None,
    )


BOOL_TRUE = {"Bool": {PRESENT: "true"}}
BOOLIFEXISTS_TRUE = {"BoolIfExists": {PRESENT: "true"}}
BOOL_FALSE = {"Bool": {PRESENT: "false"}}
BOOLIFEXISTS_FALSE = {"BoolIfExists": {PRESENT: "false"}}
AGE_LT = {"NumericLessThan": {AGE: "3600"}}
AGE_GT_IFEXISTS = {"NumericGreaterThanIfExists": {AGE: "3600"}}
NULL_FALSE = {"Null": {PRESENT: "false"}}
NULL_TRUE = {"Null": {PRESENT: "true"}}

CASES = [
    trust_case("bool-true-long-term-keys-denied", MFA_KEY, "absent", BOOL_TRUE, "implicit_deny", None),
    trust_case("bool-true-session-without-mfa-denied", MFA_KEY, "false", BOOL_TRUE, "implicit_deny", None),
    trust_case("bool-true-with-mfa-allowed", MFA_KEY, "true", BOOL_TRUE, "allow", "Trust"),
    trust_case(
        "boolifexists-true-trap-long-term-keys-allowed", BOOLIFEXISTS, "absent", BOOLIFEXISTS_TRUE, "allow", "Trust"
    ),
    trust_case(
        "boolifexists-true-session-without-mfa-denied", BOOLIFEXISTS, "false", BOOLIFEXISTS_TRUE, "implicit_deny", None
    ),
    trust_case("boolifexists-true-with-mfa", BOOLIFEXISTS, "true", BOOLIFEXISTS_TRUE, "allow", "Trust"),
    trust_case("deny-bool-false-misses-long-term-keys", MFA_KEY, "absent", BOOL_FALSE, "allow", "Trust", effect="Deny"),
    trust_case(
        "deny-bool-false-stops-session-without-mfa",
        MFA_KEY,
        "false",
        BOOL_FALSE,
        "explicit_deny",
        "DenyNoMfa",
        effect="Deny",
    ),
    trust_case("deny-bool-false-with-mfa-allowed", MFA_KEY, "true", BOOL_FALSE, "allow", "Trust", effect="Deny"),
    trust_case(
        "deny-boolifexists-false-stops-long-term-keys",
        BOOLIFEXISTS,
        "absent",
        BOOLIFEXISTS_FALSE,
        "explicit_deny",
        "DenyNoMfa",
        effect="Deny",
    ),
    trust_case(
        "deny-boolifexists-false-stops-session",
        BOOLIFEXISTS,
        "false",
        BOOLIFEXISTS_FALSE,
        "explicit_deny",
        "DenyNoMfa",
        effect="Deny",
    ),
    trust_case(
        "deny-boolifexists-false-with-mfa-allowed",
        BOOLIFEXISTS,
        "true",
        BOOLIFEXISTS_FALSE,
        "allow",
        "Trust",
        effect="Deny",
    ),
    trust_case("age-lessthan-without-mfa-denied", MFA_AGE, "absent", AGE_LT, "implicit_deny", None),
    trust_case("age-lessthan-session-without-mfa-denied", MFA_AGE, "false", AGE_LT, "implicit_deny", None),
    trust_case("age-lessthan-with-recent-mfa", MFA_AGE, "true", AGE_LT, "allow", "Trust"),
    trust_case(
        "deny-age-greaterthan-ifexists-catches-no-mfa",
        MFA_AGE,
        "absent",
        AGE_GT_IFEXISTS,
        "explicit_deny",
        "DenyNoMfa",
        effect="Deny",
    ),
    trust_case(
        "deny-age-greaterthan-ifexists-recent-mfa", MFA_AGE, "true", AGE_GT_IFEXISTS, "allow", "Trust", effect="Deny"
    ),
    trust_case("null-false-requires-key-present-session", NULL, "false", NULL_FALSE, "allow", "Trust"),
    trust_case("null-false-long-term-keys-denied", NULL, "absent", NULL_FALSE, "implicit_deny", None),
    trust_case(
        "deny-null-true-stops-long-term-keys", NULL, "absent", NULL_TRUE, "explicit_deny", "DenyNoMfa", effect="Deny"
    ),
    Case(
        "identity-policy-mfa-guard-deny",
        API_MFA,
        "explicit_deny",
        "DenyAllExceptListedIfNoMFA",
        identity=[
            policy(allow("All")),
            policy(
                deny(
                    "DenyAllExceptListedIfNoMFA",
                    NotAction=["iam:ListMFADevices", "iam:EnableMFADevice", "sts:GetSessionToken"],
                    Condition={"BoolIfExists": {PRESENT: "false"}},
                )
            ),
        ],
        action=ASSUME,
        arn=ROLE,
        resource=policy(allow("Trust", Principal={"AWS": IDENTITY_ACCT}, Action=ASSUME)),
        trust=True,
        absent=(PRESENT, AGE),
    ),
    Case(
        "mfa-unknown-is-conditional",
        MFA_KEY,
        "allow",
        "Trust",
        identity=[CAN_ASSUME],
        resource=policy(allow("Trust", Principal={"AWS": IDENTITY_ACCT}, Action=ASSUME, Condition=BOOL_TRUE)),
        trust=True,
        action=ASSUME,
        arn=ROLE,
        default="unknown",
        conditional=True,
    ),
]
