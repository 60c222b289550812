"""Shared facts of the logging rules (LOG-*): trails as the organization sees them, Config per region.

Trails. ``AccountEvidence.trails`` is one account's view, deduplicated by ARN. The logging rules
need the organization's view: :func:`trail_index` merges every account's copies of a trail (one
per ARN) and takes status and selectors from the owner's copy first, then from any other copy
(an exporter may fetch a shadow or organization trail's status by ARN from a member account).

Coverage (CTUG ``cloudtrail-concepts``, ``creating-trail-organization``): a trail covers every
region of an account when it is multi-region and either belongs to the account or is an
organization trail and the account is in the organization (or lists the trail as a shadow copy,
which AWS only shows to members). Single-region trails never count as coverage.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from datetime import datetime

from analyzer.model.entities import ConfigRecorder, DeliveryChannel, Trail
from analyzer.model.evidence import EvidenceState, EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.rules.base import Outcome, Status, not_evaluated
from analyzer.rules.context import RuleContext

#: Where a trail's per-trail export sits (``<owner>/<home region>/<folder>/<trail name>.json``).
TRAIL_FILE_FOLDERS: dict[Kind, str] = {
    Kind.TRAIL_STATUS: "cloudtrail/get-trail-status",
    Kind.TRAIL_SELECTORS: "cloudtrail/get-event-selectors",
}


# --------------------------------------------------------------------------- central bucket
def central_bucket(ctx: RuleContext) -> str | None:
    return ctx.shape.log_bucket.value


def bucket_unknown_message(ctx: RuleContext) -> str:
    return f"not evaluated: the central log bucket is unknown ({ctx.shape.log_bucket.reason})"


def bucket_inferred_from_own(ctx: RuleContext, account: str) -> str | None:
    """Why the central bucket cannot count as central for ``account``'s deliveries, or None.

    An inferred bucket (no ``log_bucket`` in the config or manifest) that only ``account``'s own trails
    and channels deliver to is the account's choice, not shown to be central: judging its deliveries
    against it would be circular (a single-account bundle always infers its own bucket).
    """
    resolved = ctx.shape.log_bucket
    if resolved.source != "inferred" or set(resolved.inferred_from) - {account}:
        return None
    return (
        f"the central bucket {resolved.value} was inferred from the deliveries of account {account} alone "
        f"({resolved.reason}): a bucket an account delivers to is not central unless declared; set log_bucket "
        "in manifest.json or the config"
    )


def inferred_note(ctx: RuleContext) -> str:
    """`` (central bucket inferred: <why>)`` when the bucket was not declared, else ``""``."""
    resolved = ctx.shape.log_bucket
    return f" (central bucket inferred: {resolved.reason})" if resolved.source == "inferred" else ""


def normalized_prefix(prefix: str | None) -> str:
    """A key prefix without surrounding slashes ("" for none): ``cloudtrail/`` and ``cloudtrail`` are one place."""
    return (prefix or "").strip("/")


def describe_destination(bucket: str | None, prefix: str | None) -> str:
    where = normalized_prefix(prefix)
    return f"s3://{bucket or '(no bucket)'}/{where + '/' if where else ''}"


# --------------------------------------------------------------------------- trails
class TrailIndex(dict[str, Trail]):
    """Every trail by ARN (:func:`trail_index`), plus who may be covered by which, for coverage checks.

    Only a trail the account owns or an organization trail can cover an account, so coverage looks at
    those instead of at every trail of the organization for every account.
    """

    def __init__(self, trails: Iterable[Trail] = ()) -> None:
        super().__init__((t.arn, t) for t in trails)
        self._owned: dict[str, list[Trail]] = {}
        for trail in self.values():
            self._owned.setdefault(trail.owner_account_id, []).append(trail)
        self._organization = [t for t in self.values() if t.organization_trail]

    def candidates(self, account: str) -> list[Trail]:
        """The trails that can cover ``account`` (its own and organization trails), by ARN."""
        found = {t.arn: t for t in (*self._owned.get(account, ()), *self._organization)}
        return [found[arn] for arn in sorted(found)]


def trail_index(ctx: RuleContext) -> TrailIndex:
    """Every trail in the bundle once (by ARN), with the best status and selectors of all its copies.

    Built once per context (seven rules ask for it); read-only.
    """
    return ctx.shared(_merged_trails)


def _merged_trails(ctx: RuleContext) -> TrailIndex:
    copies: dict[str, list[Trail]] = {}
    for account_id in sorted(ctx.snapshot.accounts):
        for trail in ctx.snapshot.accounts[account_id].trails:
            if trail.arn:
                copies.setdefault(trail.arn, []).append(trail)
    merged: list[Trail] = []
    for arn in sorted(copies):
        seen = sorted(copies[arn], key=lambda t: (t.seen_in_account != t.owner_account_id, t.seen_in_account))
        status = next((t.status for t in seen if t.status is not None), None)
        selectors = next((t.selectors for t in seen if t.selectors is not None), None)
        merged.append(dataclasses.replace(seen[0], status=status, selectors=selectors))
    return TrailIndex(merged)


def org_trail_covers(ctx: RuleContext, trail: Trail, account: str) -> bool:
    """An organization trail covers every account of the organization (management account included)."""
    if not trail.organization_trail:
        return False
    if trail.owner_account_id == account:
        return True
    evidence = ctx.account(account)
    if evidence is not None and any(t.arn == trail.arn for t in evidence.trails):
        return True  # AWS shows an organization trail only to the organization's accounts
    management = ctx.shape.management_account
    owner_is_management = management is None or management == trail.owner_account_id
    return owner_is_management and ctx.in_organization(account)


def covers(ctx: RuleContext, trail: Trail, account: str) -> bool:
    """The trail records the account's events in every region."""
    if not trail.multi_region:
        return False
    return trail.owner_account_id == account or org_trail_covers(ctx, trail, account)


