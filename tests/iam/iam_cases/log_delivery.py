"""CloudTrail and Config writing to a central bucket as service principals.

Bucket policies follow the CloudTrail User Guide (create-s3-bucket-policy-for-cloudtrail) and
the AWS Config Developer Guide (s3-bucket-policy).
"""

from iam_case_support import BUCKET, CLOUDTRAIL, CONFIG, Case, allow, deny, policy

from analyzer.iam import Principal

CT = "cloudtrail:create-s3-bucket-policy-for-cloudtrail.html"
CT_ORG = "cloudtrail:create-s3-bucket-policy-for-cloudtrail.html#org-trail-bucket-policy"
CFG = "config:s3-bucket-policy.html"
TLS = "s3:security-best-practices.html#transit"

LOG_ACCT = "444444444444"
DEV = "555555555555"
PROD = "666666666666"
TRAIL = f"arn:aws:cloudtrail:us-east-1:{DEV}:trail/main"
ORG = "o-exampleorgid"

CT_POLICY = policy(
    allow(
        "AWSCloudTrailAclCheck20150319",
        Principal={"Service": "cloudtrail.amazonaws.com"},
        Action="s3:GetBucketAcl",
        Resource=BUCKET,
        Condition={"StringEquals": {"aws:SourceArn": TRAIL}},
    ),
    allow(
        "AWSCloudTrailWrite20150319",
        Principal={"Service": ["cloudtrail.amazonaws.com"]},
        Action="s3:PutObject",
        Resource=[f"{BUCKET}/AWSLogs/{DEV}/*", f"{BUCKET}/AWSLogs/{ORG}/*"],
        Condition={"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL}},
    ),
    deny(
        "DenyInsecureTransport",
        Principal="*",
        Action="s3:*",
        Resource=[BUCKET, f"{BUCKET}/*"],
        Condition={"Bool": {"aws:SecureTransport": "false"}},
    ),
)

CFG_POLICY = policy(
    allow(
        "AWSConfigBucketPermissionsCheck",
        Principal={"Service": "config.amazonaws.com"},
        Action="s3:GetBucketAcl",
        Resource=BUCKET,
        Condition={"StringEquals": {"AWS:SourceAccount": [DEV, PROD]}},
    ),
    allow(
        "AWSConfigBucketExistenceCheck",
        Principal={"Service": "config.amazonaws.com"},
        Action="s3:ListBucket",
        Resource=BUCKET,
        Condition={"StringEquals": {"AWS:SourceAccount": [DEV, PROD]}},
    ),
    allow(
        "AWSConfigBucketDelivery",
        Principal={"Service": "config.amazonaws.com"},
        Action="s3:PutObject",
        Resource=[f"{BUCKET}/AWSLogs/{DEV}/Config/*", f"{BUCKET}/AWSLogs/{PROD}/Config/*"],
        Condition={"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "AWS:SourceAccount": [DEV, PROD]}},
    ),
)

CT_WRITE = {"aws:SourceArn": TRAIL, "s3:x-amz-acl": "bucket-owner-full-control", "aws:SecureTransport": "true"}


def ct(case_id: str, doc: str, expect: str, sid: str | None, action: str, arn: str, ctx: dict, **extra: object) -> Case:
    return Case(
        case_id,
        doc,
        expect,  # type: ignore[arg-type]
        sid,
        resource=CT_POLICY,
        principal=extra.pop("principal", CLOUDTRAIL),  # type: ignore[arg-type]
        action=action,
        arn=arn,
        context=ctx,
        resource_account=LOG_ACCT,
        **extra,  # type: ignore[arg-type]
    )


def cfg(case_id: str, expect: str, sid: str | None, action: str, arn: str, ctx: dict, **extra: object) -> Case:
    return Case(
        case_id,
        CFG,
        expect,  # type: ignore[arg-type]
        sid,
        resource=CFG_POLICY,
        principal=extra.pop("principal", CONFIG),  # type: ignore[arg-type]
        action=action,
        arn=arn,
        context=ctx,
        resource_account=LOG_ACCT,
        **extra,  # type: ignore[arg-type]
    )


DEV_OBJ = f"{BUCKET}/AWSLogs/{DEV}/CloudTrail/us-east-1/2024/01/01/f.json.gz"
CFG_OBJ = f"{BUCKET}/AWSLogs/{DEV}/Config/us-east-1/2024/1/1/ConfigHistory/f.json.gz"

CASES = [
    ct(
        "cloudtrail-acl-check",
        CT,
        "allow",
        "AWSCloudTrailAclCheck20150319",
        "s3:GetBucketAcl",
        BUCKET,
        {"aws:SourceArn": TRAIL},
    ),
    ct("cloudtrail-write", CT, "allow", "AWSCloudTrailWrite20150319", "s3:PutObject", DEV_OBJ, CT_WRITE),
    ct(
        "cloudtrail-write-without-acl-header",
        CT,
        "implicit_deny",
        None,
        "s3:PutObject",
        DEV_OBJ,
        {"aws:SourceArn": TRAIL, "aws:SecureTransport": "true"},
    ),
    ct(
        "cloudtrail-write-wrong-acl",
        CT,
        "implicit_deny",
        None,
        "s3:PutObject",
        DEV_OBJ,
        {**CT_WRITE, "s3:x-amz-acl": "private"},
    ),
    ct(
        "cloudtrail-write-other-account-prefix",
        CT,
        "implicit_deny",
        None,
        "s3:PutObject",
        f"{BUCKET}/AWSLogs/{PROD}/CloudTrail/f.json.gz",
        CT_WRITE,
    ),
    ct(
        "cloudtrail-write-other-trail",
        CT,
        "implicit_deny",
        None,
        "s3:PutObject",
        DEV_OBJ,
        {**CT_WRITE, "aws:SourceArn": f"arn:aws:cloudtrail:us-east-1:{PROD}:trail/main"},
    ),
    ct(
        "cloudtrail-org-trail-prefix",
        CT_ORG,
        "allow",
        "AWSCloudTrailWrite20150319",
        "s3:PutObject",
        f"{BUCKET}/AWSLogs/{ORG}/{PROD}/CloudTrail/f.json.gz",
        CT_WRITE,
    ),
    ct(
        "cloudtrail-source-arn-unknown-is-conditional",
        CT,
        "allow",
        "AWSCloudTrailWrite20150319",
        "s3:PutObject",
        DEV_OBJ,
        {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SecureTransport": "true"},
        default="unknown",
        conditional=True,
    ),
    ct(
        "bucket-denies-insecure-transport",
        TLS,
        "explicit_deny",
        "DenyInsecureTransport",
        "s3:PutObject",
        DEV_OBJ,
        {**CT_WRITE, "aws:SecureTransport": "false"},
    ),
    ct(
        "config-principal-not-cloudtrail-statements",
        CT,
        "implicit_deny",
        None,
        "s3:PutObject",
        DEV_OBJ,
        CT_WRITE,
        principal=CONFIG,
    ),
    ct(
        "legacy-account-principal-not-service",
        CT,
        "implicit_deny",
        None,
        "s3:PutObject",
        DEV_OBJ,
        CT_WRITE,
        principal=Principal.root("086441151436"),
    ),
    cfg(
        "config-acl-check",
        "allow",
        "AWSConfigBucketPermissionsCheck",
        "s3:GetBucketAcl",
        BUCKET,
        {"aws:SourceAccount": DEV},
    ),
    cfg(
        "config-existence-check",
        "allow",
        "AWSConfigBucketExistenceCheck",
        "s3:ListBucket",
        BUCKET,
        {"aws:SourceAccount": PROD},
    ),
    cfg(
        "config-delivery",
        "allow",
        "AWSConfigBucketDelivery",
        "s3:PutObject",
        CFG_OBJ,
        {"aws:SourceAccount": DEV, "s3:x-amz-acl": "bucket-owner-full-control"},
    ),
    cfg(
        "config-delivery-unlisted-account",
        "implicit_deny",
        None,
        "s3:PutObject",
        f"{BUCKET}/AWSLogs/777777777777/Config/f.json.gz",
        {"aws:SourceAccount": "777777777777", "s3:x-amz-acl": "bucket-owner-full-control"},
    ),
    cfg(
        # The documented policy lists accounts and prefixes independently: it does not bind an
        # account to its own AWSLogs/<acct>/ prefix, so a listed account may write the other's.
        "config-delivery-listed-account-to-other-listed-prefix",
        "allow",
        "AWSConfigBucketDelivery",
        "s3:PutObject",
        CFG_OBJ,
        {"aws:SourceAccount": PROD, "s3:x-amz-acl": "bucket-owner-full-control"},
    ),
    cfg(
        "config-delivery-outside-config-prefix",
        "implicit_deny",
        None,
        "s3:PutObject",
        f"{BUCKET}/AWSLogs/{DEV}/CloudTrail/f.json.gz",
        {"aws:SourceAccount": DEV, "s3:x-amz-acl": "bucket-owner-full-control"},
    ),
    cfg(
        "config-source-account-key-case-insensitive",
        "allow",
        "AWSConfigBucketPermissionsCheck",
        "s3:GetBucketAcl",
        BUCKET,
        {"aws:sourceaccount": DEV},
    ),
    cfg(
        "config-cloudtrail-principal-rejected",
        "implicit_deny",
        None,
        "s3:GetBucketAcl",
        BUCKET,
        {"aws:SourceAccount": DEV},
        principal=CLOUDTRAIL,
    ),
]
