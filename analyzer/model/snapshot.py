"""The whole normalized bundle: what every later stage reads."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from analyzer.model.activity import ActivityEvidence
from analyzer.model.config_items import ConfigComparison, ConfigItem
from analyzer.model.entities import (
    AccountSummary,
    BucketPolicy,
    ConfigRecorder,
    CredentialReport,
    DeliveryChannel,
    DeliveryChannelStatus,
    Group,
    ManagedPolicy,
    MfaDevice,
    OrgAccount,
    Organization,
    PasswordPolicy,
    Role,
    ServiceControlPolicy,
    Trail,
    User,
)
from analyzer.model.evidence import EvidenceRef, EvidenceState, EvidenceStatus
from analyzer.model.kinds import Kind


class FileStatus(enum.StrEnum):
    LOADED = "loaded"
    INCOMPLETE = "incomplete"
    INVALID = "invalid"
    IGNORED = "ignored"
    ERROR_RECORD = "error_record"  # a recorded failed export call (.error.json / .err)


@dataclass(frozen=True, slots=True)
class Problem:
    """A precise, actionable complaint about one file: ``path: pointer: what; what to do``."""

    pointer: str
    message: str
    hint: str = ""
    warning: bool = False  # an oddity no verdict reads: the file is still used as it is

    def render(self, path: str) -> str:
        hint = f"; {self.hint}" if self.hint else ""
        label = "warning: " if self.warning else ""
        return f"{path}: {self.pointer or '/'}: {label}{self.message}{hint}"


#: Problems one file lists at most (in an inventory row, on the terminal, in the reports); the rest
#: are counted in one more problem. A genuine export has a few; a hostile one can hold one per
#: element, hundreds of thousands, which no reader can use and which cost memory in every report.
MAX_LISTED_PROBLEMS = 100


def listed(problems: tuple[Problem, ...], limit: int = MAX_LISTED_PROBLEMS) -> tuple[Problem, ...]:
    """The first ``limit`` problems as given (the caller's order: what costs a verdict first, then
    by pointer), and one more that counts the rest."""
    if len(problems) <= limit:
        return problems
    rest = problems[limit:]
    costly = sum(1 for problem in rest if not problem.warning)
    weight = f", {costly:,} of them costing a verdict" if costly else ", all warnings"
    message = f"{len(rest):,} more problem(s) not listed{weight} (the first {limit} are)"
    return (*problems[:limit], Problem("", message, "fix the problems listed and validate again", warning=not costly))


@dataclass(frozen=True, slots=True, kw_only=True)
class InventoryRow:
    path: str
    kind: str | None
    account_id: str | None
    region: str | None
    size: int
    sha256: str
    status: FileStatus
    reason: str = ""
    problems: tuple[Problem, ...] = ()
    #: sha256 of the decompressed content of a CloudTrail log file (what its digest's ``hashValue``
    #: covers); "" for other files.
    content_sha256: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountEvidence:
    """Everything the bundle holds about one account."""

    account_id: str
    users: tuple[User, ...] = ()
    groups: tuple[Group, ...] = ()
    roles: tuple[Role, ...] = ()
    managed_policies: tuple[ManagedPolicy, ...] = ()
    password_policy: PasswordPolicy | None = None
    summary: AccountSummary | None = None
    credential_report: CredentialReport | None = None
    mfa_devices: tuple[MfaDevice, ...] = ()
    enabled_regions: tuple[str, ...] | None = None  # from ec2 describe-regions, when exported
    regions_seen: tuple[str, ...] = ()  # regions with any regional evidence
    trails: tuple[Trail, ...] = ()  # deduplicated by ARN; as seen from this account
    #: why ``trails`` may lack a trail that applies to the account ("" when they cannot): set when they come
    #: from AWS Config's items, which record a trail only in its owner's account and home region
    trail_list_gap: str = ""
    recorders: tuple[ConfigRecorder, ...] = ()
    channels: tuple[DeliveryChannel, ...] = ()
    #: every describe-delivery-channel-status entry, including those of channels ``channels`` lacks
    channel_statuses: tuple[DeliveryChannelStatus, ...] = ()
    root_credentials_managed_centrally: bool = False
    #: AWS Config's items of the types read, every capture (what the entities above were resolved from
    #: when the account has no CLI export, and what a CLI export is compared with when it has).
    config_items: tuple[ConfigItem, ...] = ()
    # Lookup indexes built once (names are unique case-insensitively), so lookups stay O(1).
    _users_by_name: dict[str, User] = field(init=False, repr=False, compare=False)
    _groups_by_name: dict[str, Group] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_users_by_name", {u.name.lower(): u for u in reversed(self.users)})
        object.__setattr__(self, "_groups_by_name", {g.name.lower(): g for g in reversed(self.groups)})

    def user(self, name: str) -> User | None:
        return self._users_by_name.get(name.lower())

    def group(self, name: str) -> Group | None:
        return self._groups_by_name.get(name.lower())


@dataclass(frozen=True, slots=True)
class Disagreement:
    """Two sources of the bundle that report the same facts differently (see
    :mod:`analyzer.evidence.crosscheck`); ``kinds`` are the evidence kinds it makes inconsistent."""

    account_id: str | None  # None: the organization's evidence
    kinds: tuple[str, ...]
    message: str
    evidence: tuple[EvidenceRef, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Manifest:
    collected_at: datetime | None = None
    collected_at_source: str = "unknown"  # manifest | credential-report | unknown
    identity_account: str | None = None
    log_bucket: str | None = None
    partition: str = "aws"
    #: The regions the collection covered (``collect --regions``); None: every enabled region, or unknown.
    regions: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    bundle_name: str
    bundle_sha256: str
    manifest: Manifest
    organization: Organization | None
    org_accounts: tuple[OrgAccount, ...]
    scps: tuple[ServiceControlPolicy, ...]
    scps_complete: bool  # every SCP named by a target was exported (else SCP decisions are unknown)
    accounts: dict[str, AccountEvidence]
    bucket_policies: tuple[BucketPolicy, ...]
    inventory: tuple[InventoryRow, ...]
    #: (account or "", region or "", kind, item or "") -> state. ``item`` is the trail name,
    #: bucket name or SCP id for kinds scoped below a region or account.
    states: dict[tuple[str, str, str, str], EvidenceState] = field(default_factory=dict)
    #: What the sources disagree on; the evidence named by each is ``inconsistent`` in ``states``.
    disagreements: tuple[Disagreement, ...] = ()
    #: Per account with both a CLI export and AWS Config items: how they compare (rule EVD-004).
    config_comparisons: tuple[ConfigComparison, ...] = ()
    #: What the activity evidence (CloudTrail log and digest files ...) says happened; None until
    #: :func:`analyzer.activity.read_activity` has read it (the analysis does, validation does not).
    activity: ActivityEvidence | None = None
    # Lookup indexes built once, so per-account and per-bucket lookups stay O(1).
    _org_accounts_by_id: dict[str, OrgAccount] = field(init=False, repr=False, compare=False)
    _bucket_policies_by_name: dict[str, BucketPolicy] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_org_accounts_by_id", {a.id: a for a in reversed(self.org_accounts)})
        object.__setattr__(self, "_bucket_policies_by_name", {b.bucket: b for b in reversed(self.bucket_policies)})

    def state(
        self, kind: Kind, account: str | None = None, region: str | None = None, item: str | None = None
    ) -> EvidenceState:
        """The evidence state for a kind and scope; ``MISSING`` when the bundle has no file for it."""
        found = self.states.get((account or "", region or "", kind.value, item or ""))
        if found is not None:
            return found
        where = " ".join(x for x in (account, region, item) if x)
        return EvidenceState(
            kind.value,
            EvidenceStatus.MISSING,
            f"no {kind.value} file in the bundle for {where or 'the organization'}",
        )

    def account(self, account_id: str) -> AccountEvidence | None:
        return self.accounts.get(account_id)

    @property
    def account_ids(self) -> tuple[str, ...]:
        """Every account known from the organization's list or from evidence, sorted."""
        ids = {a.id for a in self.org_accounts} | set(self.accounts)
        return tuple(sorted(ids))

    def org_account(self, account_id: str) -> OrgAccount | None:
        return self._org_accounts_by_id.get(account_id)

    def bucket_policy(self, bucket: str) -> BucketPolicy | None:
        return self._bucket_policies_by_name.get(bucket)
