"""The closed set of evidence kinds and the scope each one is exported at."""

from __future__ import annotations

import enum


class Scope(enum.StrEnum):
    BUNDLE = "bundle"  # manifest
    ORGANIZATION = "organization"  # organization/...
    ACCOUNT = "account"  # <account>/iam/..., <account>/ec2/...
    REGION = "region"  # <account>/<region>/...
    TRAIL = "trail"  # <account>/<region>/cloudtrail/get-trail-status/<trail>.json
    BUCKET = "bucket"  # <account>/s3/<bucket>/...
    POLICY = "policy"  # organization/policies/<id>.json
    OBJECT = "object"  # one object of the central bucket (AWSLogs/[<org>/]<account>/CloudTrail/<region>/...,
    # AWSLogs/<account>/Config/<region>/...), or one saved answer of a Config query (named by its file)


class Kind(enum.StrEnum):
    """Evidence kinds; the value is also the schema's file stem under ``schemas/``."""

    MANIFEST = "manifest"
    ORG_DESCRIBE = "organizations-describe-organization"
    ORG_ACCOUNTS = "organizations-list-accounts"
    ORG_ROOTS = "organizations-list-roots"
    ORG_POLICY = "organizations-describe-policy"
    ORG_TARGETS = "organizations-list-targets-for-policy"
    IAM_AUTH_DETAILS = "iam-get-account-authorization-details"
    IAM_PASSWORD_POLICY = "iam-get-account-password-policy"
    IAM_SUMMARY = "iam-get-account-summary"
    IAM_VIRTUAL_MFA = "iam-list-virtual-mfa-devices"
    IAM_CREDENTIAL_REPORT = "iam-get-credential-report"
    IAM_ORG_FEATURES = "iam-list-organizations-features"
    EC2_REGIONS = "ec2-describe-regions"
    TRAILS = "cloudtrail-describe-trails"
    TRAIL_STATUS = "cloudtrail-get-trail-status"
    TRAIL_SELECTORS = "cloudtrail-get-event-selectors"
    CONFIG_RECORDERS = "config-describe-configuration-recorders"
    CONFIG_RECORDER_STATUS = "config-describe-configuration-recorder-status"
    CONFIG_CHANNELS = "config-describe-delivery-channels"
    CONFIG_CHANNEL_STATUS = "config-describe-delivery-channel-status"
    S3_BUCKET_POLICY = "s3-get-bucket-policy"
    # Activity evidence (the central bucket's CloudTrail objects and the calls that describe them);
    # read by analyzer.activity, not by the model readers.
    CT_LOG_FILE = "cloudtrail-log-file"
    CT_DIGEST_FILE = "cloudtrail-digest-file"
    S3_HEAD_OBJECT = "s3-head-object"
    CT_PUBLIC_KEYS = "cloudtrail-list-public-keys"
    CT_LOOKUP_EVENTS = "cloudtrail-lookup-events"
    S3_LIST_OBJECTS = "s3-list-objects-v2"
    # AWS Config's configuration items: delivered files (the central bucket's Config objects) and the
    # API's answers; read into the model's entities by analyzer.evidence.config_resolve.
    CONFIG_SNAPSHOT_FILE = "config-snapshot-file"
    CONFIG_HISTORY_FILE = "config-history-file"
    CONFIG_RESOURCE_HISTORY = "config-get-resource-config-history"
    CONFIG_BATCH_GET = "config-batch-get-resource-config"
    CONFIG_SELECT = "config-select-resource-config"
    CONFIG_SELECT_AGGREGATE = "config-select-aggregate-resource-config"


