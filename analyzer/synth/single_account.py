"""One large account (``--single-account-principals P``): a GAAD of P principals, for peer comparisons.

The bundle holds that one account's IAM and logging exports and its own log bucket; the account is
its own Identity account (manifest). Half the principals are users in team groups that require MFA,
half are workload roles trusted by AWS services. Their policies are written like real customer
policies, with real IAM actions (:mod:`analyzer.synth.iam_actions`): mostly actions listed on named
resources, and at realistic rates ``service:*``, ``Get*``/``List*``/``Describe*`` patterns, conditions,
``iam:PassRole`` on ``*``, Deny and NotAction statements (a region guard) and a few admin-like grants;
customer-managed policies have up to five versions; inline policies sit on users (self-service
only), groups and roles, and roles attach AWS-managed policies too. Peer tools that expand actions
against AWS's action list (Cloudsplaining) then do the work a real account makes them do.
``get-account-authorization-details.json`` weighs about 6 KB per principal as the AWS CLI writes
it (2,000 principals: ~12 MB). No defects are planted (no ``sts:AssumeRole`` beyond the account,
users' own policies only manage their credentials); ``EXPECTED.json`` lists no failure.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from analyzer.synth import documents as docs
from analyzer.synth import iam_actions as acts
from analyzer.synth import ids, layout
from analyzer.synth import shapes_credentials as creds
from analyzer.synth import shapes_iam as shapes
from analyzer.synth.compose_iam import AccountIam, iam_files, service_linked_role
from analyzer.synth.compose_logging import logging_files
from analyzer.synth.gen_iam import whole
from analyzer.synth.gen_logging import setup_for
from analyzer.synth.org_plan import COLLECTED_AT, FIRST_NAMES, LAST_NAMES, NOT_OPTED_IN, OrgPlan, plan_organization
from analyzer.synth.shapes_logging import bucket_policy, error_record
from analyzer.synth.sink import BundleSink

Json = dict[str, Any]

TEAMS: tuple[str, ...] = (
    "payments", "checkout", "search", "catalog", "accounts", "data", "platform", "mobile", "ml", "billing",
    "growth", "ops", "fraud", "notifications", "inventory", "shipping",
)  # fmt: skip
NOUNS: tuple[str, ...] = (
    "orders", "events", "ledger", "sessions", "profiles", "invoices", "reports", "images", "audit", "metrics",
    "exports", "jobs", "feeds", "carts", "quotes", "alerts",
)  # fmt: skip
STAGES: tuple[str, ...] = ("prod", "staging", "dev")

#: Workload role kinds: (name part, trusted service principal, AWS-managed policies such roles attach).
ROLE_KINDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("lambda", "lambda.amazonaws.com", ("AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole",
                                        "AWSXRayDaemonWriteAccess")),
    ("ecs-task", "ecs-tasks.amazonaws.com", ("AmazonECSTaskExecutionRolePolicy", "AWSXRayDaemonWriteAccess")),
    ("ec2", "ec2.amazonaws.com", ("AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy",
                                  "AmazonEC2ContainerRegistryReadOnly")),
    ("sfn", "states.amazonaws.com", ()),
    ("glue", "glue.amazonaws.com", ("AmazonS3ReadOnlyAccess",)),
    ("codebuild", "codebuild.amazonaws.com", ("AmazonEC2ContainerRegistryReadOnly",)),
    ("events", "events.amazonaws.com", ()),
    ("firehose", "firehose.amazonaws.com", ()),
)  # fmt: skip
AWS_MANAGED = {name: (path, actions) for name, path, actions in acts.AWS_MANAGED_WORKLOAD_POLICIES}

#: Self-service extras some users carry inline besides their credentials policy (IDN-007 accepts them).
USER_EXTRAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ManageOwnSSHKeys", ("iam:ListSSHPublicKeys", "iam:GetSSHPublicKey", "iam:UploadSSHPublicKey",
                          "iam:UpdateSSHPublicKey", "iam:DeleteSSHPublicKey")),
    ("ManageOwnGitCredentials", ("iam:ListServiceSpecificCredentials", "iam:CreateServiceSpecificCredential",
                                 "iam:UpdateServiceSpecificCredential", "iam:ResetServiceSpecificCredential",
                                 "iam:DeleteServiceSpecificCredential")),
    ("ManageOwnSigningCertificates", ("iam:ListSigningCertificates", "iam:UploadSigningCertificate",
                                      "iam:UpdateSigningCertificate", "iam:DeleteSigningCertificate")),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Scope:
    """Where a policy's statements point: the account, the regions the team works in, the team."""

    account: str
    regions: tuple[str, ...]
    team: str


