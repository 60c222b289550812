"""Deny/allow precedence, identity vs resource policies, same- vs cross-account, root, services."""

from iam_case_support import (
    ALICE,
    ANONYMOUS,
    BUCKET,
    CLOUDTRAIL,
    IDENTITY_ACCT,
    MEMBER_ACCT,
    MEMBER_USER,
    ROOT_MEMBER,
    Case,
    allow,
    deny,
    policy,
)

DENYALLOW = "reference_policies_evaluation-logic_policy-eval-denyallow.html"
BASICS = "reference_policies_evaluation-logic_policy-eval-basics.html"
INTERPLAY = "reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html"
CROSS = "reference_policies_evaluation-logic-cross-account.html"
GROUPS = "id_groups.html"
ROOT = "id_root-user.html"
SERVICES = "reference_policies_elements_principal.html#principal-services"

OBJ = f"{BUCKET}/data/a.csv"
READ = policy(allow("UserRead", Action="s3:GetObject"))
GROUP_DENY = policy(deny("GroupDeny", Action="s3:GetObject"))
BUCKET_TO_CAROL = policy(
    allow("BucketCarol", Principal={"AWS": MEMBER_USER.arn}, Action="s3:GetObject", Resource=f"{BUCKET}/*")
)
BUCKET_TO_IDENTITY = policy(
    allow("BucketIdentityAcct", Principal={"AWS": IDENTITY_ACCT}, Action="s3:GetObject", Resource=f"{BUCKET}/*")
)
BUCKET_DENY = policy(deny("BucketDeny", Principal="*", Action="s3:GetObject", Resource=f"{BUCKET}/*"))

