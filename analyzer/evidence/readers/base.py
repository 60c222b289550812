"""What every reader shares: the file it reads and the collector it fills.

Each file is read into its own small :class:`Collector`; the loader merges the collectors of the
files it keeps (:func:`merge_into`) once it knows which copy of duplicated evidence wins, so the
result never depends on the order an archive lists its members in.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, get_origin, get_type_hints

from analyzer.evidence.decode import DecodeError, Duplicates, decode_policy_field, overlong_string
from analyzer.evidence.timestamps import parse_ts
from analyzer.model.config_items import ConfigItem
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
    MAX_POLICY_VALUES,
    PolicyDocument,
    PolicyKind,
    PolicyParseError,
    PolicySource,
    parse_policy,
)
from analyzer.model.snapshot import Problem

#: The key under which identical documents share one parse (as ``canonical_text``; one encoder,
#: not one per call).
_canonical = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def canonical_text(value: Any) -> str:
    """One text per JSON value as parsed (compact, key order kept): equal texts, equal values."""
    return _canonical(value)


def pointer_of(parts: tuple[str | int, ...]) -> str:
    """The RFC 6901 pointer to ``parts`` (``~`` and ``/`` escaped), as :meth:`EvidenceRef.child` writes
    it; spelled out here because readers build one for nearly every object of every file."""
    out = []
    for part in parts:
        text = str(part)
        if "~" in text or "/" in text:
            text = text.replace("~", "~0").replace("/", "~1")
        out.append(text)
    return "/" + "/".join(out) if out else ""


def child(base: EvidenceRef, *parts: str | int) -> EvidenceRef:
    """``base.child(*parts)``, the same reference, built faster."""
    suffix = pointer_of(parts)
    if base.inner is not None:
        return EvidenceRef(base.file, base.pointer, base.inner + suffix)
    return EvidenceRef(base.file, base.pointer + suffix)


def at_pointer(base: EvidenceRef, pointer: str) -> EvidenceRef:
    """``base`` extended by an already-escaped JSON pointer (inside the embedded document if any)."""
    if not pointer:
        return base
    if base.inner is not None:
        return EvidenceRef(base.file, base.pointer, base.inner + pointer)
    return EvidenceRef(base.file, base.pointer + pointer)


@dataclass
class FileContext:
    """The file being read: its place in the bundle and the problems found in it.

    ``item`` starts as what the path says (trail name, bucket, SCP id); a reader may replace it
    with what the content says, and the loader keys the evidence state by the final value.
    """

    path: str
    account_id: str | None
    region: str | None
    item: str | None
    duplicates: Duplicates | None = None
    policy_cache: dict[str, PolicyDocument] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    fatal: bool = False  # the content cannot be used at all: the file is invalid
    max_policy_values: int = MAX_POLICY_VALUES  # Limits.max_policy_values
    max_string_length: int | None = None  # Limits.max_string_length, for policies held as text

    def ref(self, *parts: str | int) -> EvidenceRef:
        return EvidenceRef(self.path, pointer_of(parts))

    def problem(self, ref: EvidenceRef, message: str, hint: str = "") -> None:
        pointer = ref.pointer if ref.inner is None else f"{ref.pointer} (embedded document {ref.inner or '/'})"
        self.problems.append(Problem(pointer, message, hint))

    def fail(self, ref: EvidenceRef, message: str, hint: str = "") -> None:
        """Record a problem that makes the whole file unusable."""
        self.problem(ref, message, hint)
        self.fatal = True

    def distinct(self, doc: Any, list_key: str, id_key: str) -> list[tuple[int, Any]]:
        """(index, element) of ``doc[list_key]``, each element named by ``id_key`` once.

        An element listed again with the same content is read once. Listed again with other
        content, it has two readings and nothing says which is AWS's (a role whose second copy
        requires MFA must not hide the first): the file is unusable, naming both places.
        """
        items = doc.get(list_key) if isinstance(doc, dict) else None
        if not isinstance(items, list):
            return []
        first: dict[Any, int] = {}
        out: list[tuple[int, Any]] = []
        for index, raw in enumerate(items):
            name = raw.get(id_key) if isinstance(raw, dict) else None
            if not isinstance(name, str | int) or isinstance(name, bool):
                out.append((index, raw))
                continue
            seen = first.setdefault(name, index)
            if seen == index:
                out.append((index, raw))
            elif _canonical(items[seen]) != _canonical(raw):
                self.fail(
                    self.ref(list_key, index),
                    f"{id_key} {name!r} is listed at /{list_key}/{seen} and again here with other content",
                    "re-export the file with the AWS CLI; an export lists each entry once",
                )
        return out

    def timestamp(self, value: Any, ref: EvidenceRef, *parts: str | int) -> datetime | None:
        """The time at ``ref`` (below it by ``parts``); a problem naming that place when it is not one."""
        try:
            return parse_ts(value)
        except ValueError as exc:
            self.problem(child(ref, *parts), str(exc), "timestamps must be ISO-8601 or epoch seconds")
            return None

    def policy(
        self, raw: Any, ref: EvidenceRef, kind: PolicyKind, name: str, arn: str | None = None
    ) -> PolicySource | None:
        """Decode and normalize a policy document; on failure record why and return None.

        A None document is *unresolved*: rules treat everything depending on it as not evaluated.
        Identical documents (AWS-managed policies in every account, copied trust policies) are
        parsed once per bundle.
        """
        base = ref.embedded() if isinstance(raw, str) else ref
        try:
            decoded = decode_policy_field(raw, self.duplicates)
            if isinstance(raw, str) and self.max_string_length is not None and len(raw) > self.max_string_length:
                self._refuse_overlong(decoded, self.max_string_length)
            text = _canonical(decoded)
            document = self.policy_cache.get(text)
            if document is None:
                document = parse_policy(decoded, self.max_policy_values)
                self.policy_cache[text] = document
        except DecodeError as exc:
            where = at_pointer(base, exc.pointer) if exc.pointer else ref
            self.problem(where, f"{kind} policy {name!r}: {exc.message}", exc.hint)
            return None
        except PolicyParseError as exc:
            where = at_pointer(base, exc.pointer)
            self.problem(where, f"{kind} policy {name!r}: {exc.message}", exc.hint)
            return None
        return PolicySource(kind=kind, name=name, document=document, ref=base, arn=arn)

    @staticmethod
    def _refuse_overlong(decoded: Any, limit: int) -> None:
        """A policy held as text is exempt from the loader's check on the file's strings; its own are not."""
        found = overlong_string(decoded, limit)
        if found is not None:
            pointer, length = found
            raise PolicyParseError(
                pointer,
                f"a string of {length:,} characters, over the {limit:,}-character limit for one value",
                "this is not a policy AWS accepts; raise --max-string-length if it is genuine",
            )


_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})


def as_bool(value: Any) -> bool | None:
    """AWS booleans arrive as JSON booleans, 0/1, or 'true'/'TRUE'/'false' strings; None otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    return None


