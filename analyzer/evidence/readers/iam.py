"""IAM account-level evidence: authorization details, password policy, summary, MFA devices, regions."""

from __future__ import annotations

from typing import Any

from analyzer.evidence.readers.base import (
    Collector,
    FileContext,
    canonical_text,
    child,
    lenient_timestamp,
    text_or_none,
)
from analyzer.model.entities import (
    AccountSummary,
    AttachedPolicyRef,
    Group,
    ManagedPolicy,
    MfaDevice,
    PasswordPolicy,
    Role,
    User,
)
from analyzer.model.evidence import EvidenceRef
from analyzer.model.policy import PolicySource

# --------------------------------------------------------------------------- authorization details


def _managed_policies(doc: dict[str, Any], ctx: FileContext, account: str) -> dict[str, ManagedPolicy]:
    out: dict[str, ManagedPolicy] = {}
    for index, raw in ctx.distinct(doc, "Policies", "Arn"):
        ref = ctx.ref("Policies", index)
        arn = raw.get("Arn", "")
        name = text_or_none(raw.get("PolicyName")) or arn.rsplit("/", 1)[-1]
        default = raw.get("DefaultVersionId")
        versions = raw.get("PolicyVersionList") or []
        candidates = [
            (i, v)
            for i, v in enumerate(versions)
            if isinstance(v, dict)
            and (v.get("IsDefaultVersion") is True or (default and v.get("VersionId") == default))
        ]
        chosen = candidates[0] if candidates else None
        source: PolicySource | None = None
        if len({canonical_text(v.get("Document")) for _, v in candidates}) > 1:
            ctx.fail(
                child(ref, "PolicyVersionList", candidates[1][0]),
                f"managed policy {arn} has more than one default version, with different documents",
                "re-export the file with the AWS CLI; a policy has exactly one default version",
            )
        elif chosen is None:
            ctx.problem(ref, f"managed policy {arn} has no default version document", "export without --filter")
        else:
            i, version = chosen
            source = ctx.policy(
                version.get("Document"), child(ref, "PolicyVersionList", i, "Document"), "managed", name, arn
            )
        out[arn] = ManagedPolicy(
            account_id=account,
            arn=arn,
            name=name,
            ref=ref,
            default_version=default,
            source=source,
            aws_managed=":iam::aws:policy/" in arn,
        )
    return out


def _attached(
    raw: dict[str, Any], ref: EvidenceRef, policies: dict[str, ManagedPolicy]
) -> tuple[AttachedPolicyRef, ...]:
    out = []
    for index, item in enumerate(raw.get("AttachedManagedPolicies") or []):
        arn = item.get("PolicyArn", "")
        found = policies.get(arn)
        out.append(
            AttachedPolicyRef(
                arn=arn,
                name=text_or_none(item.get("PolicyName")) or arn.rsplit("/", 1)[-1],
                ref=child(ref, "AttachedManagedPolicies", index),
                policy=found.source if found else None,
            )
        )
    return tuple(out)


def _boundary(raw: dict[str, Any], ref: EvidenceRef, policies: dict[str, ManagedPolicy]) -> AttachedPolicyRef | None:
    boundary = raw.get("PermissionsBoundary")
    if not boundary or not boundary.get("PermissionsBoundaryArn"):
        return None
    arn = boundary["PermissionsBoundaryArn"]
    found = policies.get(arn)
    return AttachedPolicyRef(
        arn=arn,
        name=arn.rsplit("/", 1)[-1],
        ref=child(ref, "PermissionsBoundary"),
        policy=found.source if found else None,
    )


def _inline(
    raw: dict[str, Any], list_key: str, ref: EvidenceRef, ctx: FileContext, owner: str
) -> tuple[PolicySource, ...]:
    out = []
    for index, item in enumerate(raw.get(list_key) or []):
        name = item.get("PolicyName", f"#{index}")
        source = ctx.policy(
            item.get("PolicyDocument"), child(ref, list_key, index, "PolicyDocument"), "inline", name, owner
        )
        if source is not None:
            out.append(source)
    return tuple(out)


