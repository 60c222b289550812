"""Action / NotAction matching."""

from iam_case_support import Case, allow, deny, policy

ACTION = "reference_policies_elements_action.html"
NOTACTION = "reference_policies_elements_notaction.html"

CASES = [
    Case("exact-action", ACTION, "allow", "A", identity=[policy(allow("A", Action="s3:GetObject"))]),
    Case("other-action-not-granted", ACTION, "implicit_deny", identity=[policy(allow("A", Action="s3:PutObject"))]),
    Case(
        "action-case-insensitive-pattern",
        ACTION,
        "allow",
        "A",
        identity=[policy(allow("A", Action="S3:getobject"))],
    ),
    Case(
        "action-case-insensitive-request",
        ACTION,
        "allow",
        "A",
        identity=[policy(allow("A", Action="s3:GetObject"))],
        action="S3:GETOBJECT",
    ),
    Case("action-star-suffix", ACTION, "allow", "A", identity=[policy(allow("A", Action="s3:Get*"))]),
    Case("action-star-suffix-miss", ACTION, "implicit_deny", identity=[policy(allow("A", Action="s3:List*"))]),
    Case("action-star-infix", ACTION, "allow", "A", identity=[policy(allow("A", Action="s3:*Object"))]),
    Case(
        "action-question-mark",
        ACTION,
        "allow",
        "A",
        identity=[policy(allow("A", Action="iam:?etUser"))],
        action="iam:GetUser",
    ),
    Case(
        "action-question-mark-one-char-only",
        ACTION,
        "implicit_deny",
        identity=[policy(allow("A", Action="iam:?User"))],
        action="iam:GetUser",
    ),
    Case("action-all", ACTION, "allow", "A", identity=[policy(allow("A", Action="*"))]),
    Case(
        "action-list-is-or",
        ACTION,
        "allow",
        "A",
        identity=[policy(allow("A", Action=["ec2:RunInstances", "s3:GetObject"]))],
    ),
    Case(
        "action-other-service-same-name",
        ACTION,
        "implicit_deny",
        identity=[policy(allow("A", Action="s3express:GetObject"))],
    ),
    Case(
        "action-wildcard-service",
        ACTION,
        "allow",
        "A",
        identity=[policy(allow("A", Action="s3*:GetObject"))],
    ),
    Case(
        "notaction-allow-grants-everything-else",
        NOTACTION,
        "allow",
        "NA",
        identity=[policy(allow("NA", NotAction="iam:*"))],
    ),
    Case(
        "notaction-allow-excludes-listed",
        NOTACTION,
        "implicit_deny",
        identity=[policy(allow("NA", NotAction="iam:*"))],
        action="iam:CreateUser",
    ),
    Case(
        "notaction-allow-excludes-case-insensitively",
        NOTACTION,
        "implicit_deny",
        identity=[policy(allow("NA", NotAction="IAM:*"))],
        action="iam:CreateUser",
    ),
    Case(
        "notaction-deny-denies-everything-else",
        NOTACTION,
        "explicit_deny",
        "DenyAllButIam",
        identity=[policy(allow("A"), deny("DenyAllButIam", NotAction="iam:*"))],
    ),
    Case(
        "notaction-deny-spares-listed",
        NOTACTION,
        "allow",
        "A",
        identity=[policy(allow("A"), deny("DenyAllButIam", NotAction="iam:*"))],
        action="iam:ListUsers",
    ),
]
