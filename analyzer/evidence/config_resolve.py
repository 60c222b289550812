"""AWS Config's items -> the entities the rules read, once the whole bundle is read.

Per account and region where the items were recorded, the latest item of each resource as of the
evidence time (the manifest's ``collected_at``) describes it: ordered by capture time, then by
``configurationStateId`` (AWS Config Developer Guide, "Components of a configuration item"); a
``ResourceDeleted``/``ResourceDeletedNotRecorded`` latest item means the resource is gone, and so
does absence from the region's newest snapshot for a resource whose items all precede it (a snapshot
lists every recorded resource). Items captured after the collection time are noted, never used.

* **IAM** (global resources, ``awsRegion: "global"``) comes from the one region whose recorder
  records global resource types. Two regions holding different global items is a conflict (no
  silent pick). The list is complete, so a user or role absent from it is absent from the account,
  only when that region has a snapshot and a recorder (its Config item, or
  ``describe-configuration-recorders``) that records all four IAM types; otherwise the evidence is
  ``incomplete``.
* **Trails**, **bucket policies** (``supplementaryConfiguration.BucketPolicy``) and **Config's own
  recorders** likewise, per region.

Config items supply evidence only where the bundle holds no CLI export of it. Where it does, the
export is what the rules read and the items are compared with it (:class:`ConfigComparison`, rule
EVD-004): a difference is drift, and the verdict uses the export, the state at the collection time;
a Config item captured after it is compared too (a change after the export is drift) but not used.
What Config does not record (credential report, password policy, account summary, MFA devices, a
trail's logging status and selectors) stays missing, with the reason saying Config does not carry it.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from analyzer.evidence.config_drift import compare_iam, compare_trails, iso
from analyzer.evidence.config_paths import delivery_stamp
from analyzer.evidence.layout import Slot
from analyzer.model.config_items import IAM_TYPES, ConfigComparison, ConfigItem
from analyzer.model.entities import (
    AttachedPolicyRef,
    BucketPolicy,
    ConfigRecorder,
    Group,
    ManagedPolicy,
    Role,
    Trail,
    User,
)
from analyzer.model.evidence import EvidenceState, EvidenceStatus
from analyzer.model.kinds import CONFIG_ITEM_KINDS, Kind
from analyzer.model.snapshot import AccountEvidence, Snapshot

_CONFIG_KINDS = frozenset(k.value for k in CONFIG_ITEM_KINDS)
_TRAIL = "AWS::CloudTrail::Trail"
_BUCKET = "AWS::S3::Bucket"
_RECORDER = "AWS::Config::ConfigurationRecorder"

#: What AWS Config does not record, for the kinds the rules need beside what it does (AWS Config
#: API Reference, ResourceType: the IAM types are User, Group, Role, Policy and a few providers).
NOT_IN_CONFIG: dict[Kind, str] = {
    Kind.IAM_CREDENTIAL_REPORT: "AWS Config does not record the credential report (passwords, access keys, "
    "per-user MFA): no Config resource type holds it; export aws iam get-credential-report",
    Kind.IAM_PASSWORD_POLICY: "AWS Config does not record the account password policy: no Config resource "
    "type holds it; export aws iam get-account-password-policy",
    Kind.IAM_SUMMARY: "AWS Config does not record the account summary (root MFA, root access keys): "
    "export aws iam get-account-summary",
    Kind.IAM_VIRTUAL_MFA: "AWS Config does not record MFA devices: export aws iam list-virtual-mfa-devices",
}
_NOT_IN_CONFIG_TRAIL: dict[Kind, str] = {
    Kind.TRAIL_STATUS: "AWS Config records a trail's settings, not whether it is logging: export aws cloudtrail "
    "get-trail-status",
    Kind.TRAIL_SELECTORS: "AWS Config records only whether a trail has custom event selectors, not which: "
    "export aws cloudtrail get-event-selectors",
}

#: How old the newest snapshot may be for Config's items to list every resource as of the collection:
#: the longest periodic snapshot delivery (AWS Config API Reference, ConfigSnapshotDeliveryProperties:
#: TwentyFour_Hours).
SNAPSHOT_AGE = timedelta(hours=24)

#: awslabs/aws-config-resource-schema lists AWS::Config::ConfigurationRecorder, ResourceCompliance and
#: ConformancePackCompliance, no delivery channel.
_NO_CHANNEL = (
    "AWS Config records no item for its delivery channel (no such resource type): "
    "export aws configservice describe-delivery-channels"
)


def _stamp_time(key: str) -> datetime | None:
    stamp = delivery_stamp(key)
    return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) if stamp else None


def _order(item: ConfigItem) -> tuple[datetime, int]:
    return (item.captured or datetime.min.replace(tzinfo=UTC), item.state_id if item.state_id is not None else -1)


class _Account:
    """One account's items, sorted by where they were recorded, and what resolving them found."""

    def __init__(
        self, account: AccountEvidence, snapshots: dict[str, list[tuple[datetime, str]]], when: datetime | None
    ):
        self.when = when
        self.late = [i for i in account.config_items if when is not None and i.captured and i.captured > when]
        self.by_region: dict[str, list[ConfigItem]] = defaultdict(list)
        for item in account.config_items:
            if not (when is not None and item.captured and item.captured > when):
                self.by_region[item.region].append(item)
        #: region -> (time, key) of its newest snapshot as of the evidence time
        self.snapshot: dict[str, tuple[datetime, str]] = {}
        for region, found in snapshots.items():
            usable = [(t, k) for t, k in found if when is None or t <= when]
            if usable:
                self.snapshot[region] = max(usable)
        self.conflicts: list[str] = []

    def latest(self, region: str, accept: Callable[[ConfigItem], bool]) -> dict[tuple[str, str], ConfigItem]:
        """The current item of each resource recorded in ``region`` (deleted ones left out)."""
        best: dict[tuple[str, str], ConfigItem] = {}
        for item in self.by_region.get(region, ()):
            if not accept(item):
                continue
            seen = best.get(item.key)
            if seen is None or _order(item) > _order(seen):
                best[item.key] = item
            elif _order(item) == _order(seen) and item.fingerprint != seen.fingerprint:
                self.conflicts.append(
                    f"{item.resource_type} {item.resource_id} has two different items captured at the same time "
                    f"({seen.ref} vs {item.ref})"
                )
        newest = self.snapshot.get(region)
        if newest is not None:
            taken, key = newest
            listed = {i.key for i in self.by_region.get(region, ()) if i.snapshot == key}
            best = {k: i for k, i in best.items() if k in listed or (i.captured is not None and i.captured > taken)}
        return {k: i for k, i in sorted(best.items()) if not i.deleted and i.entity is not None}

    def later(self, region: str, accept: Callable[[ConfigItem], bool]) -> dict[tuple[str, str], ConfigItem]:
        """The newest item of each resource recorded in ``region`` after the collection time (never used
        for a verdict; compared with an export of the same resource, a change after it is drift)."""
        best: dict[tuple[str, str], ConfigItem] = {}
        for item in self.late:
            if (
                item.region == region
                and accept(item)
                and (item.key not in best or _order(item) > _order(best[item.key]))
            ):
                best[item.key] = item
        return {k: i for k, i in sorted(best.items()) if not i.deleted and i.entity is not None}

    def late_note(self) -> str:
        if not self.late:
            return ""
        first = min(self.late, key=lambda i: (i.captured or datetime.min.replace(tzinfo=UTC), str(i.ref)))
        return (
            f"{len(self.late)} AWS Config item(s) captured after the collection time ({iso(self.when)}) not used, "
            f"e.g. {first.resource_type} {first.resource_name or first.resource_id} captured {iso(first.captured)} "
            f"({first.ref})"
        )


