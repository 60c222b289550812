"""AWS Config, per account and region: recorders, their status, delivery channels and theirs."""

from __future__ import annotations

from typing import Any

from analyzer.evidence.readers.base import (
    ChannelStatusFacts,
    Collector,
    FileContext,
    RecorderStatusFacts,
    as_bool,
    text_or_none,
)
from analyzer.model.entities import ConfigRecorder, DeliveryChannel

_DELIVERIES = ("configHistoryDeliveryInfo", "configSnapshotDeliveryInfo")


def read_recorders(doc: Any, ctx: FileContext, out: Collector) -> None:
    parts = out.account(ctx.account_id or "")
    parts.regions_seen.add(ctx.region or "")
    for index, raw in ctx.distinct(doc, "ConfigurationRecorders", "name"):
        group = raw.get("recordingGroup") or {}
        strategy = (group.get("recordingStrategy") or {}).get("useOnly")
        name = str(raw.get("name", "default"))
        parts.recorders.append(
            ConfigRecorder(
                account_id=ctx.account_id or "",
                region=ctx.region or "",
                name=name,
                ref=ctx.ref("ConfigurationRecorders", index),
                role_arn=text_or_none(raw.get("roleARN")),
                # AWS's default recording group is "all supported" when the group is omitted.
                all_supported=bool(group.get("allSupported", not group)),
                include_global=bool(group.get("includeGlobalResourceTypes", False)),
                strategy=str(strategy).upper() if strategy else None,
                resource_types=tuple(sorted(str(t) for t in group.get("resourceTypes") or [])),
                excluded_types=tuple(
                    sorted(str(t) for t in (group.get("exclusionByResourceTypes") or {}).get("resourceTypes") or [])
                ),
                service_linked=name.startswith("AWSConfigurationRecorderFor") or bool(raw.get("servicePrincipal")),
            )
        )


def read_recorder_status(doc: Any, ctx: FileContext, out: Collector) -> None:
    parts = out.account(ctx.account_id or "")
    for index, raw in ctx.distinct(doc, "ConfigurationRecordersStatus", "name"):
        key = (ctx.region or "", str(raw.get("name", "default")))
        parts.recorder_status[key] = RecorderStatusFacts(
            ref=ctx.ref("ConfigurationRecordersStatus", index),
            recording=as_bool(raw.get("recording")),
            last_status=str(raw["lastStatus"]).upper() if raw.get("lastStatus") else None,
            last_error=text_or_none(raw.get("lastErrorCode")) or text_or_none(raw.get("lastErrorMessage")),
        )


def read_channels(doc: Any, ctx: FileContext, out: Collector) -> None:
    parts = out.account(ctx.account_id or "")
    for index, raw in ctx.distinct(doc, "DeliveryChannels", "name"):
        parts.channels.append(
            DeliveryChannel(
                account_id=ctx.account_id or "",
                region=ctx.region or "",
                name=str(raw.get("name", "default")),
                ref=ctx.ref("DeliveryChannels", index),
                s3_bucket=text_or_none(raw.get("s3BucketName")),
                s3_prefix=text_or_none(raw.get("s3KeyPrefix")),
                sns_topic=text_or_none(raw.get("snsTopicARN")),
            )
        )


def _channel_facts(raw: dict[str, Any], ctx: FileContext, index: int) -> ChannelStatusFacts:
    """A failed history or snapshot delivery wins; then a successful one; otherwise the first reported status
    (ConfigExportDeliveryInfo lastStatus: Success | Failure | Not_Applicable)."""
    infos = [(k, raw.get(k) or {}) for k in _DELIVERIES]
    failed = next(((k, i) for k, i in infos if str(i.get("lastStatus", "")).upper() == "FAILURE"), None)
    if failed is not None:
        key, info = failed
        error = text_or_none(info.get("lastErrorCode")) or text_or_none(info.get("lastErrorMessage"))
        return ChannelStatusFacts(ctx.ref("DeliveryChannelsStatus", index), "FAILURE", error, key)
    statuses = [str(i["lastStatus"]).upper() for _, i in infos if i.get("lastStatus")]
    # A delivery that succeeded beside one that is Not_Applicable: the channel delivers.
    status = "SUCCESS" if "SUCCESS" in statuses else next(iter(statuses), None)
    return ChannelStatusFacts(ctx.ref("DeliveryChannelsStatus", index), status, None)


def read_channel_status(doc: Any, ctx: FileContext, out: Collector) -> None:
    parts = out.account(ctx.account_id or "")
    for index, raw in ctx.distinct(doc, "DeliveryChannelsStatus", "name"):
        parts.channel_status[(ctx.region or "", str(raw.get("name", "default")))] = _channel_facts(raw, ctx, index)