def _tags(raw: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((str(t.get("Key", "")), str(t.get("Value", ""))) for t in raw.get("Tags") or [])


def read_authorization_details(doc: Any, ctx: FileContext, out: Collector) -> None:
    account = ctx.account_id or ""
    parts = out.account(account)
    policies = _managed_policies(doc, ctx, account)
    parts.managed_policies.extend(policies[k] for k in sorted(policies))
    for index, raw in ctx.distinct(doc, "UserDetailList", "Arn"):
        ref = ctx.ref("UserDetailList", index)
        arn = raw.get("Arn", "")
        parts.users.append(
            User(
                account_id=account,
                arn=arn,
                name=raw.get("UserName", ""),
                user_id=raw.get("UserId", ""),
                path=raw.get("Path", "/"),
                ref=ref,
                created=lenient_timestamp(raw.get("CreateDate")),
                group_names=tuple(raw.get("GroupList") or ()),
                inline_policies=_inline(raw, "UserPolicyList", ref, ctx, arn),
                attached_policies=_attached(raw, ref, policies),
                boundary=_boundary(raw, ref, policies),
                tags=_tags(raw),
            )
        )
    for index, raw in ctx.distinct(doc, "GroupDetailList", "Arn"):
        ref = ctx.ref("GroupDetailList", index)
        arn = raw.get("Arn", "")
        parts.groups.append(
            Group(
                account_id=account,
                arn=arn,
                name=raw.get("GroupName", ""),
                group_id=raw.get("GroupId", ""),
                path=raw.get("Path", "/"),
                ref=ref,
                inline_policies=_inline(raw, "GroupPolicyList", ref, ctx, arn),
                attached_policies=_attached(raw, ref, policies),
            )
        )
    for index, raw in ctx.distinct(doc, "RoleDetailList", "Arn"):
        ref = ctx.ref("RoleDetailList", index)
        arn = raw.get("Arn", "")
        name = raw.get("RoleName", "")
        trust = None
        if "AssumeRolePolicyDocument" in raw:
            trust = ctx.policy(
                raw["AssumeRolePolicyDocument"], child(ref, "AssumeRolePolicyDocument"), "trust", name, arn
            )
        else:
            ctx.problem(ref, f"role {arn} has no AssumeRolePolicyDocument", "re-export without --query")
        usage = raw.get("RoleLastUsed")
        last_used = usage.get("LastUsedDate") if isinstance(usage, dict) else None
        parts.roles.append(
            Role(
                account_id=account,
                arn=arn,
                name=name,
                role_id=raw.get("RoleId", ""),
                path=raw.get("Path", "/"),
                ref=ref,
                trust_policy=trust,
                created=lenient_timestamp(raw.get("CreateDate")),
                inline_policies=_inline(raw, "RolePolicyList", ref, ctx, arn),
                attached_policies=_attached(raw, ref, policies),
                boundary=_boundary(raw, ref, policies),
                tags=_tags(raw),
                last_used=lenient_timestamp(last_used),
            )
        )


# --------------------------------------------------------------------------- account settings


def read_password_policy(doc: Any, ctx: FileContext, out: Collector) -> None:
    raw = doc["PasswordPolicy"]
    ref = ctx.ref("PasswordPolicy")
    out.account(ctx.account_id or "").password_policy = PasswordPolicy(
        account_id=ctx.account_id or "",
        ref=ref,
        minimum_length=raw.get("MinimumPasswordLength"),
        require_symbols=bool(raw.get("RequireSymbols")),
        require_numbers=bool(raw.get("RequireNumbers")),
        require_uppercase=bool(raw.get("RequireUppercaseCharacters")),
        require_lowercase=bool(raw.get("RequireLowercaseCharacters")),
        allow_users_to_change=bool(raw.get("AllowUsersToChangePassword")),
        expire_passwords=bool(raw.get("ExpirePasswords")) or bool(raw.get("MaxPasswordAge")),
        max_age_days=raw.get("MaxPasswordAge"),
        reuse_prevention=raw.get("PasswordReusePrevention"),
        hard_expiry=bool(raw.get("HardExpiry")),
    )


def default_password_policy(account_id: str, ref: EvidenceRef) -> PasswordPolicy:
    """What AWS applies when no custom policy is set (NoSuchEntity): 8+ characters, no expiry."""
    return PasswordPolicy(account_id=account_id, ref=ref, is_default=True, minimum_length=8)


def read_account_summary(doc: Any, ctx: FileContext, out: Collector) -> None:
    summary = doc["SummaryMap"]

    def flag(key: str) -> bool | None:
        return None if key not in summary else bool(summary[key])

    out.account(ctx.account_id or "").summary = AccountSummary(
        account_id=ctx.account_id or "",
        ref=ctx.ref("SummaryMap"),
        root_mfa_enabled=flag("AccountMFAEnabled"),
        root_access_keys_present=flag("AccountAccessKeysPresent"),
        root_password_present=flag("AccountPasswordPresent"),
        counts=tuple(sorted((k, int(v)) for k, v in summary.items() if isinstance(v, int))),
    )


def read_virtual_mfa_devices(doc: Any, ctx: FileContext, out: Collector) -> None:
    parts = out.account(ctx.account_id or "")
    for index, raw in ctx.distinct(doc, "VirtualMFADevices", "SerialNumber"):
        ref = ctx.ref("VirtualMFADevices", index)
        user = raw.get("User") or {}
        parts.mfa_devices.append(
            MfaDevice(
                account_id=ctx.account_id or "",
                serial=raw.get("SerialNumber", ""),
                ref=ref,
                user_arn=user.get("Arn"),
                enabled=lenient_timestamp(raw.get("EnableDate")),
            )
        )


def read_organizations_features(doc: Any, ctx: FileContext, out: Collector) -> None:
    features = {str(f) for f in doc.get("EnabledFeatures") or []}
    if "RootCredentialsManagement" in features:
        out.account(ctx.account_id or "").root_credentials_managed_centrally = True


def read_describe_regions(doc: Any, ctx: FileContext, out: Collector) -> None:
    enabled = sorted(
        r.get("RegionName", "")
        for r in doc.get("Regions") or []
        if str(r.get("OptInStatus", "opt-in-not-required")) in ("opt-in-not-required", "opted-in")
    )
    out.account(ctx.account_id or "").enabled_regions = tuple(enabled)
