"""One account's IAM exports, consistent with each other, from its principals and root user.

:class:`AccountIam` collects GAAD entries, credential-report rows and MFA devices as they are
built; :func:`iam_files` adds the root user (report row, virtual MFA device when enabled) and
derives the account summary from the same data, so the summary's counts and root flags always
agree with GAAD, the MFA listing and the credential report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from analyzer.synth import documents, ids, layout
from analyzer.synth import shapes_credentials as creds
from analyzer.synth import shapes_iam as shapes
from analyzer.synth.shapes_logging import error_record
from analyzer.synth.shapes_org import describe_regions

Json = dict[str, Any]

#: Service-linked roles every account of an organization typically has: name -> (service, policy).
SERVICE_LINKED_ROLES: dict[str, tuple[str, str]] = {
    "AWSServiceRoleForConfig": ("config.amazonaws.com", "AWSConfigServiceRolePolicy"),
    "AWSServiceRoleForOrganizations": ("organizations.amazonaws.com", "AWSOrganizationsServiceTrustPolicy"),
    "AWSServiceRoleForSSO": ("sso.amazonaws.com", "AWSSSOServiceRolePolicy"),
    "AWSServiceRoleForSupport": ("support.amazonaws.com", "AWSSupportServiceRolePolicy"),
}


def service_linked_role(
    account_id: str,
    name: str,
    *,
    created: datetime,
    last_used: datetime | None = None,
    last_used_region: str | None = None,
    partition: str = "aws",
) -> Json:
    """A ``RoleDetailList`` entry for a service-linked role of :data:`SERVICE_LINKED_ROLES`.

    Its AWS-managed policy is attached but, as some exporters do, not listed in ``Policies``.
    """
    service, policy = SERVICE_LINKED_ROLES[name]
    return shapes.role_detail(
        account_id,
        name,
        created=created,
        trust_policy=documents.service_trust(service),
        path=f"/aws-service-role/{service}/",
        attached_policy_arns=[ids.aws_managed_policy_arn(policy, "/aws-service-role/", partition)],
        last_used=last_used,
        last_used_region=last_used_region if last_used else None,
        partition=partition,
    )


def power_user_access_detail(attachments: int) -> Json:
    """GAAD's ``Policies`` entry for ``PowerUserAccess`` with its published default version."""
    return shapes.managed_policy_detail(
        "PowerUserAccess",
        versions=[
            shapes.PolicyVersion(
                documents.POWER_USER_ACCESS_VERSION, documents.power_user_access(), ids.utc("2026-02-12T17:59:21")
            )
        ],
        default_version=documents.POWER_USER_ACCESS_VERSION,
        attachment_count=attachments,
        description="Provides full access to AWS services and resources, but does not allow management of "
        "Users and groups.",
        created=ids.utc("2015-02-06T18:39:46"),
        policy_id=documents.POWER_USER_ACCESS_ID,
    )


@dataclass(kw_only=True)
class AccountIam:
    """One account's IAM exports, before they are shaped into files."""

    account_id: str
    created: datetime  # the account's (and root user's) creation
    report_generated: datetime
    root_mfa: bool = True
    root_password_last_used: datetime | None = None
    root_keys: tuple[creds.AccessKey, ...] = ()
    password_policy: Json | None = None  # None: AWS answers NoSuchEntity
    users: list[Json] = field(default_factory=list)
    groups: list[Json] = field(default_factory=list)
    roles: list[Json] = field(default_factory=list)
    policies: list[Json] = field(default_factory=list)
    credential_rows: list[dict[str, str]] = field(default_factory=list)
    mfa_devices: list[Json] = field(default_factory=list)
    providers: int = 0
    partition: str = "aws"

    def mfa_serial(self, name: str) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:mfa/{name}"


def _root_entries(iam: AccountIam) -> tuple[dict[str, str], Json | None]:
    row = creds.root_credential_row(
        iam.account_id,
        created=iam.created,
        password_last_used=iam.root_password_last_used,
        mfa_active=iam.root_mfa,
        keys=iam.root_keys,
        partition=iam.partition,
    )
    if not iam.root_mfa:
        return row, None
    user = shapes.mfa_user(
        iam.account_id,
        None,
        created=iam.created,
        password_last_used=iam.root_password_last_used,
        partition=iam.partition,
    )
    enabled = iam.created + timedelta(days=1, minutes=ids.stable_int(iam.account_id, 0, 600))
    device = shapes.virtual_mfa_device(iam.mfa_serial("root-account-mfa-device"), user=user, enabled=enabled)
    return row, device


def iam_files(iam: AccountIam, *, enabled_regions: Sequence[str], not_opted_in: Sequence[str] = ()) -> dict[str, Any]:
    """GAAD, password policy (or its NoSuchEntity record), summary, virtual MFA devices,
    credential report and ``ec2 describe-regions`` of one account."""
    acct = iam.account_id
    root_row, root_device = _root_entries(iam)
    rows = [root_row, *iam.credential_rows]
    devices = ([root_device] if root_device else []) + iam.mfa_devices
    customer_policies = [p for p in iam.policies if ":aws:policy/" not in p["Arn"]]
    files: dict[str, Any] = {
        layout.iam_path(acct, "get-account-authorization-details"): shapes.authorization_details(
            iam.users, iam.groups, iam.roles, iam.policies
        ),
        layout.iam_path(acct, "get-account-summary"): shapes.account_summary(
            users=len(iam.users),
            groups=len(iam.groups),
            roles=len(iam.roles),
            policies=len(customer_policies),
            policy_versions_in_use=sum(len(p["PolicyVersionList"]) for p in customer_policies),
            providers=iam.providers,
            mfa_devices=len(devices),
            mfa_devices_in_use=sum(1 for d in devices if "User" in d),
            root_mfa=iam.root_mfa,
            root_access_keys=any(k.active for k in iam.root_keys),
        ),
        layout.iam_path(acct, "list-virtual-mfa-devices"): shapes.virtual_mfa_devices(devices),
        layout.iam_path(acct, "get-credential-report"): creds.credential_report(rows, iam.report_generated),
        layout.regions_path(acct): describe_regions(
            [(r, "opt-in-not-required") for r in enabled_regions] + [(r, "not-opted-in") for r in not_opted_in]
        ),
    }
    password_path = layout.iam_path(acct, "get-account-password-policy")
    if iam.password_policy is None:
        files[layout.error_path(password_path)] = error_record(
            "NoSuchEntity", f"The Password Policy with domain name {acct} cannot be found."
        )
    else:
        files[password_path] = iam.password_policy
    return files
