"""What every reader shares: the file it reads and the collector it fills."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from analyzer.evidence.decode import DecodeError, decode_policy_field
from analyzer.evidence.timestamps import parse_ts
from analyzer.model.entities import (
    AccountSummary,
    BucketPolicy,
    ConfigRecorder,
    CredentialReport,
    DeliveryChannel,
    EventSelectorSummary,
    Group,
    ManagedPolicy,
    MfaDevice,
    OrgAccount,
    Organization,
    PasswordPolicy,
    Role,
    Trail,
    TrailStatus,
    User,
)
from analyzer.model.evidence import EvidenceRef
from analyzer.model.policy import (
    PolicyDocument,
    PolicyKind,
    PolicyParseError,
    PolicySource,
    canonical_text,
    parse_policy_text,
)
from analyzer.model.snapshot import Problem


@dataclass
class FileContext:
    """The file being read: its place in the bundle and the problems found in it."""

    path: str
    account_id: str | None
    region: str | None
    item: str | None
    problems: list[Problem] = field(default_factory=list)
    fatal: bool = False  # the content cannot be used at all: the file is invalid

    def ref(self, *parts: str | int) -> EvidenceRef:
        return EvidenceRef(self.path).child(*parts) if parts else EvidenceRef(self.path)

    def problem(self, ref: EvidenceRef, message: str, hint: str = "") -> None:
        pointer = ref.pointer if ref.inner is None else f"{ref.pointer} (embedded document {ref.inner or '/'})"
        self.problems.append(Problem(pointer, message, hint))

    def fail(self, ref: EvidenceRef, message: str, hint: str = "") -> None:
        """Record a problem that makes the whole file unusable."""
        self.problem(ref, message, hint)
        self.fatal = True

    def timestamp(self, value: Any, ref: EvidenceRef) -> datetime | None:
        try:
            return parse_ts(value)
        except ValueError as exc:
            self.problem(ref, str(exc), "timestamps must be ISO-8601 or epoch seconds")
            return None

    def policy(
        self, raw: Any, ref: EvidenceRef, kind: PolicyKind, name: str, arn: str | None = None
    ) -> PolicySource | None:
        """Decode and normalize a policy document; on failure record why and return None.

        A None document is *unresolved*: rules treat everything depending on it as not evaluated.
        """
        embedded = isinstance(raw, str)
        try:
            decoded = decode_policy_field(raw)
            document = _parse_shared(canonical_text(decoded))
        except DecodeError as exc:
            base = ref.embedded() if embedded else ref
            where = base.child(*exc.pointer.strip("/").split("/")) if exc.pointer else ref
            self.problem(where, f"{kind} policy {name!r}: {exc.message}", exc.hint)
            return None
        except PolicyParseError as exc:
            where = EvidenceRef(ref.file, ref.pointer, exc.pointer) if embedded else _join(ref, exc.pointer)
            self.problem(where, f"{kind} policy {name!r}: {exc.message}", "fix the policy document")
            return None
        source_ref = ref.embedded() if embedded else ref
        return PolicySource(kind=kind, name=name, document=document, ref=source_ref, arn=arn)


def _join(ref: EvidenceRef, pointer: str) -> EvidenceRef:
    return EvidenceRef(ref.file, ref.pointer + pointer, ref.inner)


def _parse_shared(text: str) -> PolicyDocument:
    return parse_policy_text(text)


def as_bool(value: Any) -> bool | None:
    """AWS booleans arrive as JSON booleans, 0/1, or 'true'/'TRUE'/'false' strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "yes", "1"):
            return True
        if lowered in ("false", "no", "0"):
            return False
    return None


@dataclass
class AccountParts:
    """Mutable accumulation for one account while files stream in."""

    users: list[User] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    managed_policies: list[ManagedPolicy] = field(default_factory=list)
    password_policy: PasswordPolicy | None = None
    summary: AccountSummary | None = None
    credential_report: CredentialReport | None = None
    mfa_devices: list[MfaDevice] = field(default_factory=list)
    enabled_regions: tuple[str, ...] | None = None
    regions_seen: set[str] = field(default_factory=set)
    trails: list[Trail] = field(default_factory=list)
    trail_status: dict[tuple[str, str], TrailStatus] = field(default_factory=dict)  # (region, name)
    trail_selectors: dict[tuple[str, str], EventSelectorSummary] = field(default_factory=dict)
    recorders: list[ConfigRecorder] = field(default_factory=list)
    recorder_status: dict[tuple[str, str], tuple[dict[str, Any], EvidenceRef]] = field(default_factory=dict)
    channels: list[DeliveryChannel] = field(default_factory=list)
    channel_status: dict[tuple[str, str], tuple[dict[str, Any], EvidenceRef]] = field(default_factory=dict)
    root_credentials_managed_centrally: bool = False


@dataclass
class Collector:
    """Everything read so far; the loader turns it into an immutable Snapshot at the end."""

    accounts: dict[str, AccountParts] = field(default_factory=lambda: defaultdict(AccountParts))
    organization: Organization | None = None
    org_accounts: list[OrgAccount] = field(default_factory=list)
    root_ids: list[str] = field(default_factory=list)
    scp_sources: dict[str, tuple[str, bool, PolicySource]] = field(default_factory=dict)  # id -> name, aws, src
    scp_targets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    bucket_policies: list[BucketPolicy] = field(default_factory=list)

    def account(self, account_id: str) -> AccountParts:
        return self.accounts[account_id]
