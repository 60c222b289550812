"""LOG-001: every account is covered by a multi-region CloudTrail trail that is logging.

A trail counts when it is multi-region and belongs to the account, or is the management account's
organization trail. "Logging" is get-trail-status ``IsLogging: true``; a trail whose status is
unknown cannot count, and when no other trail qualifies the verdict is not_evaluated (never pass).
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.model.entities import Trail
from analyzer.model.kinds import Kind
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, not_evaluated, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.evidence import account_label
from analyzer.rules.support.log_delivery import (
    TrailIndex,
    blind_everywhere,
    covering_trails,
    gap_text,
    region_gaps,
    single_region_trails,
    trail_file_gap,
    trail_index,
    trail_label,
    unless_trails_unknown,
)

META = RuleMeta(
    id="LOG-001",
    title="Account not covered by a logging multi-region CloudTrail trail",
    severity=Severity.HIGH,
    pillar=Pillar.LOGGING,
    rationale=(
        "Without a trail that records every region, API activity in an unwatched region (a favourite place to "
        "run stolen credentials) leaves no record. A trail that exists but is stopped records nothing. The "
        "audited model relies on CloudTrail in every account to show who assumed which role and what they did."
    ),
    remediation=(
        "Create an organization trail from the management account (aws cloudtrail create-trail --name org-trail "
        "--s3-bucket-name <central bucket> --is-multi-region-trail --is-organization-trail "
        "--enable-log-file-validation, then aws cloudtrail start-logging --name org-trail), or a multi-region "
        "trail in each account; restart a stopped trail with aws cloudtrail start-logging."
    ),
    compliance=refs(("CIS3", "3.1"), ("CIS4", "3.1"), ("NIST", "AU-2"), ("NIST", "AU-12"), ("PCI", "10.2.1")),
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html",
    ),
    requires=(Kind.TRAILS, Kind.TRAIL_STATUS),
    applies_to="account",
)


def _owner_note(trail: Trail, account: str) -> str:
    return f", owned by account {trail.owner_account_id}" if trail.owner_account_id != account else ""


def _verdict(ctx: RuleContext, account: str, index: TrailIndex) -> Outcome:
    label = account_label(ctx, account)
    candidates = covering_trails(ctx, account, index)
    logging = [t for t in candidates if t.status is not None and t.status.is_logging is True]
    if logging:
        trail = logging[0]
        return passed(
            f"{label} is covered by {trail_label(trail)}{_owner_note(trail, account)}, which is logging",
            account=account,
            evidence=(trail.ref, *(t.status.ref for t in logging[:1] if t.status is not None)),
        )
    unknown = [t for t in candidates if t.status is None or t.status.is_logging is None]
    gaps = region_gaps(ctx, account, (Kind.TRAILS,))
    blind = blind_everywhere(ctx, account, gaps)
    if unknown or blind:
        reasons = [trail_file_gap(ctx, t, Kind.TRAIL_STATUS) for t in unknown]
        if blind:
            reasons.append(f"trails of {account} unknown in {gap_text(gaps)}")
        return not_evaluated(
            f"not evaluated: no trail is known to log {label}'s events: " + "; ".join(reasons),
            account=account,
            evidence=tuple(t.ref for t in unknown),
        )
    stopped = [t for t in candidates if t.status is not None and t.status.is_logging is False]
    single = single_region_trails(account, index)
    details = [f"{trail_label(t)} is not logging (IsLogging false)" for t in stopped]
    details += [f"{trail_label(t)} does not cover the other regions" for t in single]
    why = "; ".join(details) if details else "no trail at all"
    if gaps:
        why += f" (describe-trails unusable in {gap_text(gaps)})"
    return fail(
        f"{label} is not covered by a logging multi-region trail: {why}",
        account=account,
        evidence=tuple(t.ref for t in (*stopped, *single))
        + tuple(t.status.ref for t in stopped if t.status is not None),
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    index = trail_index(ctx)
    for account in ctx.audited_accounts():
        yield unless_trails_unknown(ctx, _verdict(ctx, account, index))


RULE = Rule(META, check)
