"""ACT-006: every account and region delivered log files on every day of the evidence period."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from analyzer.model.activity import ActivityEvidence
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, not_evaluated, not_evaluated_in, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext, region_partition
from analyzer.rules.support.activity import NO_ACTIVITY, activity_of, period_text, ranges
from analyzer.rules.support.log_delivery import covering_trails, trail_index

META = RuleMeta(
    id="ACT-006",
    title="Log delivery gap during the period",
    severity=Severity.HIGH,
    pillar=Pillar.ACTIVITY,
    rationale=(
        "A trail that says it delivers (LOG-001..LOG-004) proves nothing about last month. The central bucket "
        "does, for each account and region where delivery is expected: a region a trail covering the account "
        "records (all of them for a multi-region trail, the home region of a single-region one) where the "
        "account operates, by its activity evidence (log files, a listing, digests) or by the config's "
        "expected_regions; an enabled region the account never used delivers nothing and is not counted. "
        "A day counts as delivered when a log file of that day is there (the files or a listing), or when a "
        "digest whose CloudTrail signature verifies covers it: CloudTrail writes one every hour for each "
        "region, listing no file when nothing happened, so a signed empty digest shows an hour without "
        "activity, not a gap. Any other day is a day nobody can audit."
    ),
    remediation=(
        "Find why delivery stopped (StopLogging, a bucket policy change, KMS key access: ACT-005, LOG-004, "
        "LOG-009) and fix it; the days missing cannot be recovered from CloudTrail beyond lookup-events' 90 days "
        "of management events."
    ),
    compliance=refs(("CIS3", "3.1"), ("NIST", "AU-12"), ("NIST", "AU-5"), ("PCI", "10.7.2")),
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-find-log-files.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html",
    ),
    applies_to="region",
)


def trail_regions(ctx: RuleContext, account_id: str) -> frozenset[str] | None:
    """The regions the account's known trails record, or None for every region (a multi-region trail covers
    it) or when the bundle knows none of its trails (nothing to narrow the scope with)."""
    candidates = trail_index(ctx).candidates(account_id)
    if not candidates or covering_trails(ctx, account_id, trail_index(ctx)):
        return None
    return frozenset(t.home_region for t in candidates if t.owner_account_id == account_id or t.organization_trail)


def expected_regions(ctx: RuleContext, activity: ActivityEvidence, account_id: str) -> list[str]:
    """Where delivery is expected: regions of the account's partition that a trail covering it records and
    where its activity evidence or the config's expected_regions say it operates."""
    operates = {r for a, r in (*activity.delivery_days, *activity.digest_days) if a == account_id}
    scope = ctx.regions(account_id)
    if scope.source == "config":
        operates |= set(scope.regions)
    partition = ctx.account_partition(account_id)
    covered = trail_regions(ctx, account_id)
    return sorted(r for r in operates if region_partition(r) == partition and (covered is None or r in covered))


def _delivered_text(activity: ActivityEvidence, place: tuple[str, str], days: tuple[date, ...]) -> str:
    logs = activity.delivery_days.get(place, frozenset())
    with_logs = sum(1 for d in days if d in logs)
    quiet = len(days) - with_logs
    return f"log files on {with_logs}" + (
        f", a signed digest listing no log file (no activity) on the other {quiet}" if quiet else ""
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    activity = activity_of(ctx)
    if activity is None:
        yield from not_evaluated_in(ctx.audited_accounts(), NO_ACTIVITY)
        return
    days = activity.days()
    for account_id in ctx.audited_accounts():
        regions = expected_regions(ctx, activity, account_id)
        if not regions:
            yield not_evaluated(
                f"not evaluated: no log files, listing or digests for account {account_id} in a region its trails "
                f"record, over {period_text(activity)}",
                account=account_id,
            )
            continue
        for region in regions:
            place = (account_id, region)
            delivered = activity.delivery_days.get(place, frozenset()) | activity.digest_days.get(place, frozenset())
            missing = [d for d in days if d not in delivered]
            if missing:
                yield fail(
                    f"no CloudTrail log file delivered for account {account_id} in {region} on "
                    f"{ranges(missing)} ({len(missing)} of {len(days)} days of {period_text(activity)}), and no "
                    "signed digest showing those days without activity",
                    account=account_id,
                    region=region,
                    details={"gaps": ranges(missing)},
                )
            else:
                yield passed(
                    f"delivery for account {account_id} in {region} on each of the {len(days)} days of "
                    f"{period_text(activity)}: {_delivered_text(activity, place, days)}",
                    account=account_id,
                    region=region,
                )


RULE = Rule(META, check)
