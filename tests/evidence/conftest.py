"""A tiny bundle builder and AWS-CLI-shaped documents for the loader tests.

Shapes follow AWS CLI v2 output (iso8601 timestamps, IAM documents decoded into objects, the
credential report as base64, bucket policies and SCP content as JSON text). Each factory returns
a fresh dict so a test can mutate it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import tarfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

IDENTITY = "111111111111"
DEV = "222222222222"
MGMT = "333333333333"
REGION = "us-east-1"
OTHER_REGION = "eu-west-1"
BUCKET = "central-logs-111111111111"
TS = "2026-03-02T09:14:51+00:00"

MFA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{IDENTITY}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    ],
}
ASSUME_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{DEV}:role/Dev-Admin"}],
}


# --------------------------------------------------------------------------- IAM


def user(account: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "Path": "/",
        "UserName": name,
        "UserId": f"AIDA{name.upper():0<16}"[:20],
        "Arn": f"arn:aws:iam::{account}:user/{name}",
        "CreateDate": TS,
        "UserPolicyList": [],
        "GroupList": [],
        "AttachedManagedPolicies": [],
        **extra,
    }


def group(account: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "Path": "/",
        "GroupName": name,
        "GroupId": f"AGPA{name.upper():0<16}"[:20],
        "Arn": f"arn:aws:iam::{account}:group/{name}",
        "CreateDate": TS,
        "GroupPolicyList": [],
        "AttachedManagedPolicies": [],
        **extra,
    }


def role(account: str, name: str, trust: Any = None, **extra: Any) -> dict[str, Any]:
    return {
        "Path": "/",
        "RoleName": name,
        "RoleId": f"AROA{name.upper():0<16}"[:20],
        "Arn": f"arn:aws:iam::{account}:role/{name}",
        "CreateDate": TS,
        "AssumeRolePolicyDocument": MFA_TRUST if trust is None else trust,
        "InstanceProfileList": [],
        "RolePolicyList": [],
        "AttachedManagedPolicies": [],
        "RoleLastUsed": {},
        **extra,
    }


def managed_policy(account: str, name: str, document: Any, *, versions: int = 1) -> dict[str, Any]:
    """A customer-managed policy; with ``versions`` > 1 the last one is the default."""
    listed = [
        {
            "Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
            if v < versions
            else document,
            "VersionId": f"v{v}",
            "IsDefaultVersion": v == versions,
            "CreateDate": TS,
        }
        for v in range(1, versions + 1)
    ]
    return {
        "PolicyName": name,
        "PolicyId": f"ANPA{name.upper():0<16}"[:20],
        "Arn": f"arn:aws:iam::{account}:policy/{name}",
        "Path": "/",
        "DefaultVersionId": f"v{versions}",
        "AttachmentCount": 1,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "CreateDate": TS,
        "UpdateDate": TS,
        "PolicyVersionList": listed,
    }


def gaad(
    account: str,
    *,
    users: Iterable[dict[str, Any]] = (),
    groups: Iterable[dict[str, Any]] = (),
    roles: Iterable[dict[str, Any]] = (),
    policies: Iterable[dict[str, Any]] = (),
) -> dict[str, Any]:
    return {
        # The users of :func:`report_csv`: the two sources agree, as AWS's own exports do.
        "UserDetailList": list(users) or [user(account, "alice", GroupList=["Staff"]), user(account, "ops,bot")],
        "GroupDetailList": list(groups) or [group(account, "Staff")],
        "RoleDetailList": list(roles) or [role(account, "Admin")],
        "Policies": list(policies),
    }


def password_policy(**overrides: Any) -> dict[str, Any]:
    policy = {
        "MinimumPasswordLength": 14,
        "RequireSymbols": True,
        "RequireNumbers": True,
        "RequireUppercaseCharacters": True,
        "RequireLowercaseCharacters": True,
        "AllowUsersToChangePassword": True,
        "ExpirePasswords": True,
        "MaxPasswordAge": 90,
        "PasswordReusePrevention": 24,
        "HardExpiry": False,
    }
    policy.update(overrides)
    return {"PasswordPolicy": policy}


def account_summary(**overrides: int) -> dict[str, Any]:
    summary = {"Users": 2, "Roles": 1, "AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0, "MFADevices": 1}
    summary.update(overrides)
    return {"SummaryMap": summary}


def mfa_devices(account: str) -> dict[str, Any]:
    return {
        "VirtualMFADevices": [
            {
                "SerialNumber": f"arn:aws:iam::{account}:mfa/root-account-mfa-device",
                "User": {"Arn": f"arn:aws:iam::{account}:root", "UserId": account, "CreateDate": TS},
                "EnableDate": TS,
            },
            {
                "SerialNumber": f"arn:aws:iam::{account}:mfa/alice",
                "User": {"Path": "/", "UserName": "alice", "Arn": f"arn:aws:iam::{account}:user/alice"},
                "EnableDate": "2026-03-02 09:20:00+00:00",
            },
        ]
    }


REPORT_HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
    "cert_2_active,cert_2_last_rotated"
)


def report_csv(account: str) -> str:
    """Root (not_supported password, MFA), alice (password, MFA, one active key), and a user whose
    name has a comma, with an inactive key that was rotated and upper-case booleans."""
    root = (
        f"<root_account>,arn:aws:iam::{account}:root,2019-03-04T10:21:35+00:00,not_supported,"
        "2024-01-15T09:12:44+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,"
        "false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
    )
    alice = (
        f"alice,arn:aws:iam::{account}:user/alice,2021-04-12T08:15:02+00:00,true,no_information,"
        "2024-02-01T08:00:00+00:00,2024-05-01T08:00:00+00:00,true,true,2024-02-01T08:05:00+00:00,"
        "2024-05-02T13:00:00+00:00,eu-west-1,sts,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
    )
    odd = (
        f'"ops,bot","arn:aws:iam::{account}:user/ops,bot",2022-01-01T00:00:00+00:00,FALSE,N/A,N/A,N/A,'
        "FALSE,FALSE,2023-01-01T00:00:00+00:00,N/A,N/A,N/A,FALSE,N/A,N/A,N/A,N/A,FALSE,N/A,FALSE,N/A"
    )
    return "\n".join((REPORT_HEADER, root, alice, odd)) + "\n"


def credential_report(account: str, csv_text: str | None = None) -> dict[str, Any]:
    text = report_csv(account) if csv_text is None else csv_text
    return {
        "Content": base64.b64encode(text.encode()).decode(),
        "ReportFormat": "text/csv",
        "GeneratedTime": "2026-03-02T08:00:00+00:00",
    }


def regions(*names: str) -> dict[str, Any]:
    return {
        "Regions": [
            {"Endpoint": f"ec2.{n}.amazonaws.com", "RegionName": n, "OptInStatus": "opt-in-not-required"} for n in names
        ]
    }


# --------------------------------------------------------------------------- Organizations, S3


def describe_organization() -> dict[str, Any]:
    return {
        "Organization": {
            "Id": "o-abcdefghij",
            "Arn": f"arn:aws:organizations::{MGMT}:organization/o-abcdefghij",
            "FeatureSet": "ALL",
            "MasterAccountArn": f"arn:aws:organizations::{MGMT}:account/o-abcdefghij/{MGMT}",
            "MasterAccountId": MGMT,
            "MasterAccountEmail": "mgmt@example.com",
        }
    }


def list_accounts(*accounts: str) -> dict[str, Any]:
    return {
        "Accounts": [
            {
                "Id": a,
                "Arn": f"arn:aws:organizations::{MGMT}:account/o-abcdefghij/{a}",
                "Email": f"{a}@example.com",
                "Name": f"acct-{a[:3]}",
                "Status": "ACTIVE",
                "JoinedMethod": "CREATED",
                "JoinedTimestamp": 1614592800.5,
            }
            for a in accounts
        ]
    }


def scp(policy_id: str, content: str, *, name: str = "DenyLeave") -> dict[str, Any]:
    return {
        "Policy": {
            "PolicySummary": {
                "Id": policy_id,
                "Arn": f"arn:aws:organizations::{MGMT}:policy/o-abcdefghij/service_control_policy/{policy_id}",
                "Name": name,
                "Description": "",
                "Type": "SERVICE_CONTROL_POLICY",
                "AwsManaged": False,
            },
            "Content": content,
        }
    }


def targets(*ids: str) -> dict[str, Any]:
    return {"Targets": [{"TargetId": t, "Arn": f"arn:aws:organizations::{MGMT}:x/{t}", "Type": "ACCOUNT"} for t in ids]}


def bucket_policy_text(bucket: str = BUCKET) -> str:
    """JSON text with newlines, as S3 keeps the author's formatting."""
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
                    "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/*",
                    "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
                },
            ],
        },
        indent=4,
    )


