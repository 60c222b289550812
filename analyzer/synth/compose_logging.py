"""One account's CloudTrail and AWS Config exports from a short description of its setup.

:class:`LoggingSetup` defaults to the clean setup of the centralized model: one multi-region
trail homed in the first region, delivering to the central bucket under ``cloudtrail`` with
log file validation, SNS notifications and default selectors, healthy a few minutes before
collection; in every region a recording, ``allSupported`` Config recorder (global IAM types in
the home region only) and a delivery channel to the central bucket under ``config`` with SNS.
Each field flips one aspect, which is how defects are planted. Times are derived from the
account ID, so two accounts never share identical timestamps and nothing reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from analyzer.synth import ids, layout
from analyzer.synth import shapes_logging as shapes

Json = dict[str, Any]


def before(seed: str, base: datetime, low_s: int, high_s: int) -> datetime:
    """A moment ``low_s``..``high_s`` seconds (millisecond precision) before ``base``."""
    return base - timedelta(milliseconds=ids.stable_int(seed, low_s * 1000, high_s * 1000))


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggingSetup:
    account_id: str
    regions: tuple[str, ...]
    collected_at: datetime
    central_bucket: str
    enabled_since: datetime  # trail and recorders started around then
    trail_name: str = "aws-multi-account-trail"
    partition: str = "aws"
    # CloudTrail
    multi_region: bool = True
    trail_bucket: str | None = None  # None: the central bucket
    trail_prefix: str | None = "cloudtrail"
    include_global_events: bool = True
    validation: bool = True
    kms_key: bool = False
    trail_sns: bool = True
    failing_since: datetime | None = None  # deliveries fail with AccessDenied since then
    logging_stopped_at: datetime | None = None
    selectors: str = "default"  # default | write-only | read-only | advanced
    # AWS Config
    global_regions: tuple[str, ...] | None = None  # None: the home region only
    stopped: tuple[str, datetime] | None = None  # (region, when) a recorder was stopped
    no_recorder_regions: tuple[str, ...] = ()
    local_channel_regions: tuple[str, ...] = ()
    channel_without_sns_regions: tuple[str, ...] = ()
    failed_channel_regions: tuple[str, ...] = ()

    @property
    def home(self) -> str:
        return self.regions[0]

    @property
    def trail_arn(self) -> str:
        return ids.trail_arn(self.account_id, self.home, self.trail_name, self.partition)


def _selectors(setup: LoggingSetup) -> Json:
    if setup.selectors == "advanced":
        management = shapes.advanced_event_selector(
            "Management events", [shapes.field_selector("eventCategory", Equals=["Management"])]
        )
        bucket_objects = shapes.advanced_event_selector(
            "Log bucket object access",
            [
                shapes.field_selector("eventCategory", Equals=["Data"]),
                shapes.field_selector("resources.type", Equals=["AWS::S3::Object"]),
                shapes.field_selector("resources.ARN", StartsWith=[ids.s3_arn(setup.central_bucket, "")]),
            ],
        )
        return shapes.event_selectors(setup.trail_arn, advanced=[management, bucket_objects])
    read_write = {"default": "All", "write-only": "WriteOnly", "read-only": "ReadOnly"}[setup.selectors]
    return shapes.event_selectors(setup.trail_arn, basic=[shapes.basic_event_selector(read_write=read_write)])


def trail_evidence(setup: LoggingSetup) -> layout.TrailEvidence:
    acct, seed = setup.account_id, setup.account_id + setup.trail_name
    key_id = f"{ids.hex_token(seed + 'key', 8)}-4c2e-4b7a-9e31-{ids.hex_token(seed, 12)}"
    description = shapes.trail(
        acct,
        setup.trail_name,
        home_region=setup.home,
        s3_bucket=setup.trail_bucket or setup.central_bucket,
        s3_prefix=setup.trail_prefix,
        sns_topic_arn=(
            ids.sns_topic_arn(acct, setup.home, f"{setup.trail_name}-notifications", setup.partition)
            if setup.trail_sns
            else None
        ),
        multi_region=setup.multi_region,
        include_global_events=setup.include_global_events,
        log_file_validation=setup.validation,
        kms_key_id=f"arn:{setup.partition}:kms:{setup.home}:{acct}:key/{key_id}" if setup.kms_key else None,
        custom_event_selectors=setup.selectors != "default",
        partition=setup.partition,
    )
    started = setup.enabled_since + timedelta(milliseconds=ids.stable_int(seed + "start", 0, 30_000_000))
    horizon = setup.logging_stopped_at or setup.collected_at
    failing = setup.failing_since is not None
    delivered = setup.failing_since or before(seed + "delivery", horizon, 40, 420)
    status = shapes.trail_status(
        is_logging=setup.logging_stopped_at is None,
        start_logging=started,
        stop_logging=setup.logging_stopped_at,
        latest_delivery=delivered,
        latest_delivery_attempt=before(seed + "attempt", horizon, 30, 300) if failing else None,
        latest_notification=(
            delivered + timedelta(milliseconds=ids.stable_int(seed, 200, 900)) if setup.trail_sns else None
        ),
        latest_digest_delivery=(
            delivered - timedelta(milliseconds=ids.stable_int(seed + "digest", 60_000, 3_000_000))
            if setup.validation
            else None
        ),
        delivery_error="AccessDenied" if failing else None,
        digest_delivery_error="AccessDenied" if failing and setup.validation else None,
    )
    return layout.TrailEvidence(description, status, _selectors(setup))


def config_outputs(setup: LoggingSetup, region: str) -> dict[str, Json]:
    """The four Config outputs of one region (empty lists where no recorder exists)."""
    acct, seed = setup.account_id, setup.account_id + region
    if region in setup.no_recorder_regions:
        return {
            "describe-configuration-recorders": shapes.configuration_recorders([]),
            "describe-configuration-recorder-status": shapes.recorder_status([]),
            "describe-delivery-channels": shapes.delivery_channels([]),
            "describe-delivery-channel-status": shapes.delivery_channel_status([]),
        }
    stopped_at = setup.stopped[1] if setup.stopped and setup.stopped[0] == region else None
    global_regions = setup.global_regions if setup.global_regions is not None else (setup.home,)
    role = ids.iam_arn(
        acct, "role", "AWSServiceRoleForConfig", "/aws-service-role/config.amazonaws.com/", setup.partition
    )
    recorder = shapes.configuration_recorder(
        acct, region, role_arn=role, include_global_resource_types=region in global_regions, partition=setup.partition
    )
    started = setup.enabled_since + timedelta(milliseconds=ids.stable_int(seed + "start", 0, 1_728_000_000))
    status = shapes.recorder_status_entry(
        acct,
        region,
        recording=stopped_at is None,
        last_start=started,
        last_stop=stopped_at,
        last_status_change=stopped_at or before(seed + "status", setup.collected_at, 120, 3000),
        partition=setup.partition,
    )
    local = region in setup.local_channel_regions
    with_sns = region not in setup.channel_without_sns_regions
    channel = shapes.delivery_channel(
        s3_bucket=f"config-bucket-{acct}" if local else setup.central_bucket,
        s3_prefix=None if local else "config",
        sns_topic_arn=ids.sns_topic_arn(acct, region, "config-notifications", setup.partition) if with_sns else None,
    )
    horizon = stopped_at or setup.collected_at
    snapshot_at = before(seed + "snapshot", horizon, 3600, 30000)
    history_at = before(seed + "history", horizon, 300, 3300)
    failed = region in setup.failed_channel_regions
    history = shapes.export_delivery_info(
        last_attempt=history_at,
        last_success=history_at - timedelta(days=2) if failed else None,
        status="FAILURE" if failed else "SUCCESS",
        error_code="AccessDenied" if failed else None,
        error_message="Access Denied" if failed else None,
    )
    channel_status = shapes.delivery_channel_status_entry(
        snapshot=shapes.export_delivery_info(last_attempt=snapshot_at, next_delivery=snapshot_at + timedelta(days=1)),
        history=history,
        stream_status="SUCCESS" if with_sns else "NOT_APPLICABLE",
        stream_changed=before(seed + "stream", setup.collected_at, 86400, 86400 * 20),
    )
    return {
        "describe-configuration-recorders": shapes.configuration_recorders([recorder]),
        "describe-configuration-recorder-status": shapes.recorder_status([status]),
        "describe-delivery-channels": shapes.delivery_channels([channel]),
        "describe-delivery-channel-status": shapes.delivery_channel_status([channel_status]),
    }


def logging_files(setup: LoggingSetup) -> dict[str, Json]:
    """Every CloudTrail and Config file of the account, placed in the bundle layout."""
    files = layout.cloudtrail_files(setup.account_id, setup.regions, [trail_evidence(setup)])
    for region in setup.regions:
        files.update(layout.config_files(setup.account_id, region, config_outputs(setup, region)))
    return files
