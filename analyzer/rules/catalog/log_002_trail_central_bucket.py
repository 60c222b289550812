"""LOG-002: the trails covering an account deliver to the central log bucket.

The account passes when at least one multi-region trail that covers it (its own, or the
organization trail) writes to the central bucket, and when ``log_prefix`` is configured, under
that prefix (it pins the CloudTrail prefix; Config channels are LOG-008's), *and is logging*: a
trail whose ``get-trail-status`` says ``IsLogging`` false delivers nothing (CloudTrail API Reference,
``GetTrailStatus``), and one whose status is unknown is not evaluated. Extra local trails do not
matter: what matters is that the account's events reach the central bucket. An account with no
covering trail is LOG-001's finding; its single-region trails are judged instead, and with no
trail at all there is nothing to judge (not_evaluated).
The pass names one such trail, one whose latest delivery did not fail when there is one
(``LatestDeliveryError`` is LOG-004's finding; the pass mentions it only when every such trail has one).

A central bucket inferred from the deliveries of the account under test alone (a single-account
bundle without ``log_bucket`` in the manifest or config) is not shown to be central: the account
is not evaluated, unless every trail it has is stopped (then it delivers nothing anywhere).
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.model.entities import Trail
from analyzer.model.kinds import Kind
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, not_evaluated, not_evaluated_in, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.evidence import account_label
from analyzer.rules.support.log_delivery import (
    TrailIndex,
    bucket_inferred_from_own,
    bucket_unknown_message,
    central_bucket,
    covering_trails,
    describe_destination,
    gap_text,
    inferred_note,
    normalized_prefix,
    region_gaps,
    single_region_trails,
    trail_file_gap,
    trail_index,
    trail_label,
    unless_trails_unknown,
)

META = RuleMeta(
    id="LOG-002",
    title="CloudTrail does not deliver to the central log bucket",
    severity=Severity.HIGH,
    pillar=Pillar.LOGGING,
    rationale=(
        "Logs kept in the account they describe can be deleted by whoever compromises that account. The audited "
        "model sends every account's CloudTrail logs to one bucket in the Identity (log archive) account, "
        "where member-account administrators cannot alter them and investigators find everything in one place."
    ),
    remediation=(
        "Point the covering trail at the central bucket: aws cloudtrail update-trail --name <trail> "
        "--s3-bucket-name <central bucket> --s3-key-prefix <prefix>, after granting the account's "
        "AWSLogs/<account>/ prefix in the bucket policy (see LOG-009), or replace per-account trails with an "
        "organization trail delivering to the central bucket."
    ),
    compliance=refs(("NIST", "AU-9(2)"), ("NIST", "AU-6(4)"), ("PCI", "10.3.3")),
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-receive-logs-from-multiple-accounts.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-update-a-trail.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html",
    ),
    requires=(Kind.TRAILS, Kind.TRAIL_STATUS, Kind.MANIFEST),
    applies_to="account",
)


def _prefix_problem(trail: Trail, expected: str | None) -> str | None:
    if expected is None or normalized_prefix(trail.s3_prefix) == normalized_prefix(expected):
        return None
    return f"prefix '{normalized_prefix(trail.s3_prefix)}' instead of the configured '{normalized_prefix(expected)}'"


def _stopped(trail: Trail) -> bool:
    return trail.status is not None and trail.status.is_logging is False


def _stopped_problem(trail: Trail) -> str | None:
    status = trail.status
    if status is None or status.is_logging is not False:
        return None
    since = f" since {status.stop_logging_time:%Y-%m-%dT%H:%MZ}" if status.stop_logging_time else ""
    return f"but is not logging (IsLogging false{since}): it delivers nothing (LOG-004)"


def _destination(trail: Trail, bucket: str, expected: str | None) -> str:
    text = f"{trail_label(trail)} delivers to {describe_destination(trail.s3_bucket, trail.s3_prefix)}"
    prefix = _prefix_problem(trail, expected) if trail.s3_bucket == bucket else None
    problem = "; ".join(p for p in (prefix, _stopped_problem(trail)) if p)
    return f"{text} ({problem})" if problem else text


def _status_unknown(ctx: RuleContext, trail: Trail) -> str:
    if trail.status is None:
        return trail_file_gap(ctx, trail, Kind.TRAIL_STATUS)
    return f"the get-trail-status of {trail.arn} has no IsLogging"


def _verdict(ctx: RuleContext, account: str, bucket: str, index: TrailIndex) -> Outcome:
    label = account_label(ctx, account)
    expected = ctx.settings.log_prefix
    covering = covering_trails(ctx, account, index)
    # Without a covering trail (LOG-001's finding) the account's own single-region trails are judged.
    candidates = covering or single_region_trails(account, index)
    note = "" if covering else " (no multi-region trail covers it: LOG-001; its single-region trails are judged)"
    if not candidates:
        gaps = region_gaps(ctx, account, (Kind.TRAILS,))
        unseen = f" and trails unknown in {gap_text(gaps)}" if gaps else ""
        return not_evaluated(
            f"not evaluated: {label} has no trail whose delivery could be judged{unseen} (LOG-001 reports the "
            "missing coverage)",
            account=account,
        )
    evidence = tuple(dict.fromkeys(r for t in candidates for r in (t.ref, *((t.status.ref,) if t.status else ()))))
    failure = fail(
        f"no trail of {label} delivers to the central bucket {bucket}{note}: "
        + "; ".join(_destination(t, bucket, expected) for t in candidates),
        account=account,
        evidence=evidence,
    )
    circular = bucket_inferred_from_own(ctx, account)
    if circular is not None:
        if all(map(_stopped, candidates)):
            return failure  # a stopped trail delivers nothing, wherever the central bucket is
        return not_evaluated(
            f"not evaluated: whether {label}'s events reach the central bucket is unknown: {circular}",
            account=account,
            evidence=evidence,
        )
    central = [t for t in candidates if t.s3_bucket == bucket and _prefix_problem(t, expected) is None]
    logging = [(t, t.status) for t in central if t.status is not None and t.status.is_logging is True]
    if logging:
        # show a trail whose deliveries succeed when there is one (sorted() is stable: then by ARN)
        trail, status = sorted(logging, key=lambda pair: bool(pair[1].latest_delivery_error))[0]
        failing = (
            f"; its latest delivery failed (LatestDeliveryError {status.latest_delivery_error}: LOG-004)"
            if status.latest_delivery_error
            else ""
        )
        return passed(
            f"{label}'s events go to the central bucket: {trail_label(trail)} delivers to "
            f"{describe_destination(trail.s3_bucket, trail.s3_prefix)} and is logging (IsLogging true){failing}{note}"
            f"{inferred_note(ctx)}",
            account=account,
            evidence=(trail.ref, status.ref),
        )
    unknown = [t for t in central if not _stopped(t)]
    if unknown:
        return not_evaluated(
            f"not evaluated: {trail_label(unknown[0])} delivers to the central bucket {bucket}, but whether it is "
            f"logging is unknown: " + "; ".join(_status_unknown(ctx, t) for t in unknown),
            account=account,
            evidence=tuple(t.ref for t in unknown),
        )
    return failure


def check(ctx: RuleContext) -> Iterator[Outcome]:
    bucket = central_bucket(ctx)
    accounts = ctx.audited_accounts()
    if bucket is None:
        yield from not_evaluated_in(accounts, bucket_unknown_message(ctx))
        return
    index = trail_index(ctx)
    for account in accounts:
        yield unless_trails_unknown(ctx, _verdict(ctx, account, bucket, index))


RULE = Rule(META, check)