def text_or_none(value: Any) -> str | None:
    """A non-empty string value, or None (AWS omits unset strings; some producers send "")."""
    return value if isinstance(value, str) and value else None


def lenient_timestamp(value: Any) -> datetime | None:
    """A time no verdict reads (an entity's creation, a role's last use): None when it is not one;
    the schema check has already warned about it."""
    try:
        return parse_ts(value)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class RecorderStatusFacts:
    """What describe-configuration-recorder-status says about one recorder."""

    ref: EvidenceRef
    recording: bool | None
    last_status: str | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class ChannelStatusFacts:
    """What describe-delivery-channel-status says about one channel (the worst of its deliveries)."""

    ref: EvidenceRef
    last_status: str | None
    last_error: str | None
    failed_delivery: str | None = None  # the ConfigExportDeliveryInfo that failed


class AccountParts:
    """Mutable accumulation for one account while files stream in.

    One is made for every file read, and a file fills one or two fields: the lists, sets and dicts
    are made when first used (:meth:`__getattr__`), so a new instance costs nothing and its
    ``vars()`` hold just the fields in use, which is all :func:`merge_fields` walks. The single
    values read as their class defaults until set.
    """

    users: list[User]
    groups: list[Group]
    roles: list[Role]
    managed_policies: list[ManagedPolicy]
    password_policy: PasswordPolicy | None = None
    summary: AccountSummary | None = None
    credential_report: CredentialReport | None = None
    mfa_devices: list[MfaDevice]
    enabled_regions: tuple[str, ...] | None = None
    regions_seen: set[str]
    trails: list[Trail]
    trail_status: dict[tuple[str, str], TrailStatus]  # (region, name)
    trail_selectors: dict[tuple[str, str], EventSelectorSummary]
    recorders: list[ConfigRecorder]
    recorder_status: dict[tuple[str, str], RecorderStatusFacts]
    channels: list[DeliveryChannel]
    channel_status: dict[tuple[str, str], ChannelStatusFacts]
    root_credentials_managed_centrally: bool = False
    config_items: list[ConfigItem]  # AWS Config's items, resolved once the bundle is read

    def __getattr__(self, name: str) -> Any:
        """A container field not used yet (only called for attributes not found): made empty now."""
        make = _CONTAINERS.get(name)
        if make is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        value = make()
        setattr(self, name, value)
        return value


