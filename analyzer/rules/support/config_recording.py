"""AWS Config's delivered files as evidence of recording and delivery (LOG-006, LOG-007, LOG-008).

A snapshot or history file in the copy of the central bucket is Config's own record that, at the
time its key names, the account's recorder in that region was recording and its delivery channel
delivered (AWS Config Developer Guide, "Delivering configuration snapshots" and "How AWS Config
works": history files about every six hours when something changed, snapshots at the channel's
delivery frequency, at most 24 hours apart). A snapshot lists every recorded resource of its account
and region, so one without a single global IAM item, in every region, shows the global IAM types are
not recorded, whatever the recorder's settings say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from analyzer.evidence.config_paths import delivery_stamp
from analyzer.model.evidence import EvidenceRef
from analyzer.model.kinds import Kind
from analyzer.rules.context import RuleContext

#: A delivery this recent before the collection counts as the recorder's current state: the longest
#: snapshot delivery frequency is TwentyFour_Hours (AWS Config API Reference, ConfigSnapshotDeliveryProperties).
RECENT = timedelta(hours=24)
_DELIVERED = (Kind.CONFIG_SNAPSHOT_FILE.value, Kind.CONFIG_HISTORY_FILE.value)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One delivered Config file of an account and region."""

    region: str
    when: datetime
    kind: str
    file: str

    @property
    def ref(self) -> EvidenceRef:
        return EvidenceRef(self.file)

    def describe(self) -> str:
        what = "snapshot" if self.kind == Kind.CONFIG_SNAPSHOT_FILE.value else "history file"
        return f"AWS Config delivered a {what} at {self.when.strftime('%Y-%m-%dT%H:%M:%SZ')} ({self.file})"


def _deliveries(ctx: RuleContext) -> dict[str, tuple[Delivery, ...]]:
    found: dict[str, list[Delivery]] = {}
    for (account, region, kind, key), state in ctx.snapshot.states.items():
        if kind not in _DELIVERED or not state.usable or not state.files:
            continue
        stamp = delivery_stamp(key)
        if stamp is None:
            continue
        when = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        found.setdefault(account, []).append(Delivery(region, when, kind, state.files[0]))
    return {a: tuple(sorted(d, key=lambda x: (x.region, x.when, x.file))) for a, d in found.items()}


def deliveries(ctx: RuleContext, account: str) -> tuple[Delivery, ...]:
    """The account's usable delivered Config files, by region and time."""
    return ctx.shared(_deliveries).get(account, ())


def recent_delivery(ctx: RuleContext, account: str, region: str) -> Delivery | None:
    """The latest file delivered for the region within :data:`RECENT` before the collection (never after it)."""
    collected = ctx.snapshot.manifest.collected_at
    if collected is None:
        return None
    recent = [d for d in deliveries(ctx, account) if d.region == region and collected - RECENT <= d.when <= collected]
    return max(recent, key=lambda d: (d.when, d.file), default=None)


def _config_regions(ctx: RuleContext) -> frozenset[str]:
    return frozenset(d.region for found in ctx.shared(_deliveries).values() for d in found)


def snapshots_without_global_iam(ctx: RuleContext, account: str, regions: tuple[str, ...]) -> list[Delivery] | None:
    """The newest snapshot of each region when every one of ``regions``, and every region any account's
    Config files come from, has one and none of the account's Config items is a global IAM item; None
    otherwise (IAM seen, or a region unknown). The organization's regions count because the account's
    own regions may be known only from these same files: a region whose files are not in the bundle
    (its channel delivers elsewhere) may be the one recording the global types."""
    evidence = ctx.account(account)
    if evidence is None or not regions:
        return None
    if any(item.is_global and item.resource_type.startswith("AWS::IAM::") for item in evidence.config_items):
        return None
    newest: dict[str, Delivery] = {}
    for delivery in deliveries(ctx, account):
        if delivery.kind == Kind.CONFIG_SNAPSHOT_FILE.value:
            newest[delivery.region] = delivery
    wanted = set(regions) | (_config_regions(ctx) if regions else set())
    if not wanted <= set(newest):
        return None
    return [newest[r] for r in sorted(wanted)]


def copied_from(delivery: Delivery, bucket: str) -> bool:
    """Whether the bundle places the file in a copy of ``bucket``: a folder before ``AWSLogs/`` is
    named after it (``<owner>/s3/<bucket>/...`` as the README lays a bucket's copy out, or ``<bucket>/...``)."""
    before = delivery.file[: delivery.file.rfind("AWSLogs/")]
    return bucket in before.split("/")


def recent_central_delivery(ctx: RuleContext, account: str, region: str, bucket: str) -> Delivery | None:
    """:func:`recent_delivery`, when the bundle places it in a copy of the central bucket."""
    found = recent_delivery(ctx, account, region)
    return found if found is not None and copied_from(found, bucket) else None