CASES = [
    Case("no-policy-implicit-deny", INTERPLAY, "implicit_deny"),
    Case("identity-allow", BASICS, "allow", "UserRead", identity=[READ]),
    Case(
        "group-deny-beats-user-allow",
        DENYALLOW,
        "explicit_deny",
        "GroupDeny",
        identity=[READ, GROUP_DENY],
        reason="GroupDeny",
    ),
    Case(
        "deny-order-does-not-matter",
        DENYALLOW,
        "explicit_deny",
        "GroupDeny",
        identity=[GROUP_DENY, READ],
    ),
    Case(
        "deny-same-statement-list",
        INTERPLAY,
        "explicit_deny",
        "D",
        identity=[policy(allow("A"), deny("D", Action="s3:Get*"))],
    ),
    Case(
        "deny-condition-false-not-applied",
        DENYALLOW,
        "allow",
        "UserRead",
        identity=[READ, policy(deny("D", Condition={"Bool": {"aws:SecureTransport": "false"}}))],
        context={"aws:SecureTransport": "true"},
    ),
    Case(
        "allow-in-any-of-several-policies",
        BASICS,
        "allow",
        "UserRead",
        identity=[policy(allow("Other", Action="ec2:*")), READ],
    ),
    Case(
        "resource-policy-deny-overrides-identity-allow",
        DENYALLOW,
        "explicit_deny",
        "BucketDeny",
        identity=[READ],
        resource=BUCKET_DENY,
        arn=OBJ,
        resource_account=IDENTITY_ACCT,
    ),
    Case(
        "same-account-bucket-policy-alone-grants-user",
        BASICS,
        "allow",
        "BucketCarol",
        resource=BUCKET_TO_CAROL,
        principal=MEMBER_USER,
        arn=OBJ,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "same-account-identity-alone-with-unrelated-bucket-policy",
        BASICS,
        "allow",
        "UserRead",
        identity=[READ],
        resource=policy(
            allow(
                "Other",
                Principal={"AWS": "arn:aws:iam::222222222222:user/dave"},
                Action="s3:GetObject",
                Resource=f"{BUCKET}/*",
            )
        ),
        principal=MEMBER_USER,
        arn=OBJ,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "cross-account-identity-only-denied",
        CROSS,
        "implicit_deny",
        identity=[READ],
        resource=policy(
            allow(
                "Other",
                Principal={"AWS": "arn:aws:iam::333333333333:root"},
                Action="s3:GetObject",
                Resource=f"{BUCKET}/*",
            )
        ),
        arn=OBJ,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "cross-account-resource-only-denied",
        CROSS,
        "implicit_deny",
        resource=BUCKET_TO_IDENTITY,
        arn=OBJ,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "cross-account-both-allow",
        CROSS,
        "allow",
        "BucketIdentityAcct",
        identity=[READ],
        resource=BUCKET_TO_IDENTITY,
        arn=OBJ,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "cross-account-user-named-directly-still-needs-identity",
        CROSS,
        "implicit_deny",
        resource=policy(
            allow("BucketAlice", Principal={"AWS": ALICE.arn}, Action="s3:GetObject", Resource=f"{BUCKET}/*")
        ),
        arn=OBJ,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "cross-account-without-resource-policy",
        CROSS,
        "implicit_deny",
        identity=[READ],
        arn=OBJ,
        resource_account=MEMBER_ACCT,
        reason="no resource policy",
    ),
    Case(
        "cross-account-account-from-resource-arn",
        CROSS,
        "implicit_deny",
        identity=[policy(allow("A"))],
        action="sqs:SendMessage",
        arn=f"arn:aws:sqs:us-east-1:{MEMBER_ACCT}:queue",
    ),
    Case(
        "root-full-access-in-own-account",
        ROOT,
        "allow",
        principal=ROOT_MEMBER,
        arn=OBJ,
        resource_account=MEMBER_ACCT,
        reason="root user has full access",
    ),
    Case(
        "root-cross-account-needs-resource-policy",
        CROSS,
        "implicit_deny",
        principal=ROOT_MEMBER,
        arn=OBJ,
        resource_account=IDENTITY_ACCT,
    ),
    Case(
        "root-cross-account-granted-by-resource-policy",
        CROSS,
        "allow",
        "ToMember",
        resource=policy(
            allow("ToMember", Principal={"AWS": MEMBER_ACCT}, Action="s3:GetObject", Resource=f"{BUCKET}/*")
        ),
        principal=ROOT_MEMBER,
        arn=OBJ,
        resource_account=IDENTITY_ACCT,
    ),
    Case(
        "root-denied-by-resource-policy-deny",
        DENYALLOW,
        "explicit_deny",
        "BucketDeny",
        resource=BUCKET_DENY,
        principal=ROOT_MEMBER,
        arn=OBJ,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "root-cannot-assume-role",
        "id_roles_use_switch-role-api.html",
        "implicit_deny",
        resource=policy(allow("T", Principal={"AWS": MEMBER_ACCT}, Action="sts:AssumeRole")),
        trust=True,
        principal=ROOT_MEMBER,
        action="sts:AssumeRole",
        arn=f"arn:aws:iam::{MEMBER_ACCT}:role/Admin",
        reason="root user cannot assume roles",
    ),
    Case(
        "service-principal-decided-by-resource-policy-alone",
        SERVICES,
        "allow",
        "Svc",
        identity=[GROUP_DENY],
        resource=policy(
            allow(
                "Svc", Principal={"Service": "cloudtrail.amazonaws.com"}, Action="s3:GetObject", Resource=f"{BUCKET}/*"
            )
        ),
        principal=CLOUDTRAIL,
        arn=OBJ,
    ),
    Case(
        "service-principal-without-resource-policy",
        SERVICES,
        "implicit_deny",
        identity=[READ],
        principal=CLOUDTRAIL,
        arn=OBJ,
    ),
    Case(
        "anonymous-public-read",
        "reference_policies_elements_principal.html#principal-anonymous",
        "allow",
        "Public",
        resource=policy(allow("Public", Principal="*", Action="s3:GetObject", Resource=f"{BUCKET}/*")),
        principal=ANONYMOUS,
        arn=OBJ,
    ),
]
