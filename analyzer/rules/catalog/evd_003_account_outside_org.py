"""EVD-003: evidence for an account the organization's account list does not name.

Such a folder is a stale export, a mistyped account id, or an account outside the organization
whose findings would be read as if it belonged to it. One fail per such account; every account
with evidence that the list names passes.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.model.evidence import EvidenceRef, EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, missing_message, not_evaluated, passed
from analyzer.rules.context import RuleContext
from analyzer.rules.support.evidence import account_label

META = RuleMeta(
    id="EVD-003",
    title="Evidence for an account outside the organization",
    severity=Severity.LOW,
    pillar=Pillar.EVIDENCE,
    rationale=(
        "Evidence for an account the organization does not list is either stale (the account left or was "
        "closed), misplaced (a mistyped folder), or from outside the audited organization. Its findings would "
        "mislead: they are mixed into the organization's report as if they were its own."
    ),
    remediation=(
        "Check the account id: move misplaced files to the right <account-id>/ folder, remove exports of "
        "accounts that left the organization, or re-export organizations list-accounts if the account joined "
        "after the list was taken."
    ),
    references=("https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html",),
    requires=(Kind.ORG_ACCOUNTS,),
    applies_to="account",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    blocked = ctx.blocking((Kind.ORG_ACCOUNTS,))
    if blocked:
        yield not_evaluated(missing_message(blocked) + ": membership cannot be judged without the account list")
        return
    state = ctx.snapshot.state(Kind.ORG_ACCOUNTS)
    if state.status is EvidenceStatus.ABSENT_IN_AWS:
        yield not_evaluated(f"not evaluated: AWS Organizations is not in use ({state.reason})")
        return
    listing = tuple(EvidenceRef(f) for f in state.files)
    listed = {a.id: a for a in ctx.snapshot.org_accounts}
    files: dict[str, list[str]] = {}
    for row in ctx.snapshot.inventory:
        if row.account_id:
            files.setdefault(row.account_id, []).append(row.path)
    for account in sorted(set(ctx.snapshot.accounts) | set(files)):
        label = account_label(ctx, account)
        paths = sorted(files.get(account, []))
        entry = listed.get(account)
        if entry is not None:
            yield passed(
                f"{label} is in the organization's account list (state {entry.state})",
                account=account,
                evidence=(entry.ref,),
            )
            continue
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        yield fail(
            f"the bundle holds evidence for {label} ({len(paths)} file(s): {shown}) but the account is not in "
            f"the organization's account list: a stale export, a mistyped folder or an account outside the "
            f"organization",
            account=account,
            evidence=listing + tuple(EvidenceRef(p) for p in paths[:3]),
        )


RULE = Rule(META, check)
