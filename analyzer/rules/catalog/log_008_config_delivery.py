"""LOG-008: Config's delivery channel delivers to the central bucket, and its last delivery worked.

Per account and expected region. The bucket part needs only describe-delivery-channels; the health
part needs describe-delivery-channel-status (which some exporters, moto among them, never produce):
a channel aimed at another bucket fails either way, a channel aimed at the central bucket with no
status is not_evaluated, never pass. A snapshot or history file of the account and region that
Config delivered within 24 hours before the collection, found in the bundle's copy of the central
bucket (a folder before ``AWSLogs/`` named after the bucket), is the delivery itself: it stands for
the status, and for the channel when the channel's settings are not in the bundle.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.model.entities import DeliveryChannel, DeliveryChannelStatus
from analyzer.model.evidence import EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, missing_message, not_evaluated, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.config_recording import recent_central_delivery
from analyzer.rules.support.log_delivery import (
    bucket_unknown_message,
    central_bucket,
    channel_label,
    channels_in,
    describe_destination,
)
from analyzer.rules.support.scope import uncollected_outcomes

META = RuleMeta(
    id="LOG-008",
    title="AWS Config not delivering to the central log bucket",
    severity=Severity.HIGH,
    pillar=Pillar.LOGGING,
    rationale=(
        "Config's configuration history and snapshots are the evidence of what every resource looked like and "
        "when it changed. Kept in the account itself they can be deleted with it; a channel whose deliveries "
        "fail (typically AccessDenied from the bucket policy) silently keeps nothing."
    ),
    remediation=(
        "aws configservice put-delivery-channel --delivery-channel name=default,s3BucketName=<central bucket>,"
        "s3KeyPrefix=<prefix> in each region, after granting AWSLogs/<account>/Config/ in the bucket policy "
        "(see LOG-009); check aws configservice describe-delivery-channel-status afterwards."
    ),
    compliance=refs(("NIST", "AU-9(2)"), ("NIST", "AU-5"), ("PCI", "10.3.3")),
    references=(
        "https://docs.aws.amazon.com/config/latest/developerguide/manage-delivery-channel.html",
        "https://docs.aws.amazon.com/config/latest/APIReference/API_DeliveryChannelStatus.html",
    ),
    requires=(Kind.CONFIG_CHANNELS, Kind.CONFIG_CHANNEL_STATUS, Kind.MANIFEST),
    applies_to="region",
)


#: What each ``ConfigExportDeliveryInfo`` of DeliveryChannelStatus carries to the bucket
#: (https://docs.aws.amazon.com/config/latest/APIReference/API_DeliveryChannelStatus.html).
_DELIVERED = {
    "configHistoryDeliveryInfo": ("configuration history", "configuration changes"),
    "configSnapshotDeliveryInfo": ("snapshot", "configuration snapshots"),
}


def _failure(delivery: str, error: str | None) -> str:
    """``its last <what> delivery failed (<info> lastStatus FAILURE[, <error>]): <what> not reaching the bucket``."""
    what, lost = _DELIVERED[delivery]
    cause = f"{delivery} lastStatus FAILURE{f', {error}' if error else ''}"
    return f"its last {what} delivery failed ({cause}): {lost} are not reaching the bucket"


def _failing_statuses(ctx: RuleContext, account: str, region: str) -> list[tuple[DeliveryChannelStatus, str]]:
    """The region's channel status entries whose last delivery failed, each with the delivery that failed.
    A failure read is a failure whatever else the status file's state: a second copy saying SUCCESS does
    not undo it."""
    evidence = ctx.account(account)
    statuses = evidence.channel_statuses if evidence is not None else ()
    return [(s, d) for s in statuses if s.region == region and (d := s.failed_delivery) is not None]


def _channel(ctx: RuleContext, channel: DeliveryChannel, bucket: str) -> Outcome:
    where = {"account": channel.account_id, "region": channel.region, "subject": channel.name}
    label = channel_label(channel)
    evidence = tuple(r for r in (channel.ref, channel.status_ref) if r is not None)
    if channel.s3_bucket != bucket:
        return fail(
            f"{label} delivers to {describe_destination(channel.s3_bucket, channel.s3_prefix)}, not to the central "
            f"bucket {bucket}",
            evidence=evidence,
            **where,
        )
    status = (channel.last_status or "").upper()
    if channel.failed_delivery is not None:
        return fail(
            f"{label} targets the central bucket but {_failure(channel.failed_delivery, channel.last_error)}",
            evidence=evidence,
            **where,
        )
    if channel.status_ref is None or not status:
        delivered = recent_central_delivery(ctx, channel.account_id, channel.region, bucket)
        if delivered is not None:
            return passed(
                f"{label} delivers to {describe_destination(channel.s3_bucket, channel.s3_prefix)}: "
                f"{delivered.describe()}, within 24 h before the collection",
                evidence=(*evidence, delivered.ref),
                **where,
            )
        blocked = ctx.blocking((Kind.CONFIG_CHANNEL_STATUS,), channel.account_id, channel.region)
        why = missing_message(blocked) if blocked else "not evaluated: the status file has no lastStatus for it"
        return not_evaluated(
            f"{why}; {label} targets the central bucket, its delivery health is unknown", evidence=evidence, **where
        )
    note = "" if status == "SUCCESS" else f" (status {status}: nothing delivered yet, nothing failed)"
    return passed(
        f"{label} delivers to {describe_destination(channel.s3_bucket, channel.s3_prefix)}{note}",
        evidence=evidence,
        **where,
    )


def _region(ctx: RuleContext, account: str, region: str, bucket: str) -> Iterator[Outcome]:
    blocked = ctx.blocking((Kind.CONFIG_CHANNELS,), account, region)
    if blocked:
        failing = _failing_statuses(ctx, account, region)
        for status, delivery in failing:
            # The status alone shows the deliveries fail, wherever the channel points: a recent file in
            # the central bucket (a snapshot while the history fails) does not make it a pass.
            yield fail(
                f"delivery channel {status.name} of {account} in {region}: "
                f"{_failure(delivery, status.last_error)} (the channel's settings are not in "
                "the bundle)",
                account=account,
                region=region,
                subject=status.name,
                evidence=(status.ref,),
            )
        if failing:
            return
        delivered = recent_central_delivery(ctx, account, region, bucket)
        if delivered is not None and all(s.status is EvidenceStatus.MISSING for s in blocked):
            yield passed(
                f"AWS Config of {account} in {region} delivers to the central bucket {bucket}: "
                f"{delivered.describe()}, within 24 h before the collection (the channel's settings are not "
                "in the bundle)",
                account=account,
                region=region,
                evidence=(delivered.ref,),
            )
            return
        yield not_evaluated(missing_message(blocked), account=account, region=region)
        return
    channels = channels_in(ctx, account, region)
    if not channels:
        yield fail(
            f"{account} has no delivery channel in {region}: Config delivers nothing from there",
            account=account,
            region=region,
        )
    for channel in channels:
        yield _channel(ctx, channel, bucket)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    bucket = central_bucket(ctx)
    for account in ctx.audited_accounts():
        regions = ctx.regions(account).regions
        if bucket is None or not regions:
            why = (
                bucket_unknown_message(ctx)
                if bucket is None
                else f"not evaluated: the regions of {account} are unknown"
            )
            yield not_evaluated(why, account=account)
            continue
        for region in regions:
            yield from _region(ctx, account, region, bucket)
    yield from uncollected_outcomes(ctx, "the delivery channels")


RULE = Rule(META, check)