# --------------------------------------------------------------------------- statements


def _resource(rng: random.Random, scope: _Scope, service: acts.ServiceActions) -> str:
    if service.arn == "*":
        return "*"
    name = f"{scope.team}-{rng.choice(NOUNS)}-{rng.choice(STAGES)}"
    uuid = f"{rng.getrandbits(128):032x}"
    return service.arn.format(
        region=rng.choice(scope.regions),
        account=scope.account,
        name=name,
        uuid=f"{uuid[:8]}-{uuid[8:12]}-{uuid[12:16]}-{uuid[16:20]}-{uuid[20:]}",
    )


def _resources(rng: random.Random, scope: _Scope, service: acts.ServiceActions) -> str | list[str]:
    found = sorted({_resource(rng, scope, service) for _ in range(rng.randint(1, 3))})
    return found[0] if len(found) == 1 else found


def _pick(rng: random.Random, names: tuple[str, ...], low: int, high: int) -> list[str]:
    return rng.sample(names, min(len(names), rng.randint(low, high)))


def _scoped(rng: random.Random, scope: _Scope) -> Json:
    """The common case: listed read and write actions of one service on named resources; one in
    seven names some actions by a pattern (``s3:GetObject*``, ``dynamodb:Batch*``)."""
    service = rng.choice(acts.WORKLOAD_SERVICES)
    names = _pick(rng, service.read, 2, 6) + _pick(rng, service.write, 1, 5)
    if rng.random() < 0.15:
        names[: rng.randint(1, 3)] = [rng.choice(service.patterns[1:])]
    return {
        "Effect": "Allow",
        "Action": sorted(set(service.qualified(tuple(names)))),
        "Resource": _resources(rng, scope, service),
    }


def _read_only(rng: random.Random, scope: _Scope) -> Json:
    """Read access by pattern across a few services (``ec2:Describe*``, ``logs:Get*``) on everything."""
    services = rng.sample(acts.SERVICES, rng.randint(2, 6))
    actions = {f"{s.prefix}:{p}" for s in services for p in s.patterns[1:] if p.startswith(("Get", "List", "Desc"))}
    actions.update(f"{s.prefix}:{rng.choice(s.read)}" for s in services)
    return {"Effect": "Allow", "Action": sorted(actions), "Resource": "*"}


def _full_service(rng: random.Random, scope: _Scope) -> Json:
    """``service:*`` on the team's resources, or on every resource of the service."""
    service = rng.choice(acts.WORKLOAD_SERVICES)
    anywhere = rng.random() < 0.3
    return {
        "Effect": "Allow",
        "Action": f"{service.prefix}:*",
        "Resource": "*" if anywhere else _resources(rng, scope, service),
    }


#: Conditions real policies attach to their statements: (applies to prefix or "", builder).
_CONDITIONS: tuple[tuple[str, Callable[[_Scope], Json]], ...] = (
    ("", lambda s: {"StringEquals": {"aws:ResourceTag/team": s.team}}),
    ("", lambda s: {"StringEquals": {"aws:RequestedRegion": list(s.regions)}}),
    ("", lambda s: {"Bool": {"aws:SecureTransport": "true"}}),
    ("", lambda s: {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "172.16.0.0/12"]}}),
    ("", lambda s: {"StringEquals": {"aws:PrincipalTag/team": s.team}}),
    ("s3", lambda s: {"StringLike": {"s3:prefix": [f"{s.team}/*", "shared/*"]}}),
    ("kms", lambda s: {"StringEquals": {"kms:ViaService": [f"s3.{r}.amazonaws.com" for r in s.regions]}}),
    ("dynamodb", lambda s: {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["${aws:PrincipalTag/team}*"]}}),
)


def _conditioned(rng: random.Random, scope: _Scope) -> Json:
    statement = _scoped(rng, scope)
    prefix = statement["Action"][0].split(":", 1)[0]
    fitting = [build for applies, build in _CONDITIONS if applies in ("", prefix)]
    statement["Condition"] = rng.choice(fitting)(scope)
    return statement


def _pass_role(rng: random.Random, scope: _Scope) -> Json:
    """``iam:PassRole``: half on any role (the classic finding), often limited to one service."""
    statement: Json = {"Effect": "Allow", "Action": "iam:PassRole"}
    if rng.random() < 0.5:
        statement["Resource"] = "*"
        if rng.random() < 0.5:
            kind = rng.choice(ROLE_KINDS)
            statement["Condition"] = {"StringEquals": {"iam:PassedToService": kind[1]}}
    else:
        statement["Resource"] = f"arn:aws:iam::{scope.account}:role/{scope.team}-*"
    return statement


