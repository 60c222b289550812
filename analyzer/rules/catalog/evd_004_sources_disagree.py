"""EVD-004: exports that report the same facts differently.

AWS reports users, roles, groups and policies in several exports of one account, and the
organization's membership in several organization exports; :mod:`analyzer.evidence.crosscheck`
compares them while the bundle loads. A disagreement is how a principal left out of one export (and
with it its failures) shows, and the evidence it casts doubt on is not used: the checks that need
it are not evaluated. One result per account (and one for the organization's own exports): fail
with every disagreement, pass when at least two sources could be compared and agree.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.model.kinds import Kind
from analyzer.model.snapshot import Disagreement
from analyzer.rules.base import (
    Outcome,
    Pillar,
    Rule,
    RuleMeta,
    Severity,
    fail,
    missing_message,
    not_evaluated,
    passed,
)
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.evidence import account_label, rules_reading

META = RuleMeta(
    id="EVD-004",
    title="Evidence sources disagree",
    severity=Severity.HIGH,
    pillar=Pillar.EVIDENCE,
    rationale=(
        "The evidence is handed over by the party being audited. A user missing from the authorization "
        "details but present in the credential report, a role count in the account summary that the role "
        "list does not reach, or a credential report generated long before the collection means one export "
        "does not describe the account as it is, whether through a broken collection or an edit. Verdicts "
        "built on it could hide exactly the principals that were left out."
    ),
    remediation=(
        "Re-collect the account in one run (`trustmap collect`, or the AWS CLI script), generating a new "
        "credential report first (`aws iam generate-credential-report`), and hand over the files unedited. "
        "If the sources still disagree, find out why before relying on the audit."
    ),
    compliance=refs(("NIST", "AU-9"), ("NIST", "CA-7")),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html",
        "https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountSummary.html",
        "https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html",
    ),
    requires=(),
    applies_to="account",
)

#: The account-level exports that are compared, and what each is called in a pass message.
_COMPARED: tuple[tuple[Kind, str], ...] = (
    (Kind.IAM_AUTH_DETAILS, "authorization details"),
    (Kind.IAM_CREDENTIAL_REPORT, "credential report"),
    (Kind.IAM_SUMMARY, "account summary"),
    (Kind.IAM_VIRTUAL_MFA, "virtual MFA devices"),
)


def _failure(ctx: RuleContext, account: str | None, found: list[Disagreement]) -> Outcome:
    kinds = sorted({k for d in found for k in d.kinds})
    where = account_label(ctx, account) if account else "the organization's exports"
    return fail(
        f"{where}: " + "; ".join(d.message for d in found) + f". Not used: {', '.join(kinds)}; "
        f"the checks that need them are not evaluated ({', '.join(rules_reading(kinds)) or 'none'})",
        account=account,
        evidence=tuple(dict.fromkeys(ref for d in found for ref in d.evidence)),
        details={"kinds": kinds},
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    snapshot = ctx.snapshot
    by_account: dict[str | None, list[Disagreement]] = {}
    for disagreement in snapshot.disagreements:
        by_account.setdefault(disagreement.account_id, []).append(disagreement)
    if None in by_account:
        yield _failure(ctx, None, by_account[None])
    elif blocked := ctx.blocking((Kind.ORG_ACCOUNTS, Kind.ORG_DESCRIBE)):
        yield not_evaluated(missing_message(blocked) + ": the organization's exports cannot be compared")
    else:
        yield passed("describe-organization, list-accounts and the policies' targets agree")
    for account in sorted(snapshot.accounts):
        if account in by_account:
            yield _failure(ctx, account, by_account[account])
            continue
        compared = [name for kind, name in _COMPARED if not ctx.blocking((kind,), account)]
        label = account_label(ctx, account)
        if len(compared) >= 2 and not ctx.blocking((Kind.IAM_AUTH_DETAILS,), account):
            yield passed(f"{label}: the {', '.join(compared)} agree", account=account)
        else:
            yield not_evaluated(
                f"not evaluated: {label} has fewer than two usable exports to compare with its authorization "
                f"details ({', '.join(compared) or 'none usable'})",
                account=account,
            )


RULE = Rule(META, check)
