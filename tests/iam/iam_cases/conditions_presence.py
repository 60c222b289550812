"""Null, ...IfExists and the ForAllValues / ForAnyValue set operators."""

from iam_case_support import Case, allow, deny, policy

from iam_cases._cond import cond

NULL = "reference_policies_elements_condition_operators.html#Conditions_Null"
IFEXISTS = "reference_policies_elements_condition_operators.html#Conditions_IfExists"
MULTI = "reference_policies_condition-single-vs-multi-valued-context-keys.html"
FORALL = (
    "reference_policies_condition-single-vs-multi-valued-context-keys.html"
    "#reference_policies_condition-multi-valued-context-keys"
)

TAGKEYS = "aws:TagKeys"
TYPE = "ec2:InstanceType"

CASES = [
    cond("null-true-key-absent", NULL, "Null", "aws:TokenIssueTime", "true", True),
    cond(
        "null-true-key-present",
        NULL,
        "Null",
        "aws:TokenIssueTime",
        "true",
        False,
        context={"aws:TokenIssueTime": "2024-01-01T00:00:00Z"},
    ),
    cond(
        "null-false-key-present",
        NULL,
        "Null",
        "aws:TokenIssueTime",
        "false",
        True,
        context={"aws:TokenIssueTime": "2024-01-01T00:00:00Z"},
    ),
    cond("null-false-key-absent", NULL, "Null", "aws:TokenIssueTime", "false", False),
    cond("null-json-boolean", NULL, "Null", "aws:TokenIssueTime", True, True),
    cond("null-empty-multivalued-key-is-null", NULL, "Null", TAGKEYS, "true", True, context={TAGKEYS: []}),
    cond(
        "nullifexists-is-not-an-operator",
        IFEXISTS,
        "NullIfExists",
        "aws:TokenIssueTime",
        "true",
        False,
        problem="unsupported",
    ),
    cond("stringequalsifexists-missing-true", IFEXISTS, "StringEqualsIfExists", TYPE, "t3.micro", True),
    cond(
        "stringequalsifexists-present-match",
        IFEXISTS,
        "StringEqualsIfExists",
        TYPE,
        "t3.micro",
        True,
        context={TYPE: "t3.micro"},
    ),
    cond(
        "stringequalsifexists-present-mismatch",
        IFEXISTS,
        "StringEqualsIfExists",
        TYPE,
        "t3.micro",
        False,
        context={TYPE: "m5.24xlarge"},
    ),
    cond("stringlikeifexists-present", IFEXISTS, "StringLikeIfExists", TYPE, "t3.*", True, context={TYPE: "t3.large"}),
    cond("numericlessthanifexists-missing", IFEXISTS, "NumericLessThanIfExists", "s3:max-keys", "10", True),
    cond(
        "dateifexists-present-false",
        IFEXISTS,
        "DateLessThanIfExists",
        "aws:CurrentTime",
        "2020-01-01",
        False,
        context={"aws:CurrentTime": "2021-01-01"},
    ),
    cond("ipaddressifexists-missing", IFEXISTS, "IpAddressIfExists", "aws:SourceIp", "203.0.113.0/24", True),
    cond("arnlikeifexists-missing", IFEXISTS, "ArnLikeIfExists", "aws:SourceArn", "arn:aws:cloudtrail:*", True),
    Case(
        "deny-stringnotequalsifexists-missing-applies",
        IFEXISTS,
        "explicit_deny",
        "D",
        identity=[
            policy(
                allow("A"), deny("D", Action="s3:GetObject", Condition={"StringNotEqualsIfExists": {TYPE: "t3.micro"}})
            )
        ],
    ),
    # set operators on multivalued keys
    cond(
        "forallvalues-all-in-set",
        FORALL,
        "ForAllValues:StringEquals",
        TAGKEYS,
        ["env", "team"],
        True,
        context={TAGKEYS: ["env"]},
    ),
    cond(
        "forallvalues-one-outside",
        FORALL,
        "ForAllValues:StringEquals",
        TAGKEYS,
        ["env", "team"],
        False,
        context={TAGKEYS: ["env", "cost"]},
    ),
    cond("forallvalues-missing-key-true", FORALL, "ForAllValues:StringEquals", TAGKEYS, ["env"], True),
    cond(
        "forallvalues-empty-set-true",
        FORALL,
        "ForAllValues:StringEquals",
        TAGKEYS,
        ["env"],
        True,
        context={TAGKEYS: []},
    ),
    cond(
        "foranyvalue-one-matches",
        MULTI,
        "ForAnyValue:StringEquals",
        TAGKEYS,
        ["env"],
        True,
        context={TAGKEYS: ["cost", "env"]},
    ),
    cond(
        "foranyvalue-none-matches",
        MULTI,
        "ForAnyValue:StringEquals",
        TAGKEYS,
        ["env"],
        False,
        context={TAGKEYS: ["cost"]},
    ),
    cond("foranyvalue-missing-key-false", MULTI, "ForAnyValue:StringEquals", TAGKEYS, ["env"], False),
    cond(
        "foranyvalue-empty-set-false", MULTI, "ForAnyValue:StringEquals", TAGKEYS, ["env"], False, context={TAGKEYS: []}
    ),
    cond(
        "forallvalues-stringlike",
        FORALL,
        "ForAllValues:StringLike",
        TAGKEYS,
        ["team-*"],
        True,
        context={TAGKEYS: ["team-a", "team-b"]},
    ),
    cond(
        "foranyvalue-stringnotequals",
        MULTI,
        "ForAnyValue:StringNotEquals",
        TAGKEYS,
        ["env"],
        True,
        context={TAGKEYS: ["env", "cost"]},
    ),
    cond(
        "forallvalues-stringnotequals-one-listed",
        FORALL,
        "ForAllValues:StringNotEquals",
        TAGKEYS,
        ["secret"],
        False,
        context={TAGKEYS: ["env", "secret"]},
    ),
    cond(
        "forallvalues-ignorecase",
        FORALL,
        "ForAllValues:StringEqualsIgnoreCase",
        TAGKEYS,
        ["ENV"],
        True,
        context={TAGKEYS: ["env", "Env"]},
    ),
    cond("forallvalues-ifexists-missing", FORALL, "ForAllValues:StringEqualsIfExists", TAGKEYS, ["env"], True),
    # IfExists does not rescue ForAnyValue: with no value there is no value that matches (AWS re:Post
    # "ForAnyValue:StringEqualsIfExists behaving unexpectedly": the request is denied).
    cond("foranyvalue-ifexists-missing-false", MULTI, "ForAnyValue:StringEqualsIfExists", TAGKEYS, ["env"], False),
    cond(
        "forallvalues-notequals-ifexists-missing-true",
        FORALL,
        "ForAllValues:StringNotEqualsIfExists",
        TAGKEYS,
        ["secret"],
        True,
    ),
    cond(
        "stringnotequalsifexists-present-equal-false",
        IFEXISTS,
        "StringNotEqualsIfExists",
        TYPE,
        "t3.micro",
        False,
        context={TYPE: "t3.micro"},
    ),
    cond(
        "boolifexists-present-mismatch",
        IFEXISTS,
        "BoolIfExists",
        "aws:SecureTransport",
        "true",
        False,
        context={"aws:SecureTransport": "false"},
    ),
    cond(
        "plain-operator-on-multivalued-any-matches",
        MULTI,
        "StringEquals",
        TAGKEYS,
        ["env"],
        True,
        context={TAGKEYS: ["cost", "env"]},
    ),
    Case(
        "deny-foranyvalue-missing-key-not-applied",
        MULTI,
        "allow",
        "A",
        identity=[
            policy(
                allow("A"),
                deny("D", Action="s3:GetObject", Condition={"ForAnyValue:StringEquals": {TAGKEYS: "secret"}}),
            )
        ],
    ),
    Case(
        "allow-forallvalues-missing-key-grants",
        FORALL,
        "allow",
        "A",
        identity=[
            policy(allow("A", Action="s3:GetObject", Condition={"ForAllValues:StringEquals": {TAGKEYS: ["env"]}}))
        ],
    ),
]
