"""Policy variables in Resource and Condition, escapes, defaults, Version."""

from iam_case_support import ALICE, DEV_ROLE, IDENTITY_ACCT, Case, allow, policy

from iam_cases._cond import cond

VARS = "reference_policies_variables.html"
WHERE = "reference_policies_variables.html#policy-vars-wheretouse"
INFO = "reference_policies_variables.html#policy-vars-infotouse"
SPECIAL = "reference_policies_variables.html#policy-vars-specialchars"
DEFAULT = "reference_policies_variables.html#policy-vars-default-values"
VERSION = "reference_policies_elements_version.html"
TAGS = "reference_policies_variables.html#policy-vars-tags"

HOME = "arn:aws:s3:::home-bucket/${aws:username}/*"


def home(
    case_id: str,
    doc: str,
    resource: str,
    arn: str,
    expect_allowed: bool,
    *,
    version: str | None = "2012-10-17",
    **extra: object,
) -> Case:
    identity = extra.pop("identity", [policy(allow("H", Action="s3:GetObject", Resource=resource), version=version)])
    return Case(
        case_id,
        doc,
        "allow" if expect_allowed else "implicit_deny",
        "H" if expect_allowed else None,
        identity=identity,  # type: ignore[arg-type]
        arn=arn,
        **extra,  # type: ignore[arg-type]
    )


CASES = [
    home("username-in-resource", VARS, HOME, "arn:aws:s3:::home-bucket/alice/notes.txt", True),
    home("username-other-folder", VARS, HOME, "arn:aws:s3:::home-bucket/bob/notes.txt", False),
    home(
        "username-unresolved-for-role",
        INFO,
        HOME,
        "arn:aws:s3:::home-bucket/Developer/notes.txt",
        False,
        principal=DEV_ROLE,
    ),
    home(
        "username-unresolved-never-matches-literally",
        INFO,
        HOME,
        "arn:aws:s3:::home-bucket/${aws:username}/x",
        False,
        principal=DEV_ROLE,
    ),
    home(
        "version-2008-variable-is-literal",
        VERSION,
        HOME,
        "arn:aws:s3:::home-bucket/alice/notes.txt",
        False,
        version="2008-10-17",
    ),
    home(
        "version-2008-literal-text-matches",
        VERSION,
        HOME,
        "arn:aws:s3:::home-bucket/${aws:username}/n",
        True,
        version="2008-10-17",
    ),
    home(
        "no-version-variable-is-literal", VERSION, HOME, "arn:aws:s3:::home-bucket/alice/notes.txt", False, version=None
    ),
    home(
        "principal-tag-in-resource",
        TAGS,
        "arn:aws:s3:::team-${aws:PrincipalTag/team}/*",
        "arn:aws:s3:::team-blue/a",
        True,
    ),
    home(
        "principal-tag-missing-unresolved",
        TAGS,
        "arn:aws:s3:::team-${aws:PrincipalTag/cost}/*",
        "arn:aws:s3:::team-/a",
        False,
    ),
    home(
        "default-value-used",
        DEFAULT,
        "arn:aws:s3:::team-${aws:PrincipalTag/cost, 'shared'}/*",
        "arn:aws:s3:::team-shared/a",
        True,
    ),
    home(
        "default-value-not-used-when-present",
        DEFAULT,
        "arn:aws:s3:::team-${aws:PrincipalTag/team, 'shared'}/*",
        "arn:aws:s3:::team-shared/a",
        False,
    ),
    home("escape-star-is-literal", SPECIAL, "arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*", True),
    home("escape-star-not-wildcard", SPECIAL, "arn:aws:s3:::b/${*}", "arn:aws:s3:::b/anything", False),
    home("escape-question-literal", SPECIAL, "arn:aws:s3:::b/q${?}", "arn:aws:s3:::b/qx", False),
    home("escape-dollar", SPECIAL, "arn:aws:s3:::b/${$}x", "arn:aws:s3:::b/$x", True),
    home(
        "substituted-value-is-literal",
        VARS,
        "arn:aws:s3:::home-bucket/${aws:username}",
        "arn:aws:s3:::home-bucket/alice",
        True,
    ),
    home(
        "principal-account-in-resource",
        INFO,
        "arn:aws:iam::${aws:PrincipalAccount}:role/*",
        f"arn:aws:iam::{IDENTITY_ACCT}:role/x",
        True,
    ),
    home(
        "unresolved-in-notresource-makes-statement-invalid",
        VARS,
        "unused",
        "arn:aws:s3:::home-bucket/x",
        False,
        identity=[policy(allow("H", Action="s3:GetObject", NotResource="arn:aws:s3:::p/${aws:username}/*"))],
        principal=DEV_ROLE,
    ),
    cond(
        "variable-in-condition",
        WHERE,
        "StringLike",
        "s3:prefix",
        "home/${aws:username}/*",
        True,
        context={"s3:prefix": "home/alice/a"},
    ),
    cond(
        "variable-in-condition-mismatch",
        WHERE,
        "StringLike",
        "s3:prefix",
        "home/${aws:username}/*",
        False,
        context={"s3:prefix": "home/bob/a"},
    ),
    cond(
        "unresolved-variable-in-negated-operator-invalid",
        INFO,
        "StringNotEquals",
        "s3:prefix",
        "${aws:PrincipalTag/cost}",
        False,
        context={"s3:prefix": "x"},
    ),
    cond(
        "userid-variable",
        INFO,
        "StringEquals",
        "s3:prefix",
        "${aws:userid}",
        True,
        context={"s3:prefix": ALICE.unique_id or ""},
    ),
    cond(
        "variables-not-substituted-in-numeric",
        WHERE,
        "NumericEquals",
        "s3:max-keys",
        "${aws:PrincipalTag/limit}",
        False,
        context={"s3:max-keys": "5", "aws:PrincipalTag/limit": "5"},
        problem="invalid value",
    ),
    cond(
        "variable-with-version-2008-in-condition",
        VERSION,
        "StringEquals",
        "s3:prefix",
        "${aws:username}",
        True,
        version="2008-10-17",
        context={"s3:prefix": "${aws:username}"},
    ),
]
