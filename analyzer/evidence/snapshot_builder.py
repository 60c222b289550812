"""Freeze what the readers collected into a :class:`Snapshot`: link, deduplicate, sort."""

from __future__ import annotations

import dataclasses
from typing import Any

from analyzer.evidence.readers.base import AccountParts, Collector
from analyzer.model.entities import ConfigRecorder, DeliveryChannel, ServiceControlPolicy, Trail
from analyzer.model.evidence import EvidenceRef, EvidenceState
from analyzer.model.snapshot import AccountEvidence, InventoryRow, Manifest, Snapshot


def _dedupe_trails(parts: AccountParts) -> tuple[Trail, ...]:
    """One copy per trail ARN: the one seen from its home region, with its status and selectors."""
    by_arn: dict[str, Trail] = {}
    for trail in sorted(parts.trails, key=lambda t: (t.arn, t.seen_in_region != t.home_region, t.seen_in_region)):
        by_arn.setdefault(trail.arn, trail)
    out = []
    for arn in sorted(by_arn):
        trail = by_arn[arn]
        regions = [trail.home_region, trail.seen_in_region, *sorted(r for r, _ in parts.trail_status)]
        status = next(
            (parts.trail_status[(r, trail.name)] for r in regions if (r, trail.name) in parts.trail_status),
            None,
        )
        selectors = next(
            (parts.trail_selectors[(r, trail.name)] for r in regions if (r, trail.name) in parts.trail_selectors),
            None,
        )
        out.append(dataclasses.replace(trail, status=status, selectors=selectors))
    return tuple(out)


def _lower(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _with_recorder_status(parts: AccountParts) -> tuple[ConfigRecorder, ...]:
    out = []
    for recorder in sorted(parts.recorders, key=lambda r: (r.region, r.name)):
        found = parts.recorder_status.get((recorder.region, recorder.name))
        if found:
            raw, ref = found
            recorder = dataclasses.replace(
                recorder,
                recording=bool(raw.get("recording")) if "recording" in raw else None,
                last_status=_lower(raw.get("lastStatus")),
                last_error=_lower(raw.get("lastErrorCode")) or _lower(raw.get("lastErrorMessage")),
                status_ref=ref,
            )
        out.append(recorder)
    return tuple(out)


def _with_channel_status(parts: AccountParts) -> tuple[DeliveryChannel, ...]:
    out = []
    for channel in sorted(parts.channels, key=lambda c: (c.region, c.name)):
        found = parts.channel_status.get((channel.region, channel.name))
        if found:
            raw, ref = found
            infos = [raw.get(k) or {} for k in ("configHistoryDeliveryInfo", "configSnapshotDeliveryInfo")]
            failed = next((i for i in infos if str(i.get("lastStatus", "")).upper() == "FAILURE"), None)
            status = (
                "FAILURE"
                if failed
                else next((str(i["lastStatus"]).upper() for i in infos if i.get("lastStatus")), None)
            )
            channel = dataclasses.replace(
                channel,
                last_status=status,
                last_error=_lower((failed or {}).get("lastErrorCode"))
                or _lower((failed or {}).get("lastErrorMessage")),
                status_ref=ref,
            )
        out.append(channel)
    return tuple(out)


def _account(account_id: str, parts: AccountParts) -> AccountEvidence:
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
        root_credentials_managed_centrally=parts.root_credentials_managed_centrally,
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
    rows: tuple[InventoryRow, ...],
    states: dict[tuple[str, str, str, str], EvidenceState],
) -> Snapshot:
    scps, scps_complete = _scps(collector)
    return Snapshot(
        bundle_name=name,
        bundle_sha256=sha256,
        manifest=manifest,
        organization=collector.organization,
        org_accounts=tuple(sorted(collector.org_accounts, key=lambda a: a.id)),
        scps=scps,
        scps_complete=scps_complete,
        accounts={aid: _account(aid, collector.accounts[aid]) for aid in sorted(collector.accounts) if aid},
        bucket_policies=tuple(sorted(collector.bucket_policies, key=lambda b: b.bucket)),
        inventory=rows,
        states=dict(sorted(states.items())),
    )


__all__ = ["EvidenceRef", "build_snapshot"]