def error_record(code: str, message: str = "") -> dict[str, Any]:
    return {"Error": {"Code": code, "Message": message or f"{code} returned by AWS"}}


# --------------------------------------------------------------------------- CloudTrail, Config


def trail(owner: str, home: str, name: str = "org-audit", **extra: Any) -> dict[str, Any]:
    return {
        "Name": name,
        "S3BucketName": BUCKET,
        "S3KeyPrefix": "cloudtrail",
        "IncludeGlobalServiceEvents": True,
        "IsMultiRegionTrail": True,
        "HomeRegion": home,
        "TrailARN": f"arn:aws:cloudtrail:{home}:{owner}:trail/{name}",
        "LogFileValidationEnabled": True,
        "HasCustomEventSelectors": False,
        "HasInsightSelectors": False,
        "IsOrganizationTrail": True,
        **extra,
    }


def trail_status(*, logging: bool = True, epoch: bool = False) -> dict[str, Any]:
    if epoch:  # CLI v1 / wire: epoch numbers, with the deprecated string fields beside them
        return {
            "IsLogging": logging,
            "LatestDeliveryTime": 1714715921.128,
            "StartLoggingTime": 1618216200.412,
            "TimeLoggingStarted": "2021-04-12T08:30:00Z",
            "LatestNotificationAttemptTime": "",
        }
    return {
        "IsLogging": logging,
        "LatestDeliveryTime": "2026-03-02T09:00:00.128000+00:00",
        "StartLoggingTime": "2021-04-12T08:30:00.412000+00:00",
        "TimeLoggingStarted": "2021-04-12T08:30:00Z",
    }


