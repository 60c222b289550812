"""Principal matching in resource and trust policies."""

from iam_case_support import (
    ADMIN_ROLE_ARN,
    ALICE,
    ANONYMOUS,
    BUCKET,
    CLOUDTRAIL,
    DEV_ROLE,
    IDENTITY_ACCT,
    MEMBER_ACCT,
    MEMBER_USER,
    OTHER_ACCT,
    Case,
    allow,
    policy,
)

from analyzer.iam import Principal

PRINCIPAL = "reference_policies_elements_principal.html"
ACCOUNTS = "reference_policies_elements_principal.html#principal-accounts"
USERS = "reference_policies_elements_principal.html#principal-users"
ROLES = "reference_policies_elements_principal.html#principal-roles"
SESSIONS = "reference_policies_elements_principal.html#sts-session-principals"
SERVICES = "reference_policies_elements_principal.html#principal-services"
ANON = "reference_policies_elements_principal.html#principal-anonymous"
FEDERATED = "reference_policies_elements_principal.html#principal-federated-web-identity"
CANONICAL = "reference_policies_elements_principal.html#principal-canonical-users"

MEMBER_OBJECT = f"{BUCKET}/shared/report.csv"
ASSUME = "sts:AssumeRole"


def bucket(principal: object, sid: str = "P") -> dict:
    return policy(allow(sid, Principal=principal, Action="s3:GetObject", Resource=f"{BUCKET}/*"))


def trust(principal: object, sid: str = "T") -> dict:
    return policy(allow(sid, Principal=principal, Action=ASSUME))


CARL_ROLE = Principal.role(f"arn:aws:iam::{MEMBER_ACCT}:role/Developer", session_name="carl")
DEV_ROLE_NO_SESSION = Principal.role(f"arn:aws:iam::{MEMBER_ACCT}:role/Developer")
SAML = Principal.federated(f"arn:aws:iam::{MEMBER_ACCT}:saml-provider/Okta")
CANONICAL_ID = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
CANONICAL_CALLER = Principal("anonymous-canonical", "anonymous", canonical_user=CANONICAL_ID)