def covering_trails(ctx: RuleContext, account: str, index: TrailIndex) -> list[Trail]:
    return [t for t in index.candidates(account) if covers(ctx, t, account)]


def single_region_trails(account: str, index: dict[str, Trail]) -> list[Trail]:
    return [t for t in index.values() if t.owner_account_id == account and not t.multi_region]


def trail_label(trail: Trail) -> str:
    kind = "organization trail" if trail.organization_trail else "trail"
    scope = "multi-region" if trail.multi_region else f"single-region, {trail.home_region} only"
    return f"{kind} {trail.arn} ({scope})"


def trail_file_gap(ctx: RuleContext, trail: Trail, kind: Kind) -> str:
    """Why a trail's status/selectors are unknown, naming the file expected and each unusable state."""
    places = dict.fromkeys([(trail.owner_account_id, trail.home_region), (trail.seen_in_account, trail.seen_in_region)])
    states = [ctx.snapshot.state(kind, a, r, trail.name) for a, r in places]
    expected = f"{trail.owner_account_id}/{trail.home_region}/{TRAIL_FILE_FOLDERS[kind]}/{trail.name}.json"
    problems = "; ".join(dict.fromkeys(s.describe() for s in states if not s.usable))
    detail = problems or f"the {kind.value} file holds no usable entry for this trail"
    return f"{kind.value} of {trail.arn} unknown (expected {expected}): {detail}"


# --------------------------------------------------------------------------- regions and gaps
def region_gaps(
    ctx: RuleContext, account: str, kinds: tuple[Kind, ...]
) -> list[tuple[str | None, list[EvidenceState]]]:
    """(region, unusable states) for every expected region whose evidence of ``kinds`` is unusable.

    When the account's regions are unknown at all, one ``(None, ...)`` entry says so.
    """
    scope = ctx.regions(account)
    if not scope.regions:
        reason = (
            "no regional evidence, no ec2 describe-regions and no expected_regions in the config, "
            "so the account's regions are unknown"
        )
        return [(None, [EvidenceState(k.value, EvidenceStatus.MISSING, reason) for k in kinds])]
    return [(region, blocked) for region in scope.regions if (blocked := ctx.blocking(kinds, account, region))]


