"""The shared ACT helpers (analyzer/rules/support/activity.py) tested alone: what each says for the
states of the activity evidence (no period, missing delivery days, blocked accounts, integrity problems,
unverified files at the edges of the period), with whole messages.

The day arithmetic follows CloudTrail's delivery: a log file is delivered within minutes of its events,
so the period's last events may be in a file of the next day
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/how-cloudtrail-works.html), and a digest
covers an hour even without log files
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from analyzer.model.activity import (
    ActivityEvent,
    ActivityEvidence,
    IntegrityIssue,
    IntegritySummary,
    UnverifiedFile,
)
from analyzer.model.evidence import EvidenceRef
from analyzer.rules.base import Status
from analyzer.rules.support import activity as act

A = "111111111111"
B = "222222222222"
PERIOD = (date(2026, 11, 1), date(2026, 11, 3))
ALL_DAYS = frozenset({date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)})


def evidence(**kw: Any) -> ActivityEvidence:
    base: dict[str, Any] = {"period": PERIOD, "period_source": "manifest"}
    base.update(kw)
    return ActivityEvidence(**base)


def unverified(first: date, last: date, account: str = A, key: str = "k.json.gz") -> UnverifiedFile:
    return UnverifiedFile(
        account_id=account, region="us-east-1", object_key=key, first_day=first, last_day=last, reason="no digest"
    )


def issue(problem: str, account: str = A, message: str = "m") -> IntegrityIssue:
    return IntegrityIssue(account_id=account, region="us-east-1", problem=problem, object_key="k", message=message)


def event(category: str = "root_activity", account: str = A, time: datetime | None = None) -> ActivityEvent:
    return ActivityEvent(
        category=category,
        event_id="e",
        account_id=account,
        region="us-east-1",
        time=time or datetime(2026, 11, 2, 10, 5, 7, tzinfo=UTC),
        source="signin.amazonaws.com",
        name="ConsoleLogin",
        identity_type="Root",
        principal_arn="",
        user_name="",
        caller_account=account,
        issuer_arn="",
        session_mfa="",
        source_ip="",
        error_code="",
        shared_event_id="",
        mfa_used="",
        outcome="",
        target="",
        ref=EvidenceRef("f"),
    )


def test_activity_of() -> None:
    present = evidence()
    assert act.activity_of(SimpleNamespace(snapshot=SimpleNamespace(activity=present))) is present  # type: ignore[arg-type]
    absent = evidence(period=None, period_source="none")
    assert act.activity_of(SimpleNamespace(snapshot=SimpleNamespace(activity=absent))) is None  # type: ignore[arg-type]
    assert act.activity_of(SimpleNamespace(snapshot=SimpleNamespace(activity=None))) is None  # type: ignore[arg-type]


def test_period_text() -> None:
    assert act.period_text(evidence()) == "2026-11-01 to 2026-11-03 (manifest)"
    assert act.period_text(evidence(period=None, period_source="none")) == "no period"


@pytest.mark.parametrize(
    ("days", "text"),
    [
        ([], ""),
        ([date(2026, 11, 3)], "2026-11-03"),
        ([date(2026, 11, 5), date(2026, 11, 3), date(2026, 11, 4), date(2026, 11, 4)], "2026-11-03..2026-11-05"),
        (
            [date(2026, 11, 9), date(2026, 11, 3), date(2026, 11, 4), date(2026, 11, 6)],
            "2026-11-03..2026-11-04, 2026-11-06, 2026-11-09",
        ),
        ([date(2026, 10, 31), date(2026, 11, 1)], "2026-10-31..2026-11-01"),
    ],
)
def test_ranges(days: list[date], text: str) -> None:
    assert act.ranges(days) == text


def test_not_covered() -> None:
    read = evidence(event_accounts=frozenset({A}))
    assert act.not_covered(read, A) is None
    assert act.not_covered(read, B) == (
        f"not evaluated: no CloudTrail records for account {B} over 2026-11-01 to 2026-11-03 (manifest) "
        "(no log files or lookup-events output for it in the bundle)"
    )
    blocked = evidence(blocked={B: ("file x unreadable", "file y conflicts")})
    assert act.not_covered(blocked, B) == (
        f"not evaluated: no CloudTrail records for account {B} over 2026-11-01 to 2026-11-03 (manifest) "
        "(its activity evidence cannot be used: file x unreadable; file y conflicts)"
    )


def test_pass_blocked_none_when_every_day_is_shown() -> None:
    full = evidence(
        sources={A: ("log files",)},
        delivery_days={(A, "us-east-1"): frozenset({date(2026, 11, 1), date(2026, 11, 3)})},
        digest_days={(A, "us-east-1"): frozenset({date(2026, 11, 2)})},
        integrity=(issue("moved"), issue("key"), issue("modified", account=B)),
        unverified=(unverified(date(2026, 11, 2), date(2026, 11, 2), account=B),),
    )
    assert act.pass_blocked(full, A) is None


def test_pass_blocked_missing_days_per_region() -> None:
    gaps = evidence(
        sources={A: ("log files",)},
        delivery_days={
            (A, "us-west-2"): frozenset({date(2026, 11, 2)}),
            (A, "eu-west-1"): frozenset({date(2026, 11, 1)}),
            (A, "us-east-1"): ALL_DAYS,
            (B, "ap-south-1"): frozenset(),
        },
        digest_days={(A, "eu-west-1"): frozenset({date(2026, 11, 3)}), (B, "us-west-2"): ALL_DAYS},
    )
    assert act.pass_blocked(gaps, A) == (
        f"not evaluated: nothing found, but the evidence for account {A} is incomplete: "
        "no log files in eu-west-1 for 2026-11-02; no log files in us-west-2 for 2026-11-01, 2026-11-03"
    )
    # Only log files are delivered by day: an account read from lookup-events has no delivery days to miss.
    assert act.pass_blocked(replace(gaps, sources={A: ("lookup-events",)}), A) is None


def test_pass_blocked_every_reason_together() -> None:
    bad = evidence(
        sources={A: ("log files",)},
        delivery_days={(A, "us-east-1"): frozenset({date(2026, 11, 1), date(2026, 11, 2)})},
        blocked={A: ("x conflicts", "y unreadable")},
        integrity=tuple(issue(p, message=f"{p} file") for p in ("key", "signature", "missing", "moved", "chain")),
        unverified=(
            unverified(date(2026, 11, 1), date(2026, 11, 1), key="first.json.gz"),
            unverified(date(2026, 11, 2), date(2026, 11, 2), key="second.json.gz"),
        ),
    )
    assert act.pass_blocked(bad, A) == (
        f"not evaluated: nothing found, but the evidence for account {A} is incomplete: "
        "no log files in us-east-1 for 2026-11-03; x conflicts; y unreadable; "
        "3 log file(s) failed the integrity check (ACT-007): signature file; "
        "2 file(s) whose integrity could not be verified, so records may have been removed from them unseen "
        "(ACT-007): first.json.gz: no digest"
    )


@pytest.mark.parametrize("problem", ["missing", "modified", "unlisted", "format", "signature", "chain"])
def test_pass_blocked_by_each_tainting_problem(problem: str) -> None:
    assert act.pass_blocked(evidence(integrity=(issue(problem, message="why"),)), A) == (
        f"not evaluated: nothing found, but the evidence for account {A} is incomplete: "
        "1 log file(s) failed the integrity check (ACT-007): why"
    )


def test_unverified_in_period_edges() -> None:
    files = (
        unverified(date(2026, 10, 30), date(2026, 10, 31), key="before"),
        unverified(date(2026, 10, 30), date(2026, 11, 1), key="ends-on-start"),
        unverified(date(2026, 11, 4), date(2026, 11, 4), key="day-after-end"),
        unverified(date(2026, 11, 5), date(2026, 11, 6), key="two-days-after"),
        unverified(date(2026, 10, 1), date(2026, 12, 1), key="spans"),
        unverified(date(2026, 11, 2), date(2026, 11, 2), key="other-account", account=B),
    )
    found = act.unverified_in_period(evidence(unverified=files), A)
    assert [u.object_key for u in found] == ["ends-on-start", "day-after-end", "spans"]
    assert act.unverified_in_period(evidence(period=None, period_source="none", unverified=files), A) == []


def test_basis() -> None:
    summary = {
        (A, "us-east-1"): IntegritySummary(log_files=3),
        (A, "eu-west-1"): IntegritySummary(log_files=4),
        (B, "us-east-1"): IntegritySummary(log_files=100),
    }
    logs = evidence(sources={A: ("log files",)}, integrity_summary=summary)
    assert act.basis(logs, A) == "7 log file(s), each verified against a CloudTrail-signed digest"
    both = replace(logs, sources={A: ("log files", "lookup-events")})
    assert act.basis(both, A) == (
        "7 log file(s), each verified against a CloudTrail-signed digest; "
        "lookup-events output (as exported: CloudTrail does not sign it)"
    )
    assert act.basis(replace(logs, sources={A: ("lookup-events",)}), A) == (
        "lookup-events output (as exported: CloudTrail does not sign it)"
    )
    assert act.basis(replace(logs, sources={A: ("listing",)}), A) == "no records"
    assert act.basis(logs, B) == "no records"


def test_pass_unless_blocked() -> None:
    ok = evidence(
        sources={A: ("lookup-events",)},
    )
    outcome = act.pass_unless_blocked(ok, A, "no root sign-in", resource="r")
    assert outcome.status is Status.PASS
    assert outcome.message == (
        "no root sign-in over 2026-11-01 to 2026-11-03 (manifest), "
        "from lookup-events output (as exported: CloudTrail does not sign it)"
    )
    assert (outcome.account, outcome.resource) == (A, "r")
    stopped = act.pass_unless_blocked(replace(ok, blocked={A: ("x conflicts",)}), A, "no root sign-in", resource="r")
    assert stopped.status is Status.NOT_EVALUATED
    assert stopped.message == (
        f"not evaluated: nothing found, but the evidence for account {A} is incomplete: x conflicts"
    )
    assert (stopped.account, stopped.resource) == (A, "r")


def test_events_in() -> None:
    inside = event(time=datetime(2026, 11, 1, 0, 0, 0, tzinfo=UTC))
    last = event(time=datetime(2026, 11, 3, 23, 59, 59, tzinfo=UTC))
    before = event(time=datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC))
    after = event(time=datetime(2026, 11, 4, 0, 0, 0, tzinfo=UTC))
    other_category = event(category="tampering")
    other_account = event(account=B)
    events = (inside, last, before, after, other_category, other_account)
    found = evidence(events=events)
    assert act.events_in(found, "root_activity", A) == [inside, last]
    assert act.events_in(found, "root_activity") == [inside, last, other_account]
    assert act.events_in(found, "tampering", A) == [other_category]
    unbounded = evidence(period=None, period_source="none", events=events)
    assert act.events_in(unbounded, "root_activity", A) == [inside, last, before, after]


def test_when() -> None:
    assert act.when(event(time=datetime(2026, 11, 2, 3, 4, 5, tzinfo=UTC))) == "2026-11-02T03:04:05Z"
