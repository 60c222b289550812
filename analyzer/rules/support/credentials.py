"""Credential facts shared by the CRD rules: root flags, credential-report rows, ages, the password baseline.

Ages are measured against the evidence's collection time, never the wall clock. Thresholds read
"older than N days" as strictly more than N days (rotation: "every 90 days or less") and
"unused for N days" as N days or more (CIS: "unused for 45 days or greater").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from analyzer.audit.settings import Thresholds
from analyzer.evidence.timestamps import format_ts
from analyzer.model.entities import AccessKeyInfo, CredentialReport, CredentialReportRow, PasswordPolicy
from analyzer.model.evidence import EvidenceRef, EvidenceState
from analyzer.model.kinds import Kind
from analyzer.rules.context import RuleContext

AWS_DEFAULT_POLICY = (
    "AWS default (8 characters minimum, any 3 of the 4 character classes, no expiry, no reuse prevention)"
)


def day(moment: datetime | None) -> str:
    """The date part of a timestamp, for messages (``2026-05-01``); ``unknown`` for None."""
    text = format_ts(moment)
    return text[:10] if text else "unknown"


def days_between(earlier: datetime, later: datetime) -> int:
    """Whole calendar days (UTC) from ``earlier`` to ``later``: 2026-02-10 to 2026-11-20 is 283 days."""
    return (later.astimezone(UTC).date() - earlier.astimezone(UTC).date()).days


# --------------------------------------------------------------------------- credential report


def usable_report(ctx: RuleContext, account_id: str) -> tuple[CredentialReport | None, list[EvidenceState]]:
    """The account's credential report when its evidence is usable, else None and the blocking states."""
    blocked = ctx.blocking((Kind.IAM_CREDENTIAL_REPORT,), account_id)
    evidence = ctx.account(account_id)
    if blocked or evidence is None or evidence.credential_report is None:
        return None, blocked or [ctx.snapshot.state(Kind.IAM_CREDENTIAL_REPORT, account_id)]
    return evidence.credential_report, []


def root_row(report: CredentialReport | None) -> CredentialReportRow | None:
    if report is None:
        return None
    return next((r for r in report.rows if r.is_root), None)


def user_rows(report: CredentialReport) -> tuple[CredentialReportRow, ...]:
    """The IAM users of the report (the root row excluded: root has its own rules), by ARN."""
    return tuple(sorted((r for r in report.rows if not r.is_root), key=lambda r: r.arn))


def report_when(report: CredentialReport) -> str:
    return f"generated {format_ts(report.generated)}" if report.generated else "generation time not recorded"


# --------------------------------------------------------------------------- root access management


@dataclass(frozen=True, slots=True)
class CentralRootAccess:
    """Evidence that the organization manages member accounts' root credentials centrally."""

    account_id: str  # the account whose list-organizations-features shows it (management or delegated admin)
    ref: EvidenceRef


def central_root_access(ctx: RuleContext) -> CentralRootAccess | None:
    """Where ``RootCredentialsManagement`` is shown enabled: the management account first, then any
    other organization account (the IAM delegated administrator can list the features too)."""
    management = ctx.shape.management_account
    candidates = ([management] if management else []) + sorted(a for a in ctx.snapshot.accounts if a != management)
    for account_id in candidates:
        evidence = ctx.account(account_id)
        if evidence is None or not evidence.root_credentials_managed_centrally:
            continue
        if account_id != management and not ctx.in_organization(account_id):
            continue
        state = ctx.snapshot.state(Kind.IAM_ORG_FEATURES, account_id)
        file = state.files[0] if state.files else f"{account_id}/iam/list-organizations-features.json"
        return CentralRootAccess(account_id, EvidenceRef(file, "/EnabledFeatures"))
    return None


# --------------------------------------------------------------------------- access keys and passwords


def key_problems(key: AccessKeyInfo, created: datetime, now: datetime, thresholds: Thresholds) -> list[str]:
    """Why an active key is stale: too old, unused too long, or never used since ``created`` long ago.

    ``created`` is the key's ``access_key_N_last_rotated`` (AWS sets it when the key is created).
    """
    problems = []
    age = days_between(created, now)
    if age > thresholds.access_key_max_age_days:
        problems.append(
            f"is {age} days old (created {day(created)}; rotate within {thresholds.access_key_max_age_days} days)"
        )
    if key.last_used is None:
        if age >= thresholds.access_key_unused_days:
            problems.append(f"was never used in the {age} days since it was created")
    else:
        idle = days_between(key.last_used, now)
        if idle >= thresholds.access_key_unused_days:
            problems.append(f"is unused for {idle} days (last used {day(key.last_used)})")
    return problems


