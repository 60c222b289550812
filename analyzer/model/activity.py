"""What the activity evidence says happened: the events the ACT rules read, delivery days, integrity.

Built by :mod:`analyzer.activity` from the central bucket's CloudTrail log and digest files (and the
calls that describe them); only the fields and events the rules need are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from analyzer.model.evidence import EvidenceRef


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityEvent:
    """One CloudTrail record a rule reads, as the recipient account received it."""

    category: str  # console_logins | assume_role | root_activity | tampering
    event_id: str
    account_id: str  # the account that received this copy (recipientAccountId)
    region: str
    time: datetime
    source: str
    name: str
    identity_type: str
    principal_arn: str
    user_name: str
    caller_account: str
    issuer_arn: str  # the role a session was issued by (sessionContext.sessionIssuer.arn)
    session_mfa: str  # sessionContext.attributes.mfaAuthenticated: "true" | "false" | ""
    source_ip: str
    error_code: str
    shared_event_id: str
    mfa_used: str  # ConsoleLogin: additionalEventData.MFAUsed; AssumeRole: requestParameters.serialNumber
    outcome: str  # ConsoleLogin: Success | Failure
    target: str  # the role, trail, recorder, channel or bucket acted on
    ref: EvidenceRef

    def describe(self) -> str:
        who = self.principal_arn or self.user_name or self.identity_type or "an unknown caller"
        return f"{self.name} by {who} at {self.time:%Y-%m-%dT%H:%M:%SZ} from {self.source_ip or 'an unknown address'}"


@dataclass(frozen=True, slots=True, kw_only=True)
class UserActivity:
    """An IAM user's activity in one account over the period."""

    account_id: str
    principal_arn: str
    user_name: str
    events: int
    first_event: datetime
    last_event: datetime
    source_ips: tuple[str, ...]
    event_names: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class IntegrityIssue:
    """A log or digest file that fails the validation AWS documents (custom log file integrity validation)."""

    account_id: str
    region: str
    problem: str  # missing | modified | unlisted | signature | chain | format | moved | key
    object_key: str
    message: str
    ref: EvidenceRef | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UnverifiedFile:
    """A log or digest file whose integrity could not be checked, though nothing shows it was changed: no
    digest in the bundle covers the log file, or the digest's signature cannot be checked (no public key,
    no signature). Its records may have been edited, so no pass rests on them (rules/support/activity.py)."""

    account_id: str
    region: str
    object_key: str
    first_day: date  # the days the file covers: a log file's delivery day, a digest's start and end
    last_day: date
    reason: str  # the cause, without the file's name (one cause is said once for many files)


@dataclass(frozen=True, slots=True, kw_only=True)
class IntegritySummary:
    """What the integrity check covered for one account and region."""

    log_files: int = 0  # log files in the bundle
    digests: int = 0  # digest files in the bundle
    digests_verified: int = 0  # signature checked and valid
    log_files_listed: int = 0  # log files named by a digest
    log_files_verified: int = 0  # present, hash matching
    unverifiable: tuple[str, ...] = ()  # why some checks could not run (no public key, no signature ...)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityEvidence:
    """Everything the ACT rules read. ``period`` is None only when there is no activity evidence."""

    period: tuple[date, date] | None
    period_source: str  # manifest | files | none
    #: (account, region) -> days with a log file delivered (from the files or from a listing)
    delivery_days: dict[tuple[str, str], frozenset[date]] = field(default_factory=dict)
    #: account -> where its activity evidence comes from ("log files", "listing", "lookup-events")
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: accounts whose records were read (log files or complete lookup-events)
    event_accounts: frozenset[str] = frozenset()
    events: tuple[ActivityEvent, ...] = ()
    #: (role account, account whose copy showed whether MFA was used, day) for every successful role
    #: assumption a copy decides (day None: its event time is no date): found in SQL, for most such calls
    #: are not events (only those without MFA, or that no copy decides, are)
    mfa_deciders: frozenset[tuple[str, str, date | None]] = frozenset()
    user_activity: tuple[UserActivity, ...] = ()
    integrity: tuple[IntegrityIssue, ...] = ()
    integrity_summary: dict[tuple[str, str], IntegritySummary] = field(default_factory=dict)
    #: files nothing shows were changed, but whose integrity could not be checked (sorted)
    unverified: tuple[UnverifiedFile, ...] = ()
    #: (account, region) -> days a digest whose signature verified covers: CloudTrail writes one every hour
    #: for each region a trail covers, even when no log file was delivered (an hour without activity)
    digest_days: dict[tuple[str, str], frozenset[date]] = field(default_factory=dict)
    #: account -> reasons its evidence cannot support a pass (conflicting copies, unreadable files ...)
    blocked: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def present(self) -> bool:
        return self.period is not None

    def days(self) -> tuple[date, ...]:
        if self.period is None:
            return ()
        start, end = self.period
        return tuple(date.fromordinal(d) for d in range(start.toordinal(), end.toordinal() + 1))