SCOPE: dict[Kind, Scope] = {
    Kind.MANIFEST: Scope.BUNDLE,
    Kind.ORG_DESCRIBE: Scope.ORGANIZATION,
    Kind.ORG_ACCOUNTS: Scope.ORGANIZATION,
    Kind.ORG_ROOTS: Scope.ORGANIZATION,
    Kind.ORG_POLICY: Scope.POLICY,
    Kind.ORG_TARGETS: Scope.POLICY,
    Kind.IAM_AUTH_DETAILS: Scope.ACCOUNT,
    Kind.IAM_PASSWORD_POLICY: Scope.ACCOUNT,
    Kind.IAM_SUMMARY: Scope.ACCOUNT,
    Kind.IAM_VIRTUAL_MFA: Scope.ACCOUNT,
    Kind.IAM_CREDENTIAL_REPORT: Scope.ACCOUNT,
    Kind.IAM_ORG_FEATURES: Scope.ACCOUNT,
    Kind.EC2_REGIONS: Scope.ACCOUNT,
    Kind.TRAILS: Scope.REGION,
    Kind.TRAIL_STATUS: Scope.TRAIL,
    Kind.TRAIL_SELECTORS: Scope.TRAIL,
    Kind.CONFIG_RECORDERS: Scope.REGION,
    Kind.CONFIG_RECORDER_STATUS: Scope.REGION,
    Kind.CONFIG_CHANNELS: Scope.REGION,
    Kind.CONFIG_CHANNEL_STATUS: Scope.REGION,
    Kind.S3_BUCKET_POLICY: Scope.BUCKET,
    Kind.CT_LOG_FILE: Scope.OBJECT,
    Kind.CT_DIGEST_FILE: Scope.OBJECT,
    Kind.S3_HEAD_OBJECT: Scope.OBJECT,
    Kind.CT_PUBLIC_KEYS: Scope.REGION,
    Kind.CT_LOOKUP_EVENTS: Scope.REGION,
    Kind.S3_LIST_OBJECTS: Scope.BUCKET,
    Kind.CONFIG_SNAPSHOT_FILE: Scope.OBJECT,
    Kind.CONFIG_HISTORY_FILE: Scope.OBJECT,
    Kind.CONFIG_RESOURCE_HISTORY: Scope.OBJECT,
    Kind.CONFIG_BATCH_GET: Scope.OBJECT,
    Kind.CONFIG_SELECT: Scope.OBJECT,
    Kind.CONFIG_SELECT_AGGREGATE: Scope.OBJECT,
}

#: Configuration items of AWS Config: delivered files and API answers (one reader, two naming forms).
CONFIG_ITEM_KINDS: frozenset[Kind] = frozenset(
    {
        Kind.CONFIG_SNAPSHOT_FILE,
        Kind.CONFIG_HISTORY_FILE,
        Kind.CONFIG_RESOURCE_HISTORY,
        Kind.CONFIG_BATCH_GET,
        Kind.CONFIG_SELECT,
        Kind.CONFIG_SELECT_AGGREGATE,
    }
)

#: The activity kinds (analyzer.activity reads them; the model readers add nothing for them).
ACTIVITY_KINDS: frozenset[Kind] = frozenset(
    {
        Kind.CT_LOG_FILE,
        Kind.CT_DIGEST_FILE,
        Kind.S3_HEAD_OBJECT,
        Kind.CT_PUBLIC_KEYS,
        Kind.CT_LOOKUP_EVENTS,
        Kind.S3_LIST_OBJECTS,
    }
)

#: Account-level kinds every account of an organization is expected to have.
REQUIRED_ACCOUNT_KINDS: tuple[Kind, ...] = (
    Kind.IAM_AUTH_DETAILS,
    Kind.IAM_PASSWORD_POLICY,
    Kind.IAM_SUMMARY,
    Kind.IAM_CREDENTIAL_REPORT,
)

#: Region-level kinds expected in every enabled region of every account.
REQUIRED_REGION_KINDS: tuple[Kind, ...] = (
    Kind.TRAILS,
    Kind.CONFIG_RECORDERS,
    Kind.CONFIG_RECORDER_STATUS,
    Kind.CONFIG_CHANNELS,
)
