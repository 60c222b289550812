"""LOG-004: every trail is healthy at collection time.

Healthy (CTUG ``get-trail-status``): ``IsLogging`` true, no ``LatestDeliveryError``, and a
``LatestDeliveryTime`` no older than ``thresholds.trail_delivery_max_age_hours`` before the
collection time (or, with no delivery yet, a ``StartLoggingTime`` within that limit: the pass says no
file was delivered yet). What can be decided is decided: a stopped trail fails even when the collection
time is unknown; only the age part then stays open. One result per trail ARN (owner's account).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from analyzer.model.entities import Trail, TrailStatus
from analyzer.model.kinds import Kind
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, not_evaluated, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.log_delivery import (
    hours_between,
    reported_trails,
    trail_file_gap,
    trail_gap_outcomes,
    trail_index,
    trail_label,
)
from analyzer.rules.support.scope import uncollected_outcomes

META = RuleMeta(
    id="LOG-004",
    title="CloudTrail trail not healthy (stopped, failing or stale)",
    severity=Severity.HIGH,
    pillar=Pillar.LOGGING,
    rationale=(
        "A trail can be configured perfectly and still record nothing: someone stopped it (StopLogging is a "
        "classic first step of an intruder), or delivery fails because the bucket policy or KMS key refuses it. "
        "Only the trail's status shows this; a stale last delivery means the logs stopped arriving."
    ),
    remediation=(
        "Restart a stopped trail (aws cloudtrail start-logging --name <trail>); for a delivery error fix its "
        "cause (bucket policy: see LOG-009; KMS key policy: allow cloudtrail.amazonaws.com to GenerateDataKey); "
        "alert on StopLogging/DeleteTrail with an EventBridge rule or an SCP that denies them."
    ),
    compliance=refs(("NIST", "AU-5"), ("NIST", "AU-12"), ("PCI", "10.7.2")),
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html",
    ),
    requires=(Kind.TRAILS, Kind.TRAIL_STATUS, Kind.MANIFEST),
    applies_to="trail",
)


def _age_problem(status: TrailStatus, collected: datetime | None, limit: int) -> tuple[str | None, str | None]:
    """(problem, why-unknown) about how recent the last delivery is."""
    if collected is None:
        return None, "the collection time is unknown (no collected_at in manifest.json)"
    delivered = status.latest_delivery_time
    if delivered is not None:
        age = hours_between(delivered, collected)
        if age > limit:
            return (
                f"last delivery {delivered:%Y-%m-%dT%H:%MZ} is {age:.1f} hours before collection (limit {limit} h)",
                None,
            )
        return None, None
    started = status.start_logging_time
    if started is not None and hours_between(started, collected) > limit:
        return (
            f"logging since {started:%Y-%m-%dT%H:%MZ} but no log file delivery recorded (no LatestDeliveryTime)",
            None,
        )
    if started is not None:
        return None, None  # started within the limit: the first delivery may not have happened yet
    return None, "the status has neither LatestDeliveryTime nor StartLoggingTime"


def _verdict(ctx: RuleContext, trail: Trail) -> Outcome:
    where = {"account": trail.owner_account_id, "region": trail.home_region, "resource": trail.arn}
    status = trail.status
    if status is None:
        return not_evaluated("not evaluated: " + trail_file_gap(ctx, trail, Kind.TRAIL_STATUS), **where)
    limit = ctx.settings.thresholds.trail_delivery_max_age_hours
    problems = []
    if status.is_logging is False:
        stopped = f" since {status.stop_logging_time:%Y-%m-%dT%H:%MZ}" if status.stop_logging_time else ""
        problems.append(f"not logging (IsLogging false){stopped}")
    if status.latest_delivery_error:
        problems.append(f"LatestDeliveryError {status.latest_delivery_error}")
    age_problem, age_unknown = _age_problem(status, ctx.collected_at, limit)
    if age_problem and status.is_logging is not False:
        problems.append(age_problem)
    evidence = (trail.ref, status.ref)
    if problems:
        return fail(f"{trail_label(trail)} is not healthy: " + "; ".join(problems), evidence=evidence, **where)
    unknown = [u for u in (age_unknown,) if u]
    if status.is_logging is None:
        unknown.insert(0, "the status has no IsLogging")
    if unknown:
        return not_evaluated(f"not evaluated: health of {trail_label(trail)}: " + "; ".join(unknown), **where)
    return passed(
        f"{trail_label(trail)} is logging with no delivery error{_recency(status, limit)}", evidence=evidence, **where
    )


def _recency(status: TrailStatus, limit: int) -> str:
    """What a healthy status shows about deliveries: the last one in time, or none yet since a recent start."""
    if status.latest_delivery_time is not None:
        return f" and a delivery within {limit} h of collection"
    return (
        f"; it started logging {status.start_logging_time:%Y-%m-%dT%H:%MZ}, within {limit} h of collection, "
        "and has delivered no log file yet"
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    for trail in reported_trails(trail_index(ctx)):
        yield _verdict(ctx, trail)
    yield from trail_gap_outcomes(ctx, "the health")
    yield from uncollected_outcomes(ctx, "the health of the regional trails")


RULE = Rule(META, check)