def _records(recorder: ConfigRecorder, types: Iterable[str], global_types: bool) -> bool:
    """Whether the recorder's recording group covers every one of ``types`` (AWS Config API Reference,
    RecordingGroup: allSupported with includeGlobalResourceTypes for the IAM types, or a list)."""
    wanted = set(types)
    if (recorder.strategy or "").upper() == "EXCLUSION_BY_RESOURCE_TYPES":
        return not wanted & set(recorder.excluded_types)
    if recorder.all_supported:
        return recorder.include_global or not global_types
    return wanted <= set(recorder.resource_types)


def _snapshots(states: dict[Slot, EvidenceState]) -> dict[str, dict[str, list[tuple[datetime, str]]]]:
    """account -> region -> (time, key) of every usable snapshot file."""
    out: dict[str, dict[str, list[tuple[datetime, str]]]] = defaultdict(lambda: defaultdict(list))
    for (account, region, kind, item), state in states.items():
        if kind == Kind.CONFIG_SNAPSHOT_FILE.value and state.usable:
            taken = _stamp_time(item)
            if taken is not None:
                out[account][region].append((taken, item))
    return out


def _unusable(states: dict[Slot, EvidenceState]) -> dict[str, list[EvidenceState]]:
    """account -> its Config files and answers that cannot be used (one pass over the states)."""
    out: dict[str, list[EvidenceState]] = defaultdict(list)
    for (account, _, kind, _), state in states.items():
        if kind in _CONFIG_KINDS and not state.usable:
            out[account].append(state)
    return out


