"""Normalized AWS objects. Frozen, typed, each with the :class:`EvidenceRef` it came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from analyzer.model.evidence import EvidenceRef
from analyzer.model.policy import PolicySource

# --------------------------------------------------------------------------- IAM principals


@dataclass(frozen=True, slots=True, kw_only=True)
class AttachedPolicyRef:
    """A managed policy attached to a principal; ``policy`` is None when its document is not in
    the evidence (GAAD lists only in-use policies and some exporters omit AWS-managed ones)."""

    arn: str
    name: str
    ref: EvidenceRef
    policy: PolicySource | None


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    account_id: str
    arn: str
    name: str
    user_id: str
    path: str
    ref: EvidenceRef
    created: datetime | None = None
    group_names: tuple[str, ...] = ()
    inline_policies: tuple[PolicySource, ...] = ()
    attached_policies: tuple[AttachedPolicyRef, ...] = ()
    boundary: AttachedPolicyRef | None = None
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    account_id: str
    arn: str
    name: str
    group_id: str
    path: str
    ref: EvidenceRef
    inline_policies: tuple[PolicySource, ...] = ()
    attached_policies: tuple[AttachedPolicyRef, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Role:
    account_id: str
    arn: str
    name: str
    role_id: str
    path: str
    ref: EvidenceRef
    trust_policy: PolicySource | None
    created: datetime | None = None
    inline_policies: tuple[PolicySource, ...] = ()
    attached_policies: tuple[AttachedPolicyRef, ...] = ()
    boundary: AttachedPolicyRef | None = None
    tags: tuple[tuple[str, str], ...] = ()
    last_used: datetime | None = None

    @property
    def is_sso(self) -> bool:
        """An IAM Identity Center permission-set role (``/aws-reserved/sso.amazonaws.com/[region/]``)."""
        return self.path.startswith("/aws-reserved/sso.amazonaws.com/")

    @property
    def is_service_linked(self) -> bool:
        return self.path.startswith("/aws-service-role/")


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagedPolicy:
    """A managed policy with its default version only (the one AWS evaluates)."""

    account_id: str
    arn: str
    name: str
    ref: EvidenceRef
    default_version: str | None
    source: PolicySource | None  # None when the default version's document is missing
    aws_managed: bool


# --------------------------------------------------------------------------- IAM account level


@dataclass(frozen=True, slots=True, kw_only=True)
class PasswordPolicy:
    """``PasswordPolicy`` of get-account-password-policy; ``is_default`` when AWS said NoSuchEntity."""

    account_id: str
    ref: EvidenceRef
    is_default: bool = False
    minimum_length: int | None = None
    require_symbols: bool = False
    require_numbers: bool = False
    require_uppercase: bool = False
    require_lowercase: bool = False
    allow_users_to_change: bool = False
    expire_passwords: bool = False
    max_age_days: int | None = None
    reuse_prevention: int | None = None
    hard_expiry: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountSummary:
    """The root-user flags of get-account-summary; None where the key was not exported."""

    account_id: str
    ref: EvidenceRef
    root_mfa_enabled: bool | None
    root_access_keys_present: bool | None
    root_password_present: bool | None
    counts: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessKeyInfo:
    slot: int
    active: bool
    last_rotated: datetime | None
    last_used: datetime | None


#: The credential report's 22 columns, in AWS's order (IAM User Guide, "Getting credential reports for
#: your AWS account"): what the reader requires, each exactly once, and what synth writes.
CREDENTIAL_REPORT_COLUMNS: tuple[str, ...] = (
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class CredentialReportRow:
    """One row of the credential report; dates are None for ``N/A``/``no_information``."""

    account_id: str
    user: str
    arn: str
    ref: EvidenceRef
    is_root: bool
    created: datetime | None
    password_enabled: bool | None  # None for root ("not_supported")
    password_last_used: datetime | None
    password_last_changed: datetime | None
    mfa_active: bool
    access_keys: tuple[AccessKeyInfo, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CredentialReport:
    account_id: str
    ref: EvidenceRef
    generated: datetime | None
    rows: tuple[CredentialReportRow, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class MfaDevice:
    account_id: str
    serial: str
    ref: EvidenceRef
    user_arn: str | None
    enabled: datetime | None

    @property
    def is_root(self) -> bool:
        return bool(self.user_arn and self.user_arn.endswith(":root"))


# --------------------------------------------------------------------------- Organizations


@dataclass(frozen=True, slots=True, kw_only=True)
class Organization:
    id: str
    arn: str
    management_account_id: str
    feature_set: str
    ref: EvidenceRef


@dataclass(frozen=True, slots=True, kw_only=True)
class OrgAccount:
    id: str
    name: str
    email: str
    state: str  # State when present, else the retired Status
    ref: EvidenceRef
    parent_path: tuple[str, ...] = ()  # root, OUs from the root down (from ``Paths``), when known
    joined: datetime | None = None
    #: ``arn:aws:organizations::<management account>:account/<organization id>/<id>`` when exported
    arn: str = ""

    @property
    def active(self) -> bool:
        return self.state.upper() == "ACTIVE"


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceControlPolicy:
    id: str
    name: str
    aws_managed: bool
    source: PolicySource
    targets: tuple[str, ...]  # r-..., ou-..., account ids
    targets_known: bool


# --------------------------------------------------------------------------- CloudTrail


@dataclass(frozen=True, slots=True, kw_only=True)
class TrailStatus:
    ref: EvidenceRef
    is_logging: bool | None
    latest_delivery_time: datetime | None
    latest_delivery_error: str | None
    latest_notification_error: str | None
    start_logging_time: datetime | None
    stop_logging_time: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class EventSelectorSummary:
    """Basic and advanced selectors reduced to what the management-event checks need."""

    ref: EvidenceRef
    advanced: bool
    management_events: bool
    read_write: str  # "All", "ReadOnly", "WriteOnly", "None"
    excluded_sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Trail:
    arn: str
    name: str
    home_region: str
    owner_account_id: str
    seen_in_account: str
    seen_in_region: str
    ref: EvidenceRef
    multi_region: bool
    organization_trail: bool
    include_global_events: bool
    log_file_validation: bool
    s3_bucket: str | None
    s3_prefix: str | None
    sns_topic: str | None
    kms_key: str | None
    status: TrailStatus | None = None
    selectors: EventSelectorSummary | None = None


# --------------------------------------------------------------------------- AWS Config


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigRecorder:
    account_id: str
    region: str
    name: str
    ref: EvidenceRef
    role_arn: str | None
    all_supported: bool
    include_global: bool
    strategy: str | None
    resource_types: tuple[str, ...]
    excluded_types: tuple[str, ...]
    recording: bool | None = None  # from the status file; None when unknown
    last_status: str | None = None
    last_error: str | None = None
    status_ref: EvidenceRef | None = None
    service_linked: bool = False

    def records_global_iam(self) -> bool:
        iam_types = {"AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Role", "AWS::IAM::Policy"}
        if (self.strategy or "").upper() == "EXCLUSION_BY_RESOURCE_TYPES":
            return not iam_types.issubset(self.excluded_types)
        if self.all_supported:
            return self.include_global
        return bool(iam_types & set(self.resource_types))


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryChannel:
    account_id: str
    region: str
    name: str
    ref: EvidenceRef
    s3_bucket: str | None
    s3_prefix: str | None
    sns_topic: str | None
    last_status: str | None = None  # configHistory/snapshot delivery status, when exported
    last_error: str | None = None
    status_ref: EvidenceRef | None = None
    #: the ``ConfigExportDeliveryInfo`` whose lastStatus is FAILURE (``configHistoryDeliveryInfo`` first); set
    #: exactly when ``last_status`` is FAILURE (the reader sets both)
    failed_delivery: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryChannelStatus:
    """One entry of describe-delivery-channel-status, whether or not describe-delivery-channels shows
    its channel: a failing delivery is a fact about the account's Config even when the channel's
    settings are not in the bundle."""

    account_id: str
    region: str
    name: str
    ref: EvidenceRef
    last_status: str | None
    last_error: str | None
    failed_delivery: str | None


# --------------------------------------------------------------------------- S3


@dataclass(frozen=True, slots=True, kw_only=True)
class BucketPolicy:
    bucket: str
    account_id: str
    source: PolicySource
