"""CloudTrail, AWS Config and S3 outputs as AWS CLI v2 prints them, and export error records.

CloudTrail's ``trailList`` members and Config's wrapper lists are PascalCase, Config's members
camelCase (reference ``aws-evidence-formats.md`` section 0). Config status enums come back
upper-case (``SUCCESS``) whatever the model says.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from analyzer.synth.ids import cli_timestamp, config_recorder_arn, trail_arn, zulu_seconds

Json = dict[str, Any]
Document = Mapping[str, Any]

# --------------------------------------------------------------------------- CloudTrail


def trail(
    account_id: str,
    name: str,
    *,
    home_region: str,
    s3_bucket: str,
    s3_prefix: str | None = None,
    sns_topic_arn: str | None = None,
    multi_region: bool = True,
    include_global_events: bool = True,
    log_file_validation: bool = True,
    organization_trail: bool = False,
    kms_key_id: str | None = None,
    custom_event_selectors: bool = False,
    insight_selectors: bool = False,
    partition: str = "aws",
) -> Json:
    """A ``trailList`` entry; string members AWS omits when unset are omitted."""
    entry: Json = {"Name": name, "S3BucketName": s3_bucket}
    if s3_prefix is not None:
        entry["S3KeyPrefix"] = s3_prefix
    if sns_topic_arn is not None:
        entry["SnsTopicName"] = sns_topic_arn.rsplit(":", 1)[-1]
        entry["SnsTopicARN"] = sns_topic_arn
    entry.update(
        {
            "IncludeGlobalServiceEvents": include_global_events,
            "IsMultiRegionTrail": multi_region,
            "HomeRegion": home_region,
            "TrailARN": trail_arn(account_id, home_region, name, partition),
            "LogFileValidationEnabled": log_file_validation,
        }
    )
    if kms_key_id is not None:
        entry["KmsKeyId"] = kms_key_id
    entry.update(
        {
            "HasCustomEventSelectors": custom_event_selectors,
            "HasInsightSelectors": insight_selectors,
            "IsOrganizationTrail": organization_trail,
        }
    )
    return entry


def describe_trails(trails: Sequence[Json]) -> Json:
    return {"trailList": list(trails)}


def trail_status(
    *,
    is_logging: bool,
    start_logging: datetime,
    latest_delivery: datetime | None = None,
    latest_delivery_attempt: datetime | None = None,
    latest_notification: datetime | None = None,
    latest_digest_delivery: datetime | None = None,
    stop_logging: datetime | None = None,
    delivery_error: str | None = None,
    notification_error: str | None = None,
    digest_delivery_error: str | None = None,
) -> Json:
    """``get-trail-status`` with the real timestamps and the deprecated ``...Z`` string fields.

    ``latest_delivery_attempt`` defaults to ``latest_delivery``; give a later attempt together
    with ``delivery_error`` for a trail whose deliveries have started to fail.
    """
    attempt = latest_delivery_attempt or latest_delivery
    status: Json = {"IsLogging": is_logging}
    if delivery_error is not None:
        status["LatestDeliveryError"] = delivery_error
    if notification_error is not None:
        status["LatestNotificationError"] = notification_error
    if latest_delivery is not None:
        status["LatestDeliveryTime"] = cli_timestamp(latest_delivery)
    if latest_notification is not None:
        status["LatestNotificationTime"] = cli_timestamp(latest_notification)
    status["StartLoggingTime"] = cli_timestamp(start_logging)
    if stop_logging is not None:
        status["StopLoggingTime"] = cli_timestamp(stop_logging)
    if latest_digest_delivery is not None:
        status["LatestDigestDeliveryTime"] = cli_timestamp(latest_digest_delivery)
    if digest_delivery_error is not None:
        status["LatestDigestDeliveryError"] = digest_delivery_error
    status["LatestDeliveryAttemptTime"] = zulu_seconds(attempt) if attempt else ""
    status["LatestNotificationAttemptTime"] = zulu_seconds(latest_notification) if latest_notification else ""
    status["LatestNotificationAttemptSucceeded"] = (
        zulu_seconds(latest_notification) if latest_notification and not notification_error else ""
    )
    status["LatestDeliveryAttemptSucceeded"] = zulu_seconds(latest_delivery) if latest_delivery else ""
    status["TimeLoggingStarted"] = zulu_seconds(start_logging)
    status["TimeLoggingStopped"] = zulu_seconds(stop_logging) if stop_logging else ""
    return status


def basic_event_selector(
    *,
    read_write: str = "All",
    include_management_events: bool = True,
    data_resources: Sequence[tuple[str, Sequence[str]]] = (),
    exclude_management_sources: Sequence[str] = (),
) -> Json:
    """One ``EventSelectors`` entry; the default is what a trail without custom selectors reports."""
    return {
        "ReadWriteType": read_write,
        "IncludeManagementEvents": include_management_events,
        "DataResources": [{"Type": t, "Values": list(v)} for t, v in data_resources],
        "ExcludeManagementEventSources": list(exclude_management_sources),
    }


def field_selector(field: str, **operators: Sequence[str]) -> Json:
    """``{"Field": f, "Equals": [...]}`` etc.; operators: Equals, StartsWith, EndsWith, NotEquals,
    NotStartsWith, NotEndsWith (keyword names as written by AWS)."""
    allowed = {"Equals", "StartsWith", "EndsWith", "NotEquals", "NotStartsWith", "NotEndsWith"}
    unknown = set(operators) - allowed
    if unknown:
        raise ValueError(f"unknown advanced selector operator(s): {sorted(unknown)}")
    return {"Field": field, **{op: list(values) for op, values in operators.items()}}


def advanced_event_selector(name: str | None, field_selectors: Sequence[Json]) -> Json:
    selector: Json = {} if name is None else {"Name": name}
    selector["FieldSelectors"] = list(field_selectors)
    return selector


def event_selectors(
    trail_arn_value: str, *, basic: Sequence[Json] | None = None, advanced: Sequence[Json] | None = None
) -> Json:
    """``get-event-selectors``: a trail uses basic *or* advanced selectors, never both."""
    if (basic is None) == (advanced is None):
        raise ValueError("give exactly one of basic= or advanced= selectors")
    if basic is not None:
        return {"TrailARN": trail_arn_value, "EventSelectors": list(basic)}
    return {"TrailARN": trail_arn_value, "AdvancedEventSelectors": list(advanced or ())}


# --------------------------------------------------------------------------- AWS Config


def configuration_recorder(
    account_id: str,
    region: str,
    *,
    role_arn: str,
    name: str = "default",
    all_supported: bool = True,
    include_global_resource_types: bool = False,
    resource_types: Sequence[str] = (),
    excluded_resource_types: Sequence[str] = (),
    strategy: str | None = None,
    recording_frequency: str = "CONTINUOUS",
    recording_scope: str = "PAID",
    partition: str = "aws",
) -> Json:
    """A ``ConfigurationRecorders`` entry; ``strategy`` defaults from the other arguments."""
    if strategy is None:
        if all_supported:
            strategy = "ALL_SUPPORTED_RESOURCE_TYPES"
        elif excluded_resource_types:
            strategy = "EXCLUSION_BY_RESOURCE_TYPES"
        else:
            strategy = "INCLUSION_BY_RESOURCE_TYPES"
    return {
        "arn": config_recorder_arn(account_id, region, name, partition),
        "name": name,
        "roleARN": role_arn,
        "recordingGroup": {
            "allSupported": all_supported,
            "includeGlobalResourceTypes": include_global_resource_types,
            "resourceTypes": list(resource_types),
            "exclusionByResourceTypes": {"resourceTypes": list(excluded_resource_types)},
            "recordingStrategy": {"useOnly": strategy},
        },
        "recordingMode": {"recordingFrequency": recording_frequency, "recordingModeOverrides": []},
        "recordingScope": recording_scope,
    }


def configuration_recorders(recorders: Sequence[Json]) -> Json:
    return {"ConfigurationRecorders": list(recorders)}


def recorder_status_entry(
    account_id: str,
    region: str,
    *,
    recording: bool,
    last_start: datetime,
    last_status_change: datetime,
    name: str = "default",
    last_stop: datetime | None = None,
    last_status: str = "SUCCESS",
    error_code: str | None = None,
    error_message: str | None = None,
    partition: str = "aws",
) -> Json:
    entry: Json = {
        "arn": config_recorder_arn(account_id, region, name, partition),
        "name": name,
        "lastStartTime": cli_timestamp(last_start),
    }
    if last_stop is not None:
        entry["lastStopTime"] = cli_timestamp(last_stop)
    entry["recording"] = recording
    entry["lastStatus"] = last_status
    if error_code is not None:
        entry["lastErrorCode"] = error_code
    if error_message is not None:
        entry["lastErrorMessage"] = error_message
    entry["lastStatusChangeTime"] = cli_timestamp(last_status_change)
    return entry


def recorder_status(entries: Sequence[Json]) -> Json:
    return {"ConfigurationRecordersStatus": list(entries)}


def delivery_channel(
    *,
    s3_bucket: str,
    name: str = "default",
    s3_prefix: str | None = None,
    s3_kms_key_arn: str | None = None,
    sns_topic_arn: str | None = None,
    snapshot_frequency: str | None = "TwentyFour_Hours",
) -> Json:
    channel: Json = {"name": name, "s3BucketName": s3_bucket}
    if s3_prefix is not None:
        channel["s3KeyPrefix"] = s3_prefix
    if s3_kms_key_arn is not None:
        channel["s3KmsKeyArn"] = s3_kms_key_arn
    if sns_topic_arn is not None:
        channel["snsTopicARN"] = sns_topic_arn
    if snapshot_frequency is not None:
        channel["configSnapshotDeliveryProperties"] = {"deliveryFrequency": snapshot_frequency}
    return channel


def delivery_channels(channels: Sequence[Json]) -> Json:
    return {"DeliveryChannels": list(channels)}


def export_delivery_info(
    *,
    last_attempt: datetime,
    last_success: datetime | None = None,
    next_delivery: datetime | None = None,
    status: str = "SUCCESS",
    error_code: str | None = None,
    error_message: str | None = None,
) -> Json:
    """``configSnapshotDeliveryInfo`` / ``configHistoryDeliveryInfo``; a success's
    ``lastSuccessfulTime`` defaults to the attempt."""
    info: Json = {"lastStatus": status}
    if error_code is not None:
        info["lastErrorCode"] = error_code
    if error_message is not None:
        info["lastErrorMessage"] = error_message
    info["lastAttemptTime"] = cli_timestamp(last_attempt)
    success = last_success if last_success is not None else (last_attempt if status == "SUCCESS" else None)
    if success is not None:
        info["lastSuccessfulTime"] = cli_timestamp(success)
    if next_delivery is not None:
        info["nextDeliveryTime"] = cli_timestamp(next_delivery)
    return info


def delivery_channel_status_entry(
    *,
    snapshot: Json,
    history: Json,
    stream_status: str,
    stream_changed: datetime,
    name: str = "default",
) -> Json:
    """A channel's status; ``stream_status`` is ``NOT_APPLICABLE`` without an SNS topic."""
    return {
        "name": name,
        "configSnapshotDeliveryInfo": snapshot,
        "configHistoryDeliveryInfo": history,
        "configStreamDeliveryInfo": {
            "lastStatus": stream_status,
            "lastStatusChangeTime": cli_timestamp(stream_changed),
        },
    }


def delivery_channel_status(entries: Sequence[Json]) -> Json:
    return {"DeliveryChannelsStatus": list(entries)}


# --------------------------------------------------------------------------- S3 and errors


def bucket_policy(document: Document | str) -> Json:
    """``get-bucket-policy``: the policy is JSON *text* inside the JSON output; a mapping is
    written compactly, as S3 returns policies saved by the console or the API."""
    text = document if isinstance(document, str) else json.dumps(document, separators=(",", ":"))
    return {"Policy": text}


def error_record(code: str, message: str) -> Json:
    """What an exporter saves as ``<name>.error.json`` when the AWS call failed."""
    return {"Error": {"Code": code, "Message": message}}
