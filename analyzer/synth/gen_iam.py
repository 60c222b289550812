"""IAM exports of a generated organization's accounts, from the plan (clean setup plus knobs)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from analyzer.synth import documents as docs
from analyzer.synth import ids
from analyzer.synth import shapes_credentials as creds
from analyzer.synth import shapes_iam as shapes
from analyzer.synth import synth_policies as pol
from analyzer.synth.compose_iam import AccountIam, iam_files, power_user_access_detail, service_linked_role
from analyzer.synth.org_plan import NOT_OPTED_IN, AccountPlan, OrgPlan, Person, camel

Json = dict[str, Any]

SELF_SERVICE = "SelfServiceCredentials"
REQUIRE_MFA = "RequireMFA"
ADMIN_ROLE = "CrossAccountAdmin"
READONLY_ROLE = "CrossAccountReadOnly"
ORG_ACCESS_ROLE = "OrganizationAccountAccessRole"
POWER_USER_ARN = ids.aws_managed_policy_arn("PowerUserAccess")
VIEW_ONLY_ARN = ids.aws_managed_policy_arn("ViewOnlyAccess", "/job-function/")
ADMIN_ARN = ids.aws_managed_policy_arn("AdministratorAccess")
COMMON_SLRS = ("AWSServiceRoleForConfig", "AWSServiceRoleForOrganizations", "AWSServiceRoleForSupport")

#: Roles a workload runs as: (name suffix, service principal, actions).
WORKLOAD_ROLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("lambda-exec", "lambda.amazonaws.com", ("logs:CreateLogStream", "logs:PutLogEvents", "dynamodb:GetItem")),
    ("ecs-task", "ecs-tasks.amazonaws.com", ("s3:GetObject", "sqs:ReceiveMessage", "sqs:DeleteMessage")),
    ("ec2-app", "ec2.amazonaws.com", ("ssm:GetParameter", "cloudwatch:PutMetricData")),
)


def developer_role(team: str) -> str:
    return f"{camel(team)}Developer"


def whole(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _iam(plan: OrgPlan, account: AccountPlan, password_policy: Json | None) -> AccountIam:
    knobs = account.knobs
    root_keys: tuple[creds.AccessKey, ...] = ()
    if knobs.root_key:
        rotated = whole(plan.collected_at - timedelta(days=12 + ids.stable_int(account.id, 0, 40)))
        root_keys = (creds.AccessKey(True, rotated, whole(plan.collected_at - timedelta(days=2)), plan.home, "ec2"),)
    return AccountIam(
        account_id=account.id,
        created=account.created,
        report_generated=whole(
            plan.collected_at
            - timedelta(days=knobs.report_age_days, seconds=ids.stable_int(account.id + "r", 600, 1500))
        ),
        root_mfa=knobs.root_mfa,
        root_password_last_used=whole(account.created + timedelta(days=ids.stable_int(account.id + "p", 2, 300))),
        root_keys=root_keys,
        password_policy=password_policy,
    )


def _slrs(plan: OrgPlan, account: AccountPlan, names: tuple[str, ...]) -> list[Json]:
    return [
        service_linked_role(
            account.id,
            name,
            created=whole(account.joined + timedelta(minutes=ids.stable_int(account.id + name, 5, 900))),
            last_used=whole(plan.collected_at - timedelta(seconds=ids.stable_int(account.id + name, 600, 7200)))
            if name in ("AWSServiceRoleForConfig", "AWSServiceRoleForOrganizations")
            else None,
            last_used_region=plan.home,
        )
        for name in names
    ]


def _managed(
    name: str,
    account_id: str | None,
    documents: list[tuple[datetime, Json]],
    attachments: int,
    description: str,
    *,
    path: str = "/",
    policy_id: str | None = None,
) -> Json:
    return shapes.managed_policy_detail(
        name,
        account_id=account_id,
        path=path,
        versions=[shapes.PolicyVersion(f"v{i}", d, when) for i, (when, d) in enumerate(documents, start=1)],
        default_version=f"v{len(documents)}",
        attachment_count=attachments,
        description=description,
        policy_id=policy_id,
    )


# --------------------------------------------------------------------------- the Identity account


def _group_policies(plan: OrgPlan) -> dict[str, list[str]]:
    """Group name -> attached customer policy names (RequireMFA on every group granting a role)."""
    groups: dict[str, list[str]] = {
        "AllStaff": [SELF_SERVICE, REQUIRE_MFA],
        "PlatformAdmins": [REQUIRE_MFA, "PlatformAdminAccess"],
        "SecurityAuditors": [REQUIRE_MFA, "AuditorAccess"],
    }
    for team in plan.teams:
        groups[f"team-{team}"] = [REQUIRE_MFA, f"team-{team}-access"]
    for name, group, _ in plan.extra_identity_policies:
        groups.setdefault(group, []).append(name)
    for extra in plan.extra_groups:
        groups[extra.name] = ([REQUIRE_MFA] if extra.require_mfa else []) + [extra.policy_name]
    return groups


def _identity_policies(plan: OrgPlan, identity: str, attachments: dict[str, int]) -> list[Json]:
    org = plan.organization_id
    start = plan.identity.created + timedelta(days=20)
    out = [
        _managed(
            SELF_SERVICE,
            identity,
            [
                (
                    start,
                    {
                        "Version": docs.VERSION,
                        "Statement": [{"Effect": "Allow", "Action": "iam:ChangePassword", "Resource": "*"}],
                    },
                ),
                (start + timedelta(days=400), docs.self_service_credentials_policy(identity)),
            ],
            attachments.get(SELF_SERVICE, 0),
            "Each user manages their own password, access keys and MFA device",
        ),
        _managed(
            REQUIRE_MFA,
            identity,
            [(start, docs.deny_without_mfa_policy())],
            attachments.get(REQUIRE_MFA, 0),
            "Deny everything but MFA self-service without MFA",
        ),
        _managed(
            "PlatformAdminAccess",
            identity,
            [
                (start, docs.allow_actions_policy(["sts:AssumeRole"])),
                (start + timedelta(days=90), pol.assume_named_role_in_org(ADMIN_ROLE, org, sid="AssumeAdminRoles")),
            ],
            attachments.get("PlatformAdminAccess", 0),
            "Platform administrators switch to CrossAccountAdmin",
        ),
        _managed(
            "AuditorAccess",
            identity,
            [
                (
                    start + timedelta(days=30),
                    pol.assume_named_role_in_org(
                        READONLY_ROLE, org, sid="AssumeReadOnlyRoles", confined=not plan.auditor_policy_unconfined
                    ),
                ),
            ],
            attachments.get("AuditorAccess", 0),
            "Auditors switch to CrossAccountReadOnly everywhere",
        ),
    ]
    for index, team in enumerate(plan.teams):
        name = f"team-{team}-access"
        role = developer_role(team)
        created = start + timedelta(days=60 + index * 11)
        out.append(
            _managed(
                name,
                identity,
                [
                    (created, pol.assume_named_role_in_org(role, org, sid="AssumeTeamRole", confined=False)),
                    (created + timedelta(days=45), pol.assume_named_role_in_org(role, org, sid="AssumeTeamRole")),
                ],
                attachments.get(name, 0),
                f"Team {team} switches to {role} in its accounts",
            )
        )
    for name, _, document in plan.extra_identity_policies:
        out.append(
            _managed(
                name,
                identity,
                [(plan.collected_at - timedelta(days=200), document)],
                attachments.get(name, 0),
                "Support partner access",
            )
        )
    for extra in plan.extra_groups:
        out.append(
            _managed(
                extra.policy_name,
                identity,
                [(plan.collected_at - timedelta(days=150), extra.policy)],
                attachments.get(extra.policy_name, 0),
                "CI deployment",
            )
        )
    return out


def _add_person(plan: OrgPlan, iam: AccountIam, person: Person, policy_arns: dict[str, str]) -> None:
    identity = iam.account_id
    attached = [policy_arns[SELF_SERVICE]] if person.self_service_direct else []
    attached += [policy_arns.get(p, p) for p in person.attached]
    iam.users.append(
        shapes.user_detail(
            identity,
            person.name,
            created=person.created,
            groups=person.groups,
            inline_policies=person.inline,
            attached_policy_arns=attached,
        )
    )
    changed = person.password_changed if person.console else None
    iam.credential_rows.append(
        creds.user_credential_row(
            identity,
            person.name,
            created=person.created,
            password_last_changed=changed,
            password_last_used=person.password_used if person.console else None,
            password_next_rotation=changed + timedelta(days=90) if changed else None,
            mfa_active=person.mfa == "active",
            keys=person.keys,
        )
    )
    if person.mfa == "active":
        user = shapes.mfa_user(
            identity,
            person.name,
            created=person.created,
            password_last_used=person.password_used if person.console else None,
        )
        enabled = person.created + timedelta(minutes=ids.stable_int(person.name, 5, 600))
        iam.mfa_devices.append(shapes.virtual_mfa_device(iam.mfa_serial(person.name), user=user, enabled=enabled))
    elif person.mfa == "pending":
        iam.mfa_devices.append(shapes.virtual_mfa_device(iam.mfa_serial(person.name)))


def _password_policy(variant: str) -> Json | None:
    return {
        "baseline": shapes.password_policy(),
        "reuse-12": shapes.password_policy(reuse_prevention=12),
        "length-8": shapes.password_policy(minimum_length=8),
        "none": None,
    }[variant]


def identity_iam(plan: OrgPlan) -> AccountIam:
    account = plan.identity
    iam = _iam(plan, account, _password_policy(plan.identity_password))
    groups = _group_policies(plan)
    attachments: dict[str, int] = {}
    members: dict[str, int] = {}
    for person in plan.people:
        for group in person.groups:
            members[group] = members.get(group, 0) + 1
        if person.self_service_direct:
            attachments[SELF_SERVICE] = attachments.get(SELF_SERVICE, 0) + 1
    for names in groups.values():
        for name in names:
            attachments[name] = attachments.get(name, 0) + 1
    policies = _identity_policies(plan, account.id, attachments)
    policy_arns = {p["PolicyName"]: p["Arn"] for p in policies}
    for person in plan.people:
        _add_person(plan, iam, person, policy_arns)
    for index, (group, names) in enumerate(sorted(groups.items())):
        iam.groups.append(
            shapes.group_detail(
                account.id,
                group,
                created=whole(account.created + timedelta(days=21 + index)),
                attached_policy_arns=[policy_arns[n] for n in names],
            )
        )
    iam.policies = policies
    iam.roles = _slrs(plan, account, (*COMMON_SLRS, "AWSServiceRoleForSSO"))
    return iam


# --------------------------------------------------------------------------- other accounts


def _trust_with_second_allow(identity: str) -> Json:
    trust = docs.account_trust(identity, mfa="bool")
    trust["Statement"].append(
        {
            "Sid": "AllowSessionTagging",
            "Effect": "Allow",
            "Principal": {"AWS": ids.root_arn(identity)},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
        }
    )
    return trust


def _cross_account_roles(plan: OrgPlan, account: AccountPlan) -> tuple[list[Json], dict[str, int]]:
    identity = plan.identity.id
    created = whole(account.joined + timedelta(hours=3))
    used = whole(plan.collected_at - timedelta(seconds=ids.stable_int(account.id + "used", 300, 86400 * 5)))
    roles: list[Json] = []
    counts: dict[str, int] = {}

    def role(name: str, trust: Json, policy_arn: str) -> None:
        roles.append(
            shapes.role_detail(
                account.id,
                name,
                created=created,
                trust_policy=trust,
                attached_policy_arns=[policy_arn],
                last_used=used,
                last_used_region=plan.home,
            )
        )
        counts[policy_arn] = counts.get(policy_arn, 0) + 1

    role(READONLY_ROLE, docs.account_trust(identity, mfa="bool"), VIEW_ONLY_ARN)
    if account.has_admin_roles:
        admin_trust = (
            _trust_with_second_allow(identity)
            if account.knobs.admin_second_allow
            else docs.account_trust(identity, mfa=account.admin_mfa)
        )
        role(ADMIN_ROLE, admin_trust, POWER_USER_ARN)
    if account.team is not None:
        role(
            developer_role(account.team),
            docs.account_trust(identity, mfa="bool"),
            ids.iam_arn(account.id, "policy", "DeveloperAccess"),
        )
    if account.joined_method == "CREATED":
        role(ORG_ACCESS_ROLE, docs.account_trust(plan.management.id, mfa="none"), ADMIN_ARN)
    return roles, counts


def _sso_roles(plan: OrgPlan, account: AccountPlan) -> tuple[list[Json], dict[str, int]]:
    provider = f"AWSSSO_{ids.hex_token(account.id + 'sso', 16)}_DO_NOT_DELETE"
    path = (
        f"/aws-reserved/sso.amazonaws.com/{plan.home}/"
        if plan.home != "us-east-1"
        else "/aws-reserved/sso.amazonaws.com/"
    )
    roles: list[Json] = []
    counts: dict[str, int] = {}
    for permission_set, policy in (("AdministratorAccess", ADMIN_ARN), ("ReadOnlyAccess", VIEW_ONLY_ARN)):
        roles.append(
            shapes.role_detail(
                account.id,
                f"AWSReservedSSO_{permission_set}_{ids.hex_token(account.id + permission_set, 16)}",
                path=path,
                created=whole(account.joined + timedelta(days=30)),
                trust_policy=docs.sso_trust(account.id, provider),
                attached_policy_arns=[policy],
            )
        )
        counts[policy] = counts.get(policy, 0) + 1
    return roles, counts


def _workload_roles(plan: OrgPlan, account: AccountPlan) -> list[Json]:
    count = 1 + ids.stable_int(account.id + "wl", 0, len(WORKLOAD_ROLES) - 1)
    out = []
    for suffix, service, actions in WORKLOAD_ROLES[:count]:
        name = f"{account.name}-{suffix}"
        out.append(
            shapes.role_detail(
                account.id,
                name,
                created=whole(account.joined + timedelta(days=ids.stable_int(name, 10, 900))),
                trust_policy=docs.service_trust(service),
                inline_policies=[shapes.inline_policy(f"{suffix}-permissions", pol.service_role_policy(actions))],
                last_used=whole(plan.collected_at - timedelta(seconds=ids.stable_int(name, 60, 86400))),
                last_used_region=plan.home,
            )
        )
    return out


def _aws_managed(counts: dict[str, int]) -> list[Json]:
    details = {
        POWER_USER_ARN: lambda n: power_user_access_detail(n),
        ADMIN_ARN: lambda n: _managed(
            "AdministratorAccess",
            None,
            [(ids.utc("2015-02-06T18:39:46"), pol.administrator_access())],
            n,
            "Provides full access to AWS services and resources.",
            policy_id=pol.ADMINISTRATOR_ACCESS_ID,
        ),
        VIEW_ONLY_ARN: lambda n: _managed(
            "ViewOnlyAccess",
            None,
            [(ids.utc("2016-11-10T17:20:15"), pol.view_only_access())],
            n,
            "Lists resources and basic metadata.",
            path="/job-function/",
            policy_id=pol.VIEW_ONLY_ACCESS_ID,
        ),
    }
    return [details[arn](counts[arn]) for arn in sorted(counts) if arn in details]


def _local_users(plan: OrgPlan, iam: AccountIam, account: AccountPlan) -> None:
    for local in account.knobs.local_users:
        created = whole(plan.collected_at - timedelta(days=200 + ids.stable_int(local.name, 0, 300)))
        upload = docs.allow_actions_policy(
            ["s3:PutObject", "s3:GetObject"], [f"arn:aws:s3:::{account.name}-artifacts/*"]
        )
        iam.users.append(
            shapes.user_detail(
                account.id,
                local.name,
                created=created,
                inline_policies=[shapes.inline_policy("ArtifactUpload", upload)],
            )
        )
        keys = []
        if local.key:
            keys.append(
                creds.AccessKey(
                    True,
                    whole(plan.collected_at - timedelta(days=20)),
                    whole(plan.collected_at - timedelta(hours=5)),
                    plan.home,
                    "s3",
                )
            )
        changed = whole(plan.collected_at - timedelta(days=30)) if local.console else None
        used = whole(plan.collected_at - timedelta(days=2)) if local.console else None
        iam.credential_rows.append(
            creds.user_credential_row(
                account.id,
                local.name,
                created=created,
                password_last_changed=changed,
                password_last_used=used,
                mfa_active=local.mfa,
                keys=keys,
            )
        )
        if local.console and local.mfa:
            user = shapes.mfa_user(account.id, local.name, created=created, password_last_used=used)
            iam.mfa_devices.append(
                shapes.virtual_mfa_device(iam.mfa_serial(local.name), user=user, enabled=created + timedelta(hours=1))
            )


def member_iam(plan: OrgPlan, account: AccountPlan) -> AccountIam:
    iam = _iam(plan, account, shapes.password_policy() if account.password_policy else None)
    roles, counts = _cross_account_roles(plan, account)
    sso, sso_counts = _sso_roles(plan, account)
    for arn, n in sso_counts.items():
        counts[arn] = counts.get(arn, 0) + n
    iam.providers = 1
    iam.roles = roles + sso + list(account.knobs.extra_roles)
    if account.kind == "workload":
        iam.roles += _workload_roles(plan, account)
    iam.roles += _slrs(plan, account, (*COMMON_SLRS, "AWSServiceRoleForSSO"))
    developer_arn = ids.iam_arn(account.id, "policy", "DeveloperAccess")
    policies = _aws_managed(counts)
    if developer_arn in counts:
        base = account.joined + timedelta(days=40)
        policies.append(
            _managed(
                "DeveloperAccess",
                account.id,
                [(base + timedelta(days=200 * i), pol.developer_access(i + 1)) for i in range(3)],
                counts[developer_arn],
                "What developers of the owning team may do here",
            )
        )
    iam.policies = policies
    _local_users(plan, iam, account)
    return iam


def account_iam_files(plan: OrgPlan, account: AccountPlan) -> dict[str, Any]:
    """Every IAM (and ec2 describe-regions) file of the account, knobs applied."""
    iam = identity_iam(plan) if account.kind == "identity" else member_iam(plan, account)
    return iam_files(iam, enabled_regions=plan.regions, not_opted_in=NOT_OPTED_IN)
