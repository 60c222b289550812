"""Policy documents of the centralized identity model, as their authors would write them.

Each function returns a fresh ``dict`` in the element order AWS's own examples use, so a
document can be dropped into GAAD (decoded) or serialized into a bucket policy / SCP (text).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from analyzer.synth.ids import iam_arn, root_arn, s3_arn

Json = dict[str, Any]
VERSION = "2012-10-17"

# --------------------------------------------------------------------------- AWS-managed

#: ``arn:aws:iam::aws:policy/PowerUserAccess`` as published (v12, edited 2026-02-12).
POWER_USER_ACCESS_VERSION = "v12"
POWER_USER_ACCESS_ID = "ANPAJYRXTHIB4FOVS3ZXS"


def power_user_access() -> Json:
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "NotAction": ["iam:*", "organizations:*", "account:*"],
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": [
                    "account:GetAccountInformation",
                    "account:GetGovCloudAccountInformation",
                    "account:GetPrimaryEmail",
                    "account:ListRegions",
                    "iam:CreateServiceLinkedRole",
                    "iam:DeleteServiceLinkedRole",
                    "iam:ListRoles",
                    "organizations:DescribeEffectivePolicy",
                    "organizations:DescribeOrganization",
                ],
                "Resource": "*",
            },
        ],
    }


def full_aws_access_scp() -> Json:
    """The AWS-managed ``FullAWSAccess`` SCP."""
    return {"Version": VERSION, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


# --------------------------------------------------------------------------- identity policies


def assume_roles_policy(role_arns: Sequence[str], *, sid: str | None = None, single: bool = False) -> Json:
    """Allow ``sts:AssumeRole`` on the given roles; ``single`` writes ``Statement`` as one object
    (the form the seed procedure's ``MyCrossAccountPolicy`` uses)."""
    statement: Json = {} if sid is None else {"Sid": sid}
    statement.update({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": list(role_arns)})
    return {"Version": VERSION, "Statement": statement if single else [statement]}


#: Actions an IAM user needs to sign in without MFA and enrol a device (AWS's "force MFA" example).
SELF_SERVICE_WITHOUT_MFA: tuple[str, ...] = (
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:GetUser",
    "iam:GetMFADevice",
    "iam:ListMFADevices",
    "iam:ListVirtualMFADevices",
    "iam:ResyncMFADevice",
    "iam:ChangePassword",
    "iam:GetAccountPasswordPolicy",
    "sts:GetSessionToken",
)


def self_service_credentials_policy(account_id: str, partition: str = "aws") -> Json:
    """Let each user manage only their own password, access keys and MFA device.

    The resources are ``user/${aws:username}`` and ``mfa/${aws:username}`` of the account
    (the seed's version named the group ARN, which grants nothing on users).
    """
    own_user = iam_arn(account_id, "user", "${aws:username}", partition=partition)
    own_mfa = iam_arn(account_id, "mfa", "${aws:username}", partition=partition)
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "AllowViewAccountInfo",
                "Effect": "Allow",
                "Action": ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"],
                "Resource": "*",
            },
            {
                "Sid": "AllowManageOwnPasswordAndAccessKeys",
                "Effect": "Allow",
                "Action": [
                    "iam:ChangePassword",
                    "iam:GetUser",
                    "iam:CreateAccessKey",
                    "iam:DeleteAccessKey",
                    "iam:ListAccessKeys",
                    "iam:UpdateAccessKey",
                    "iam:GetAccessKeyLastUsed",
                ],
                "Resource": own_user,
            },
            {
                "Sid": "AllowManageOwnVirtualMFADevice",
                "Effect": "Allow",
                "Action": ["iam:CreateVirtualMFADevice", "iam:DeleteVirtualMFADevice"],
                "Resource": own_mfa,
            },
            {
                "Sid": "AllowManageOwnUserMFA",
                "Effect": "Allow",
                "Action": [
                    "iam:DeactivateMFADevice",
                    "iam:EnableMFADevice",
                    "iam:ListMFADevices",
                    "iam:ResyncMFADevice",
                ],
                "Resource": own_user,
            },
        ],
    }


def deny_without_mfa_policy() -> Json:
    """Deny everything except MFA self-service unless the caller signed in with MFA.

    ``BoolIfExists ... "false"`` also denies long-term access keys, for which the key is absent
    (IAMUG ``id_credentials_mfa_configure-api-require``).
    """
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "DenyAllExceptListedIfNoMFA",
                "Effect": "Deny",
                "NotAction": list(SELF_SERVICE_WITHOUT_MFA),
                "Resource": "*",
                "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
            }
        ],
    }


def allow_actions_policy(actions: Sequence[str], resources: Sequence[str] | str = "*", sid: str | None = None) -> Json:
    statement: Json = {} if sid is None else {"Sid": sid}
    statement.update(
        {
            "Effect": "Allow",
            "Action": list(actions),
            "Resource": resources if isinstance(resources, str) else list(resources),
        }
    )
    return {"Version": VERSION, "Statement": [statement]}


def deny_actions_scp(actions: Sequence[str], sid: str) -> Json:
    return {
        "Version": VERSION,
        "Statement": [{"Sid": sid, "Effect": "Deny", "Action": list(actions), "Resource": "*"}],
    }


# --------------------------------------------------------------------------- trust policies