CASES = [
    Case(
        "same-account-bucket-names-user-arn-alone",
        USERS,
        "allow",
        "P",
        resource=bucket({"AWS": MEMBER_USER.arn}),
        principal=MEMBER_USER,
        arn=MEMBER_OBJECT,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "user-arn-is-case-sensitive",
        USERS,
        "implicit_deny",
        resource=bucket({"AWS": f"arn:aws:iam::{MEMBER_ACCT}:user/Carol"}),
        principal=MEMBER_USER,
        arn=MEMBER_OBJECT,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "user-arn-with-path-must-include-path",
        USERS,
        "implicit_deny",
        resource=bucket({"AWS": f"arn:aws:iam::{IDENTITY_ACCT}:user/bob"}),
        principal=Principal.user(f"arn:aws:iam::{IDENTITY_ACCT}:user/engineering/bob"),
        arn=MEMBER_OBJECT,
        resource_account=IDENTITY_ACCT,
    ),
    Case(
        "user-arn-with-path-matches",
        USERS,
        "allow",
        "P",
        resource=bucket({"AWS": f"arn:aws:iam::{IDENTITY_ACCT}:user/engineering/bob"}),
        principal=Principal.user(f"arn:aws:iam::{IDENTITY_ACCT}:user/engineering/bob"),
        arn=MEMBER_OBJECT,
        resource_account=IDENTITY_ACCT,
    ),
    Case(
        "same-account-bucket-names-account-needs-identity",
        ACCOUNTS,
        "implicit_deny",
        resource=bucket({"AWS": MEMBER_ACCT}),
        principal=MEMBER_USER,
        arn=MEMBER_OBJECT,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "same-account-bucket-names-account-plus-identity",
        ACCOUNTS,
        "allow",
        "I",
        identity=[policy(allow("I", Action="s3:GetObject"))],
        resource=bucket({"AWS": f"arn:aws:iam::{MEMBER_ACCT}:root"}),
        principal=MEMBER_USER,
        arn=MEMBER_OBJECT,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "bare-account-id-equals-root-arn-cross-account",
        ACCOUNTS,
        "allow",
        "P",
        identity=[policy(allow("I", Action="s3:GetObject"))],
        resource=bucket({"AWS": IDENTITY_ACCT}),
        arn=MEMBER_OBJECT,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "other-account-not-matched",
        ACCOUNTS,
        "implicit_deny",
        identity=[policy(allow("I", Action="s3:GetObject"))],
        resource=bucket({"AWS": f"arn:aws:iam::{OTHER_ACCT}:root"}),
        arn=MEMBER_OBJECT,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "aws-list-is-or",
        PRINCIPAL,
        "allow",
        "P",
        identity=[policy(allow("I", Action="s3:GetObject"))],
        resource=bucket({"AWS": [f"arn:aws:iam::{OTHER_ACCT}:root", ALICE.arn]}),
        arn=MEMBER_OBJECT,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "star-matches-any-principal",
        PRINCIPAL,
        "allow",
        "P",
        identity=[policy(allow("I", Action="s3:GetObject"))],
        resource=bucket("*"),
        arn=MEMBER_OBJECT,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "aws-star-matches-anonymous",
        ANON,
        "allow",
        "P",
        resource=bucket({"AWS": "*"}),
        principal=ANONYMOUS,
        arn=MEMBER_OBJECT,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "account-principal-does-not-match-anonymous",
        ANON,
        "implicit_deny",
        resource=bucket({"AWS": MEMBER_ACCT}),
        principal=ANONYMOUS,
        arn=MEMBER_OBJECT,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "role-arn-principal-matches-its-session",
        ROLES,
        "allow",
        "T",
        resource=trust({"AWS": DEV_ROLE.arn}),
        trust=True,
        principal=DEV_ROLE,
        action=ASSUME,
        arn=ADMIN_ROLE_ARN,
    ),
    Case(
        "role-arn-principal-matches-unknown-session",
        ROLES,
        "allow",
        "T",
        resource=trust({"AWS": DEV_ROLE.arn}),
        trust=True,
        principal=DEV_ROLE_NO_SESSION,
        action=ASSUME,
        arn=ADMIN_ROLE_ARN,
    ),
    Case(
        "session-arn-principal-matches-that-session",
        SESSIONS,
        "allow",
        "T",
        resource=trust({"AWS": f"arn:aws:sts::{MEMBER_ACCT}:assumed-role/Developer/alice"}),
        trust=True,
        principal=DEV_ROLE,
        action=ASSUME,
        arn=ADMIN_ROLE_ARN,
    ),
    Case(
        "session-arn-principal-not-other-session",
        SESSIONS,
        "implicit_deny",
        resource=trust({"AWS": f"arn:aws:sts::{MEMBER_ACCT}:assumed-role/Developer/alice"}),
        trust=True,
        principal=CARL_ROLE,
        action=ASSUME,
        arn=ADMIN_ROLE_ARN,
    ),
    Case(
        "service-principal",
        SERVICES,
        "allow",
        "P",
        resource=bucket({"Service": "cloudtrail.amazonaws.com"}),
        principal=CLOUDTRAIL,
        arn=MEMBER_OBJECT,
    ),
    Case(
        "service-principal-list",
        SERVICES,
        "allow",
        "P",
        resource=bucket({"Service": ["config.amazonaws.com", "cloudtrail.amazonaws.com"]}),
        principal=CLOUDTRAIL,
        arn=MEMBER_OBJECT,
    ),
    Case(
        "service-principal-other-service",
        SERVICES,
        "implicit_deny",
        resource=bucket({"Service": "config.amazonaws.com"}),
        principal=CLOUDTRAIL,
        arn=MEMBER_OBJECT,
    ),
    Case(
        "aws-principal-does-not-match-service",
        SERVICES,
        "implicit_deny",
        resource=bucket({"AWS": MEMBER_ACCT}),
        principal=CLOUDTRAIL,
        arn=MEMBER_OBJECT,
    ),
    Case(
        "federated-saml-provider",
        FEDERATED,
        "allow",
        "T",
        resource=policy(allow("T", Principal={"Federated": SAML.arn}, Action="sts:AssumeRoleWithSAML")),
        trust=True,
        principal=SAML,
        action="sts:AssumeRoleWithSAML",
        arn=ADMIN_ROLE_ARN,
    ),
    Case(
        "federated-other-provider",
        FEDERATED,
        "implicit_deny",
        resource=policy(allow("T", Principal={"Federated": "accounts.google.com"}, Action="sts:AssumeRoleWithSAML")),
        trust=True,
        principal=SAML,
        action="sts:AssumeRoleWithSAML",
        arn=ADMIN_ROLE_ARN,
    ),
    Case(
        "canonical-user",
        CANONICAL,
        "allow",
        "P",
        resource=bucket({"CanonicalUser": CANONICAL_ID}),
        principal=CANONICAL_CALLER,
        arn=MEMBER_OBJECT,
    ),
    Case(
        "deleted-principal-unique-id-matches-nobody",
        ROLES,
        "implicit_deny",
        identity=[policy(allow("I", Action=ASSUME))],
        resource=trust({"AWS": "AIDAJQABLZS4A3QDU576Q"}),
        trust=True,
        action=ASSUME,
        arn=ADMIN_ROLE_ARN,
    ),
]