def _is_iam(item: ConfigItem) -> bool:
    return item.is_global and item.resource_type in IAM_TYPES


def _link(refs: tuple[AttachedPolicyRef, ...], policies: dict[str, ManagedPolicy]) -> tuple[AttachedPolicyRef, ...]:
    return tuple(_link_one(r, policies) for r in refs)


def _link_one(ref: AttachedPolicyRef, policies: dict[str, ManagedPolicy]) -> AttachedPolicyRef:
    found = policies.get(ref.arn)
    return dataclasses.replace(ref, policy=found.source if found else None)


def _files(items: Iterable[ConfigItem], *extra: str) -> tuple[str, ...]:
    return tuple(sorted({i.ref.file for i in items} | set(extra)))


# --------------------------------------------------------------------------- resolution


class _Resolution:
    """The snapshot's parts being rewritten with what the Config items supply."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.when = snapshot.manifest.collected_at
        self.states: dict[Slot, EvidenceState] = dict(snapshot.states)
        self.accounts: dict[str, AccountEvidence] = dict(snapshot.accounts)
        self.bucket_policies: list[BucketPolicy] = list(snapshot.bucket_policies)
        self.comparisons: list[ConfigComparison] = []
        self.snapshots = _snapshots(snapshot.states)
        self.unusable = _unusable(snapshot.states)
        self.org_trails: list[Trail] = []
        #: every region any account's snapshots come from: where a trail of any account may be homed
        self.config_regions = frozenset(r for regions in self.snapshots.values() for r in regions)
        self.config_trail_accounts: list[str] = []

    def state(self, slot: Slot) -> EvidenceState | None:
        return self.states.get(slot)

    def set_missing(self, slot: Slot, kind: Kind, reason: str) -> None:
        if slot not in self.states:
            self.states[slot] = EvidenceState(
                kind.value, EvidenceStatus.MISSING, f"no {kind.value} file in the bundle; {reason}"
            )

    def recorder(self, found: _Account, account: AccountEvidence, region: str) -> ConfigRecorder | None:
        """The region's customer managed recorder: its Config item, else describe-configuration-recorders."""
        items = found.latest(region, lambda i: i.resource_type == _RECORDER)
        recorders = [i.entity for i in items.values() if isinstance(i.entity, ConfigRecorder)]
        recorders += [r for r in account.recorders if r.region == region]
        customer = [r for r in recorders if not r.service_linked]
        return customer[0] if customer else None

    def run(self) -> Snapshot:
        with_config = {a for (a, _, kind, _) in self.states if kind in _CONFIG_KINDS and a}
        for account_id in sorted(with_config):
            account = self.accounts.get(account_id) or AccountEvidence(account_id=account_id)
            self.accounts[account_id] = self.account(account)
        self.unknown_org_trails()
        self.add_org_trails()
        return dataclasses.replace(
            self.snapshot,
            accounts=self.accounts,
            states=dict(sorted(self.states.items())),
            bucket_policies=tuple(sorted(self.bucket_policies, key=lambda b: b.bucket)),
            config_comparisons=tuple(self.comparisons),
        )

    def account(self, account: AccountEvidence) -> AccountEvidence:
        aid = account.account_id
        found = _Account(account, self.snapshots.get(aid, {}), self.when)
        regions = sorted(set(found.by_region) | set(found.snapshot))
        # A region where the organization's other accounts record and this one left nothing in the bundle
        # (a channel delivering elsewhere, no recorder, files not copied): counted, its recorder unknown.
        unseen = sorted(self.config_regions - set(regions))
        for region in unseen:
            why = (
                f"no AWS Config file of this account from {region}, where the organization's other accounts "
                "record: whether a recorder records there, and where its channel delivers, is unknown"
            )
            for kind in (Kind.CONFIG_RECORDERS, Kind.CONFIG_CHANNELS):
                self.set_missing((aid, region, kind.value, ""), kind, why)
        seen = {r for r in regions if r and r != "global"} | set(unseen)
        changes: dict[str, Any] = {"regions_seen": tuple(sorted(set(account.regions_seen) | seen))}
        changes |= self.iam(account, found)
        changes |= self.regional(account, found, regions)
        return dataclasses.replace(account, **changes)

    # ------------------------------------------------------------------ IAM

    def iam(self, account: AccountEvidence, found: _Account) -> dict[str, Any]:
        aid = account.account_id
        slot: Slot = (aid, "", Kind.IAM_AUTH_DETAILS.value, "")
        regions = sorted({r for r, items in found.by_region.items() if any(_is_iam(i) for i in items)})
        unusable = self.unusable.get(aid, [])
        if not regions and unusable:  # what the unusable file held is unknown: it may be the account's IAM
            first = unusable[0]
            reason = f"an AWS Config file of this account cannot be used: {first.describe()}"
            existing = self.state(slot)
            if existing is None:
                self.states[slot] = EvidenceState(slot[2], first.status, reason, first.files)
            elif existing.usable:
                self.comparisons.append(ConfigComparison(account_id=aid, what="IAM", compared=0, blocked=reason))
            return {}
        if not regions:  # no IAM item at all: complete only if a snapshot and its recorder say IAM is recorded
            regions = [
                r
                for r in sorted(found.snapshot)
                if (rec := self.recorder(found, account, r)) is not None and _records(rec, IAM_TYPES, True)
            ][:1]
        if not regions:
            return {}
        per_region = {r: found.latest(r, _is_iam) for r in regions}
        region = regions[0]
        current = per_region[region]
        conflicts = list(found.conflicts)
        for other in regions[1:]:
            mine = {k: i.fingerprint for k, i in current.items()}
            theirs = {k: i.fingerprint for k, i in per_region[other].items()}
            if mine != theirs:
                differ = sorted(set(mine.items()) ^ set(theirs.items()))
                rtype, rid = differ[0][0]
                conflicts.append(
                    f"AWS Config records global IAM resources in both {region} and {other}, with different items "
                    f"(e.g. {rtype} {rid}): includeGlobalResourceTypes belongs in one region only"
                )
        recorder = self.recorder(found, account, region)
        snapshot = found.snapshot.get(region)
        gap = self.gap(region, snapshot, recorder, IAM_TYPES, global_types=True)
        complete = gap is None
        existing = self.state(slot)
        notes = tuple(n for n in (found.late_note(),) if n)
        if existing is not None:
            self.compare(account, existing, current, complete, conflicts, unusable, notes, found.later(region, _is_iam))
            return {}
        files = _files(current.values(), *([self.snapshot_file(aid, region, snapshot[1])] if snapshot else []))
        if unusable:
            first = unusable[0]
            self.states[slot] = EvidenceState(
                slot[2],
                first.status,
                f"an AWS Config file of this account cannot be used: {first.describe()}",
                first.files,
            )
            return {}
        if conflicts:
            self.states[slot] = EvidenceState(
                slot[2], EvidenceStatus.CONFLICT, "conflicting evidence: " + "; ".join(conflicts), files
            )
            return {}
        if gap is not None:
            self.states[slot] = EvidenceState(
                slot[2],
                EvidenceStatus.INCOMPLETE,
                f"AWS Config items of IAM resources cannot show the account's whole IAM: {gap}",
                files,
            )
            return {}
        reason = f"from AWS Config configuration items recorded in {region} (global resources) as of {iso(self.when)}"
        self.states[slot] = EvidenceState(slot[2], EvidenceStatus.LOADED, "; ".join((reason, *notes)), files)
        for kind, why in NOT_IN_CONFIG.items():
            self.set_missing((aid, "", kind.value, ""), kind, why)
        entities = [i.entity for i in current.values()]
        policies = {p.arn: p for p in entities if isinstance(p, ManagedPolicy)}
        return {
            "users": tuple(
                sorted(
                    (
                        dataclasses.replace(
                            u,
                            attached_policies=_link(u.attached_policies, policies),
                            boundary=u.boundary and _link_one(u.boundary, policies),
                        )
                        for u in entities
                        if isinstance(u, User)
                    ),
                    key=lambda u: u.arn,
                )
            ),
            "groups": tuple(
                sorted(
                    (
                        dataclasses.replace(g, attached_policies=_link(g.attached_policies, policies))
                        for g in entities
                        if isinstance(g, Group)
                    ),
                    key=lambda g: g.arn,
                )
            ),
            "roles": tuple(
                sorted(
                    (
                        dataclasses.replace(
                            r,
                            attached_policies=_link(r.attached_policies, policies),
                            boundary=r.boundary and _link_one(r.boundary, policies),
                        )
                        for r in entities
                        if isinstance(r, Role)
                    ),
                    key=lambda r: r.arn,
                )
            ),
            "managed_policies": tuple(sorted(policies.values(), key=lambda p: p.arn)),
        }

    def gap(
        self,
        region: str,
        snapshot: tuple[datetime, str] | None,
        recorder: ConfigRecorder | None,
        types: tuple[str, ...],
        *,
        global_types: bool,
    ) -> str | None:
        """Why Config's items of ``types`` in ``region`` may not list every such resource; None when
        they do: a snapshot (it lists every recorded resource) at most :data:`SNAPSHOT_AGE` before the
        collection (history files after it may be missing, and a missing one cannot be told from no
        change), and a recorder that records every one of the types."""
        listed = ", ".join(types)
        if snapshot is None:
            return f"no configuration snapshot from {region} (history files and API answers list only some resources)"
        if self.when is not None and snapshot[0] < self.when - SNAPSHOT_AGE:
            return (
                f"the newest configuration snapshot from {region} was delivered {iso(snapshot[0])}, over "
                f"{SNAPSHOT_AGE.days * 24} h before the collection ({iso(self.when)}); what changed since is known "
                "only from history files, and a missing one cannot be told from no change"
            )
        if recorder is None:
            return (
                f"nothing shows the recorder in {region} records all of {listed} (no "
                "AWS::Config::ConfigurationRecorder item and no describe-configuration-recorders there)"
            )
        if not _records(recorder, types, global_types):
            return f"the recorder in {region} does not record all of {listed}"
        return None

    def snapshot_file(self, account: str, region: str, key: str) -> str:
        state = self.states.get((account, region, Kind.CONFIG_SNAPSHOT_FILE.value, key))
        return state.files[0] if state and state.files else key

    def compare(
        self,
        account: AccountEvidence,
        existing: EvidenceState,
        current: dict[tuple[str, str], ConfigItem],
        complete: bool,
        conflicts: list[str],
        unusable: list[EvidenceState],
        notes: tuple[str, ...],
        later: dict[tuple[str, str], ConfigItem],
    ) -> None:
        aid = account.account_id
        blocked = ""
        if not existing.usable:
            blocked = f"the CLI export cannot be used: {existing.describe()}"
        elif unusable:
            blocked = f"an AWS Config file of this account cannot be used: {unusable[0].describe()}"
        elif conflicts:
            blocked = "the AWS Config items conflict: " + "; ".join(conflicts)
        if blocked:
            self.comparisons.append(
                ConfigComparison(account_id=aid, what="IAM", compared=0, blocked=blocked, notes=notes)
            )
            return
        compared, drifts = compare_iam(account, current, complete, self.when, later)
        self.comparisons.append(
            ConfigComparison(account_id=aid, what="IAM", compared=compared, drifts=tuple(drifts), notes=notes)
        )
        if drifts and self.when is None:
            slot: Slot = (aid, "", Kind.IAM_AUTH_DETAILS.value, "")
            self.states[slot] = dataclasses.replace(
                existing,
                status=EvidenceStatus.INCONSISTENT,
                reason=f"the CLI export and AWS Config's items differ ({drifts[0].resource}: {drifts[0].what}) and "
                "which is more recent cannot be told (no collected_at in the manifest)",
            )

    # ------------------------------------------------------------------ regional resources

    def regional(self, account: AccountEvidence, found: _Account, regions: list[str]) -> dict[str, Any]:
        aid = account.account_id
        trails = list(account.trails)
        recorders = list(account.recorders)
        used_trails = False
        homes_unseen = self.trail_homes_unseen(account, found)
        for region in regions:
            if region == "global":
                continue
            snapshot = found.snapshot.get(region)
            recorder = self.recorder(found, account, region)
            recorded = self.recorder_items(found, region)
            if recorded is not None and self.state((aid, region, Kind.CONFIG_RECORDERS.value, "")) is None:
                item, entity = recorded
                recorders.append(entity)
                self.states[(aid, region, Kind.CONFIG_RECORDERS.value, "")] = EvidenceState(
                    Kind.CONFIG_RECORDERS.value,
                    EvidenceStatus.LOADED,
                    f"from the AWS Config item captured {iso(item.captured)}",
                    (item.ref.file,),
                )
                if (
                    entity.recording is not None
                    and self.state((aid, region, Kind.CONFIG_RECORDER_STATUS.value, "")) is None
                ):
                    self.states[(aid, region, Kind.CONFIG_RECORDER_STATUS.value, "")] = EvidenceState(
                        Kind.CONFIG_RECORDER_STATUS.value,
                        EvidenceStatus.LOADED,
                        f"from the AWS Config item captured {iso(item.captured)} "
                        "(its Recording flag; Config does not record lastStatus)",
                        (item.ref.file,),
                    )
            if snapshot is not None:
                self.set_missing((aid, region, Kind.CONFIG_CHANNELS.value, ""), Kind.CONFIG_CHANNELS, _NO_CHANNEL)
            slot: Slot = (aid, region, Kind.TRAILS.value, "")
            current = found.latest(region, lambda i: i.resource_type == _TRAIL)
            exported = self.state(slot)
            if exported is not None and current:
                self.compare_trails(account, region, exported, current, found)
            trail_gap = self.gap(region, snapshot, recorder, (_TRAIL,), global_types=False)
            if self.state(slot) is None and snapshot is not None and trail_gap is None:
                here = [i.entity for i in current.values() if isinstance(i.entity, Trail)]
                trails.extend(here)
                used_trails = True
                self.org_trails.extend(t for t in here if t.organization_trail)
                self.states[slot] = EvidenceState(
                    slot[2],
                    EvidenceStatus.LOADED,
                    f"from AWS Config's snapshot and items of {region} as of {iso(self.when)}",
                    _files(current.values(), self.snapshot_file(aid, region, snapshot[1])),
                )
                for trail in here:
                    for kind, why in _NOT_IN_CONFIG_TRAIL.items():
                        self.set_missing((aid, trail.home_region, kind.value, trail.name), kind, why)
            for item in found.latest(region, lambda i: i.resource_type == _BUCKET).values():
                self.bucket(aid, item)
        if used_trails:
            self.config_trail_accounts.append(aid)
        return {
            "trail_list_gap": homes_unseen if used_trails else account.trail_list_gap,
            "trails": tuple(sorted(trails, key=lambda t: t.arn)),
            "recorders": tuple(sorted(recorders, key=lambda r: (r.region, r.name))),
        }

    def trail_homes_unseen(self, account: AccountEvidence, found: _Account) -> str:
        """Why a region's Config items cannot stand for its describe-trails: AWS Config records a trail
        in its home region only (the AWS::CloudTrail::Trail item of a multi-region trail is not repeated
        in the other regions), so every region where a trail of the account may be homed must have a
        usable describe-trails or a snapshot of this account whose recorder records trails; "" when each
        does. Where a trail may be homed: the account's enabled regions (describe-regions) and any region
        with evidence of it; without describe-regions those are unknown, and the regions where the
        organization's other accounts record are named at least."""
        aid = account.account_id
        known = account.enabled_regions if account.enabled_regions is not None else self.config_regions
        homes = (set(known) | set(account.regions_seen)) - {"global"}
        missing = [
            r
            for r in sorted(homes)
            if not self.exported_trails(aid, r)
            and self.gap(r, found.snapshot.get(r), self.recorder(found, account, r), (_TRAIL,), global_types=False)
        ]
        gaps = []
        if missing:
            gaps.append(
                f"no usable describe-trails and no usable AWS Config snapshot of {aid}'s trails from "
                f"{', '.join(missing)}, so a trail homed there is unknown"
            )
        if account.enabled_regions is None:
            gaps.append(
                f"{aid}'s enabled regions are unknown (no ec2 describe-regions), so a trail homed in a region "
                "without a snapshot is unknown"
            )
        return "; ".join(gaps)

    def exported_trails(self, account: str, region: str) -> bool:
        """The region's describe-trails is in the bundle and usable (it lists every trail that applies)."""
        state = self.state((account, region, Kind.TRAILS.value, ""))
        return state is not None and state.usable

    def compare_trails(
        self,
        account: AccountEvidence,
        region: str,
        exported: EvidenceState,
        current: dict[tuple[str, str], ConfigItem],
        found: _Account,
    ) -> None:
        notes = tuple(n for n in (found.late_note(),) if n)
        self.comparisons.append(compare_trails(account, region, exported, current, self.when, notes))

    def recorder_items(self, found: _Account, region: str) -> tuple[ConfigItem, ConfigRecorder] | None:
        items = found.latest(region, lambda i: i.resource_type == _RECORDER)
        for item in items.values():
            if isinstance(item.entity, ConfigRecorder):
                return item, item.entity
        return None

    def bucket(self, account: str, item: ConfigItem) -> None:
        entity = item.entity
        bucket = entity.bucket if isinstance(entity, BucketPolicy) else (item.resource_name or item.resource_id)
        slot: Slot = (account, "", Kind.S3_BUCKET_POLICY.value, bucket)
        if self.state(slot) is not None:
            return
        reason = (
            f"from the AWS Config item of the bucket captured {iso(item.captured)} "
            "(supplementaryConfiguration.BucketPolicy)"
        )
        if isinstance(entity, BucketPolicy):
            self.bucket_policies.append(entity)
            self.states[slot] = EvidenceState(slot[2], EvidenceStatus.LOADED, reason, (item.ref.file,))
        elif item.no_bucket_policy:
            self.states[slot] = EvidenceState(
                slot[2], EvidenceStatus.ABSENT_IN_AWS, f"the bucket has no policy ({reason})", (item.ref.file,)
            )

    def unknown_org_trails(self) -> None:
        """Config's trail items stand for describe-trails only if the organization trails are known too:
        describe-trails of every member lists them, but AWS Config records a trail in its owner's account
        only, and an organization trail's owner is the management account (AWS CloudTrail User Guide,
        "Creating a trail for an organization":
        https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html).
        With no organization trail among the items and the management account's trails not in the
        bundle (unknown without describe-organization), a trail covering an account, or delivering its
        events to the central bucket, may be missing from its list: its ``trail_list_gap`` says so."""
        if self.org_trails or not self.config_trail_accounts:
            return
        organization = self.snapshot.organization
        management = organization.management_account_id if organization else None
        if management is not None and any(
            a == management and kind == Kind.TRAILS.value and state.usable
            for (a, _, kind, _), state in self.states.items()
        ):
            return  # the management account's trails are known and none is an organization trail
        who = f"the management account {management}" if management else "the management account (unknown here)"
        gap = (
            f"AWS Config's items list the account's own trails; an organization trail is recorded only by {who}, "
            "whose trails are not in the bundle"
        )
        for aid in self.config_trail_accounts:
            account = self.accounts[aid]
            joined = "; ".join(g for g in (account.trail_list_gap, gap) if g)
            self.accounts[aid] = dataclasses.replace(account, trail_list_gap=joined)

    def add_org_trails(self) -> None:
        """An organization trail applies to every account of the organization (AWS CloudTrail User
        Guide, "Creating a trail for an organization"); each member's describe-trails lists it, so a
        member whose trails come from Config items sees the organization trails recorded elsewhere."""
        for aid in self.config_trail_accounts:
            account = self.accounts[aid]
            have = {t.arn for t in account.trails}
            extra = [
                dataclasses.replace(t, seen_in_account=aid)
                for t in sorted(self.org_trails, key=lambda t: t.arn)
                if t.arn not in have
            ]
            if extra:
                self.accounts[aid] = dataclasses.replace(
                    account, trails=tuple(sorted((*account.trails, *extra), key=lambda t: t.arn))
                )


def resolve_config(snapshot: Snapshot) -> Snapshot:
    """The snapshot with what AWS Config's items supply (see the module's docstring); as it is when
    the bundle holds none."""
    if not any(kind in _CONFIG_KINDS for (_, _, kind, _) in snapshot.states):
        return snapshot
    return _Resolution(snapshot).run()