def basic_selectors(trail_arn: str, **selector: Any) -> dict[str, Any]:
    entry = {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}
    entry.update(selector)
    return {"TrailARN": trail_arn, "EventSelectors": [entry]}


def recorders(account: str, *, all_supported: bool = True, include_global: bool = True) -> dict[str, Any]:
    return {
        "ConfigurationRecorders": [
            {
                "name": "default",
                "roleARN": f"arn:aws:iam::{account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
                "recordingGroup": {
                    "allSupported": all_supported,
                    "includeGlobalResourceTypes": include_global,
                    "resourceTypes": [],
                    "exclusionByResourceTypes": {"resourceTypes": []},
                    "recordingStrategy": {"useOnly": "ALL_SUPPORTED_RESOURCE_TYPES"},
                },
                "recordingMode": {"recordingFrequency": "CONTINUOUS", "recordingModeOverrides": []},
            }
        ]
    }


def recorder_status(*, recording: bool = True, last_status: str = "SUCCESS") -> dict[str, Any]:
    return {
        "ConfigurationRecordersStatus": [
            {
                "name": "default",
                "lastStartTime": 1614592800.0,
                "recording": recording,
                "lastStatus": last_status,
                "lastStatusChangeTime": "2026-03-02T09:00:00+00:00",
            }
        ]
    }


def channels() -> dict[str, Any]:
    return {"DeliveryChannels": [{"name": "default", "s3BucketName": BUCKET, "s3KeyPrefix": "config"}]}


def channel_status(*, history: str = "SUCCESS", snapshot: str = "SUCCESS", error: str = "") -> dict[str, Any]:
    history_info: dict[str, Any] = {"lastStatus": history, "lastAttemptTime": TS}
    if error:
        history_info.update(lastErrorCode=error, lastErrorMessage=f"{error} while delivering")
    return {
        "DeliveryChannelsStatus": [
            {
                "name": "default",
                "configSnapshotDeliveryInfo": {"lastStatus": snapshot},
                "configHistoryDeliveryInfo": history_info,
                "configStreamDeliveryInfo": {"lastStatus": "NOT_APPLICABLE"},
            }
        ]
    }


# --------------------------------------------------------------------------- the builder


