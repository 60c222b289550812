"""CloudTrail: trails as each region sees them, their status and their event selectors."""

from __future__ import annotations

from typing import Any

from analyzer.evidence.readers.base import Collector, FileContext, as_bool, text_or_none
from analyzer.model.entities import EventSelectorSummary, Trail, TrailStatus
from analyzer.model.evidence import EvidenceRef


def read_describe_trails(doc: Any, ctx: FileContext, out: Collector) -> None:
    account = ctx.account_id or ""
    region = ctx.region or ""
    parts = out.account(account)
    parts.regions_seen.add(region)
    for index, raw in ctx.distinct(doc, "trailList", "TrailARN"):
        ref = ctx.ref("trailList", index)
        arn = str(raw.get("TrailARN", ""))
        name = str(raw.get("Name", "")) or arn.rsplit("/", 1)[-1]
        arn_parts = arn.split(":")
        owner = arn_parts[4] if len(arn_parts) > 5 else account
        home = str(raw.get("HomeRegion") or (arn_parts[3] if len(arn_parts) > 5 else region))
        parts.trails.append(
            Trail(
                arn=arn,
                name=name,
                home_region=home,
                owner_account_id=owner,
                seen_in_account=account,
                seen_in_region=region,
                ref=ref,
                multi_region=bool(raw.get("IsMultiRegionTrail")),
                organization_trail=bool(raw.get("IsOrganizationTrail")),
                include_global_events=bool(raw.get("IncludeGlobalServiceEvents")),
                log_file_validation=bool(raw.get("LogFileValidationEnabled")),
                s3_bucket=text_or_none(raw.get("S3BucketName")),
                s3_prefix=text_or_none(raw.get("S3KeyPrefix")),
                sns_topic=text_or_none(raw.get("SnsTopicARN")) or text_or_none(raw.get("SnsTopicName")),
                kms_key=text_or_none(raw.get("KmsKeyId")),
            )
        )


def read_trail_status(doc: Any, ctx: FileContext, out: Collector) -> None:
    if not ctx.item:
        ctx.fail(ctx.ref(), "cannot tell which trail this status is for", "name it get-trail-status/<trail>.json")
        return
    ref = ctx.ref()
    out.account(ctx.account_id or "").trail_status[(ctx.region or "", ctx.item)] = TrailStatus(
        ref=ref,
        is_logging=as_bool(doc.get("IsLogging")),
        latest_delivery_time=ctx.timestamp(doc.get("LatestDeliveryTime"), ref, "LatestDeliveryTime"),
        latest_delivery_error=text_or_none(doc.get("LatestDeliveryError")),
        latest_notification_error=text_or_none(doc.get("LatestNotificationError")),
        start_logging_time=ctx.timestamp(doc.get("StartLoggingTime"), ref, "StartLoggingTime"),
        stop_logging_time=ctx.timestamp(doc.get("StopLoggingTime"), ref, "StopLoggingTime"),
    )


_READ_WRITE = {"all": "All", "readonly": "ReadOnly", "writeonly": "WriteOnly"}


def _combine(modes: set[str]) -> str:
    if not modes:
        return "None"
    if "All" in modes or {"ReadOnly", "WriteOnly"} <= modes:
        return "All"
    return min(modes)


def _intersect(excluded: set[str] | None, these: set[str]) -> set[str]:
    """Sources excluded by every management selector (one that logs a source is enough)."""
    return these if excluded is None else excluded & these


def _basic(selectors: list[dict[str, Any]], ref: EvidenceRef) -> EventSelectorSummary:
    modes: set[str] = set()
    excluded: set[str] | None = None
    for sel in selectors:
        if sel.get("IncludeManagementEvents", True) is False:
            continue
        modes.add(_READ_WRITE.get(str(sel.get("ReadWriteType", "All")).lower(), "All"))
        excluded = _intersect(excluded, {str(s) for s in sel.get("ExcludeManagementEventSources") or []})
    return EventSelectorSummary(
        ref=ref,
        advanced=False,
        management_events=bool(modes),
        read_write=_combine(modes),
        excluded_sources=tuple(sorted(excluded or ())),
    )


def _read_only_mode(field: dict[str, Any]) -> str:
    """What a ``readOnly`` field selector keeps: ``Equals ["true"]`` -> ReadOnly, ``NotEquals ["true"]`` ..."""
    equals = [str(v).lower() for v in field.get("Equals") or []]
    not_equals = [str(v).lower() for v in field.get("NotEquals") or []]
    if equals == ["true"] or not_equals == ["false"]:
        return "ReadOnly"
    if equals == ["false"] or not_equals == ["true"]:
        return "WriteOnly"
    return "All"


def _advanced(selectors: list[dict[str, Any]], ref: EvidenceRef) -> EventSelectorSummary:
    modes: set[str] = set()
    excluded: set[str] | None = None
    for sel in selectors:
        fields = {str(f.get("Field", "")): f for f in sel.get("FieldSelectors") or []}
        category = fields.get("eventCategory", {})
        if "Management" not in (category.get("Equals") or []):
            continue
        modes.add(_read_only_mode(fields.get("readOnly", {})))
        excluded = _intersect(excluded, {str(s) for s in (fields.get("eventSource", {}).get("NotEquals") or [])})
    return EventSelectorSummary(
        ref=ref,
        advanced=True,
        management_events=bool(modes),
        read_write=_combine(modes),
        excluded_sources=tuple(sorted(excluded or ())),
    )


def read_event_selectors(doc: Any, ctx: FileContext, out: Collector) -> None:
    name = ctx.item or str(doc.get("TrailARN", "")).rsplit("/", 1)[-1]
    ctx.item = name or None
    if not name:
        ctx.fail(
            ctx.ref(),
            "cannot tell which trail these selectors are for",
            "name it get-event-selectors/<trail>.json",
        )
        return
    if doc.get("AdvancedEventSelectors"):
        summary = _advanced(doc["AdvancedEventSelectors"], ctx.ref("AdvancedEventSelectors"))
    else:
        summary = _basic(doc.get("EventSelectors") or [], ctx.ref("EventSelectors"))
    out.account(ctx.account_id or "").trail_selectors[(ctx.region or "", name)] = summary
