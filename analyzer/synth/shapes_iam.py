"""IAM outputs as AWS CLI v2 prints them: GAAD entries and the account-level calls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from analyzer.synth.ids import cli_timestamp, iam_arn, root_arn, unique_id

Json = dict[str, Any]
Document = Mapping[str, Any]

# --------------------------------------------------------------------------- IAM: GAAD


def inline_policy(name: str, document: Document) -> Json:
    return {"PolicyName": name, "PolicyDocument": dict(document)}


def attached_policy(policy_arn: str) -> Json:
    return {"PolicyName": policy_arn.rsplit("/", 1)[-1], "PolicyArn": policy_arn}


def _boundary(boundary_arn: str | None) -> Json:
    if boundary_arn is None:
        return {}
    return {
        "PermissionsBoundary": {
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": boundary_arn,
        }
    }


def _tags(tags: Mapping[str, str] | None) -> Json:
    return {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]} if tags else {}


def user_detail(
    account_id: str,
    name: str,
    *,
    created: datetime,
    path: str = "/",
    groups: Sequence[str] = (),
    inline_policies: Sequence[Json] = (),
    attached_policy_arns: Sequence[str] = (),
    boundary_arn: str | None = None,
    tags: Mapping[str, str] | None = None,
    partition: str = "aws",
    user_id: str | None = None,
) -> Json:
    """A ``UserDetailList`` entry (group membership by group *name*, as GAAD writes it)."""
    arn = iam_arn(account_id, "user", name, path, partition)
    return {
        "Path": path,
        "UserName": name,
        "UserId": user_id or unique_id("AIDA", arn),
        "Arn": arn,
        "CreateDate": cli_timestamp(created),
        "UserPolicyList": list(inline_policies),
        "GroupList": list(groups),
        "AttachedManagedPolicies": [attached_policy(a) for a in attached_policy_arns],
        **_boundary(boundary_arn),
        **_tags(tags),
    }


def group_detail(
    account_id: str,
    name: str,
    *,
    created: datetime,
    path: str = "/",
    inline_policies: Sequence[Json] = (),
    attached_policy_arns: Sequence[str] = (),
    partition: str = "aws",
    group_id: str | None = None,
) -> Json:
    arn = iam_arn(account_id, "group", name, path, partition)
    return {
        "Path": path,
        "GroupName": name,
        "GroupId": group_id or unique_id("AGPA", arn),
        "Arn": arn,
        "CreateDate": cli_timestamp(created),
        "GroupPolicyList": list(inline_policies),
        "AttachedManagedPolicies": [attached_policy(a) for a in attached_policy_arns],
    }


def role_detail(
    account_id: str,
    name: str,
    *,
    created: datetime,
    trust_policy: Document,
    path: str = "/",
    inline_policies: Sequence[Json] = (),
    attached_policy_arns: Sequence[str] = (),
    boundary_arn: str | None = None,
    tags: Mapping[str, str] | None = None,
    last_used: datetime | None = None,
    last_used_region: str | None = None,
    instance_profiles: Sequence[Json] = (),
    partition: str = "aws",
    role_id: str | None = None,
) -> Json:
    """A ``RoleDetailList`` entry; ``RoleLastUsed`` is ``{}`` when the role was not used."""
    arn = iam_arn(account_id, "role", name, path, partition)
    role_last_used: Json = {}
    if last_used is not None:
        role_last_used["LastUsedDate"] = cli_timestamp(last_used)
        if last_used_region is not None:
            role_last_used["Region"] = last_used_region
    return {
        "Path": path,
        "RoleName": name,
        "RoleId": role_id or unique_id("AROA", arn),
        "Arn": arn,
        "CreateDate": cli_timestamp(created),
        "AssumeRolePolicyDocument": dict(trust_policy),
        "InstanceProfileList": list(instance_profiles),
        "RolePolicyList": list(inline_policies),
        "AttachedManagedPolicies": [attached_policy(a) for a in attached_policy_arns],
        **_boundary(boundary_arn),
        **_tags(tags),
        "RoleLastUsed": role_last_used,
    }


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    """One version of a managed policy (``VersionId`` such as ``v3``)."""

    version_id: str
    document: Document
    created: datetime


def managed_policy_detail(
    name: str,
    *,
    versions: Sequence[PolicyVersion],
    default_version: str,
    attachment_count: int,
    account_id: str | None = None,
    path: str = "/",
    description: str | None = None,
    created: datetime | None = None,
    updated: datetime | None = None,
    boundary_usage_count: int = 0,
    is_attachable: bool = True,
    partition: str = "aws",
    policy_id: str | None = None,
) -> Json:
    """A ``Policies`` entry of GAAD; ``account_id=None`` makes an AWS-managed policy.

    ``PolicyVersionList`` is newest first with ``IsDefaultVersion`` set on ``default_version``
    only; ``CreateDate``/``UpdateDate`` default to the oldest/newest version's date.
    """
    if default_version not in {v.version_id for v in versions}:
        raise ValueError(f"{name}: default version {default_version} is not among the versions")
    arn = iam_arn(account_id or "aws", "policy", name, path, partition)
    ordered = sorted(versions, key=lambda v: int(v.version_id.lstrip("v")), reverse=True)
    detail: Json = {
        "PolicyName": name,
        "PolicyId": policy_id or unique_id("ANPA", arn),
        "Arn": arn,
        "Path": path,
        "DefaultVersionId": default_version,
        "AttachmentCount": attachment_count,
        "PermissionsBoundaryUsageCount": boundary_usage_count,
        "IsAttachable": is_attachable,
    }
    if description is not None:
        detail["Description"] = description
    detail["CreateDate"] = cli_timestamp(created or ordered[-1].created)
    detail["UpdateDate"] = cli_timestamp(updated or ordered[0].created)
    detail["PolicyVersionList"] = [
        {
            "Document": dict(v.document),
            "VersionId": v.version_id,
            "IsDefaultVersion": v.version_id == default_version,
            "CreateDate": cli_timestamp(v.created),
        }
        for v in ordered
    ]
    return detail


def authorization_details(
    users: Sequence[Json], groups: Sequence[Json], roles: Sequence[Json], policies: Sequence[Json]
) -> Json:
    """``get-account-authorization-details`` as the CLI prints it after following every page."""
    return {
        "UserDetailList": list(users),
        "GroupDetailList": list(groups),
        "RoleDetailList": list(roles),
        "Policies": list(policies),
    }


# --------------------------------------------------------------------------- IAM: account level


def password_policy(
    *,
    minimum_length: int = 14,
    require_symbols: bool = True,
    require_numbers: bool = True,
    require_uppercase: bool = True,
    require_lowercase: bool = True,
    allow_users_to_change: bool = True,
    max_age_days: int | None = 90,
    reuse_prevention: int | None = 24,
    hard_expiry: bool = False,
) -> Json:
    """``get-account-password-policy``; ``ExpirePasswords`` follows ``max_age_days``."""
    policy: Json = {
        "MinimumPasswordLength": minimum_length,
        "RequireSymbols": require_symbols,
        "RequireNumbers": require_numbers,
        "RequireUppercaseCharacters": require_uppercase,
        "RequireLowercaseCharacters": require_lowercase,
        "AllowUsersToChangePassword": allow_users_to_change,
        "ExpirePasswords": max_age_days is not None,
    }
    if max_age_days is not None:
        policy["MaxPasswordAge"] = max_age_days
    if reuse_prevention is not None:
        policy["PasswordReusePrevention"] = reuse_prevention
    policy["HardExpiry"] = hard_expiry
    return {"PasswordPolicy": policy}


#: Default IAM quotas as get-account-summary reports them.
SUMMARY_QUOTAS: Mapping[str, int] = {
    "GroupPolicySizeQuota": 5120,
    "InstanceProfilesQuota": 1000,
    "GroupsPerUserQuota": 10,
    "AttachedPoliciesPerUserQuota": 10,
    "PoliciesQuota": 1500,
    "AccessKeysPerUserQuota": 2,
    "AssumeRolePolicySizeQuota": 2048,
    "PolicyVersionsInUseQuota": 10000,
    "GlobalEndpointTokenVersion": 1,
    "VersionsPerPolicyQuota": 5,
    "AttachedPoliciesPerGroupQuota": 10,
    "PolicySizeQuota": 6144,
    "UsersQuota": 5000,
    "ServerCertificatesQuota": 20,
    "UserPolicySizeQuota": 2048,
    "RolesQuota": 1000,
    "SigningCertificatesPerUserQuota": 2,
    "RolePolicySizeQuota": 10240,
    "AttachedPoliciesPerRoleQuota": 10,
    "GroupsQuota": 300,
}


def account_summary(
    *,
    users: int,
    groups: int,
    roles: int,
    policies: int,
    mfa_devices: int,
    mfa_devices_in_use: int,
    root_mfa: bool,
    root_access_keys: bool,
    root_password: bool = True,
    policy_versions_in_use: int | None = None,
    instance_profiles: int = 0,
    providers: int = 0,
    server_certificates: int = 0,
    root_signing_certificates: bool = False,
) -> Json:
    """``get-account-summary``: counts, the four root flags (0/1) and the default quotas."""
    counts = {
        "Users": users,
        "Groups": groups,
        "Roles": roles,
        "Policies": policies,
        "PolicyVersionsInUse": policies if policy_versions_in_use is None else policy_versions_in_use,
        "InstanceProfiles": instance_profiles,
        "Providers": providers,
        "ServerCertificates": server_certificates,
        "MFADevices": mfa_devices,
        "MFADevicesInUse": mfa_devices_in_use,
        "AccountMFAEnabled": int(root_mfa),
        "AccountAccessKeysPresent": int(root_access_keys),
        "AccountPasswordPresent": int(root_password),
        "AccountSigningCertificatesPresent": int(root_signing_certificates),
    }
    return {"SummaryMap": {**counts, **SUMMARY_QUOTAS}}


def mfa_user(
    account_id: str,
    name: str | None,
    *,
    created: datetime,
    path: str = "/",
    password_last_used: datetime | None = None,
    partition: str = "aws",
    user_id: str | None = None,
) -> Json:
    """The ``User`` of an assigned virtual MFA device; ``name=None`` is the root user, whose
    entry has no ``UserName``/``Path`` and whose ``UserId`` is the account ID."""
    if name is None:
        user: Json = {"UserId": account_id, "Arn": root_arn(account_id, partition)}
    else:
        arn = iam_arn(account_id, "user", name, path, partition)
        user = {"Path": path, "UserName": name, "UserId": user_id or unique_id("AIDA", arn), "Arn": arn}
    user["CreateDate"] = cli_timestamp(created)
    if password_last_used is not None:
        user["PasswordLastUsed"] = cli_timestamp(password_last_used)
    return user


def virtual_mfa_device(serial: str, *, user: Json | None = None, enabled: datetime | None = None) -> Json:
    """An entry of ``VirtualMFADevices``; ``User``/``EnableDate`` only for assigned devices."""
    device: Json = {"SerialNumber": serial}
    if user is not None:
        device["User"] = user
        if enabled is None:
            raise ValueError(f"{serial}: an assigned device needs its EnableDate")
        device["EnableDate"] = cli_timestamp(enabled)
    return device


def virtual_mfa_devices(devices: Sequence[Json]) -> Json:
    return {"VirtualMFADevices": list(devices)}
