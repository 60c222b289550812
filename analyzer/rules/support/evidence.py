"""What the bundle holds per account, what is missing or unusable, and how to fix it.

Used by the evidence rules (EVD-*) and by any rule that wants to name an account the same way.
The rules a missing kind leaves undecided come from each registered rule's ``META.requires``, so
this module never hard-codes rule ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from analyzer.model.evidence import EvidenceState, EvidenceStatus
from analyzer.model.kinds import REQUIRED_ACCOUNT_KINDS, REQUIRED_REGION_KINDS, Kind
from analyzer.model.snapshot import FileStatus, InventoryRow, Snapshot
from analyzer.rules.context import RegionScope, RuleContext

#: Kind -> (the export command, the IAM permission it needs).
EXPORT_CALLS: dict[Kind, tuple[str, str]] = {
    Kind.MANIFEST: ("the collector's manifest.json", "none"),
    Kind.ORG_DESCRIBE: ("aws organizations describe-organization", "organizations:DescribeOrganization"),
    Kind.ORG_ACCOUNTS: ("aws organizations list-accounts", "organizations:ListAccounts"),
    Kind.ORG_ROOTS: ("aws organizations list-roots", "organizations:ListRoots"),
    Kind.ORG_POLICY: ("aws organizations describe-policy --policy-id <id>", "organizations:DescribePolicy"),
    Kind.ORG_TARGETS: (
        "aws organizations list-targets-for-policy --policy-id <id>",
        "organizations:ListTargetsForPolicy",
    ),
    Kind.IAM_AUTH_DETAILS: ("aws iam get-account-authorization-details", "iam:GetAccountAuthorizationDetails"),
    Kind.IAM_PASSWORD_POLICY: ("aws iam get-account-password-policy", "iam:GetAccountPasswordPolicy"),
    Kind.IAM_SUMMARY: ("aws iam get-account-summary", "iam:GetAccountSummary"),
    Kind.IAM_VIRTUAL_MFA: ("aws iam list-virtual-mfa-devices", "iam:ListVirtualMFADevices"),
    Kind.IAM_CREDENTIAL_REPORT: (
        "aws iam generate-credential-report, then aws iam get-credential-report",
        "iam:GenerateCredentialReport and iam:GetCredentialReport",
    ),
    Kind.IAM_ORG_FEATURES: ("aws iam list-organizations-features", "iam:ListOrganizationsFeatures"),
    Kind.EC2_REGIONS: ("aws ec2 describe-regions --all-regions", "ec2:DescribeRegions"),
    Kind.TRAILS: ("aws cloudtrail describe-trails --region <region>", "cloudtrail:DescribeTrails"),
    Kind.TRAIL_STATUS: ("aws cloudtrail get-trail-status --name <trail>", "cloudtrail:GetTrailStatus"),
    Kind.TRAIL_SELECTORS: (
        "aws cloudtrail get-event-selectors --trail-name <trail>",
        "cloudtrail:GetEventSelectors",
    ),
    Kind.CONFIG_RECORDERS: (
        "aws configservice describe-configuration-recorders --region <region>",
        "config:DescribeConfigurationRecorders",
    ),
    Kind.CONFIG_RECORDER_STATUS: (
        "aws configservice describe-configuration-recorder-status --region <region>",
        "config:DescribeConfigurationRecorderStatus",
    ),
    Kind.CONFIG_CHANNELS: (
        "aws configservice describe-delivery-channels --region <region>",
        "config:DescribeDeliveryChannels",
    ),
    Kind.CONFIG_CHANNEL_STATUS: (
        "aws configservice describe-delivery-channel-status --region <region>",
        "config:DescribeDeliveryChannelStatus",
    ),
    Kind.S3_BUCKET_POLICY: ("aws s3api get-bucket-policy --bucket <bucket>", "s3:GetBucketPolicy"),
    Kind.CONFIG_SNAPSHOT_FILE: ("aws s3 cp of the snapshot object from the central bucket", "s3:GetObject"),
    Kind.CONFIG_HISTORY_FILE: ("aws s3 cp of the history object from the central bucket", "s3:GetObject"),
    Kind.CONFIG_RESOURCE_HISTORY: (
        "aws configservice get-resource-config-history --resource-type <type> --resource-id <id>",
        "config:GetResourceConfigHistory",
    ),
    Kind.CONFIG_BATCH_GET: (
        "aws configservice batch-get-resource-config --resource-keys resourceType=<type>,resourceId=<id>",
        "config:BatchGetResourceConfig",
    ),
    Kind.CONFIG_SELECT: (
        "aws configservice select-resource-config --expression <query>",
        "config:SelectResourceConfig",
    ),
    Kind.CONFIG_SELECT_AGGREGATE: (
        "aws configservice select-aggregate-resource-config --configuration-aggregator-name <name> "
        "--expression <query>",
        "config:SelectAggregateResourceConfig",
    ),
}

_UNKNOWN_CALL = ("the export command", "its read permission")

#: Evidence states EVD-002 reports: the file is there but cannot be used as it is.
PROBLEM_STATUSES = frozenset(
    {
        EvidenceStatus.INCOMPLETE,
        EvidenceStatus.INVALID,
        EvidenceStatus.DENIED,
        EvidenceStatus.ERROR,
        EvidenceStatus.CONFLICT,
    }
)
#: Inventory rows that are evidence problems even when no evidence state records them.
PROBLEM_ROWS = frozenset({FileStatus.INVALID, FileStatus.INCOMPLETE, FileStatus.IGNORED})


def account_label(ctx: RuleContext, account_id: str) -> str:
    """``account 222222222222 (Development)``, the name from the organization's list when known."""
    info = ctx.shape.info(account_id)
    return f"account {account_id} ({info.name})" if info is not None and info.name else f"account {account_id}"


