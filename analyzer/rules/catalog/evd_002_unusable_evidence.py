"""EVD-002: evidence that is present but truncated, invalid, refused or failed.

One fail per affected (account, region, kind[, item]) from the snapshot's evidence states, plus one
per recognised evidence file that could not be used and that no state records (a file that cannot
be placed in an account, content from another account).
``resource`` is the file's bundle path: the thing to fix. Every audited account with evidence files
and no such problem passes; an account without any evidence file (nothing, or only files trustmap does
not read) is left to EVD-001 (not evaluated here).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from analyzer.model.evidence import EvidenceRef, EvidenceState
from analyzer.model.snapshot import InventoryRow
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, not_evaluated, passed
from analyzer.rules.context import RuleContext
from analyzer.rules.support.evidence import (
    EXPORT_CALLS,
    account_label,
    fix_for,
    kind_of,
    rules_reading,
    state_problems,
    stateless_problem_rows,
)

META = RuleMeta(
    id="EVD-002",
    title="Evidence truncated, invalid or access-denied",
    severity=Severity.MEDIUM,
    pillar=Pillar.EVIDENCE,
    rationale=(
        "A truncated listing hides the users or roles on its missing pages; a refused or unreadable export "
        "hides everything. Checks that depend on such a file are not evaluated, and the report must say which "
        "file, what is wrong with it and how to get a usable copy."
    ),
    remediation=(
        "Re-export each listed file as the message says: with the AWS CLI v2 default pagination (no "
        "--max-items or --no-paginate), raw JSON output (no --query), and a role allowed to make the call "
        "(the SecurityAudit managed policy covers every call trustmap reads)."
    ),
    references=(
        "https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-pagination.html",
        "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/SecurityAudit.html",
    ),
    requires=(),
    applies_to="evidence file",
)


def _state_outcome(key: tuple[str, str, str, str], state: EvidenceState) -> Outcome:
    account, region, kind, item = key
    file = state.files[0] if state.files else kind
    more = f" (and {', '.join(state.files[1:])})" if len(state.files) > 1 else ""
    scope = " ".join(x for x in (account, region, item) if x) or "the organization"
    what = state.reason  # every problem state says why (the loader's summary of the file's first problem)
    reading = ", ".join(rules_reading([kind]))
    rules = f"rules that read it, not evaluated here where they need it: {reading}" if reading else "no rule reads it"
    return fail(
        f"{file}{more}: {kind} for {scope} is {state.status.value}: {what}; to fix: {fix_for(state)}; {rules}",
        account=account or None,
        region=region or None,
        resource=file,
        subject=f"{kind}:{item}" if item else kind,
        evidence=tuple(EvidenceRef(f) for f in state.files),
        details={"status": state.status.value, "kind": kind, "error_code": state.error_code},
    )


def _row_outcome(row: InventoryRow) -> Outcome:
    """A file no evidence state records: the loader's reason says what is wrong and, usually, what to do
    (every ignored or invalid row carries one)."""
    what = row.reason
    kind = kind_of(row.kind) if row.kind else None
    command = EXPORT_CALLS[kind][0] if kind is not None and kind in EXPORT_CALLS else "the export command"
    fix = "" if ";" in what else f"; to fix: re-export it with {command} into its documented place"
    return fail(
        f"{row.path}{f' ({row.kind})' if row.kind else ''} is {row.status.value}: {what}{fix}",
        account=row.account_id,
        region=row.region,
        resource=row.path,
        subject=row.kind,
        evidence=(EvidenceRef(row.path),),
        details={"status": row.status.value},
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    snapshot = ctx.snapshot
    affected: set[str] = set()
    for key, state in state_problems(snapshot):
        affected.add(key[0])
        yield _state_outcome(key, state)
    for row in stateless_problem_rows(snapshot):
        affected.add(row.account_id or "")
        yield _row_outcome(row)
    # Only recognised evidence counts: a note or any file trustmap does not read is not evidence, and an
    # account holding nothing else must not pass as "all 1 evidence file(s) usable".
    evidence_files = Counter(r.account_id for r in snapshot.inventory if r.kind is not None)
    for account in ctx.audited_accounts():
        if account in affected:
            continue
        label = account_label(ctx, account)
        if not evidence_files[account]:
            yield not_evaluated(
                f"not evaluated: the bundle holds no evidence file for {label}; EVD-001 reports what is missing",
                account=account,
            )
            continue
        doubted = any(d.account_id == account for d in snapshot.disagreements)
        what = "readable and complete" if doubted else "usable"
        more = "; some disagree with other exports of the account (EVD-004)" if doubted else ""
        yield passed(f"all {evidence_files[account]} evidence file(s) of {label} are {what}{more}", account=account)


RULE = Rule(META, check)
