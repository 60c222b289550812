"""ACT-004: the root user of any account did something during the evidence period."""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, not_evaluated, not_evaluated_in
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.activity import (
    NO_ACTIVITY,
    PASS_BASIS,
    activity_of,
    events_in,
    not_covered,
    pass_unless_blocked,
    when,
)

META = RuleMeta(
    id="ACT-004",
    title="Root user activity",
    severity=Severity.CRITICAL,
    pillar=Pillar.ACTIVITY,
    rationale=(
        "The root user bypasses every IAM policy and is meant for the handful of tasks only it can do. "
        "Any root sign-in or call in the period is either such a task (documented) or an incident."
    )
    + PASS_BASIS,
    remediation=(
        "Match each root event with a change ticket; if none exists, treat it as an incident: rotate the root "
        "password, check its MFA device, review what was done. Consider centralized root access."
    ),
    compliance=refs(("CIS3", "1.7"), ("CIS4", "1.6"), ("NIST", "AC-6(2)"), ("NIST", "AU-6")),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-tasks.html",),
    applies_to="account",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    activity = activity_of(ctx)
    if activity is None:
        yield from not_evaluated_in(ctx.audited_accounts(), NO_ACTIVITY)
        return
    for account_id in ctx.audited_accounts():
        uncovered = not_covered(activity, account_id)
        if uncovered:
            yield not_evaluated(uncovered, account=account_id)
            continue
        events = events_in(activity, "root_activity", account_id)
        if events:
            names = sorted({e.name for e in events})
            addresses = sorted({e.source_ip for e in events if e.source_ip})
            yield fail(
                f"the root user of account {account_id} made {len(events)} call(s), first {when(events[0])}, last "
                f"{when(events[-1])}, from {', '.join(addresses) or 'unknown addresses'}: {', '.join(names[:8])}",
                account=account_id,
                resource=f"arn:{ctx.partition}:iam::{account_id}:root",
                evidence=tuple(dict.fromkeys(e.ref for e in events))[:5],
                details={"events": len(events)},
            )
            continue
        yield pass_unless_blocked(activity, account_id, f"no root user activity in account {account_id}")


RULE = Rule(META, check)