def _deny_protected(rng: random.Random, scope: _Scope) -> Json:
    return {"Effect": "Deny", "Action": _pick(rng, acts.PROTECTED_ACTIONS, 2, 6), "Resource": "*"}


def _deny_outside_regions(rng: random.Random, scope: _Scope) -> Json:
    """AWS's "deny outside approved regions" example: NotAction on the global services."""
    return {
        "Effect": "Deny",
        "NotAction": list(acts.GLOBAL_SERVICE_PATTERNS),
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": list(scope.regions)}},
    }


def _admin_like(rng: random.Random, scope: _Scope) -> Json:
    """Broad grants. None reaches ``sts:AssumeRole`` on another account's roles (IDN-008 stays passing):
    ``*`` is held to the caller's own account, NotAction leaves out STS."""
    form = rng.randrange(3)
    if form == 0:
        return {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}},
        }
    if form == 1:
        return {
            "Effect": "Allow",
            "NotAction": ["iam:*", "organizations:*", "account:*", "sts:*"],
            "Resource": "*",
        }
    return {"Effect": "Allow", "Action": ["iam:*", "ec2:*", "s3:*"], "Resource": "*"}


#: Statement kinds with their weights (how often real customer policies hold each).
_STATEMENTS: tuple[tuple[Callable[[random.Random, _Scope], Json], int], ...] = (
    (_scoped, 52),
    (_conditioned, 14),
    (_read_only, 10),
    (_full_service, 8),
    (_pass_role, 6),
    (_deny_protected, 5),
    (_deny_outside_regions, 3),
    (_admin_like, 2),
)


def _document(rng: random.Random, scope: _Scope, statements: int) -> Json:
    builders = rng.choices([b for b, _ in _STATEMENTS], weights=[w for _, w in _STATEMENTS], k=statements)
    body = []
    for index, build in enumerate(builders):
        statement = build(rng, scope)
        if rng.random() < 0.6:
            statement = {"Sid": f"{build.__name__.strip('_').title().replace('_', '')}{index}", **statement}
        body.append(statement)
    return {"Version": docs.VERSION, "Statement": body}


def _versions(rng: random.Random, scope: _Scope, created: datetime) -> list[shapes.PolicyVersion]:
    """1-5 versions, each the previous one with a statement added or replaced."""
    document = _document(rng, scope, rng.randint(2, 5))
    out = [shapes.PolicyVersion("v1", document, created)]
    for number in range(2, rng.randint(1, 5) + 1):
        statements = list(document["Statement"])
        change = _document(rng, scope, 1)["Statement"][0]
        if rng.random() < 0.5 and len(statements) > 1:
            statements[rng.randrange(len(statements))] = change
        else:
            statements.append(change)
        document = {"Version": docs.VERSION, "Statement": statements}
        out.append(shapes.PolicyVersion(f"v{number}", document, created + timedelta(days=37 * (number - 1))))
    return out


# --------------------------------------------------------------------------- principals


def _customer_policies(rng: random.Random, account: str, created: datetime, count: int) -> list[Json]:
    """Each customer-managed policy's team, name, path, versions and default version (its attachment
    count is known once principals hold it)."""
    policies = []
    for index in range(count):
        team = TEAMS[index % len(TEAMS)]
        scope = _Scope(account, _regions(rng), team)
        versions = _versions(rng, scope, whole(created + timedelta(days=rng.randrange(2000))))
        default = versions[-1].version_id if rng.random() < 0.9 or len(versions) == 1 else versions[-2].version_id
        policies.append(
            {
                "team": team,
                "name": f"{team}-{rng.choice(NOUNS)}-access-{index:04d}",
                "path": rng.choice(("/", f"/teams/{team}/")),
                "versions": versions,
                "default": default,
            }
        )
    return policies


def _regions(rng: random.Random) -> tuple[str, ...]:
    return tuple(sorted(rng.sample(("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"), 2)))


def _self_service_extra(account: str, name: str, actions: tuple[str, ...]) -> Json:
    own = f"arn:aws:iam::{account}:user/${{aws:username}}"
    return shapes.inline_policy(
        name,
        {"Version": docs.VERSION, "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": own}]},
    )


@dataclass
class _Holdings:
    """Who attaches which managed policy: customer policies picked by team, and every attachment counted
    (a policy's ``AttachmentCount``)."""

    rng: random.Random
    by_team: dict[str, list[str]]
    counts: Counter[str] = field(default_factory=Counter)

    def attach(self, team: str, low: int, high: int) -> list[str]:
        chosen = sorted({self.rng.choice(self.by_team[team]) for _ in range(self.rng.randint(low, high))})
        self.counts.update(chosen)
        return chosen