def kind_of(value: str) -> Kind | None:
    try:
        return Kind(value)
    except ValueError:
        return None


def rules_reading(kinds: Iterable[str]) -> tuple[str, ...]:
    """Ids of the registered rules whose ``requires`` names any of ``kinds`` (kind values), sorted."""
    from analyzer.rules.registry import default_registry  # the catalog imports this module

    wanted = set(kinds)
    return tuple(rule.id for rule in default_registry() if wanted & {k.value for k in rule.meta.requires})


def fix_for(state: EvidenceState) -> str:
    """What to do about an unusable evidence state, with the command and permission involved."""
    kind = kind_of(state.kind)
    command, permission = EXPORT_CALLS.get(kind, _UNKNOWN_CALL) if kind is not None else _UNKNOWN_CALL
    if state.status is EvidenceStatus.DENIED:
        return f"grant the exporting principal {permission} (e.g. via the SecurityAudit policy) and re-run {command}"
    if state.status is EvidenceStatus.INCOMPLETE:
        return f"re-run {command} without --max-items or --no-paginate so the CLI fetches every page"
    if state.status is EvidenceStatus.CONFLICT:
        return (
            f"keep only the genuine output of {command} for this account and region (the files above disagree) "
            "and delete the others, or re-export it"
        )
    if state.status is EvidenceStatus.INVALID:
        return f"re-export it with {command} (AWS CLI v2, JSON output, no --query) and put it in its documented place"
    return f"re-run {command}; if the error persists, fix its cause ({state.error_code or 'see the message'})"


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which required kinds an account lacks (no file at all), account-wide and per expected region."""

    account_id: str
    has_files: bool
    regions: RegionScope
    missing_account: tuple[Kind, ...]
    missing_regional: tuple[tuple[str, tuple[Kind, ...]], ...]  # (region, kinds), regions sorted
    unusable: tuple[EvidenceState, ...]  # present but not usable (EVD-002 reports these)

    def missing_kinds(self) -> tuple[str, ...]:
        regional = {k for _, kinds in self.missing_regional for k in kinds}
        if not self.regions.regions:
            regional |= set(REQUIRED_REGION_KINDS)
        return tuple(sorted({k.value for k in self.missing_account} | {k.value for k in regional}))


def accounts_with_files(snapshot: Snapshot) -> frozenset[str]:
    """Accounts any inventory row (loaded or not) is placed under."""
    return frozenset(r.account_id for r in snapshot.inventory if r.account_id)


def coverage(ctx: RuleContext, account_id: str, with_files: frozenset[str]) -> Coverage:
    snapshot = ctx.snapshot
    scope = ctx.regions(account_id)
    states = {k: snapshot.state(k, account_id) for k in REQUIRED_ACCOUNT_KINDS}
    regional: list[tuple[str, tuple[Kind, ...]]] = []
    unusable = [s for s in states.values() if s.status in PROBLEM_STATUSES]
    for region in sorted(scope.regions):
        region_states = {k: snapshot.state(k, account_id, region) for k in REQUIRED_REGION_KINDS}
        gone = tuple(k for k, s in region_states.items() if s.status is EvidenceStatus.MISSING)
        if gone:
            regional.append((region, gone))
        unusable.extend(s for s in region_states.values() if s.status in PROBLEM_STATUSES)
    return Coverage(
        account_id=account_id,
        has_files=account_id in with_files,
        regions=scope,
        missing_account=tuple(k for k, s in states.items() if s.status is EvidenceStatus.MISSING),
        missing_regional=tuple(regional),
        unusable=tuple(unusable),
    )


def state_problems(snapshot: Snapshot) -> list[tuple[tuple[str, str, str, str], EvidenceState]]:
    """Every recorded evidence state that is present but unusable, in key order."""
    return [(key, s) for key, s in sorted(snapshot.states.items()) if s.status in PROBLEM_STATUSES]


def stateless_problem_rows(snapshot: Snapshot) -> list[InventoryRow]:
    """Files that are recognised evidence but could not be used, and that no evidence state names
    (e.g. a file that cannot be placed in an account)."""
    named = {f for s in snapshot.states.values() for f in s.files}
    return sorted(
        (
            r
            for r in snapshot.inventory
            if r.status in PROBLEM_ROWS and r.path not in named and (r.status is not FileStatus.IGNORED or r.kind)
        ),
        key=lambda r: r.path,
    )
