"""One large account (``--single-account-principals P``): a GAAD of P principals, for peer comparisons.

The bundle holds that one account's IAM and logging exports and its own log bucket; the account is
its own Identity account (manifest). Users are in groups that require MFA, roles are workload and
cross-team roles with sizeable inline policies, and customer policies have several versions, so
``get-account-authorization-details.json`` weighs about 6 KB per principal (2,000 principals: ~12 MB).
No defects are planted; ``EXPECTED.json`` lists no failure but records what was generated.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path
from typing import Any

from analyzer.synth import documents as docs
from analyzer.synth import layout
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

SERVICES: tuple[str, ...] = (
    "s3",
    "dynamodb",
    "sqs",
    "sns",
    "lambda",
    "ecs",
    "ecr",
    "logs",
    "cloudwatch",
    "kms",
    "secretsmanager",
    "ssm",
    "states",
    "events",
    "kinesis",
    "firehose",
    "glue",
    "athena",
    "rds",
    "elasticache",
)
VERBS: tuple[str, ...] = ("Get", "Put", "List", "Describe", "Create", "Update", "Delete", "Tag")


NOUNS: tuple[str, ...] = ("Item", "Object", "Queue", "Topic", "Function", "Key", "Secret", "Parameter", "Stream")


def _actions(rng: random.Random, count: int) -> list[str]:
    return sorted({f"{rng.choice(SERVICES)}:{rng.choice(VERBS)}{rng.choice(NOUNS)}" for _ in range(count)})


def _policy(rng: random.Random, account: str, statements: int) -> Json:
    out = []
    for index in range(statements):
        service = rng.choice(SERVICES)
        out.append(
            {
                "Sid": f"Access{index}{service.capitalize()}",
                "Effect": "Allow",
                "Action": _actions(rng, 12),
                "Resource": [
                    f"arn:aws:{service}:us-east-1:{account}:{service}-{rng.randrange(10**6):06d}/*" for _ in range(3)
                ],
            }
        )
    return {"Version": docs.VERSION, "Statement": out}


def single_account_iam(plan: OrgPlan, principals: int, rng: random.Random) -> AccountIam:
    account = plan.identity.id
    created = plan.identity.created
    iam = AccountIam(
        account_id=account,
        created=created,
        report_generated=whole(COLLECTED_AT - timedelta(minutes=15)),
        root_password_last_used=whole(created + timedelta(days=3)),
        password_policy=shapes.password_policy(),
    )
    users, roles = principals // 2, principals - principals // 2
    group_count = max(2, principals // 40)
    policy_count = max(2, principals // 20)
    policies = []
    for index in range(policy_count):
        versions = [
            shapes.PolicyVersion(
                f"v{v + 1}", _policy(rng, account, 2 + v), whole(created + timedelta(days=100 * v + index))
            )
            for v in range(3)
        ]
        policies.append(
            shapes.managed_policy_detail(
                f"app-policy-{index:04d}",
                account_id=account,
                versions=versions,
                default_version="v3",
                attachment_count=3,
            )
        )
    groups = [
        shapes.group_detail(
            account,
            f"group-{index:03d}",
            created=whole(created + timedelta(days=index)),
            inline_policies=[shapes.inline_policy("RequireMFA", docs.deny_without_mfa_policy())],
            attached_policy_arns=[policies[index % policy_count]["Arn"]],
        )
        for index in range(group_count)
    ]
    for index in range(users):
        name = f"{rng.choice(FIRST_NAMES)}.{rng.choice(LAST_NAMES)}.{index:05d}"
        when = whole(created + timedelta(days=rng.randrange(3000)))
        iam.users.append(
            shapes.user_detail(
                account,
                name,
                created=when,
                groups=[groups[index % group_count]["GroupName"]],
                inline_policies=[shapes.inline_policy("SelfService", docs.self_service_credentials_policy(account))],
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
    for index in range(roles):
        name = f"app-{rng.choice(SERVICES)}-role-{index:05d}"
        iam.roles.append(
            shapes.role_detail(
                account,
                name,
                created=whole(created + timedelta(days=rng.randrange(3000))),
                trust_policy=docs.service_trust(
                    rng.choice(("lambda.amazonaws.com", "ecs-tasks.amazonaws.com", "ec2.amazonaws.com"))
                ),
                inline_policies=[shapes.inline_policy(f"{name}-inline", _policy(rng, account, 5))],
                attached_policy_arns=[policies[index % policy_count]["Arn"]],
                last_used=whole(COLLECTED_AT - timedelta(hours=rng.randrange(1, 500))),
                last_used_region=plan.home,
            )
        )
    iam.roles += [service_linked_role(account, "AWSServiceRoleForConfig", created=whole(created + timedelta(days=2)))]
    iam.groups, iam.policies = groups, policies
    return iam


def generate_single_account(
    out: Path, principals: int, *, seed: int = 0, regions: int = 15, replace: bool = False
) -> tuple[int, int]:
    """Write the one-account bundle; returns (files, bytes)."""
    plan = plan_organization(seed, 3, regions)
    rng = random.Random(f"trustmap-synth-single:{seed}:{principals}")  # noqa: S311 (seeded, not secret)
    iam = single_account_iam(plan, principals, rng)
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
                    "options": {"single_account_principals": principals, "seed": seed, "regions": regions},
                    "failures": [],
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