def _groups(rng: random.Random, account: str, created: datetime, count: int, held: _Holdings) -> list[Json]:
    """Team groups: each requires MFA (inline), attaches 1-4 of its team's policies, some an inline grant."""
    groups = []
    for index in range(count):
        team = TEAMS[index % len(TEAMS)]
        inline = [shapes.inline_policy("RequireMFA", docs.deny_without_mfa_policy())]
        if rng.random() < 0.3:
            scope = _Scope(account, _regions(rng), team)
            inline.append(shapes.inline_policy(f"{team}-extra-access", _document(rng, scope, rng.randint(2, 4))))
        groups.append(
            shapes.group_detail(
                account,
                f"{team}-{rng.choice(('engineers', 'analysts', 'oncall', 'leads', 'readers'))}-{index:03d}",
                created=whole(created + timedelta(days=index)),
                inline_policies=inline,
                attached_policy_arns=held.attach(team, 1, 4),
            )
        )
    return groups


def _add_users(iam: AccountIam, rng: random.Random, created: datetime, groups: list[Json], count: int) -> None:
    """Console users with MFA in one or two groups; their own policies only manage their credentials."""
    account = iam.account_id
    for index in range(count):
        name = f"{rng.choice(FIRST_NAMES)}.{rng.choice(LAST_NAMES)}.{index:05d}"
        when = whole(created + timedelta(days=rng.randrange(3000)))
        inline = [shapes.inline_policy("SelfService", docs.self_service_credentials_policy(account))]
        if rng.random() < 0.2:
            extra, actions = rng.choice(USER_EXTRAS)
            inline.append(_self_service_extra(account, extra, actions))
        member_of = sorted({groups[index % len(groups)]["GroupName"], rng.choice(groups)["GroupName"]})
        iam.users.append(
            shapes.user_detail(
                account, name, created=when, groups=member_of[: rng.randint(1, 2)], inline_policies=inline
            )
        )
        iam.credential_rows.append(
            creds.user_credential_row(
                account,
                name,
                created=when,
                password_last_changed=whole(COLLECTED_AT - timedelta(days=10)),
                password_last_used=whole(COLLECTED_AT - timedelta(days=1)),
                mfa_active=True,
            )
        )
        iam.mfa_devices.append(
            shapes.virtual_mfa_device(
                iam.mfa_serial(name),
                user=shapes.mfa_user(account, name, created=when),
                enabled=when + timedelta(hours=1),
            )
        )


def _add_roles(
    iam: AccountIam, rng: random.Random, created: datetime, home: str, count: int, held: _Holdings
) -> Counter[str]:
    """Workload roles trusted by a service: 1-2 inline policies, 0-2 team policies and the AWS-managed
    policies of their kind. Returns how many roles attach each AWS-managed policy."""
    account = iam.account_id
    aws_managed: Counter[str] = Counter()
    for index in range(count):
        team = rng.choice(TEAMS)
        kind, service, managed = rng.choice(ROLE_KINDS)
        name = f"{team}-{rng.choice(NOUNS)}-{kind}-{rng.choice(STAGES)}-{index:05d}"
        scope = _Scope(account, _regions(rng), team)
        picked = sorted(set(rng.sample(managed, rng.randint(0, len(managed)))))
        aws_managed.update(picked)
        inline = [
            shapes.inline_policy(f"{name}-policy-{n}", _document(rng, scope, rng.randint(2, 6)))
            for n in range(rng.randint(1, 2))
        ]
        iam.roles.append(
            shapes.role_detail(
                account,
                name,
                created=whole(created + timedelta(days=rng.randrange(3000))),
                trust_policy=docs.service_trust(service),
                inline_policies=inline,
                attached_policy_arns=held.attach(team, 0, 2) + [_aws_managed_arn(n) for n in picked],
                tags={"team": team, "cost-center": f"cc-{rng.randrange(100, 999)}"} if rng.random() < 0.5 else None,
                last_used=whole(COLLECTED_AT - timedelta(hours=rng.randrange(1, 500))),
                last_used_region=home,
            )
        )
    return aws_managed


