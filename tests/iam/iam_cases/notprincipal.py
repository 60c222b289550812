"""NotPrincipal with Allow and with Deny."""

from iam_case_support import (
    ALICE,
    ANONYMOUS,
    BUCKET,
    DEV_ROLE,
    IDENTITY_ACCT,
    MEMBER_ACCT,
    Case,
    allow,
    deny,
    policy,
)

from analyzer.iam import Principal

NOTP = "reference_policies_elements_notprincipal.html"
NOTP_ALLOW = "reference_policies_elements_notprincipal.html#specifying-notprincipal-allow"
NOTP_DENY = "reference_policies_elements_notprincipal.html#specifying-notprincipal"
BOUNDARY = "access_policies_boundaries.html"

OBJ = f"{BUCKET}/reports/q1.csv"
GET = {"Action": "s3:GetObject", "Resource": f"{BUCKET}/*"}
ALICE_ACCT = f"arn:aws:iam::{IDENTITY_ACCT}:root"
ROLE_ACCT = f"arn:aws:iam::{MEMBER_ACCT}:root"
OTHER_SESSION = Principal.role(DEV_ROLE.arn, session_name="carl")
READ_ALL = policy(allow("Read", Action="s3:GetObject"))

CASES = [
    Case(
        "allow-notprincipal-grants-everyone-else",
        NOTP_ALLOW,
        "allow",
        "Everyone",
        resource=policy(allow("Everyone", NotPrincipal={"AWS": f"arn:aws:iam::{MEMBER_ACCT}:user/mallory"}, **GET)),
        principal=ANONYMOUS,
        arn=OBJ,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "allow-notprincipal-excludes-listed-user",
        NOTP_ALLOW,
        "implicit_deny",
        resource=policy(allow("Everyone", NotPrincipal={"AWS": ALICE.arn}, **GET)),
        arn=OBJ,
        resource_account=IDENTITY_ACCT,
    ),
    Case(
        "allow-notprincipal-excluding-account-excludes-its-users",
        NOTP_ALLOW,
        "implicit_deny",
        resource=policy(allow("Everyone", NotPrincipal={"AWS": ALICE_ACCT}, **GET)),
        arn=OBJ,
        resource_account=IDENTITY_ACCT,
    ),
    Case(
        "deny-notprincipal-denies-everyone-else",
        NOTP_DENY,
        "explicit_deny",
        "OnlyBob",
        identity=[READ_ALL],
        resource=policy(
            deny("OnlyBob", NotPrincipal={"AWS": [f"arn:aws:iam::{IDENTITY_ACCT}:user/bob", ALICE_ACCT]}, **GET)
        ),
        arn=OBJ,
        resource_account=IDENTITY_ACCT,
    ),
    Case(
        "deny-notprincipal-user-and-account-listed-escapes",
        NOTP_DENY,
        "allow",
        "Read",
        identity=[READ_ALL],
        resource=policy(deny("OnlyAlice", NotPrincipal={"AWS": [ALICE.arn, ALICE_ACCT]}, **GET)),
        arn=OBJ,
        resource_account=IDENTITY_ACCT,
    ),
    Case(
        "deny-notprincipal-without-account-arn-still-denies",
        NOTP_DENY,
        "explicit_deny",
        "OnlyAlice",
        identity=[READ_ALL],
        resource=policy(deny("OnlyAlice", NotPrincipal={"AWS": [ALICE.arn]}, **GET)),
        arn=OBJ,
        resource_account=IDENTITY_ACCT,
    ),
    Case(
        "deny-notprincipal-role-and-account-listed-escapes",
        NOTP_DENY,
        "allow",
        "Read",
        identity=[READ_ALL],
        resource=policy(deny("OnlyDev", NotPrincipal={"AWS": [DEV_ROLE.arn, ROLE_ACCT]}, **GET)),
        principal=DEV_ROLE,
        arn=OBJ,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "deny-notprincipal-listed-session-only-spares-that-session",
        NOTP_DENY,
        "explicit_deny",
        "OnlyAuditSession",
        identity=[READ_ALL],
        resource=policy(
            deny(
                "OnlyAuditSession",
                NotPrincipal={
                    "AWS": [f"arn:aws:sts::{MEMBER_ACCT}:assumed-role/Developer/alice", DEV_ROLE.arn, ROLE_ACCT]
                },
                **GET,
            )
        ),
        principal=OTHER_SESSION,
        arn=OBJ,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "deny-notprincipal-listed-session-escapes",
        NOTP_DENY,
        "allow",
        "Read",
        identity=[READ_ALL],
        resource=policy(
            deny(
                "OnlyAuditSession",
                NotPrincipal={
                    "AWS": [f"arn:aws:sts::{MEMBER_ACCT}:assumed-role/Developer/alice", DEV_ROLE.arn, ROLE_ACCT]
                },
                **GET,
            )
        ),
        principal=DEV_ROLE,
        arn=OBJ,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "deny-notprincipal-always-denies-principal-with-boundary",
        BOUNDARY,
        "explicit_deny",
        "OnlyAlice",
        identity=[READ_ALL],
        boundary=READ_ALL,
        resource=policy(deny("OnlyAlice", NotPrincipal={"AWS": [ALICE.arn, ALICE_ACCT]}, **GET)),
        arn=OBJ,
        resource_account=IDENTITY_ACCT,
    ),
    Case(
        "deny-notprincipal-anonymous-never-escapes",
        NOTP_DENY,
        "explicit_deny",
        "OnlyAlice",
        resource=policy(
            allow("Public", Principal="*", **GET),
            deny("OnlyAlice", NotPrincipal={"AWS": [ALICE.arn, ALICE_ACCT]}, **GET),
        ),
        principal=ANONYMOUS,
        arn=OBJ,
        resource_account=IDENTITY_ACCT,
    ),
]