#: How a cross-account trust policy treats MFA.
MFA_MODES = ("bool", "bool-if-exists", "age", "none")


def account_trust(trusted_account: str, *, mfa: str = "bool", max_mfa_age: int = 3600, partition: str = "aws") -> Json:
    """Trust ``arn:aws:iam::<trusted>:root`` for ``sts:AssumeRole``.

    ``mfa``: ``bool`` (``Bool aws:MultiFactorAuthPresent true``, the console's "Require MFA"
    before 2017 and the strict form), ``bool-if-exists`` (weak: long-term keys pass), ``age``
    (``NumericLessThan aws:MultiFactorAuthAge``) or ``none``.
    """
    conditions: dict[str, Json] = {
        "bool": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        "bool-if-exists": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}},
        "age": {"NumericLessThan": {"aws:MultiFactorAuthAge": str(max_mfa_age)}},
        "none": {},
    }
    if mfa not in conditions:
        raise ValueError(f"mfa must be one of {MFA_MODES}")
    statement: Json = {
        "Effect": "Allow",
        "Principal": {"AWS": root_arn(trusted_account, partition)},
        "Action": "sts:AssumeRole",
    }
    if conditions[mfa]:
        statement["Condition"] = conditions[mfa]
    return {"Version": VERSION, "Statement": [statement]}


def external_trust(principal: str, *, external_id: str | None = None) -> Json:
    """Trust an AWS principal (an account ARN, or ``"*"``) optionally behind ``sts:ExternalId``."""
    statement: Json = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if external_id is not None:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return {"Version": VERSION, "Statement": [statement]}


def service_trust(service: str) -> Json:
    """A service-linked role's trust: the service principal may call ``sts:AssumeRole``."""
    return {
        "Version": VERSION,
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }


def sso_trust(account_id: str, provider_name: str, partition: str = "aws") -> Json:
    """The trust IAM Identity Center writes on ``AWSReservedSSO_*`` roles (a SAML provider of the
    same account; MFA is enforced in Identity Center, not by a condition)."""
    audience = {
        "aws": "https://signin.aws.amazon.com/saml",
        "aws-us-gov": "https://signin.amazonaws-us-gov.com/saml",
        "aws-cn": "https://signin.amazonaws.cn/saml",
    }[partition]
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:{partition}:iam::{account_id}:saml-provider/{provider_name}"},
                "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                "Condition": {"StringEquals": {"SAML:aud": audience}},
            }
        ],
    }


# --------------------------------------------------------------------------- central log bucket


def central_log_bucket_policy(
    bucket: str,
    *,
    source_accounts: Sequence[str],
    cloudtrail_accounts: Sequence[str],
    config_accounts: Sequence[str],
    cloudtrail_prefix: str = "cloudtrail",
    config_prefix: str = "config",
    config_delivery_source_condition: bool = True,
    deny_insecure_transport: bool = True,
    partition: str = "aws",
) -> Json:
    """The bucket policy CloudTrail and AWS Config of every account deliver through.

    One statement per service and action (CTUG ``create-s3-bucket-policy-for-cloudtrail``,
    CFGUG ``s3-bucket-policy``): the ACL check, Config's existence check, and ``PutObject`` on
    ``<prefix>/AWSLogs/<acct>/*`` (CloudTrail) and ``<prefix>/AWSLogs/<acct>/Config/*``
    (Config) with ``s3:x-amz-acl = bucket-owner-full-control``; ``aws:SourceAccount`` guards
    each against the confused deputy unless ``config_delivery_source_condition`` is False.
    """
    bucket_arn = s3_arn(bucket, partition=partition)
    sources = {"StringEquals": {"aws:SourceAccount": list(source_accounts)}}
    owner_acl = {"s3:x-amz-acl": "bucket-owner-full-control"}

    def objects(keys: Sequence[str]) -> list[str]:
        return [s3_arn(bucket, key, partition) for key in keys]

    config_write_condition: Json = {"StringEquals": dict(owner_acl)}
    if config_delivery_source_condition:
        config_write_condition["StringEquals"]["aws:SourceAccount"] = list(source_accounts)
    statements: list[Json] = [
        {
            "Sid": "AWSCloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": bucket_arn,
            "Condition": sources,
        },
        {
            "Sid": "AWSCloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": objects([f"{cloudtrail_prefix}/AWSLogs/{a}/*" for a in cloudtrail_accounts]),
            "Condition": {"StringEquals": {**owner_acl, "aws:SourceAccount": list(source_accounts)}},
        },
        {
            "Sid": "AWSConfigBucketPermissionsCheck",
            "Effect": "Allow",
            "Principal": {"Service": "config.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": bucket_arn,
            "Condition": sources,
        },
        {
            "Sid": "AWSConfigBucketExistenceCheck",
            "Effect": "Allow",
            "Principal": {"Service": "config.amazonaws.com"},
            "Action": "s3:ListBucket",
            "Resource": bucket_arn,
            "Condition": sources,
        },
        {
            "Sid": "AWSConfigBucketDelivery",
            "Effect": "Allow",
            "Principal": {"Service": "config.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": objects([f"{config_prefix}/AWSLogs/{a}/Config/*" for a in config_accounts]),
            "Condition": config_write_condition,
        },
    ]
    if deny_insecure_transport:
        statements.append(
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket_arn, s3_arn(bucket, "*", partition)],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        )
    return {"Version": VERSION, "Statement": statements}
