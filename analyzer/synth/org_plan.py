"""The plan of a synthetic organization: accounts, teams, people and every knob a defect can turn.

:func:`plan_organization` draws a clean organization of the centralized identity model from a seed:
a management account, the Identity account (all IAM users, tens of groups), a Log Archive account
(the central bucket) and workload accounts owned by teams, one per stage. Nothing is written here;
:mod:`analyzer.synth.defects` turns knobs to plant defects, :mod:`analyzer.synth.generator` writes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from analyzer.synth import ids
from analyzer.synth.shapes_credentials import AccessKey

Json = dict[str, Any]

COLLECTED_AT = ids.utc("2026-11-20T10:00:00Z")


def activity_period_days(count: int) -> tuple[datetime, ...]:
    """``count`` days (midnight UTC) ending the day before the collection."""
    last = COLLECTED_AT.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    return tuple(last - timedelta(days=count - 1 - d) for d in range(count))


TRAIL = "org-audit-trail"
CONFIG_PREFIX = "config"
TRAIL_PREFIX = "cloudtrail"

#: Real region names, default-enabled ones first (``--regions K`` takes the first K).
REGION_ORDER: tuple[str, ...] = (
    "us-east-1", "eu-west-1", "us-west-2", "eu-central-1", "ap-southeast-2", "us-east-2", "us-west-1",
    "eu-west-2", "eu-west-3", "eu-north-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1",
    "ap-south-1", "ca-central-1", "sa-east-1", "ap-northeast-3",
)  # fmt: skip
NOT_OPTED_IN: tuple[str, ...] = ("af-south-1", "ap-east-1", "me-south-1", "eu-south-1", "il-central-1")

STAGES: tuple[tuple[str, str], ...] = (("dev", "Development"), ("test", "Test"), ("staging", "Staging"),
                                       ("prod", "Production"))  # fmt: skip
TEAMS: tuple[str, ...] = (
    "payments", "checkout", "search", "catalog", "orders", "billing", "shipping", "pricing", "reviews",
    "loyalty", "fraud", "ledger", "analytics", "ml-platform", "data-lake", "notifications", "messaging",
    "mobile-api", "web-frontend", "partner-api", "inventory", "returns", "support-tools", "identity-svc",
    "media", "recommendations", "ads", "experiments", "observability", "ci-platform", "edge", "maps",
    "booking", "accounts-svc", "compliance", "hr-systems", "finance-bi", "warehouse", "routing", "quotes",
)  # fmt: skip
FIRST_NAMES: tuple[str, ...] = (
    "alice", "bruno", "chen", "dana", "erin", "fatima", "george", "hana", "ivan", "julia", "kofi", "lena",
    "marco", "nadia", "oscar", "priya", "quentin", "rosa", "sven", "tariq", "ursula", "victor", "wen",
    "xavier", "yara", "zoltan", "amara", "bjorn", "carmen", "dmitri", "elif", "farid", "greta", "hugo",
    "ines", "jonas", "kaito", "leila", "mateo", "noor", "olga", "pavel", "rania", "sofia", "tomas", "uma",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "martin", "silva", "wei", "kowalski", "walsh", "haddad", "lindqvist", "tanaka", "petrov", "garcia",
    "mensah", "fischer", "rossi", "haddadi", "novak", "sharma", "dubois", "moreno", "berg", "nasser",
    "keller", "ivanova", "zhang", "laurent", "okafor", "horvath", "adeyemi", "larsen", "ortiz", "sokolov",
    "yilmaz", "rahimi", "andersson", "leclerc", "costa", "schmidt", "sato", "karimi", "alvarez", "khan",
)  # fmt: skip


def camel(name: str) -> str:
    """``ml-platform`` -> ``MlPlatform`` (role names)."""
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


@dataclass(kw_only=True)
class LocalUser:
    """An IAM user planted in a non-Identity account (IDN-001)."""

    name: str
    console: bool = False
    mfa: bool = False
    key: bool = True


@dataclass(kw_only=True)
class AccountKnobs:
    """Everything about one account a defect can change; the defaults are the clean setup."""

    root_mfa: bool = True
    root_key: bool = False
    local_users: list[LocalUser] = field(default_factory=list)
    extra_roles: list[Json] = field(default_factory=list)  # full RoleDetailList entries
    admin_second_allow: bool = False
    denied: list[str] = field(default_factory=list)  # bundle paths whose export was refused
    missing: list[str] = field(default_factory=list)  # bundle paths left out
    no_evidence: bool = False
    report_age_days: int = 0  # > 0: the credential report was generated that long before the collection
    logging: dict[str, Any] = field(default_factory=dict)  # LoggingSetup overrides


@dataclass(kw_only=True)
class AccountPlan:
    id: str
    name: str
    kind: str  # management | identity | log-archive | workload
    ou: str | None
    created: datetime
    joined: datetime
    joined_method: str
    team: str | None = None
    stage: str | None = None
    admin_mfa: str = "bool"  # how CrossAccountAdmin's trust demands MFA: bool | age
    password_policy: bool = True  # False: NoSuchEntity (AWS defaults)
    knobs: AccountKnobs = field(default_factory=AccountKnobs)

    @property
    def email(self) -> str:
        return f"aws+{self.name.replace(' ', '-').lower()}@example.com"

    @property
    def has_admin_roles(self) -> bool:
        return self.kind in ("workload", "log-archive")


@dataclass(kw_only=True)
class Person:
    """An IAM user of the Identity account and what the exports say about them."""

    name: str
    created: datetime
    groups: list[str]
    console: bool = True
    password_changed: datetime | None = None
    password_used: datetime | None = None
    mfa: str = "active"  # active | pending | none
    keys: list[AccessKey] = field(default_factory=list)
    self_service_direct: bool = False
    inline: list[Json] = field(default_factory=list)
    attached: list[str] = field(default_factory=list)
    slot_taken: bool = False  # a defect already changed this person


@dataclass(kw_only=True)
class ExtraGroup:
    """A group a defect adds to the Identity account (CI deployers), with its customer policy."""

    name: str
    policy_name: str
    policy: Json
    require_mfa: bool = False


@dataclass(kw_only=True)
class AccountActivity:
    """What a planter put into one account's activity: records, a day not delivered, a file edited."""

    records: list[tuple[str, int, Json]] = field(default_factory=list)  # (region, day index, record)
    skipped: set[tuple[str, int]] = field(default_factory=set)  # (region, day): no log file or digest delivered
    edited: set[tuple[str, int]] = field(default_factory=set)  # (region, day): a record removed afterwards
    dropped_digests: set[tuple[str, int]] = field(default_factory=set)  # (region, day): digest deleted afterwards


