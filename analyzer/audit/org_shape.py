"""Which account is the Identity account, which bucket is the central log bucket, who is who.

Configured values win; then the bundle's manifest; then an inference from the evidence whose
reason is stated in the output. An ambiguous inference is reported as such, never guessed.

The management account (and the organization's id) come from ``describe-organization``; when that
file is missing or was refused, from ``list-accounts``: every account ARN there is
``arn:aws:organizations::<management account>:account/<organization id>/<account id>`` (AWS
Organizations API reference, ``Account.Arn``; ORGUG "ARN formats for AWS Organizations"). The
management account matters to every access decision: SCPs never restrict it (ORGUG "Service
control policies (SCPs)"), so an unknown management account is said so, never guessed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from analyzer.audit.settings import Settings
from analyzer.iam.arn import account_of_principal, is_account_id
from analyzer.model.snapshot import Snapshot


@dataclass(frozen=True, slots=True)
class Resolved:
    value: str | None
    source: str  # config | manifest | inferred | unknown
    reason: str
    #: for an inferred value, the accounts whose evidence it was inferred from (sorted)
    inferred_from: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AccountInfo:
    id: str
    name: str | None
    role: str  # identity | member | management | unknown
    state: str | None
    in_organization: bool


@dataclass(frozen=True, slots=True)
class OrgShape:
    identity: Resolved
    log_bucket: Resolved
    management_account: str | None
    accounts: tuple[AccountInfo, ...]
    #: where :attr:`management_account` came from: ``describe-organization``, ``derived`` (from the
    #: list-accounts ARNs) or ``unknown``, and why
    management: Resolved = Resolved(None, "unknown", "no organization evidence")
    organization_id: str | None = None  # describe-organization's Id, else the id in the list-accounts ARNs
    #: ``accounts`` by id and the organization's ids, computed once: rules ask per account and per role
    _by_id: dict[str, AccountInfo] = field(init=False, repr=False, compare=False)
    _org_ids: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, AccountInfo] = {}
        for account in self.accounts:
            by_id.setdefault(account.id, account)  # the first, as a search in order finds
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_org_ids", frozenset(a.id for a in self.accounts if a.in_organization))

    @property
    def identity_account(self) -> str | None:
        return self.identity.value

    def info(self, account_id: str) -> AccountInfo | None:
        return self._by_id.get(account_id)

    @property
    def org_ids(self) -> frozenset[str]:
        return self._org_ids


def _trusting_accounts(snapshot: Snapshot) -> Counter[str]:
    """For each account, how many *other* accounts hold a role whose trust names it."""
    trusted_by: dict[str, set[str]] = {}
    for account in snapshot.accounts.values():
        for role in account.roles:
            if role.trust_policy is None or role.is_service_linked:
                continue
            for statement in role.trust_policy.document.statements:
                if statement.effect != "Allow" or statement.principal is None:
                    continue
                for value in statement.principal.aws:
                    owner = account_of_principal(value)
                    if owner and owner != account.account_id:
                        trusted_by.setdefault(owner, set()).add(account.account_id)
    return Counter({k: len(v) for k, v in trusted_by.items()})


def _infer_identity(snapshot: Snapshot) -> Resolved:
    counts = _trusting_accounts(snapshot)
    with_users = {aid for aid, acc in snapshot.accounts.items() if acc.users}
    ranked = sorted(((n, aid) for aid, n in counts.items() if aid in with_users), reverse=True)
    if not ranked:
        return Resolved(
            None,
            "unknown",
            "no account with IAM users is trusted by roles in other accounts; set identity_account in the config",
        )
    if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
        tied = ", ".join(sorted(aid for n, aid in ranked if n == ranked[0][0]))
        return Resolved(
            None,
            "unknown",
            f"ambiguous: accounts {tied} are each trusted by roles in "
            f"{ranked[0][0]} other accounts; set identity_account in the config",
        )
    n, aid = ranked[0]
    return Resolved(aid, "inferred", f"the only account with IAM users that roles in {n} other accounts trust")


def _infer_bucket(snapshot: Snapshot) -> Resolved:
    delivering: dict[str, set[str]] = {}
    for account in snapshot.accounts.values():
        for trail in account.trails:
            if trail.s3_bucket:
                delivering.setdefault(trail.s3_bucket, set()).add(account.account_id)
        for channel in account.channels:
            if channel.s3_bucket:
                delivering.setdefault(channel.s3_bucket, set()).add(account.account_id)
    ranked = sorted(((len(v), k) for k, v in delivering.items()), reverse=True)
    if not ranked:
        return Resolved(
            None, "unknown", "no trail or delivery channel in the evidence names a bucket; set log_bucket in the config"
        )
    if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
        tied = ", ".join(sorted(k for n, k in ranked if n == ranked[0][0]))
        return Resolved(
            None,
            "unknown",
            f"ambiguous: buckets {tied} each receive logs from {ranked[0][0]} accounts; set log_bucket in the config",
        )
    n, bucket = ranked[0]
    return Resolved(
        bucket,
        "inferred",
        f"the bucket that trails and delivery channels of {n} accounts deliver to",
        tuple(sorted(delivering[bucket])),
    )


def _arn_parts(arn: str) -> tuple[str, str] | None:
    """(management account, organization id) from ``arn:<p>:organizations::<mgmt>:account/<o-id>/<id>``."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "organizations" or not is_account_id(parts[4]):
        return None
    resource = parts[5].split("/")
    if len(resource) != 3 or resource[0] != "account" or not resource[1].startswith("o-"):
        return None
    return parts[4], resource[1]