def single_account_iam(plan: OrgPlan, principals: int, rng: random.Random) -> AccountIam:
    """Users in team groups, workload roles, customer and AWS-managed policies: ``principals`` in all."""
    account = plan.identity.id
    created = plan.identity.created
    iam = AccountIam(
        account_id=account,
        created=created,
        report_generated=whole(COLLECTED_AT - timedelta(minutes=15)),
        root_password_last_used=whole(created + timedelta(days=3)),
        password_policy=shapes.password_policy(),
    )
    drafts = _customer_policies(rng, account, created, max(len(TEAMS), principals // 14))
    arns = [ids.iam_arn(account, "policy", d["name"], d["path"]) for d in drafts]
    held = _Holdings(rng, {})
    for draft, arn in zip(drafts, arns, strict=True):
        held.by_team.setdefault(draft["team"], []).append(arn)
    iam.groups = _groups(rng, account, created, max(len(TEAMS), principals // 40), held)
    _add_users(iam, rng, created, iam.groups, principals // 2)
    aws_managed = _add_roles(iam, rng, created, plan.home, principals - principals // 2, held)
    iam.roles.append(
        service_linked_role(account, "AWSServiceRoleForConfig", created=whole(created + timedelta(days=2)))
    )
    iam.policies = [
        shapes.managed_policy_detail(
            d["name"],
            account_id=account,
            path=d["path"],
            versions=d["versions"],
            default_version=d["default"],
            attachment_count=held.counts[arn],
            description=f"What team {d['team']} may do",
        )
        for d, arn in zip(drafts, arns, strict=True)
    ] + [_aws_managed_detail(name, count) for name, count in sorted(aws_managed.items())]
    return iam


def _aws_managed_arn(name: str) -> str:
    return ids.aws_managed_policy_arn(name, AWS_MANAGED[name][0])


def _aws_managed_detail(name: str, attachments: int) -> Json:
    path, actions = AWS_MANAGED[name]
    document = {"Version": docs.VERSION, "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}
    return shapes.managed_policy_detail(
        name,
        path=path,
        versions=[shapes.PolicyVersion("v1", document, ids.utc("2019-03-12T18:22:04"))],
        default_version="v1",
        attachment_count=attachments,
    )


def generate_single_account(
    out: Path, principals: int, *, seed: int = 0, regions: int = 15, replace: bool = False, diverse: bool = False
) -> tuple[int, int]:
    """Write the one-account bundle; returns (files, bytes). ``diverse``: the shape of
    :mod:`analyzer.synth.diverse_account` (no two principals alike, a real access graph)."""
    from analyzer.synth.diverse_account import diverse_account_iam  # it builds on this module's statements

    plan = plan_organization(seed, 3, regions)
    salt = ":diverse" if diverse else ""
    rng = random.Random(f"trustmap-synth-single:{seed}:{principals}{salt}")  # noqa: S311 (seeded, not secret)
    iam = (diverse_account_iam if diverse else single_account_iam)(plan, principals, rng)
    account = plan.identity.id
    with BundleSink(out, replace=replace) as sink:
        sink.add(
            layout.MANIFEST,
            {
                "collected_at": "2026-11-20T10:00:00Z",
                "identity_account": account,
                "log_bucket": plan.bucket,
                "partition": "aws",
            },
        )
        sink.add_all(iam_files(iam, enabled_regions=plan.regions, not_opted_in=NOT_OPTED_IN))
        sink.add_all(logging_files(setup_for(plan, account, plan.identity.joined + timedelta(days=3), {})))
        policy = docs.central_log_bucket_policy(
            plan.bucket, source_accounts=[account], cloudtrail_accounts=[account], config_accounts=[account]
        )
        sink.add(layout.bucket_path(account, plan.bucket), bucket_policy(policy))
        # A standalone account: AWS Organizations answers that it is not in use (EVD-001 not evaluated).
        not_in_org = error_record(
            "AWSOrganizationsNotInUseException", "Your account is not a member of an organization."
        )
        sink.add("organization/describe-organization.error.json", not_in_org)
        sink.add("organization/list-accounts.error.json", not_in_org)
        sink.add(
            "EXPECTED.json",
            json.dumps(
                {
                    "generator": "trustmap synth",
                    "options": {"single_account_principals": principals, "seed": seed, "regions": regions}
                    | ({"diverse": True} if diverse else {}),
                    # the diverse shape has findings (trusts of "*", other accounts...) that it does not predict
                    "failures": None if diverse else [],
                    "defects": [],
                },
                indent=2,
                sort_keys=True,
            )
            + "\n",
        )
    return sink.files, sink.bytes


def authorization_details_path(bundle: Path) -> Path:
    """Where the single account's GAAD sits in a directory bundle (for peer tools)."""
    return next(bundle.glob("*/iam/get-account-authorization-details.json"))


__all__ = ["authorization_details_path", "generate_single_account"]
