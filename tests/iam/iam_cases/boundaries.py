"""Permissions boundaries cap identity-policy grants (and some resource-policy grants)."""

from iam_case_support import BUCKET, DEV_ROLE, MEMBER_ACCT, MEMBER_USER, Case, allow, deny, policy

BOUND = "access_policies_boundaries.html"
BOUND_EVAL = "access_policies_boundaries.html#access_policies_boundaries-eval-logic"

OBJ = f"{BUCKET}/data/a.csv"
READ = policy(allow("IdentityRead", Action="s3:GetObject"))
S3_ONLY = policy(allow("BoundaryS3", Action="s3:*"))
EC2_ONLY = policy(allow("BoundaryEc2", Action="ec2:*"))
SESSION_ARN = f"arn:aws:sts::{MEMBER_ACCT}:assumed-role/Developer/alice"


def bucket_to(principal_arn: str) -> dict:
    return policy(allow("BucketGrant", Principal={"AWS": principal_arn}, Action="s3:GetObject", Resource=f"{BUCKET}/*"))


CASES = [
    Case("boundary-allows", BOUND, "allow", "BoundaryS3", identity=[READ], boundary=S3_ONLY),
    Case("boundary-and-identity-both-named", BOUND, "allow", "IdentityRead", identity=[READ], boundary=S3_ONLY),
    Case("boundary-caps-identity-allow", BOUND, "implicit_deny", identity=[READ], boundary=EC2_ONLY, reason="boundary"),
    Case("boundary-does-not-grant", BOUND, "implicit_deny", boundary=S3_ONLY),
    Case(
        "boundary-deny-is-explicit",
        BOUND_EVAL,
        "explicit_deny",
        "BoundaryDeny",
        identity=[READ],
        boundary=policy(allow("BoundaryAll"), deny("BoundaryDeny", Action="s3:GetObject")),
    ),
    Case(
        "same-account-resource-grant-to-user-arn-not-capped",
        BOUND_EVAL,
        "allow",
        "BucketGrant",
        boundary=EC2_ONLY,
        resource=bucket_to(MEMBER_USER.arn),
        principal=MEMBER_USER,
        arn=OBJ,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "same-account-resource-grant-to-role-arn-capped",
        BOUND_EVAL,
        "implicit_deny",
        boundary=EC2_ONLY,
        resource=bucket_to(DEV_ROLE.arn),
        principal=DEV_ROLE,
        arn=OBJ,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "same-account-resource-grant-to-role-arn-within-boundary",
        BOUND_EVAL,
        "allow",
        "BucketGrant",
        boundary=S3_ONLY,
        resource=bucket_to(DEV_ROLE.arn),
        principal=DEV_ROLE,
        arn=OBJ,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "same-account-resource-grant-to-session-arn-not-capped",
        BOUND_EVAL,
        "allow",
        "BucketGrant",
        boundary=EC2_ONLY,
        resource=bucket_to(SESSION_ARN),
        principal=DEV_ROLE,
        arn=OBJ,
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "cross-account-boundary-caps",
        BOUND_EVAL,
        "implicit_deny",
        identity=[READ],
        boundary=EC2_ONLY,
        resource=bucket_to(MEMBER_USER.arn),
        principal=MEMBER_USER,
        arn=OBJ,
        resource_account="333333333333",
    ),
    Case(
        "boundary-caps-cross-account-assume-role",
        BOUND,
        "implicit_deny",
        identity=[policy(allow("CanAssume", Action="sts:AssumeRole"))],
        boundary=S3_ONLY,
        resource=policy(allow("Trust", Principal={"AWS": "111111111111"}, Action="sts:AssumeRole")),
        trust=True,
        action="sts:AssumeRole",
        arn=f"arn:aws:iam::{MEMBER_ACCT}:role/Admin",
    ),
]
