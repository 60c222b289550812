"""Resource / NotResource matching: per-segment wildcards, case sensitivity."""

from iam_case_support import MEMBER_ACCT, MEMBER_USER, Case, allow, deny, policy

RES = "reference_policies_elements_resource.html"
RES_WILD = "reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards"
NOTRES = "reference_policies_elements_notresource.html"
OBJECT = "arn:aws:s3:::central-logs/AWSLogs/111111111111/file.json"


def get(resource: str | list[str], arn: str = OBJECT, *, action: str = "s3:GetObject", expect: str = "allow") -> dict:
    return {
        "identity": [policy(allow("R", Action=action, Resource=resource))],
        "arn": arn,
        "action": action,
        "expect": expect,
        "sid": "R" if expect == "allow" else None,
        "principal": MEMBER_USER,  # same account as the member-account resources
    }


CASES = [
    Case("exact-arn", RES, **get(OBJECT)),
    Case("star-resource", RES, **get("*")),
    Case("object-prefix-star-crosses-slash", RES_WILD, **get("arn:aws:s3:::central-logs/*")),
    Case("bucket-arn-does-not-cover-objects", RES, **get("arn:aws:s3:::central-logs", expect="implicit_deny")),
    Case("arn-case-sensitive-bucket", RES, **get("arn:aws:s3:::Central-Logs/*", expect="implicit_deny")),
    Case(
        "arn-case-sensitive-role-name",
        RES,
        **get(
            f"arn:aws:iam::{MEMBER_ACCT}:role/admin",
            f"arn:aws:iam::{MEMBER_ACCT}:role/Admin",
            action="sts:AssumeRole",
            expect="implicit_deny",
        ),
    ),
    Case(
        "role-path-wildcard",
        RES_WILD,
        **get(
            f"arn:aws:iam::{MEMBER_ACCT}:role/team/*",
            f"arn:aws:iam::{MEMBER_ACCT}:role/team/sub/Ops",
            action="sts:AssumeRole",
        ),
    ),
    Case(
        "account-segment-wildcard",
        RES_WILD,
        **get("arn:aws:iam::*:role/Admin", f"arn:aws:iam::{MEMBER_ACCT}:role/Admin", action="sts:AssumeRole"),
    ),
    Case(
        "account-mismatch",
        RES,
        **get(
            "arn:aws:iam::999999999999:role/Admin",
            f"arn:aws:iam::{MEMBER_ACCT}:role/Admin",
            action="sts:AssumeRole",
            expect="implicit_deny",
        ),
    ),
    Case(
        "region-wildcard",
        RES_WILD,
        **get(
            f"arn:aws:ec2:*:{MEMBER_ACCT}:instance/*",
            f"arn:aws:ec2:eu-west-1:{MEMBER_ACCT}:instance/i-0abc",
            action="ec2:StopInstances",
        ),
    ),
    Case(
        "resource-part-star-crosses-colon",
        RES_WILD,
        **get(
            f"arn:aws:logs:us-east-1:{MEMBER_ACCT}:log-group:app*",
            f"arn:aws:logs:us-east-1:{MEMBER_ACCT}:log-group:app-prod:log-stream:s1",
            action="logs:PutLogEvents",
        ),
    ),
    Case(
        "segment-star-does-not-cross-colon",
        RES_WILD,
        **get(
            "arn:aws:sqs:*:queue1",
            f"arn:aws:sqs:us-east-1:{MEMBER_ACCT}:queue1",
            action="sqs:SendMessage",
            expect="implicit_deny",
        ),
    ),
    Case(
        "question-mark-one-char",
        RES_WILD,
        **get("arn:aws:s3:::central-log?/*"),
    ),
    Case(
        "question-mark-not-zero-chars",
        RES_WILD,
        **get("arn:aws:s3:::central-logs?/*", expect="implicit_deny"),
    ),
    Case(
        "partition-mismatch",
        RES,
        **get("arn:aws-cn:s3:::central-logs/*", expect="implicit_deny"),
    ),
    Case(
        "resource-list-is-or",
        RES,
        **get(["arn:aws:s3:::other/*", "arn:aws:s3:::central-logs/AWSLogs/*"]),
    ),
    Case(
        "notresource-allow-grants-other-resources",
        NOTRES,
        "allow",
        "NR",
        identity=[policy(allow("NR", Action="s3:*", NotResource="arn:aws:s3:::secret/*"))],
    ),
    Case(
        "notaction-and-notresource-both-must-miss",
        NOTRES,
        "implicit_deny",
        identity=[policy(allow("NN", NotAction="iam:*", NotResource="arn:aws:s3:::central-logs/*"))],
    ),
    Case(
        "notaction-and-notresource-grant-elsewhere",
        NOTRES,
        "allow",
        "NN",
        identity=[policy(allow("NN", NotAction="iam:*", NotResource="arn:aws:s3:::secret/*"))],
    ),
    Case(
        "notresource-allow-excludes-listed",
        NOTRES,
        "implicit_deny",
        identity=[policy(allow("NR", Action="s3:*", NotResource="arn:aws:s3:::central-logs/*"))],
    ),
    Case(
        "notresource-deny-everything-but-listed",
        NOTRES,
        "explicit_deny",
        "DenyOthers",
        identity=[policy(allow("A"), deny("DenyOthers", Action="s3:*", NotResource="arn:aws:s3:::public/*"))],
    ),
    Case(
        "notresource-deny-spares-listed",
        NOTRES,
        "allow",
        "A",
        identity=[policy(allow("A"), deny("DenyOthers", Action="s3:*", NotResource="arn:aws:s3:::central-logs/*"))],
    ),
]
