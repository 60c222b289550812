"""ACT-006: every account and region delivered log files on every day of the evidence period."""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, not_evaluated, not_evaluated_in, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.activity import NO_ACTIVITY, activity_of, period_text, ranges

META = RuleMeta(
    id="ACT-006",
    title="Log delivery gap during the period",
    severity=Severity.HIGH,
    pillar=Pillar.ACTIVITY,
    rationale=(
        "A trail that says it delivers (LOG-001..LOG-004) proves nothing about last month. The central bucket "
        "does: a log file for each account and region on each day, from the files themselves or from a "
        "listing of the bucket. A day without one is a day nobody can audit."
    ),
    remediation=(
        "Find why delivery stopped (StopLogging, a bucket policy change, KMS key access: ACT-005, LOG-004, "
        "LOG-009) and fix it; the days missing cannot be recovered from CloudTrail beyond lookup-events' 90 days "
        "of management events."
    ),
    compliance=refs(("CIS3", "3.1"), ("NIST", "AU-12"), ("NIST", "AU-5"), ("PCI", "10.7.2")),
    references=("https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-find-log-files.html",),
    applies_to="region",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    activity = activity_of(ctx)
    if activity is None:
        yield from not_evaluated_in(ctx.audited_accounts(), NO_ACTIVITY)
        return
    days = activity.days()
    for account_id in ctx.audited_accounts():
        seen = sorted(region for account, region in activity.delivery_days if account == account_id)
        if not seen:
            yield not_evaluated(
                f"not evaluated: no log files or listing for account {account_id} in the bundle over "
                f"{period_text(activity)}",
                account=account_id,
            )
            continue
        scope = ctx.regions(account_id)
        regions = sorted(set(seen) | (set(scope.regions) if scope.source == "config" else set()))
        for region in regions:
            delivered = activity.delivery_days.get((account_id, region), frozenset())
            missing = [d for d in days if d not in delivered]
            if missing:
                yield fail(
                    f"no CloudTrail log file delivered for account {account_id} in {region} on "
                    f"{ranges(missing)} ({len(missing)} of {len(days)} days of {period_text(activity)})",
                    account=account_id,
                    region=region,
                    details={"gaps": ranges(missing)},
                )
            else:
                yield passed(
                    f"log files delivered for account {account_id} in {region} on each of the {len(days)} days of "
                    f"{period_text(activity)}",
                    account=account_id,
                    region=region,
                )


RULE = Rule(META, check)
