"""CRD-002: the root user of every audited account has no access keys.

Two witnesses: the account summary's AccountAccessKeysPresent (which counts inactive keys too) and
the credential report's root row (access_key_N_active). Either one showing a key fails; either one
alone decides when the other is missing; a disagreement is stated in the message.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.model.entities import AccessKeyInfo
from analyzer.model.evidence import EvidenceRef
from analyzer.model.kinds import Kind
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, missing_message, not_evaluated, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.credentials import day, root_row, usable_report
from analyzer.rules.support.evidence import account_label

META = RuleMeta(
    id="CRD-002",
    title="Root access keys present",
    severity=Severity.CRITICAL,
    pillar=Pillar.CREDENTIALS,
    rationale=(
        "A root access key is a long-term secret with unrestricted power over the account that no IAM policy "
        "can limit and no MFA protects. Keys leak through code, CI logs and laptops; a leaked root key means "
        "the account is lost. Nothing needs a root key: every task has an IAM role alternative."
    ),
    remediation=(
        "Sign in as root, open Security credentials > Access keys, deactivate each key, confirm nothing breaks, "
        "then delete it (an inactive key still exists and still counts). For member accounts under centralized "
        "root access, delete the keys with aws sts assume-root and the IAMDeleteRootUserCredentials task policy."
    ),
    compliance=refs(("CIS3", "1.4"), ("CIS4", "1.4"), ("NIST", "AC-6"), ("MAS", "9.2")),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_delete-key.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html",
    ),
    requires=(Kind.IAM_SUMMARY, Kind.IAM_CREDENTIAL_REPORT),
    applies_to="account",
)


def _describe(key: AccessKeyInfo) -> str:
    state = "active" if key.active else "inactive"
    used = f"last used {day(key.last_used)}" if key.last_used else "never used"
    return f"access_key_{key.slot} {state} (created {day(key.last_rotated)}, {used})"


def _verdict(ctx: RuleContext, account: str) -> Outcome:
    label = account_label(ctx, account)
    summary_blocked = ctx.blocking((Kind.IAM_SUMMARY,), account)
    evidence = ctx.account(account)
    summary = evidence.summary if evidence is not None and not summary_blocked else None
    flag = summary.root_access_keys_present if summary is not None else None
    report, report_blocked = usable_report(ctx, account)
    row = root_row(report)
    if flag is None and row is None:
        blockers = summary_blocked + report_blocked
        why = missing_message(blockers) if blockers else "not evaluated: no AccountAccessKeysPresent and no root row"
        return not_evaluated(why, account=account)
    refs_: tuple[EvidenceRef, ...] = ()
    if summary is not None and flag is not None:
        refs_ += (summary.ref.child("AccountAccessKeysPresent"),)
    if row is not None:
        refs_ += (row.ref,)
    keys = row.access_keys if row is not None else ()
    active = [k for k in keys if k.active]
    inactive = [k for k in keys if not k.active]
    listed = "; ".join(_describe(k) for k in keys)
    if flag or keys:  # an inactive key still exists: it can be re-activated
        parts = []
        if flag:
            parts.append("get-account-summary shows AccountAccessKeysPresent 1")
        if keys:
            parts.append(f"the credential report lists {listed}")
        if flag is False and active:
            parts.append("the sources disagree: the summary says none, the report shows an active key")
        elif flag and row is not None and not keys:
            parts.append("the sources disagree: the credential report's root row shows no key")
        if inactive and not active:
            parts.append("an inactive key still exists and can be re-activated: delete it")
        return fail(f"root user of {label} has an access key: {'; '.join(parts)}", account=account, evidence=refs_)
    source = {
        (True, True): "get-account-summary and the credential report agree",
        (True, False): "per get-account-summary",
        (False, True): "per the credential report",
    }[(flag is not None, row is not None)]
    return passed(f"root user of {label} has no access keys ({source})", account=account, evidence=refs_)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    for account in ctx.audited_accounts():
        yield _verdict(ctx, account)


RULE = Rule(META, check)
