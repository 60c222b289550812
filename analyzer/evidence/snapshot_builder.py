"""Freeze what the readers collected into a :class:`Snapshot`: link, deduplicate, sort."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from analyzer.evidence.readers.base import AccountParts, Collector
from analyzer.model.entities import ConfigRecorder, DeliveryChannel, DeliveryChannelStatus, ServiceControlPolicy, Trail
from analyzer.model.evidence import EvidenceState
from analyzer.model.snapshot import AccountEvidence, InventoryRow, Manifest, Snapshot

_T = TypeVar("_T")


#: The fields each copied entity's ``__init__`` takes.
_INIT_FIELDS: dict[type, tuple[str, ...]] = {
    cls: tuple(spec.name for spec in dataclasses.fields(cls) if spec.init)
    for cls in (Trail, ConfigRecorder, DeliveryChannel)
}


def _replaced(entity: _T, **changes: Any) -> _T:
    """``dataclasses.replace`` without looking the fields up again for each of the thousands of copies."""
    cls: type[Any] = type(entity)
    values = {name: getattr(entity, name) for name in _INIT_FIELDS[cls]}
    copy: _T = cls(**(values | changes))
    return copy


def _dedupe_trails(parts: AccountParts) -> tuple[Trail, ...]:
    """One copy per trail ARN: the one seen from its home region, with its status and selectors.

    Status and selectors are looked up by trail name in the home region first, then in the other
    regions this same trail (same ARN) was seen from; never in a region where only another trail
    of the same name lives.
    """
    copies: dict[str, list[Trail]] = {}
    for trail in parts.trails:
        copies.setdefault(trail.arn, []).append(trail)
    out = []
    for arn in sorted(copies):
        seen = sorted(copies[arn], key=lambda t: (t.seen_in_region != t.home_region, t.seen_in_region))
        trail = seen[0]
        regions = [trail.home_region, *sorted({t.seen_in_region for t in seen} - {trail.home_region})]
        status = next(
            (parts.trail_status[(r, trail.name)] for r in regions if (r, trail.name) in parts.trail_status), None
        )
        selectors = next(
            (parts.trail_selectors[(r, trail.name)] for r in regions if (r, trail.name) in parts.trail_selectors),
            None,
        )
        out.append(_replaced(trail, status=status, selectors=selectors))
    return tuple(out)


def _with_recorder_status(parts: AccountParts) -> tuple[ConfigRecorder, ...]:
    out = []
    for recorder in sorted(parts.recorders, key=lambda r: (r.region, r.name)):
        facts = parts.recorder_status.get((recorder.region, recorder.name))
        if facts is not None:
            recorder = _replaced(
                recorder,
                recording=facts.recording,
                last_status=facts.last_status,
                last_error=facts.last_error,
                status_ref=facts.ref,
            )
        out.append(recorder)
    return tuple(out)


def _with_channel_status(parts: AccountParts) -> tuple[DeliveryChannel, ...]:
    out = []
    for channel in sorted(parts.channels, key=lambda c: (c.region, c.name)):
        facts = parts.channel_status.get((channel.region, channel.name))
        if facts is not None:
            channel = _replaced(
                channel,
                last_status=facts.last_status,
                last_error=facts.last_error,
                status_ref=facts.ref,
                failed_delivery=facts.failed_delivery,
            )
        out.append(channel)
    return tuple(out)


def _channel_statuses(account_id: str, parts: AccountParts) -> tuple[DeliveryChannelStatus, ...]:
    return tuple(
        DeliveryChannelStatus(
            account_id=account_id,
            region=region,
            name=name,
            ref=facts.ref,
            last_status=facts.last_status,
            last_error=facts.last_error,
            failed_delivery=facts.failed_delivery,
        )
        for (region, name), facts in sorted(parts.channel_status.items())
    )


def account_evidence(account_id: str, parts: AccountParts) -> AccountEvidence:
    """One account's evidence, frozen from everything the files about it added up to."""
    return AccountEvidence(
        account_id=account_id,
        users=tuple(sorted(parts.users, key=lambda u: u.arn)),
        groups=tuple(sorted(parts.groups, key=lambda g: g.arn)),
        roles=tuple(sorted(parts.roles, key=lambda r: r.arn)),
        managed_policies=tuple(sorted(parts.managed_policies, key=lambda p: p.arn)),
        password_policy=parts.password_policy,
        summary=parts.summary,
        credential_report=parts.credential_report,
        mfa_devices=tuple(sorted(parts.mfa_devices, key=lambda d: d.serial)),
        enabled_regions=parts.enabled_regions,
        regions_seen=tuple(sorted(r for r in parts.regions_seen if r)),
        trails=_dedupe_trails(parts),
        recorders=_with_recorder_status(parts),
        channels=_with_channel_status(parts),
        channel_statuses=_channel_statuses(account_id, parts),
        root_credentials_managed_centrally=parts.root_credentials_managed_centrally,
        config_items=tuple(sorted(parts.config_items, key=lambda i: (i.ref.file, i.ref.pointer, i.ref.inner or ""))),
    )


def _scps(collector: Collector) -> tuple[tuple[ServiceControlPolicy, ...], bool]:
    out = []
    complete = True
    for policy_id in sorted(collector.scp_sources):
        name, aws_managed, source = collector.scp_sources[policy_id]
        targets = collector.scp_targets.get(policy_id)
        complete &= targets is not None
        out.append(
            ServiceControlPolicy(
                id=policy_id,
                name=name,
                aws_managed=aws_managed,
                source=source,
                targets=targets or (),
                targets_known=targets is not None,
            )
        )
    complete &= all(pid in collector.scp_sources for pid in collector.scp_targets)
    return tuple(out), complete and bool(out)


def build_snapshot(
    *,
    name: str,
    sha256: str,
    manifest: Manifest,
    collector: Collector,
    accounts: dict[str, AccountEvidence],
    rows: tuple[InventoryRow, ...],
    states: dict[tuple[str, str, str, str], EvidenceState],
) -> Snapshot:
    """The snapshot; ``accounts`` are built by :func:`account_evidence` (the collector's own accounts
    are not read), the organization-wide parts come from ``collector``; ``states`` in slot order."""
    scps, scps_complete = _scps(collector)
    return Snapshot(
        bundle_name=name,
        bundle_sha256=sha256,
        manifest=manifest,
        organization=collector.organization,
        org_accounts=tuple(sorted(collector.org_accounts, key=lambda a: a.id)),
        scps=scps,
        scps_complete=scps_complete,
        accounts={aid: accounts[aid] for aid in sorted(accounts) if aid},
        bucket_policies=tuple(sorted(collector.bucket_policies, key=lambda b: b.bucket)),
        inventory=rows,
        states=states,
    )


__all__ = ["account_evidence", "build_snapshot"]
