"""LOG-005: the covering trails record all management events.

Per multi-region trail (each ARN once, in its owner's account): management events on, both reads
and writes, no excluded event sources (e.g. ``kms.amazonaws.com``), global service events
included. A trail that falls short passes when every account it covers is also covered by another
logging multi-region trail whose management events are complete (a data-events-only trail next to a
complete one is fine). Selectors missing -> not_evaluated, unless the trail already fails on what
is known (global service events off).
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.model.entities import Trail
from analyzer.model.kinds import Kind
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, not_evaluated, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.log_delivery import (
    covers,
    reported_trails,
    trail_file_gap,
    trail_gap_outcomes,
    trail_index,
    trail_label,
)
from analyzer.rules.support.scope import uncollected_outcomes

META = RuleMeta(
    id="LOG-005",
    title="CloudTrail management events incomplete",
    severity=Severity.MEDIUM,
    pillar=Pillar.LOGGING,
    rationale=(
        "Management events are the control-plane record: who created users, changed policies, assumed roles, "
        "read secrets. A trail that drops read events loses reconnaissance (List*/Get*/Describe*) and "
        "credential access (GetSecretValue, Decrypt); excluded KMS events hide key use; without global service "
        "events IAM and STS changes are missing."
    ),
    remediation=(
        "aws cloudtrail put-event-selectors --trail-name <trail> --event-selectors "
        '\'[{"ReadWriteType":"All","IncludeManagementEvents":true,"ExcludeManagementEventSources":[]}]\' '
        "(or an advanced selector with eventCategory = Management and no readOnly / eventSource filter), and "
        "aws cloudtrail update-trail --name <trail> --include-global-service-events."
    ),
    compliance=refs(("CIS3", "3.1"), ("CIS4", "3.1"), ("NIST", "AU-2"), ("PCI", "10.2.1")),
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetEventSelectors.html",
    ),
    requires=(Kind.TRAILS, Kind.TRAIL_SELECTORS),
    applies_to="trail",
)


def _shortfalls(trail: Trail) -> list[str]:
    """What the trail leaves out of the management events (only what the evidence shows)."""
    found = [] if trail.include_global_events else ["global service events are not included"]
    selectors = trail.selectors
    if selectors is None:
        return found
    if not selectors.management_events:
        return [*found, "management events are not logged at all"]
    if selectors.read_write != "All":
        dropped = {"ReadOnly": "write", "WriteOnly": "read"}.get(selectors.read_write, "read and write")
        kind = "advanced" if selectors.advanced else "basic"
        found.append(f"{dropped} management events are excluded ({kind} selectors keep {selectors.read_write})")
    if selectors.excluded_sources:
        found.append("events of " + ", ".join(selectors.excluded_sources) + " are excluded")
    return found


def _complete(trail: Trail) -> bool:
    return trail.selectors is not None and not _shortfalls(trail)


def _supplements(ctx: RuleContext, trail: Trail, trails: list[Trail]) -> list[Trail]:
    """Other logging, complete trails that together cover every account this trail covers ([] if none do)."""
    covered = [a for a in ctx.audited_accounts() if covers(ctx, trail, a)]
    others = [t for t in trails if t.arn != trail.arn and _complete(t) and t.status and t.status.is_logging]
    chosen: dict[str, Trail] = {}
    for account in covered:
        other = next((t for t in others if covers(ctx, t, account)), None)
        if other is None:
            return []
        chosen[other.arn] = other
    return list(chosen.values())


def _verdict(ctx: RuleContext, trail: Trail, trails: list[Trail]) -> Outcome:
    where = {"account": trail.owner_account_id, "region": trail.home_region, "resource": trail.arn}
    evidence = tuple(r for r in (trail.ref, trail.selectors.ref if trail.selectors else None) if r is not None)
    shortfalls = _shortfalls(trail)
    if not shortfalls and trail.selectors is None:
        return not_evaluated("not evaluated: " + trail_file_gap(ctx, trail, Kind.TRAIL_SELECTORS), **where)
    if not shortfalls:
        return passed(f"{trail_label(trail)} logs all read and write management events", evidence=evidence, **where)
    supplements = _supplements(ctx, trail, trails)
    if supplements:
        return passed(
            f"{trail_label(trail)}: {'; '.join(shortfalls)}; but {', '.join(t.arn for t in supplements)} "
            "log all management events of every account this trail covers",
            evidence=(*evidence, *(t.ref for t in supplements)),
            **where,
        )
    unknown = "; selectors unknown" if trail.selectors is None else ""
    return fail(
        f"{trail_label(trail)} misses management events: {'; '.join(shortfalls)}{unknown}", evidence=evidence, **where
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    trails = [t for t in reported_trails(trail_index(ctx)) if t.multi_region]
    for trail in trails:
        yield _verdict(ctx, trail, trails)
    yield from trail_gap_outcomes(ctx, "the management events")
    yield from uncollected_outcomes(ctx, "the management events of the regional trails")


RULE = Rule(META, check)
