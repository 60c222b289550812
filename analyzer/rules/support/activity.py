"""What every ACT rule asks first: is there activity evidence for this account over the period, and
may its absence of findings be called a pass?

No activity evidence at all leaves the pillar not evaluated; an account without records is not
evaluated; a pass needs records for every day of the period in each region the account delivers from
(or a signed digest showing the day without activity), files that are not in conflict, no log
file found missing, modified or added after delivery (ACT-007), and every log file that can hold the
period's records verified: listed, with its hash, by a digest whose CloudTrail signature verifies.
A log file no such digest vouches for (no digest covers it, the digest has no signature or its public
key is not in the bundle) could have had records removed without a trace, so finding nothing in it
proves nothing: the account is not evaluated, naming the files and why. Failures found in what is
there, verified or not, are always reported: a record nobody can vouch for is still a record.

A pass says what it rests on: how many log files, all verified, or lookup-events output (API output
as the audited party exported it, which CloudTrail does not sign, like every other export).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from analyzer.model.activity import ActivityEvent, ActivityEvidence, UnverifiedFile
from analyzer.rules.base import Outcome, not_evaluated, passed
from analyzer.rules.context import RuleContext

NO_ACTIVITY = (
    "not evaluated: the bundle holds no activity evidence (CloudTrail log files, lookup-events output or a "
    "listing of the central bucket); add them as the README's bundle section says"
)
#: Said in the rationale of every ACT rule judging records: what its pass rests on.
PASS_BASIS = (
    " A pass rests only on log files verified against CloudTrail's signed digests (ACT-007): a file no "
    "verified digest vouches for may have lost records unseen, so the account is then not evaluated, "
    "while what is found in any file is reported."
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
        unusable = activity.blocked.get(account_id)
        why = (
            "its activity evidence cannot be used: " + "; ".join(unusable)
            if unusable
            else "no log files or lookup-events output for it in the bundle"
        )
        return f"not evaluated: no CloudTrail records for account {account_id} over {period_text(activity)} ({why})"
    return None


def pass_blocked(activity: ActivityEvidence, account_id: str) -> str | None:
    """Why finding nothing in the account's records is not a pass (None: it is)."""
    reasons: list[str] = []
    if "log files" in activity.sources.get(account_id, ()):
        for region in sorted(r for a, r in activity.delivery_days if a == account_id):
            place = (account_id, region)
            shown = activity.delivery_days[place] | activity.digest_days.get(place, frozenset())
            missing = [d for d in activity.days() if d not in shown]
            if missing:
                reasons.append(f"no log files in {region} for {ranges(missing)}")
    if activity.blocked.get(account_id):
        reasons.append("; ".join(activity.blocked[account_id]))
    tainted = [i for i in activity.integrity if i.account_id == account_id and i.problem in _TAINTING]
    if tainted:
        reasons.append(f"{len(tainted)} log file(s) failed the integrity check (ACT-007): {tainted[0].message}")
    unverified = unverified_in_period(activity, account_id)
    if unverified:
        reasons.append(
            f"{len(unverified)} file(s) whose integrity could not be verified, so records may have been "
            f"removed from them unseen (ACT-007): {unverified[0].object_key}: {unverified[0].reason}"
        )
    if not reasons:
        return None
    return f"not evaluated: nothing found, but the evidence for account {account_id} is incomplete: " + "; ".join(
        reasons
    )


def unverified_in_period(activity: ActivityEvidence, account_id: str) -> list[UnverifiedFile]:
    """The account's unverified files that can hold the period's records: those covering a day from the
    period's start to the day after its end (a log file is delivered within minutes of its events, so the
    last events of the period may be in a file of the next day)."""
    if activity.period is None:
        return []
    start, end = activity.period[0], activity.period[1] + timedelta(days=1)
    return [u for u in activity.unverified if u.account_id == account_id and u.first_day <= end and u.last_day >= start]


def basis(activity: ActivityEvidence, account_id: str) -> str:
    """What a pass of the account rests on, stated in its message."""
    sources = activity.sources.get(account_id, ())
    parts = []
    if "log files" in sources:
        places = [s for (a, _), s in activity.integrity_summary.items() if a == account_id]
        parts.append(
            f"{sum(s.log_files for s in places)} log file(s), each verified against a CloudTrail-signed digest"
        )
    if "lookup-events" in sources:
        parts.append("lookup-events output (as exported: CloudTrail does not sign it)")
    return "; ".join(parts) or "no records"


def pass_unless_blocked(activity: ActivityEvidence, account_id: str, finding: str, **kw: Any) -> Outcome:
    """``finding`` (what was not found, over the period) as a pass resting on :func:`basis`, or
    not_evaluated when :func:`pass_blocked` says the evidence cannot support one."""
    blocked = pass_blocked(activity, account_id)
    if blocked:
        return not_evaluated(blocked, account=account_id, **kw)
    return passed(
        f"{finding} over {period_text(activity)}, from {basis(activity, account_id)}", account=account_id, **kw
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
