"""What every ACT rule asks first: is there activity evidence for this account over the period, and
may its absence of findings be called a pass?

No activity evidence at all leaves the pillar not evaluated; an account without records is not
evaluated; a pass needs records for every day of the period, files that are not in conflict, and no
log file found missing, modified or added after delivery (ACT-007). Failures found in what is there
are always reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from analyzer.model.activity import ActivityEvent, ActivityEvidence
from analyzer.rules.context import RuleContext

NO_ACTIVITY = (
    "not evaluated: the bundle holds no activity evidence (CloudTrail log files, lookup-events output or a "
    "listing of the central bucket); add them as the README's bundle section says"
)
#: Integrity problems that make a log file's records untrustworthy (or the set of files incomplete). A
#: digest whose signature fails, or that breaks the chain, vouches for nothing: the log files it lists
#: could have been changed together with their hashes in it.
_TAINTING = frozenset({"missing", "modified", "unlisted", "format", "signature", "chain"})


def activity_of(ctx: RuleContext) -> ActivityEvidence | None:
    found = ctx.snapshot.activity
    return found if found is not None and found.present else None


def period_text(activity: ActivityEvidence) -> str:
    if activity.period is None:
        return "no period"
    start, end = activity.period
    return f"{start.isoformat()} to {end.isoformat()} ({activity.period_source})"


def ranges(days: Iterable[date]) -> str:
    """``2026-11-03..2026-11-05, 2026-11-09`` for a set of days."""
    ordered = sorted(set(days))
    spans: list[tuple[date, date]] = []
    for day in ordered:
        if spans and (day - spans[-1][1]).days == 1:
            spans[-1] = (spans[-1][0], day)
        else:
            spans.append((day, day))
    return ", ".join(a.isoformat() if a == b else f"{a.isoformat()}..{b.isoformat()}" for a, b in spans)


def not_covered(activity: ActivityEvidence, account_id: str) -> str | None:
    """Why the account's records cannot be judged at all (None: they can)."""
    if account_id not in activity.event_accounts:
        return (
            f"not evaluated: no CloudTrail records for account {account_id} over {period_text(activity)} "
            "(no log files or lookup-events output for it in the bundle)"
        )
    return None


def pass_blocked(activity: ActivityEvidence, account_id: str) -> str | None:
    """Why finding nothing in the account's records is not a pass (None: it is)."""
    reasons: list[str] = []
    if "log files" in activity.sources.get(account_id, ()):
        missing = [d for d in activity.days() if d not in activity.days_with_logs(account_id)]
        if missing:
            reasons.append(f"no log files for {ranges(missing)}")
    if activity.blocked.get(account_id):
        reasons.append("; ".join(activity.blocked[account_id]))
    tainted = [i for i in activity.integrity if i.account_id == account_id and i.problem in _TAINTING]
    if tainted:
        reasons.append(f"{len(tainted)} log file(s) failed the integrity check (ACT-007): {tainted[0].message}")
    if not reasons:
        return None
    return f"not evaluated: nothing found, but the evidence for account {account_id} is incomplete: " + "; ".join(
        reasons
    )


def events_in(activity: ActivityEvidence, category: str, account_id: str | None = None) -> list[ActivityEvent]:
    found = [
        e for e in activity.events if e.category == category and (account_id is None or e.account_id == account_id)
    ]
    if activity.period is not None:
        start, end = activity.period
        found = [e for e in found if start <= e.time.date() <= end]
    return found


def when(event: ActivityEvent) -> str:
    return f"{event.time:%Y-%m-%dT%H:%M:%SZ}"