#: The container fields of :class:`AccountParts` and what makes an empty one.
_CONTAINERS: dict[str, type] = {
    name: get_origin(hint) or hint
    for name, hint in get_type_hints(AccountParts).items()
    if (get_origin(hint) or hint) in (list, set, dict)
}


@dataclass
class Collector:
    """Everything read from one file (or, merged, from the whole bundle)."""

    accounts: defaultdict[str, AccountParts] = field(default_factory=lambda: defaultdict(AccountParts))
    organization: Organization | None = None
    org_accounts: list[OrgAccount] = field(default_factory=list)
    root_ids: list[str] = field(default_factory=list)
    scp_sources: dict[str, tuple[str, bool, PolicySource]] = field(default_factory=dict)  # id -> name, aws, src
    scp_targets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    bucket_policies: list[BucketPolicy] = field(default_factory=list)

    def account(self, account_id: str) -> AccountParts:
        return self.accounts[account_id]


def merge_fields(target: Any, source: Any) -> None:
    """Add ``source``'s fields to ``target``'s: lists extend, sets and dicts update, other values replace.

    Nothing is done for a field a file left empty (most of them: a file fills one or two), nor for
    None and False; an empty tuple (no enabled region) is a value. ``source`` is an
    :class:`AccountParts` or a :class:`Collector` (its ``accounts`` excluded: see :func:`merge_into`).
    """
    for name, value in vars(source).items():
        if not value and type(value) is not tuple:
            continue
        kind = type(value)
        if kind is list:
            getattr(target, name).extend(value)
        elif kind is dict or kind is set:
            getattr(target, name).update(value)
        elif kind is not defaultdict:  # a Collector's accounts: merged one by one by merge_into
            setattr(target, name, value)


#: The organization-wide fields of a :class:`Collector` (its accounts apart).
COLLECTOR_FIELDS = tuple(spec.name for spec in fields(Collector) if spec.name != "accounts")


def merge_into(target: Collector, source: Collector) -> None:
    """Add what one file's collector holds to the bundle's collector."""
    for account_id, parts in source.accounts.items():
        merge_fields(target.account(account_id), parts)
    merge_fields(target, source)


def has_org_wide(collector: Collector) -> bool:
    """Whether a collector holds anything besides per-account parts (asked of every file's collector:
    the fields are spelled out, ``tests/evidence/test_loader.py`` checks the list is complete)."""
    return bool(
        collector.organization is not None
        or collector.org_accounts
        or collector.root_ids
        or collector.scp_sources
        or collector.scp_targets
        or collector.bucket_policies
    )