def password_idle(row: CredentialReportRow, now: datetime) -> tuple[int, datetime] | None:
    """(days, since) the console password has gone unused: since its last use, else since it was set
    (``password_last_changed``, else the user's creation); None when the report gives no date."""
    if row.password_last_used is not None:
        return days_between(row.password_last_used, now), row.password_last_used
    since = row.password_last_changed or row.created
    return (days_between(since, now), since) if since is not None else None


# --------------------------------------------------------------------------- password policy


_CHARACTER_CLASSES: tuple[tuple[str, str, Callable[[PasswordPolicy], bool]], ...] = (
    ("symbols", "RequireSymbols", lambda p: p.require_symbols),
    ("numbers", "RequireNumbers", lambda p: p.require_numbers),
    ("uppercase letters", "RequireUppercaseCharacters", lambda p: p.require_uppercase),
    ("lowercase letters", "RequireLowercaseCharacters", lambda p: p.require_lowercase),
)


def _ref(policy: PasswordPolicy, field: str) -> EvidenceRef:
    return policy.ref if policy.is_default else policy.ref.child(field)


def password_policy_shortfalls(policy: PasswordPolicy, thresholds: Thresholds) -> list[tuple[str, EvidenceRef]]:
    """Each way the policy falls below the baseline, with the field that shows it."""
    out: list[tuple[str, EvidenceRef]] = []
    length = policy.minimum_length
    if length is None or length < thresholds.password_min_length:
        shown = "not set" if length is None else str(length)
        out.append(
            (
                f"minimum length {shown} (baseline {thresholds.password_min_length})",
                _ref(policy, "MinimumPasswordLength"),
            )
        )
    for label, field, required in _CHARACTER_CLASSES:
        if not required(policy):
            out.append((f"{label} not required", _ref(policy, field)))
    max_age = policy.max_age_days
    if not policy.expire_passwords or not max_age:
        out.append(("passwords never expire", _ref(policy, "MaxPasswordAge")))
    elif max_age > thresholds.password_max_age_days:
        out.append(
            (
                f"passwords expire after {max_age} days (baseline {thresholds.password_max_age_days})",
                _ref(policy, "MaxPasswordAge"),
            )
        )
    reuse = policy.reuse_prevention
    if not reuse:
        out.append(("reuse prevention not set", _ref(policy, "PasswordReusePrevention")))
    elif reuse < thresholds.password_reuse_prevention:
        out.append(
            (
                f"reuse prevention remembers {reuse} passwords (baseline {thresholds.password_reuse_prevention})",
                _ref(policy, "PasswordReusePrevention"),
            )
        )
    return out


# --------------------------------------------------------------------------- users changing their own password


@dataclass(frozen=True, slots=True)
class PasswordChangeSetting:
    """What the account's password policy says about IAM users changing their own password.

    ``AllowUsersToChangePassword`` true gives every IAM user of the account ``iam:ChangePassword`` on its
    own user (and ``iam:GetAccountPasswordPolicy``) at the account level, without any IAM policy (IAMUG
    "Permit IAM users to change their own passwords"; "Set an account password policy for IAM users").
    Without a password policy (``NoSuchEntity``) it has its default, false (IAM API Reference,
    ``UpdateAccountPasswordPolicy``). ``allows`` is None when the password policy is unknown.
    """

    allows: bool | None
    text: str
    evidence: tuple[EvidenceRef, ...]


def password_change_setting(ctx: RuleContext, account_id: str) -> PasswordChangeSetting:
    blocked = ctx.blocking((Kind.IAM_PASSWORD_POLICY,), account_id)
    evidence = ctx.account(account_id)
    policy = evidence.password_policy if evidence is not None else None
    if blocked or policy is None:
        why = "; ".join(s.describe() for s in blocked) or "no password policy was read"
        return PasswordChangeSetting(
            None,
            f"the password policy is unknown ({why}), and its AllowUsersToChangePassword would let every IAM user "
            "change its own password",
            (),
        )
    if policy.is_default:
        return PasswordChangeSetting(
            False, "no password policy is set, so AllowUsersToChangePassword has its default, false", (policy.ref,)
        )
    setting = "true" if policy.allow_users_to_change else "false"
    return PasswordChangeSetting(
        policy.allow_users_to_change,
        f"the password policy sets AllowUsersToChangePassword {setting}",
        (policy.ref.child("AllowUsersToChangePassword"),),
    )
