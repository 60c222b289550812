"""What a rule receives: the snapshot, the access graph, the settings and the organization's shape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from analyzer.findings.org_shape import OrgShape
from analyzer.findings.settings import Settings
from analyzer.graph.gaps import UnreadablePolicies
from analyzer.model.evidence import EvidenceState
from analyzer.model.kinds import Kind
from analyzer.model.snapshot import AccountEvidence, Snapshot

if TYPE_CHECKING:
    from analyzer.graph.access import AccessGraph


@dataclass(frozen=True, slots=True)
class RegionScope:
    """The regions an account is expected to log in, and where that list came from."""

    regions: tuple[str, ...]
    source: str  # config | describe-regions | evidence | unknown


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
        """The states among ``kinds`` for this scope that stop a rule from deciding (empty: go ahead)."""
        return [s for s in (self.snapshot.state(k, account, region) for k in kinds) if not s.usable]

    @cached_property
    def unreadable_policies(self) -> UnreadablePolicies:
        """Inline policies the loader could not decode (and so left out of the entities), found once."""
        return UnreadablePolicies.of(self.snapshot)

    def regions(self, account_id: str) -> RegionScope:
        if self.settings.expected_regions:
            return RegionScope(self.settings.expected_regions, "config")
        account = self.account(account_id)
        if account is not None and account.enabled_regions is not None:
            return RegionScope(account.enabled_regions, "describe-regions")
        if account is not None and account.regions_seen:
            return RegionScope(account.regions_seen, "evidence")
        return RegionScope((), "unknown")