class BundleBuilder:
    """Writes files into a bundle folder; JSON values are written as the CLI prints them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def write(self, rel: str, content: Any, *, encoding: str = "utf-8", bom: bool = False) -> Path:
        """Write ``content`` (dict/list -> JSON, str -> text, bytes as they are) at ``rel``."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
            return path
        text = content if isinstance(content, str) else json.dumps(content, indent=4)
        data = text.encode(encoding)
        if bom:
            data = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[encoding] + data
        path.write_bytes(data)
        return path

    def account(self, account: str, *, trusted: str = IDENTITY) -> BundleBuilder:
        """The account-level IAM files of a clean account."""
        self.write(f"{account}/iam/get-account-authorization-details.json", gaad(account))
        self.write(f"{account}/iam/get-account-password-policy.json", password_policy())
        self.write(f"{account}/iam/get-account-summary.json", account_summary())
        self.write(f"{account}/iam/list-virtual-mfa-devices.json", mfa_devices(account))
        self.write(f"{account}/iam/get-credential-report.json", credential_report(account))
        self.write(f"{account}/ec2/describe-regions.json", regions(REGION))
        return self

    def logging(self, account: str, region: str = REGION, *, owner: str = MGMT) -> BundleBuilder:
        """CloudTrail and Config files of one account in one region (the org trail of ``owner``)."""
        base = f"{account}/{region}"
        arn = trail(owner, REGION)["TrailARN"]
        self.write(f"{base}/cloudtrail/describe-trails.json", {"trailList": [trail(owner, REGION)]})
        self.write(f"{base}/cloudtrail/get-trail-status/org-audit.json", trail_status())
        self.write(f"{base}/cloudtrail/get-event-selectors/org-audit.json", basic_selectors(arn))
        self.write(f"{base}/config/describe-configuration-recorders.json", recorders(account))
        self.write(f"{base}/config/describe-configuration-recorder-status.json", recorder_status())
        self.write(f"{base}/config/describe-delivery-channels.json", channels())
        self.write(f"{base}/config/describe-delivery-channel-status.json", channel_status())
        return self

    def organization(self) -> BundleBuilder:
        self.write("manifest.json", {"collected_at": "2026-03-02T10:00:00Z", "identity_account": IDENTITY})
        self.write("organization/describe-organization.json", describe_organization())
        self.write("organization/list-accounts.json", list_accounts(IDENTITY, DEV, MGMT))
        deny = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]})
        self.write("organization/policies/p-abcd1234.json", scp("p-abcd1234", deny))
        self.write("organization/targets/p-abcd1234.json", targets(DEV))
        return self

    def standard(self) -> BundleBuilder:
        """A clean two-account organization: every kind once (Identity also holds the log bucket)."""
        self.organization().account(IDENTITY).account(DEV).logging(IDENTITY).logging(DEV)
        self.write(f"{IDENTITY}/s3/{BUCKET}/get-bucket-policy.json", {"Policy": bucket_policy_text()})
        return self


def zip_tree(source: Path, target: Path, *, prefix: str = "") -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + path.relative_to(source).as_posix())
    return target


def tar_tree(source: Path, target: Path, *, prefix: str = "", reverse: bool = False) -> Path:
    """A .tar.gz of a folder; ``reverse`` stores the members in reverse path order."""
    files = sorted((p for p in source.rglob("*") if p.is_file()), reverse=reverse)
    with tarfile.open(target, "w:gz") as archive:
        for path in files:
            archive.add(path, prefix + path.relative_to(source).as_posix())
    return target


def tar_with(target: Path, members: Iterable[tarfile.TarInfo | tuple[str, bytes]]) -> Path:
    with tarfile.open(target, "w:gz") as archive:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                archive.addfile(member)
            else:
                name, data = member
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return target


def tree_digest(root: Path) -> str:
    """A digest of every path, mode, size and content under root (symlinks by their target)."""
    digest = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            info = path.lstat()
            digest.update(f"{path.relative_to(root)}\0{info.st_mode}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
            if path.is_symlink():
                digest.update(os.readlink(path).encode())
            elif path.is_file():
                digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def builder(tmp_path: Path) -> BundleBuilder:
    return BundleBuilder(tmp_path / "bundle")
