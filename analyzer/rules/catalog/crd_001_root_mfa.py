"""CRD-001: the root user of every audited account has MFA, or no credentials under centralized root access.

The verdict comes from the account summary (AccountMFAEnabled). A member account whose root has no
password, no access keys and no signing certificates passes when the organization manages root
credentials centrally (RootCredentialsManagement): root cannot sign in and its password cannot be
recovered. The credential report's root row is a second witness: when it disagrees with the
summary the rule never passes and says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from analyzer.model.entities import AccountSummary
from analyzer.model.evidence import EvidenceState, EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, missing_message, not_evaluated, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.credentials import (
    CentralRootAccess,
    central_root_access,
    report_when,
    root_row,
    usable_report,
)
from analyzer.rules.support.evidence import account_label

META = RuleMeta(
    id="CRD-001",
    title="Root user without MFA",
    severity=Severity.CRITICAL,
    pillar=Pillar.CREDENTIALS,
    rationale=(
        "The root user can do anything in its account, including closing it and changing its billing, and "
        "no policy can restrict it (SCPs aside). A root password without MFA is one phishing e-mail away "
        "from a full account takeover. Organizations' centralized root access removes member accounts' "
        "root credentials altogether, which is an equally good answer."
    ),
    remediation=(
        "Sign in as root and register an MFA device (Security credentials > Multi-factor authentication), "
        "preferably a FIDO security key or a hardware token kept in a safe. For member accounts, enable "
        "centralized root access from the management account (aws iam enable-organizations-root-credentials-"
        "management) and delete the member's root credentials (aws sts assume-root with the "
        "IAMDeleteRootUserCredentials task policy); re-export get-account-summary afterwards."
    ),
    compliance=refs(
        ("CIS3", "1.5"), ("CIS4", "1.5"), ("NIST", "IA-2(1)"), ("PCI", "8.4.2"), ("APRA", "21"), ("MAS", "9.2")
    ),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-mfa-for-root.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#id_root-user-access-management",
        "https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountSummary.html",
    ),
    requires=(Kind.IAM_SUMMARY, Kind.IAM_CREDENTIAL_REPORT, Kind.IAM_ORG_FEATURES),
    applies_to="account",
)


def _root_credentials(summary: AccountSummary) -> list[str]:
    """The root credentials the summary shows (or cannot rule out)."""
    flags = (
        ("a password", summary.root_password_present, "AccountPasswordPresent"),
        ("access keys", summary.root_access_keys_present, "AccountAccessKeysPresent"),
    )
    found = [
        what if value else f"possibly {what} ({key} not exported)" for what, value, key in flags if value is not False
    ]
    if dict(summary.counts).get("AccountSigningCertificatesPresent", 0):
        found.append("signing certificates")
    return found


@dataclass(frozen=True, slots=True)
class _Features:
    """What the organization's list-organizations-features exports show, read once for every account:
    where centralized root access is shown (``central``) or, when nowhere, the exports that cannot be read
    (``unread``) and whether any was read (``read``)."""

    central: CentralRootAccess | None
    unread: tuple[EvidenceState, ...] = ()
    read: bool = False

    @classmethod
    def of(cls, ctx: RuleContext) -> _Features:
        central = central_root_access(ctx)
        if central is not None:
            return cls(central)
        accounts = _organization_accounts(ctx)
        return cls(None, _features_unread(ctx, accounts), any(_features_read(ctx, a) for a in accounts))


def _features_read(ctx: RuleContext, account: str) -> bool:
    return ctx.snapshot.state(Kind.IAM_ORG_FEATURES, account).usable


def _verdict(ctx: RuleContext, account: str, features: _Features) -> Outcome:
    central = features.central
    label = account_label(ctx, account)
    blocked = ctx.blocking((Kind.IAM_SUMMARY,), account)
    evidence = ctx.account(account)
    summary = evidence.summary if evidence is not None else None
    report, _ = usable_report(ctx, account)
    row = root_row(report)
    if blocked or summary is None or summary.root_mfa_enabled is None:
        why = missing_message(blocked) if blocked else "not evaluated: get-account-summary has no AccountMFAEnabled"
        seen = f" (the credential report's root row says mfa_active {str(row.mfa_active).lower()})" if row else ""
        return not_evaluated(
            f"{why}{seen}; the summary is needed to tell whether root has credentials at all",
            account=account,
            evidence=(row.ref,) if row else (),
        )
    evidence_refs = (summary.ref.child("AccountMFAEnabled"),) + ((row.ref,) if row else ())
    if row is not None and row.mfa_active != summary.root_mfa_enabled:
        said = "enabled" if summary.root_mfa_enabled else "not enabled"
        when = report_when(report) if report else "generation time unknown"
        return fail(
            f"root MFA of {label} is uncertain: the sources disagree: get-account-summary says MFA is {said} "
            f"(AccountMFAEnabled {int(summary.root_mfa_enabled)}) but the credential report ({when}) "
            f"says root mfa_active {str(row.mfa_active).lower()}; check root's MFA in the console and re-export both",
            account=account,
            evidence=evidence_refs,
        )
    if summary.root_mfa_enabled:
        agree = "; the credential report agrees" if row else ""
        return passed(
            f"root user of {label} has MFA enabled (AccountMFAEnabled 1{agree})",
            account=account,
            evidence=evidence_refs,
        )
    credentials = _root_credentials(summary)
    credential_refs = (*evidence_refs, summary.ref.child("AccountPasswordPresent"))
    base = f"root user of {label} has no MFA (AccountMFAEnabled 0)"
    if credentials:
        return fail(
            f"{base} while it has {' and '.join(credentials)}: one stolen secret is enough to take over the account",
            account=account,
            evidence=credential_refs,
        )
    if features.unread:
        return not_evaluated(
            f"{missing_message(features.unread)}; {base} and no password or keys now: whether the organization "
            "manages root access centrally (RootCredentialsManagement), which keeps root from signing in again, "
            "is unknown",
            account=account,
            evidence=credential_refs,
        )
    why_not = _central_gap(ctx, account, features)
    if why_not or central is None:
        return fail(
            f"{base}; root has no password or keys now, but {why_not}", account=account, evidence=credential_refs
        )
    certificates = (
        ", no signing certificates"
        if "AccountSigningCertificatesPresent" in dict(summary.counts)
        else "; signing certificates not in the evidence: AccountSigningCertificatesPresent not exported"
    )
    return passed(
        f"root user of {label} has no credentials (no password, no access keys{certificates}) and "
        f"root access is managed centrally by the organization (RootCredentialsManagement enabled, shown by "
        f"{central.account_id}'s list-organizations-features): nobody can sign in as root",
        account=account,
        evidence=(*credential_refs, central.ref),
    )


def _features_unread(ctx: RuleContext, accounts: list[str]) -> tuple[EvidenceState, ...]:
    """The list-organizations-features exports of the management account and the organization's accounts
    that are in the bundle but cannot be read (conflicting copies, unreadable, denied ...): any of them may
    show RootCredentialsManagement. An account without the file is not among them (the management account
    or the delegated administrator lists the features; a member's file is not expected)."""
    return tuple(
        state
        for a in accounts
        for state in ctx.blocking((Kind.IAM_ORG_FEATURES,), a)
        if state.status is not EvidenceStatus.MISSING
    )


def _organization_accounts(ctx: RuleContext) -> list[str]:
    """The accounts of the bundle whose list-organizations-features can speak for the organization."""
    management = ctx.shape.management_account
    return sorted(a for a in ctx.snapshot.accounts if a == management or ctx.in_organization(a))


def _central_gap(ctx: RuleContext, account: str, features: _Features) -> str:
    """Why centralized root access does not vouch for this credential-less root ("" when it does)."""
    management = ctx.shape.management_account
    if features.central is None:
        shown = "no RootCredentialsManagement in any" if features.read else "no readable"
        return (
            f"centralized root access is not evidenced ({shown} list-organizations-features of the organization's "
            "accounts in the bundle), so password recovery by e-mail can restore root sign-in"
        )
    if management is None:
        return "the management account is unknown (no describe-organization), so centralized root access cannot apply"
    if account == management:
        return (
            "it is the management account: centralized root access covers member accounts only, and its "
            "root can recover a password by e-mail"
        )
    if not ctx.in_organization(account):
        return "the account is not in the organization's account list, so centralized root access does not cover it"
    return ""


def check(ctx: RuleContext) -> Iterator[Outcome]:
    features = _Features.of(ctx)
    for account in ctx.audited_accounts():
        yield _verdict(ctx, account, features)


RULE = Rule(META, check)