@dataclass(kw_only=True)
class BucketKnobs:
    config_omitted: list[str] = field(default_factory=list)  # accounts missing from Config PutObject
    source_omitted: list[str] = field(default_factory=list)  # accounts missing from aws:SourceAccount
    weakness: str | None = None  # LOG-010 variant
    outsider: str = "444455556666"


@dataclass(kw_only=True)
class OrgPlan:
    seed: int
    collected_at: datetime
    regions: tuple[str, ...]
    org_trail: bool
    accounts: list[AccountPlan]
    teams: list[str]
    people: list[Person]
    bucket: str
    partition: str = "aws"
    extra_groups: list[ExtraGroup] = field(default_factory=list)
    extra_identity_policies: list[tuple[str, str, Json]] = field(default_factory=list)  # (name, group, doc)
    auditor_policy_unconfined: bool = False
    scp_blocked_roles: list[str] = field(default_factory=list)
    #: (caller ARN, role ARN) of each path only an SCP denies (the IDN-003 failure a bundle without SCPs shows)
    scp_blocked_paths: list[tuple[str, str]] = field(default_factory=list)
    #: role ARN -> the member account its trust names (IDN-006 lateral trusts)
    lateral_trusts: dict[str, str] = field(default_factory=dict)
    identity_password: str = "baseline"  # baseline | reuse-12 | length-8 | none
    bucket_knobs: BucketKnobs = field(default_factory=BucketKnobs)
    org_trail_knobs: dict[str, Any] = field(default_factory=dict)
    former_accounts: list[str] = field(default_factory=list)
    used_slots: set[str] = field(default_factory=set)
    activity: dict[str, AccountActivity] = field(default_factory=dict)  # account -> its planted activity
    #: the evidence period's days (manifest ``activity_period``), ending the day before the collection
    activity_days: tuple[datetime, ...] = field(default_factory=lambda: activity_period_days(2))
    #: ``synth --activity DAYS``: every account delivers (else only those a planter gave activity)
    activity_everywhere: bool = False

    @property
    def home(self) -> str:
        return self.regions[0]

    @property
    def management(self) -> AccountPlan:
        return self.accounts[0]

    @property
    def identity(self) -> AccountPlan:
        return self.accounts[1]

    @property
    def log_archive(self) -> AccountPlan:
        return self.accounts[2]

    @property
    def organization_id(self) -> str:
        return ids.org_id(self.management.id)

    def by_id(self, account_id: str) -> AccountPlan:
        return next(a for a in self.accounts if a.id == account_id)

    def evidence_accounts(self) -> list[AccountPlan]:
        return [a for a in self.accounts if not a.knobs.no_evidence]


# --------------------------------------------------------------------------- drawing the clean organization