def _resolve_management(snapshot: Snapshot) -> tuple[Resolved, str | None]:
    """The management account with where it came from, and the organization id (see the module docstring)."""
    org = snapshot.organization
    if org is not None and is_account_id(org.management_account_id):
        return Resolved(org.management_account_id, "describe-organization", "describe-organization"), org.id or None
    found = {p for a in snapshot.org_accounts if (p := _arn_parts(a.arn)) is not None}
    org_id = org.id if org is not None and org.id else None
    if len(found) == 1:
        management, derived_org = next(iter(found))
        return (
            Resolved(
                management,
                "derived",
                "describe-organization is not usable; derived from the account ARNs in list-accounts "
                f"(arn:aws:organizations::{management}:account/...)",
            ),
            org_id or derived_org,
        )
    if len({m for m, _ in found}) > 1:
        why = "the account ARNs in list-accounts name different management accounts"
    elif snapshot.org_accounts:
        why = "describe-organization is not usable and the list-accounts entries carry no account ARN"
    else:
        why = "neither describe-organization nor list-accounts is usable"
    return Resolved(None, "unknown", why), org_id


def resolve_shape(snapshot: Snapshot, settings: Settings) -> OrgShape:
    if settings.identity_account:
        identity = Resolved(settings.identity_account, "config", f"identity_account in {settings.source}")
    elif snapshot.manifest.identity_account:
        identity = Resolved(snapshot.manifest.identity_account, "manifest", "identity_account in manifest.json")
    else:
        identity = _infer_identity(snapshot)
    if settings.log_bucket:
        bucket = Resolved(settings.log_bucket, "config", f"log_bucket in {settings.source}")
    elif snapshot.manifest.log_bucket:
        bucket = Resolved(snapshot.manifest.log_bucket, "manifest", "log_bucket in manifest.json")
    else:
        bucket = _infer_bucket(snapshot)
    management_resolved, organization_id = _resolve_management(snapshot)
    management = management_resolved.value
    org = {a.id: a for a in snapshot.org_accounts}
    infos = []
    for aid in snapshot.account_ids:
        entry = org.get(aid)
        if aid == identity.value:
            role = "identity"
        elif aid == management:
            role = "management"
        elif entry is not None or not org:
            role = "member"
        else:
            role = "unknown"
        infos.append(
            AccountInfo(
                id=aid,
                name=entry.name if entry else None,
                role=role,
                state=entry.state if entry else None,
                in_organization=entry is not None,
            )
        )
    return OrgShape(
        identity=identity,
        log_bucket=bucket,
        management_account=management,
        accounts=tuple(infos),
        management=management_resolved,
        organization_id=organization_id,
    )
