"""Build a small organization with planted defects in a moto server, using boto3 like an operator would.

Accounts: the management account (moto's default 123456789012, the caller), an Identity account
with the people (users, groups, MFA, password policy) and the central log bucket, and four
members. What is planted, and what the analysis must find:

- Development, Production: a role trusting the Identity account with ``Bool aws:MultiFactorAuthPresent
  true`` (IDN-002 passes), a trail with log file validation (LOG-003 passes), Config recording.
- Test: a role trusting the Identity account without any MFA condition (IDN-002 fails); its trail
  has no log file validation (LOG-003 fails); no Config.
- Staging: a stray IAM user with a password and an access key (IDN-001 fails).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3

MANAGEMENT = "123456789012"  # moto's account for the default credentials
REGION = "us-east-1"
MEMBER_NAMES = ("Development", "Test", "Staging", "Production")


@dataclass(frozen=True)
class BuiltOrg:
    management: str
    identity: str
    members: dict[str, str]  # name -> account id
    bucket: str
    mfa_role_arns: tuple[str, ...]
    no_mfa_role_arn: str
    stray_user_arn: str
    unvalidated_trail_arn: str

    @property
    def all_accounts(self) -> list[str]:
        return sorted({self.management, self.identity, *self.members.values()})


def _session_in(account: str) -> boto3.Session:
    if account == MANAGEMENT:
        return boto3.Session(region_name=REGION)
    credentials = boto3.client("sts", region_name=REGION).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="builder"
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=REGION,
    )


def _trust(identity: str, mfa: bool) -> str:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{identity}:root"},
        "Action": "sts:AssumeRole",
    }
    if mfa:
        statement["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _bucket_policy(bucket: str, accounts: list[str]) -> str:
    trail_objects = [f"arn:aws:s3:::{bucket}/cloudtrail/AWSLogs/{a}/*" for a in accounts]
    config_objects = [f"arn:aws:s3:::{bucket}/config/AWSLogs/{a}/Config/*" for a in accounts]
    owner_full_control = {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AWSCloudTrailAclCheck",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:GetBucketAcl",
                    "Resource": f"arn:aws:s3:::{bucket}",
                },
                {
                    "Sid": "AWSCloudTrailWrite",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": trail_objects,
                    "Condition": owner_full_control,
                },
                {
                    "Sid": "AWSConfigBucketPermissionsCheck",
                    "Effect": "Allow",
                    "Principal": {"Service": "config.amazonaws.com"},
                    "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
                    "Resource": f"arn:aws:s3:::{bucket}",
                    "Condition": {"StringEquals": {"AWS:SourceAccount": accounts}},
                },
                {
                    "Sid": "AWSConfigBucketDelivery",
                    "Effect": "Allow",
                    "Principal": {"Service": "config.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": config_objects,
                    "Condition": {
                        "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "AWS:SourceAccount": accounts}
                    },
                },
            ],
        }
    )


def _people(iam: Any, identity: str) -> None:
    iam.update_account_password_policy(
        MinimumPasswordLength=14,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        AllowUsersToChangePassword=True,
        MaxPasswordAge=90,
        PasswordReusePrevention=24,
    )
    iam.create_group(GroupName="Staff")
    assume = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/*-Admin-Role"}],
    }
    iam.put_group_policy(GroupName="Staff", PolicyName="AssumeAdminRoles", PolicyDocument=json.dumps(assume))
    for user in ("alice", "bob"):
        iam.create_user(UserName=user)
        iam.add_user_to_group(GroupName="Staff", UserName=user)
        iam.create_login_profile(UserName=user, Password="Correct-Horse-Battery-9", PasswordResetRequired=False)
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=user)["VirtualMFADevice"]["SerialNumber"]
        iam.enable_mfa_device(
            UserName=user, SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321"
        )


def _trail(session: boto3.Session, name: str, bucket: str, validation: bool) -> str:
    trails = session.client("cloudtrail")
    arn = trails.create_trail(
        Name=name,
        S3BucketName=bucket,
        S3KeyPrefix="cloudtrail",
        IsMultiRegionTrail=True,
        IncludeGlobalServiceEvents=True,
        EnableLogFileValidation=validation,
    )["TrailARN"]
    trails.put_event_selectors(
        TrailName=name, EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}]
    )
    trails.start_logging(Name=name)
    return str(arn)


def _config(session: boto3.Session, account: str, bucket: str) -> None:
    config = session.client("config")
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket, "s3KeyPrefix": "config"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")


def build_org() -> BuiltOrg:
    org = boto3.client("organizations", region_name=REGION)
    org.create_organization(FeatureSet="ALL")
    ids: dict[str, str] = {}
    for name in ("Identity", *MEMBER_NAMES):
        email = f"{name.lower()}@example.com"
        ids[name] = org.create_account(AccountName=name, Email=email)["CreateAccountStatus"]["AccountId"]
    root = org.list_roots()["Roots"][0]["Id"]
    deny_leave = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}],
    }
    policy = org.create_policy(
        Content=json.dumps(deny_leave), Description="Members stay", Name="DenyLeave", Type="SERVICE_CONTROL_POLICY"
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=policy, TargetId=root)

    identity = ids["Identity"]
    accounts = [MANAGEMENT, *ids.values()]
    bucket = f"central-logs-{identity}"
    identity_session = _session_in(identity)
    s3 = identity_session.client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=_bucket_policy(bucket, accounts))
    _people(identity_session.client("iam"), identity)
    _trail(identity_session, "identity-trail", bucket, validation=True)
    _config(identity_session, identity, bucket)
    _trail(_session_in(MANAGEMENT), "management-trail", bucket, validation=True)
    _config(_session_in(MANAGEMENT), MANAGEMENT, bucket)

    mfa_roles: list[str] = []
    no_mfa_role = stray_user = unvalidated = ""
    for name in MEMBER_NAMES:
        account = ids[name]
        session = _session_in(account)
        iam = session.client("iam")
        short = {"Development": "Dev", "Test": "Test", "Staging": "Stage", "Production": "Prod"}[name]
        mfa = name != "Test"
        role = iam.create_role(RoleName=f"{short}-Admin-Role", AssumeRolePolicyDocument=_trust(identity, mfa))
        iam.attach_role_policy(RoleName=f"{short}-Admin-Role", PolicyArn="arn:aws:iam::aws:policy/PowerUserAccess")
        if mfa:
            mfa_roles.append(role["Role"]["Arn"])
        else:
            no_mfa_role = role["Role"]["Arn"]
        if name == "Staging":
            stray_user = iam.create_user(UserName="contractor")["User"]["Arn"]
            iam.create_login_profile(UserName="contractor", Password="Correct-Horse-Battery-9")
            iam.create_access_key(UserName="contractor")
        trail = _trail(session, f"{short.lower()}-trail", bucket, validation=name != "Test")
        if name == "Test":
            unvalidated = trail
        else:
            _config(session, account, bucket)
    return BuiltOrg(
        management=MANAGEMENT,
        identity=identity,
        members={name: ids[name] for name in MEMBER_NAMES},
        bucket=bucket,
        mfa_role_arns=tuple(mfa_roles),
        no_mfa_role_arn=no_mfa_role,
        stray_user_arn=stray_user,
        unvalidated_trail_arn=unvalidated,
    )