def _account_ids(rng: random.Random, count: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        candidate = str(rng.randrange(100_000_000_000, 999_999_999_999))
        if candidate not in seen:
            seen.add(candidate)
            out.append(candidate)
    return out


def _moment(rng: random.Random, start: str, end: str) -> datetime:
    low, high = ids.utc(start), ids.utc(end)
    return low + timedelta(seconds=rng.randrange(int((high - low).total_seconds())))


def _accounts(rng: random.Random, count: int, teams: list[str]) -> list[AccountPlan]:
    numbers = _account_ids(rng, count)
    founded = _moment(rng, "2015-01-05T09:00:00Z", "2017-06-30T17:00:00Z")
    out: list[AccountPlan] = []
    specials = (
        ("Management", "management", None),
        ("Identity", "identity", "Security"),
        ("Log Archive", "log-archive", "Security"),
    )
    for index, number in enumerate(numbers):
        if index < len(specials):
            name, kind, ou = specials[index]
            team = stage = None
            created = founded + timedelta(days=index * 3, minutes=rng.randrange(600))
        else:
            workload = index - len(specials)
            team = teams[workload % len(teams)]
            stage_key, ou = STAGES[(workload // len(teams)) % len(STAGES)]
            cycle = workload // (len(teams) * len(STAGES))
            name, kind, stage = f"{team}-{stage_key}" + (f"-{cycle + 1}" if cycle else ""), "workload", stage_key
            created = _moment(rng, "2017-07-01T08:00:00Z", "2026-09-30T18:00:00Z")
        method = (
            "INVITED"
            if index == 0 or (created < ids.utc("2018-01-01T00:00:00Z") and kind != "workload")
            else ("CREATED")
        )
        joined = created if method == "CREATED" else created + timedelta(days=rng.randrange(1, 40))
        out.append(
            AccountPlan(
                id=number,
                name=name,
                kind=kind,
                ou=ou,
                created=created.replace(microsecond=0),
                joined=joined.replace(microsecond=0) + timedelta(milliseconds=rng.randrange(1000)),
                joined_method=method,
                team=team,
                stage=stage,
                admin_mfa="age" if rng.random() < 0.2 else "bool",
                password_policy=index == 1 or rng.random() < 0.7,
            )
        )
    return out


def _people(rng: random.Random, count: int, teams: list[str], collected: datetime) -> list[Person]:
    names: list[str] = []
    taken: set[str] = set()
    while len(names) < count:
        base = f"{rng.choice(FIRST_NAMES)}.{rng.choice(LAST_NAMES)}"
        name, suffix = base, 2
        while name in taken:
            name, suffix = f"{base}{suffix}", suffix + 1
        taken.add(name)
        names.append(name)
    people: list[Person] = []
    admins = max(2, count // 40)
    auditors = max(2, count // 50)
    for index, name in enumerate(names):
        groups = ["AllStaff", f"team-{teams[index % len(teams)]}"]
        if index < admins:
            groups.append("PlatformAdmins")
        elif index < admins + auditors:
            groups.append("SecurityAuditors")
        created = _moment(rng, "2018-03-01T08:00:00Z", "2026-08-31T18:00:00Z").replace(microsecond=0)
        changed = collected - timedelta(days=rng.randrange(3, 80), seconds=rng.randrange(86400))
        used = collected - timedelta(days=rng.randrange(0, 30), seconds=rng.randrange(3600, 86400))
        keys: list[AccessKey] = []
        if rng.random() < 0.25:
            rotated = collected - timedelta(days=rng.randrange(5, 80), seconds=rng.randrange(86400))
            keys.append(
                AccessKey(
                    True,
                    rotated.replace(microsecond=0),
                    (collected - timedelta(hours=rng.randrange(1, 240))).replace(microsecond=0),
                    REGION_ORDER[0],
                    rng.choice(("sts", "s3", "ec2", "cloudformation")),
                )
            )
        people.append(
            Person(
                name=name,
                created=created,
                groups=groups,
                password_changed=max(changed, created + timedelta(hours=1)).replace(microsecond=0),
                password_used=max(used, created + timedelta(hours=2)).replace(microsecond=0),
                keys=keys,
            )
        )
    return people


def plan_organization(seed: int, accounts: int, regions: int) -> OrgPlan:
    """The clean organization for ``seed``: same arguments, same plan."""
    if accounts < 3:
        raise ValueError("an organization needs at least 3 accounts (management, Identity, Log Archive)")
    if not 1 <= regions <= len(REGION_ORDER):
        raise ValueError(f"--regions must be between 1 and {len(REGION_ORDER)}")
    rng = random.Random(f"trustmap-synth:{seed}")  # noqa: S311 (seeded, not secret)
    team_count = max(3, min(len(TEAMS), accounts // 8))
    teams = sorted(rng.sample(TEAMS, team_count))
    plan_accounts = _accounts(rng, accounts, teams)
    people = _people(rng, min(500, 20 + accounts // 2), teams, COLLECTED_AT)
    management = plan_accounts[0]
    return OrgPlan(
        seed=seed,
        collected_at=COLLECTED_AT,
        regions=REGION_ORDER[:regions],
        org_trail=rng.random() < 0.5,
        accounts=plan_accounts,
        teams=teams,
        people=people,
        bucket=f"org-logs-{management.id}-{ids.hex_token(str(seed), 6)}",
    )
