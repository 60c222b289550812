"""String condition operators, key-name case, AND/OR structure."""

from iam_case_support import Case, allow, policy

from iam_cases._cond import cond

OPS = "reference_policies_elements_condition_operators.html"
STR = "reference_policies_elements_condition_operators.html#Conditions_String"
COND = "reference_policies_elements_condition.html"
LOGIC = "reference_policies_condition-logic-multiple-context-keys-or-values.html"

TEAM = "aws:RequestTag/team"

MANY = [f"team-{n:03d}" for n in range(300)]  # a long value list: looked up in a set, decided the same

CASES = [
    cond("stringequals-match", STR, "StringEquals", TEAM, "blue", True, context={TEAM: "blue"}),
    cond("stringequals-many-values-listed", LOGIC, "StringEquals", TEAM, MANY, True, context={TEAM: "team-299"}),
    cond("stringequals-many-values-unlisted", LOGIC, "StringEquals", TEAM, MANY, False, context={TEAM: "team-300"}),
    cond("stringnotequals-many-values-listed", LOGIC, "StringNotEquals", TEAM, MANY, False, context={TEAM: "team-007"}),
    cond(
        "stringequalsignorecase-many-values",
        STR,
        "StringEqualsIgnoreCase",
        TEAM,
        MANY,
        True,
        context={TEAM: "TEAM-042"},
    ),
    cond(
        "stringlike-literal-and-wildcard-values",
        STR,
        "StringLike",
        TEAM,
        ["red", "blue-*"],
        True,
        context={TEAM: "blue-2"},
    ),
    cond(
        "stringlike-escaped-star-is-literal",
        "reference_policies_variables.html#policy-vars-specialchars",
        "StringLike",
        TEAM,
        "blue${*}",
        False,
        context={TEAM: "blue-2"},
    ),
    cond(
        "stringlike-escaped-star-matches-a-star",
        "reference_policies_variables.html#policy-vars-specialchars",
        "StringLike",
        TEAM,
        "blue${*}",
        True,
        context={TEAM: "blue*"},
    ),
    cond("stringequals-mismatch", STR, "StringEquals", TEAM, "blue", False, context={TEAM: "red"}),
    cond("stringequals-case-sensitive-value", STR, "StringEquals", TEAM, "blue", False, context={TEAM: "Blue"}),
    cond("stringequals-star-is-literal", STR, "StringEquals", TEAM, "b*", False, context={TEAM: "blue"}),
    cond("stringequals-missing-key-false", STR, "StringEquals", TEAM, "blue", False),
    cond("stringequals-values-or", STR, "StringEquals", TEAM, ["red", "blue"], True, context={TEAM: "blue"}),
    cond("stringnotequals-present-other", STR, "StringNotEquals", TEAM, "red", True, context={TEAM: "blue"}),
    cond("stringnotequals-present-equal", STR, "StringNotEquals", TEAM, "blue", False, context={TEAM: "blue"}),
    cond("stringnotequals-missing-key-true", OPS, "StringNotEquals", TEAM, "blue", True),
    cond(
        "stringnotequals-values-none-match",
        STR,
        "StringNotEquals",
        TEAM,
        ["red", "green"],
        True,
        context={TEAM: "blue"},
    ),
    cond(
        "stringnotequals-values-one-matches",
        STR,
        "StringNotEquals",
        TEAM,
        ["red", "blue"],
        False,
        context={TEAM: "blue"},
    ),
    cond("stringequalsignorecase-match", STR, "StringEqualsIgnoreCase", TEAM, "BLUE", True, context={TEAM: "blue"}),
    cond("stringnotequalsignorecase", STR, "StringNotEqualsIgnoreCase", TEAM, "BLUE", False, context={TEAM: "Blue"}),
    cond("stringnotequalsignorecase-missing-true", OPS, "StringNotEqualsIgnoreCase", TEAM, "BLUE", True),
    cond(
        "stringlike-star",
        STR,
        "StringLike",
        "s3:prefix",
        "home/alice/*",
        True,
        context={"s3:prefix": "home/alice/docs/a"},
    ),
    cond("stringlike-question", STR, "StringLike", "s3:prefix", "v?", True, context={"s3:prefix": "v2"}),
    cond("stringlike-case-sensitive", STR, "StringLike", "s3:prefix", "Home/*", False, context={"s3:prefix": "home/x"}),
    cond("stringlike-missing-false", STR, "StringLike", "s3:prefix", "*", False),
    cond(
        "stringnotlike-present-match",
        STR,
        "StringNotLike",
        "s3:prefix",
        "secret/*",
        False,
        context={"s3:prefix": "secret/a"},
    ),
    cond("stringnotlike-missing-true", OPS, "StringNotLike", "s3:prefix", "secret/*", True),
    cond(
        "key-name-case-insensitive",
        COND,
        "StringEquals",
        "AWS:REQUESTTAG/TEAM",
        "blue",
        True,
        context={"aws:requesttag/team": "blue"},
    ),
    cond("operator-name-lower-case", STR, "stringequals", TEAM, "blue", True, context={TEAM: "blue"}),
    Case(
        "two-keys-one-operator-and",
        LOGIC,
        "implicit_deny",
        identity=[
            policy(
                allow(
                    "C", Action="s3:GetObject", Condition={"StringEquals": {TEAM: "blue", "aws:RequestTag/env": "prod"}}
                )
            )
        ],
        context={TEAM: "blue", "aws:RequestTag/env": "dev"},
    ),
    Case(
        "two-operators-and",
        LOGIC,
        "allow",
        "C",
        identity=[
            policy(
                allow(
                    "C",
                    Action="s3:GetObject",
                    Condition={"StringEquals": {TEAM: "blue"}, "StringLike": {"s3:prefix": "home/*"}},
                )
            )
        ],
        context={TEAM: "blue", "s3:prefix": "home/a"},
    ),
    cond(
        "unknown-operator-never-grants",
        OPS,
        "StringEqualsSometimes",
        TEAM,
        "blue",
        False,
        context={TEAM: "blue"},
        problem="unsupported condition operator",
    ),
]
