"""AWS Config, per account and region: recorders, their status, delivery channels and theirs."""

from __future__ import annotations

from typing import Any

from analyzer.evidence.readers.base import Collector, FileContext
from analyzer.model.entities import ConfigRecorder, DeliveryChannel


def read_recorders(doc: Any, ctx: FileContext, out: Collector) -> None:
    parts = out.account(ctx.account_id or "")
    parts.regions_seen.add(ctx.region or "")
    for index, raw in enumerate(doc.get("ConfigurationRecorders") or []):
        group = raw.get("recordingGroup") or {}
        strategy = (group.get("recordingStrategy") or {}).get("useOnly")
        name = str(raw.get("name", "default"))
        parts.recorders.append(
            ConfigRecorder(
                account_id=ctx.account_id or "",
                region=ctx.region or "",
                name=name,
                ref=ctx.ref("ConfigurationRecorders", index),
                role_arn=raw.get("roleARN"),
                # AWS's default recording group is "all supported" when the group is omitted.
                all_supported=bool(group.get("allSupported", not group)),
                include_global=bool(group.get("includeGlobalResourceTypes", False)),
                strategy=str(strategy) if strategy else None,
                resource_types=tuple(sorted(str(t) for t in group.get("resourceTypes") or [])),
                excluded_types=tuple(
                    sorted(str(t) for t in (group.get("exclusionByResourceTypes") or {}).get("resourceTypes") or [])
                ),
                service_linked=name.startswith("AWSConfigurationRecorderFor") or bool(raw.get("servicePrincipal")),
            )
        )


def read_recorder_status(doc: Any, ctx: FileContext, out: Collector) -> None:
    parts = out.account(ctx.account_id or "")
    for index, raw in enumerate(doc.get("ConfigurationRecordersStatus") or []):
        key = (ctx.region or "", str(raw.get("name", "default")))
        parts.recorder_status[key] = (raw, ctx.ref("ConfigurationRecordersStatus", index))


def read_channels(doc: Any, ctx: FileContext, out: Collector) -> None:
    parts = out.account(ctx.account_id or "")
    for index, raw in enumerate(doc.get("DeliveryChannels") or []):
        parts.channels.append(
            DeliveryChannel(
                account_id=ctx.account_id or "",
                region=ctx.region or "",
                name=str(raw.get("name", "default")),
                ref=ctx.ref("DeliveryChannels", index),
                s3_bucket=raw.get("s3BucketName"),
                s3_prefix=raw.get("s3KeyPrefix") or None,
                sns_topic=raw.get("snsTopicARN") or None,
            )
        )


def read_channel_status(doc: Any, ctx: FileContext, out: Collector) -> None:
    parts = out.account(ctx.account_id or "")
    for index, raw in enumerate(doc.get("DeliveryChannelsStatus") or []):
        key = (ctx.region or "", str(raw.get("name", "default")))
        parts.channel_status[key] = (raw, ctx.ref("DeliveryChannelsStatus", index))