def gap_text(gaps: Iterable[tuple[str | None, list[EvidenceState]]]) -> str:
    parts = []
    for region, states in gaps:
        where = f"{region}: " if region else ""
        parts.append(where + "; ".join(s.describe() for s in states))
    return " | ".join(parts)


def blind_everywhere(ctx: RuleContext, account: str, gaps: list[tuple[str | None, list[EvidenceState]]]) -> bool:
    """Whether ``gaps`` (:func:`region_gaps` of the trails) leave no region whose trails are known.

    describe-trails lists the multi-region trails (the organization trail included) in every region, so
    one usable region is enough to see every trail that can cover the account."""
    return bool(gaps) and len(gaps) >= max(len(ctx.regions(account).regions), 1)


def covering_trails_unknown(ctx: RuleContext, account: str) -> str:
    """Why a trail covering ``account`` may be missing from the evidence, "" when none can be: its trails
    unknown in every region, or a trail list from AWS Config's items that may lack one
    (:attr:`AccountEvidence.trail_list_gap`)."""
    reasons = []
    gaps = region_gaps(ctx, account, (Kind.TRAILS,))
    if blind_everywhere(ctx, account, gaps):
        reasons.append(f"trails of {account} unknown in {gap_text(gaps)}")
    evidence = ctx.account(account)
    if evidence is not None and evidence.trail_list_gap:
        reasons.append(evidence.trail_list_gap)
    return "; ".join(reasons)


def trail_gap_outcomes(ctx: RuleContext, what: str) -> Iterator[Outcome]:
    """not_evaluated per account and region whose describe-trails is unusable (its trails are unseen)."""
    for account in ctx.audited_accounts():
        for region, states in region_gaps(ctx, account, (Kind.TRAILS,)):
            yield not_evaluated(
                f"not evaluated: {what} of the trails of {account} in {region or 'any region'} unknown: "
                + "; ".join(s.describe() for s in states),
                account=account,
                region=region,
            )


def reported_trails(index: dict[str, Trail]) -> list[Trail]:
    """Trails for per-trail results: each ARN once, reported in its owner's account and home region."""
    return sorted(index.values(), key=lambda t: (t.owner_account_id, t.arn))


def hours_between(earlier: datetime, later: datetime) -> float:
    return (later - earlier).total_seconds() / 3600.0


# --------------------------------------------------------------------------- Config
def customer_recorders(ctx: RuleContext, account: str, region: str | None = None) -> list[ConfigRecorder]:
    """The account's customer-managed recorders (service-linked ones record only what their service needs)."""
    if region is not None:
        return [r for r in ctx.regional_config.recorders.get((account, region), ()) if not r.service_linked]
    evidence = ctx.account(account)
    if evidence is None:
        return []
    return [r for r in evidence.recorders if not r.service_linked]


def channels_in(ctx: RuleContext, account: str, region: str) -> list[DeliveryChannel]:
    return list(ctx.regional_config.channels.get((account, region), ()))


def recorder_label(recorder: ConfigRecorder) -> str:
    return f"configuration recorder {recorder.name} of {recorder.account_id} in {recorder.region}"


def channel_label(channel: DeliveryChannel) -> str:
    return f"delivery channel {channel.name} of {channel.account_id} in {channel.region}"


def unless_trails_unknown(ctx: RuleContext, outcome: Outcome) -> Outcome:
    """A failure that rests on the account's trail list (no covering trail, none delivering centrally)
    becomes not evaluated when that list may lack a trail (:attr:`AccountEvidence.trail_list_gap`)."""
    evidence = ctx.account(outcome.account) if outcome.account else None
    if outcome.status is not Status.FAIL or evidence is None or not evidence.trail_list_gap:
        return outcome
    return not_evaluated(
        f"not evaluated: {outcome.message}; but the trails that apply may not all be known: {evidence.trail_list_gap}",
        account=outcome.account,
        evidence=outcome.evidence,
    )
