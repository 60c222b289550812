"""What a rule receives: the snapshot, the access graph, the settings and the organization's shape."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar, cast

from analyzer.audit.org_shape import OrgShape
from analyzer.audit.settings import Settings
from analyzer.graph.gaps import UnreadablePolicies
from analyzer.model.entities import ConfigRecorder, DeliveryChannel
from analyzer.model.evidence import EvidenceState, EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.model.snapshot import AccountEvidence, Snapshot

if TYPE_CHECKING:
    from analyzer.graph.access import AccessGraph


@dataclass(frozen=True, slots=True)
class RegionScope:
    """The regions that count for an account, and where that list came from.

    ``regions``: the account's enabled regions (or the config's ``expected_regions``) that belong to its
    partition and lie within the collection's scope (``manifest.json`` ``regions``) when the bundle
    records one. ``uncollected``: the enabled regions of its partition the collection left out; rules
    report them once per account, not once per region.
    """

    regions: tuple[str, ...]
    source: str  # config | describe-regions | evidence | unknown
    uncollected: tuple[str, ...] = ()
    collected: tuple[str, ...] | None = None  # the collection's scope, when the manifest records one


#: Region name prefixes of the partitions other than ``aws`` (AWS General Reference, "AWS service
#: endpoints": partitions and their regions; an ``aws`` account has none of these regions).
_PARTITION_PREFIXES: tuple[tuple[str, str], ...] = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("eusc-", "aws-eusc"),
)


def region_partition(region: str) -> str:
    """The partition a region belongs to (``cn-north-1`` -> ``aws-cn``, ``us-east-1`` -> ``aws``)."""
    return next((partition for prefix, partition in _PARTITION_PREFIXES if region.startswith(prefix)), "aws")


T = TypeVar("T")

#: The evidence states a rule may decide on (see :attr:`EvidenceStatus.usable`).
_USABLE = frozenset(status for status in EvidenceStatus if status.usable)


@dataclass(frozen=True, slots=True)
class RegionalConfig:
    """Every account's Config recorders and delivery channels grouped by (account, region), once.

    Several logging rules ask for them per account and region; a scan of the account's lists per
    question is quadratic in its regions (15 regions: 225 looks per rule and account).
    """

    recorders: dict[tuple[str, str], tuple[ConfigRecorder, ...]]
    channels: dict[tuple[str, str], tuple[DeliveryChannel, ...]]

    @classmethod
    def of(cls, snapshot: Snapshot) -> RegionalConfig:
        recorders: dict[tuple[str, str], list[ConfigRecorder]] = {}
        channels: dict[tuple[str, str], list[DeliveryChannel]] = {}
        for account_id, evidence in snapshot.accounts.items():
            for recorder in evidence.recorders:
                recorders.setdefault((account_id, recorder.region), []).append(recorder)
            for channel in evidence.channels:
                channels.setdefault((account_id, channel.region), []).append(channel)
        return cls(
            {key: tuple(found) for key, found in recorders.items()},
            {key: tuple(found) for key, found in channels.items()},
        )


@dataclass(frozen=True)
class RuleContext:
    snapshot: Snapshot
    graph: AccessGraph
    settings: Settings
    shape: OrgShape

    # ------------------------------------------------------------------ accounts
    @property
    def identity_account(self) -> str | None:
        return self.shape.identity_account

    @property
    def partition(self) -> str:
        return self.snapshot.manifest.partition

    @property
    def collected_at(self) -> datetime | None:
        return self.snapshot.manifest.collected_at

    def audited_accounts(self) -> tuple[str, ...]:
        """Accounts the rules look at: active organization accounts, plus any account with evidence."""
        return self._audited

    @cached_property
    def _audited(self) -> tuple[str, ...]:
        active = {a.id for a in self.snapshot.org_accounts if a.active}
        return tuple(sorted(active | set(self.snapshot.accounts)))

    def non_identity_accounts(self) -> tuple[str, ...]:
        return tuple(a for a in self.audited_accounts() if a != self.identity_account)

    def account(self, account_id: str) -> AccountEvidence | None:
        return self.snapshot.accounts.get(account_id)

    def in_organization(self, account_id: str) -> bool:
        return account_id in self.shape.org_ids

    # ------------------------------------------------------------------ evidence
    def blocking(
        self, kinds: tuple[Kind, ...], account: str | None = None, region: str | None = None
    ) -> list[EvidenceState]:
        """The states among ``kinds`` for this scope that stop a rule from deciding (empty: go ahead).

        Asked 160,000 times at 1,000 accounts: the recorded states are looked up directly (a
        :class:`Kind` is a ``str`` enum, so it finds the entry keyed by its value), and only a scope
        without one goes through :meth:`Snapshot.state` for its ``MISSING`` state and reason.
        """
        states = self.snapshot.states
        found: list[EvidenceState] = []
        for kind in kinds:
            state = states.get((account or "", region or "", kind, ""))
            if state is None:
                state = self.snapshot.state(kind, account, region)
            if state.status not in _USABLE:
                found.append(state)
        return found

    # ------------------------------------------------------------------ shared indexes
    def shared(self, build: Callable[[RuleContext], T]) -> T:
        """``build(self)``, computed on first use and kept for every later rule of this context.

        For indexes several rules derive from the snapshot (the organization's trails by ARN ...).
        ``build`` is a module-level function (it is the key); nobody mutates what it returns.
        """
        memo = self._shared
        if build not in memo:
            memo[build] = build(self)
        return cast(T, memo[build])

    @cached_property
    def _shared(self) -> dict[Callable[[RuleContext], object], object]:
        return {}

    @cached_property
    def regional_config(self) -> RegionalConfig:
        """Config recorders and delivery channels by (account, region), grouped on first use."""
        return RegionalConfig.of(self.snapshot)

    @cached_property
    def unreadable_policies(self) -> UnreadablePolicies:
        """Inline policies the loader could not decode (and so left out of the entities), found once."""
        return UnreadablePolicies.of(self.snapshot)

    def regions(self, account_id: str) -> RegionScope:
        """The regions that count for the account (see :class:`RegionScope`), computed once per account."""
        scopes = self._region_scopes
        if account_id not in scopes:
            scopes[account_id] = self._region_scope(account_id)
        return scopes[account_id]

    @cached_property
    def _region_scopes(self) -> dict[str, RegionScope]:
        return {}

    def _region_scope(self, account_id: str) -> RegionScope:
        account = self.account(account_id)
        if self.settings.expected_regions:
            listed, source = self.settings.expected_regions, "config"
        elif account is not None and account.enabled_regions is not None:
            listed, source = account.enabled_regions, "describe-regions"
        elif account is not None and account.regions_seen:
            return RegionScope(tuple(sorted(account.regions_seen)), "evidence")  # what was collected
        else:
            return RegionScope((), "unknown")
        partition = self.account_partition(account_id)
        own = tuple(r for r in listed if region_partition(r) == partition)
        collected = self.snapshot.manifest.regions
        if collected is None:
            return RegionScope(own, source)
        inside = tuple(r for r in own if r in collected)
        outside = tuple(r for r in own if r not in collected)
        return RegionScope(inside, source, outside, collected)

    def account_partition(self, account_id: str) -> str:
        """The account's partition, from the ARNs of its IAM entities, else the manifest's."""
        account = self.account(account_id)
        if account is not None:
            arns = [e.arn for e in account.roles[:1]] + [e.arn for e in account.users[:1]]
            for arn in arns:
                parts = arn.split(":")
                if len(parts) > 2 and parts[1].startswith("aws"):
                    return parts[1]
        return self.partition
