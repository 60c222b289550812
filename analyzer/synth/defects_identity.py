"""Defects of the identity and credential rules (IDN-*, CRD-*), each with its full consequences."""

from __future__ import annotations

from datetime import timedelta

from analyzer.synth import documents as docs
from analyzer.synth import ids
from analyzer.synth import shapes_iam as shapes
from analyzer.synth.defect_base import PlantContext, Planted, Planter, fail, label, role_arn, user_arn
from analyzer.synth.gen_iam import ADMIN_ROLE, whole
from analyzer.synth.org_plan import AccountPlan, ExtraGroup, LocalUser, Person
from analyzer.synth.shapes_credentials import AccessKey

#: AWS accounts outside any generated organization (vendors, partners).
VENDORS: tuple[tuple[str, str], ...] = (
    ("Datadog", "464622532012"),
    ("NewRelic", "754728514883"),
    ("Wiz", "197171649850"),
    ("Snyk", "198361731867"),
)
PARTNER = "999988887777"


def _outside(ctx: PlantContext, account_id: str) -> bool:
    return all(a.id != account_id for a in ctx.plan.accounts)


def _role(ctx: PlantContext, account: AccountPlan, name: str, trust: dict[str, object], actions: list[str]) -> None:
    plan = ctx.plan
    account.knobs.extra_roles.append(
        shapes.role_detail(
            account.id,
            name,
            created=whole(plan.collected_at - timedelta(days=30 + ids.stable_int(account.id + name, 0, 900))),
            trust_policy=trust,
            inline_policies=[shapes.inline_policy(f"{name}Policy", docs.allow_actions_policy(actions))],
            last_used=whole(plan.collected_at - timedelta(seconds=ids.stable_int(name, 3600, 86400 * 6))),
            last_used_region=plan.home,
        )
    )


# --------------------------------------------------------------------------- CRD


def crd001_root_without_mfa(ctx: PlantContext) -> Planted | None:
    account = ctx.pick_account(("management", "identity", "log-archive", "workload"))
    if account is None:
        return None
    account.knobs.root_mfa = False
    return Planted(
        "CRD-001",
        "root-without-mfa",
        f"{label(account)}, root user",
        "AccountMFAEnabled 0; the root row of the credential report says mfa_active false.",
        (fail("CRD-001", account.id, "root user without MFA"),),
    )


def crd002_root_access_key(ctx: PlantContext) -> Planted | None:
    account = ctx.pick_account(("management", "identity", "log-archive", "workload"))
    if account is None:
        return None
    account.knobs.root_key = True
    return Planted(
        "CRD-002",
        "root-access-key",
        f"{label(account)}, root user",
        "An active root access key (recent and in use): AccountAccessKeysPresent 1.",
        (fail("CRD-002", account.id, "root access key present"),),
    )


def _person_failure(ctx: PlantContext, rule: str, variant: str, person: Person, story: str, defect: str) -> Planted:
    identity = ctx.plan.identity.id
    return Planted(
        rule,
        variant,
        f"Identity `{identity}`, user `{person.name}`",
        story,
        (fail(rule, identity, defect, resource=user_arn(identity, person.name)),),
    )


def crd003_console_without_mfa(ctx: PlantContext) -> Planted | None:
    person = ctx.pick_person()
    if person is None:
        return None
    person.mfa = ctx.rng.choice(("pending", "none"))
    story = "Console password in use and mfa_active false" + (
        "; a virtual MFA device was created but never enabled (listed without User)."
        if person.mfa == "pending"
        else "."
    )
    return _person_failure(
        ctx, "CRD-003", f"console-without-mfa-{person.mfa}", person, story, "console password without MFA"
    )


def crd004_password_policy(ctx: PlantContext) -> Planted | None:
    if not ctx.free("identity-password"):
        return None
    ctx.claim("identity-password")
    variant = ctx.rng.choice(("reuse-12", "length-8", "none"))
    ctx.plan.identity_password = variant
    story = {
        "reuse-12": "PasswordReusePrevention 12 (baseline 24), everything else meets the baseline.",
        "length-8": "MinimumPasswordLength 8 (baseline 14), everything else meets the baseline.",
        "none": "No password policy at all (NoSuchEntity): AWS defaults apply in the Identity account.",
    }[variant]
    identity = ctx.plan.identity.id
    return Planted(
        "CRD-004",
        variant,
        f"Identity `{identity}`, password policy",
        story,
        (fail("CRD-004", identity, f"password policy below baseline ({variant})"),),
    )


def crd005_access_key(ctx: PlantContext) -> Planted | None:
    person = ctx.pick_person()
    if person is None:
        return None
    now = ctx.plan.collected_at
    variant = ctx.rng.choice(("old", "unused"))
    if variant == "old":
        key = AccessKey(
            True,
            whole(now - timedelta(days=120 + ctx.rng.randrange(300))),
            whole(now - timedelta(hours=3)),
            ctx.plan.home,
            "sts",
        )
        story = f"Active access key last rotated {key.last_rotated:%Y-%m-%d}, still in daily use."
    else:
        key = AccessKey(True, whole(now - timedelta(days=150)), whole(now - timedelta(days=100)), ctx.plan.home, "s3")
        story = "Active access key last used 100 days before collection."
    person.keys = [key]
    return _person_failure(ctx, "CRD-005", variant, person, story, f"access key {variant}")


def crd006_password_unused(ctx: PlantContext) -> Planted | None:
    person = ctx.pick_person()
    if person is None:
        return None
    now = ctx.plan.collected_at
    variant = ctx.rng.choice(("stale", "never-used"))
    person.console = True
    if variant == "stale":
        person.password_used = whole(now - timedelta(days=95 + ctx.rng.randrange(200)))
        person.password_changed = whole(person.password_used - timedelta(days=20))
        story = f"Console password last used {person.password_used:%Y-%m-%d}."
    else:
        person.password_used = None
        person.password_changed = whole(now - timedelta(days=120))
        person.created = min(person.created, whole(now - timedelta(days=121)))
        story = "Console password set 120 days before collection and never used."
    return _person_failure(ctx, "CRD-006", variant, person, story, f"console password {variant}")


# --------------------------------------------------------------------------- IDN users


def idn001_member_user(ctx: PlantContext) -> Planted | None:
    account = ctx.pick_account()
    if account is None:
        return None
    variant = ctx.rng.choice(("access-key", "console-with-mfa", "console-without-mfa"))
    name = {"access-key": "build-agent", "console-with-mfa": "local-admin", "console-without-mfa": "ops-oncall"}[
        variant
    ]
    account.knobs.local_users.append(
        LocalUser(
            name=name, console=variant != "access-key", mfa=variant == "console-with-mfa", key=variant == "access-key"
        )
    )
    arn = user_arn(account.id, name)
    failures = [fail("IDN-001", account.id, f"IAM user in a member account ({variant})", resource=arn)]
    if variant == "console-without-mfa":
        failures.append(
            fail("CRD-003", account.id, "collateral of IDN-001: console password without MFA", resource=arn)
        )
    return Planted(
        "IDN-001",
        variant,
        f"{label(account)}, user `{name}`",
        "An IAM user created directly in a member account.",
        tuple(failures),
    )


def idn007_direct_permissions(ctx: PlantContext) -> Planted | None:
    person = ctx.pick_person()
    if person is None:
        return None
    variant = ctx.rng.choice(("inline", "attached-group-policy"))
    if variant == "inline":
        person.inline = [
            shapes.inline_policy(
                "BillingConsoleAccess",
                docs.allow_actions_policy(
                    ["aws-portal:ViewBilling", "ce:Get*", "budgets:ViewBudget"], sid="BillingReadOnly"
                ),
            )
        ]
        story = "An inline user policy BillingConsoleAccess besides the groups."
    else:
        person.attached = ["AuditorAccess"]
        story = (
            "The auditors' AuditorAccess policy attached to the user directly; the user's groups still "
            "require MFA, so no IDN-003 path."
        )
    return _person_failure(ctx, "IDN-007", variant, person, story, f"permissions beyond groups ({variant})")


def idn009_no_self_service(ctx: PlantContext) -> Planted | None:
    person = ctx.pick_person()
    if person is None:
        return None
    person.groups = [g for g in person.groups if g != "AllStaff"]
    return _person_failure(
        ctx,
        "IDN-009",
        "not-in-allstaff",
        person,
        "Not in AllStaff (which carries the self-service policy); the team group still requires MFA.",
        "no self-service credentials policy",
    )


def idn008_assume_outside(ctx: PlantContext) -> Planted | None:
    identity = ctx.plan.identity.id
    variant = ctx.rng.choice(("partner-role", "auditor-policy-unconfined"))
    if variant == "auditor-policy-unconfined":
        if not ctx.free("auditor-policy"):
            return None
        ctx.claim("auditor-policy")
        ctx.plan.auditor_policy_unconfined = True
        arn = ids.iam_arn(identity, "policy", "AuditorAccess")
        story = (
            "AuditorAccess allows sts:AssumeRole on arn:aws:iam::*:role/CrossAccountReadOnly without the "
            "aws:ResourceOrgID condition: any account's role of that name. Auditors still need MFA."
        )
    else:
        if not _outside(ctx, PARTNER):
            return None
        name = f"PartnerSupportAssumeRole{ctx.next_serial()}"
        ctx.plan.extra_identity_policies.append(
            (name, "SecurityAuditors", docs.assume_roles_policy([role_arn(PARTNER, "PartnerSupportAccess")]))
        )
        arn = ids.iam_arn(identity, "policy", name)
        story = f"{name} (attached to SecurityAuditors) allows sts:AssumeRole on a role of {PARTNER}, outside."
    return Planted(
        "IDN-008",
        variant,
        f"Identity `{identity}`, policy `{arn.rsplit('/', 1)[1]}`",
        story,
        (fail("IDN-008", identity, f"sts:AssumeRole beyond the organization ({variant})", resource=arn),),
    )


# --------------------------------------------------------------------------- IDN trusts


def idn002_weak_trust(ctx: PlantContext) -> Planted | None:
    variant = ctx.rng.choice(("bool-if-exists", "second-allow-without-mfa", "no-condition"))
    identity = ctx.plan.identity.id
    if variant == "second-allow-without-mfa":
        account = ctx.pick_account(("log-archive", "workload"))
        if account is None:
            return None
        account.knobs.admin_second_allow = True
        arn = role_arn(account.id, ADMIN_ROLE)
        story = (
            "CrossAccountAdmin's trust has its Bool MFA statement and a second Allow (sts:AssumeRole, "
            "sts:TagSession) for the Identity account without MFA. Every group that grants the role "
            "denies requests without MFA, so no IDN-003 path."
        )
    else:
        account = ctx.pick_account()
        if account is None:
            return None
        name = f"{account.name}-LegacyReadOnly"
        mfa = "bool-if-exists" if variant == "bool-if-exists" else "none"
        _role(ctx, account, name, docs.account_trust(identity, mfa=mfa), ["ec2:Describe*", "logs:Get*"])
        arn = role_arn(account.id, name)
        story = f"Trusts the Identity account ({mfa} MFA condition); no policy grants it, so no IDN-003 path."
    return Planted(
        "IDN-002",
        variant,
        f"{label(account)}, role `{arn.rsplit('/', 1)[1]}`",
        story,
        (fail("IDN-002", account.id, f"Identity trust without MFA ({variant})", resource=arn),),
    )


def idn003_path_without_mfa(ctx: PlantContext) -> Planted | None:
    account = ctx.pick_account(("workload",))
    if account is None:
        return None
    plan = ctx.plan
    variant = ctx.rng.choice(("no-mfa", "weak", "scp-blocked"))
    identity = plan.identity.id
    role = f"{account.name}-Deploy-Role"
    arn = role_arn(account.id, role)
    mfa = "bool-if-exists" if variant == "weak" else "none"
    _role(ctx, account, role, docs.account_trust(identity, mfa=mfa), ["cloudformation:*", "ecs:UpdateService"])
    user = f"ci-{account.name}"
    group = f"ci-{account.name}-deployers"
    plan.extra_groups.append(
        ExtraGroup(name=group, policy_name=f"ci-{account.name}-deploy", policy=docs.assume_roles_policy([arn]))
    )
    now = plan.collected_at
    plan.people.append(
        Person(
            name=user,
            created=whole(now - timedelta(days=400)),
            groups=[group],
            console=False,
            mfa="none",
            keys=[AccessKey(True, whole(now - timedelta(days=30)), whole(now - timedelta(hours=1)), plan.home, "sts")],
            self_service_direct=True,
            slot_taken=True,
        )
    )
    failures = [fail("IDN-002", account.id, f"collateral: the deploy role's trust has {mfa} MFA", resource=arn)]
    if variant == "scp-blocked":
        plan.scp_blocked_roles.append(arn)
        plan.scp_blocked_paths.append((user_arn(identity, user), arn))
        story = (
            f"CI user `{user}` (group `{group}`, no MFA policy) may assume `{role}`, whose trust has no MFA "
            "condition; but an SCP on the Security OU denies sts:AssumeRole on it, so the path does not "
            "exist: IDN-002 only, no IDN-003."
        )
    else:
        failures.append(
            fail(
                "IDN-003",
                account.id,
                f"no hop enforces MFA ({variant})",
                resource=f"{user_arn(identity, user)} -> {arn}",
            )
        )
        story = (
            f"CI user `{user}` (group `{group}`, no MFA policy) may assume `{role}`, whose trust has "
            f"{mfa} MFA condition: no hop enforces MFA."
        )
    return Planted("IDN-003", variant, f"{label(account)}, role `{role}`", story, tuple(failures))


def idn004_external_trust(ctx: PlantContext) -> Planted | None:
    vendor, vendor_id = ctx.rng.choice(VENDORS)
    if not _outside(ctx, vendor_id):
        return None
    account = ctx.pick_account()
    if account is None:
        return None
    variant = ctx.rng.choice(("with-external-id", "without-external-id"))
    external_id = ids.hex_token(account.id + vendor, 32) if variant == "with-external-id" else None
    name = f"{vendor}IntegrationRole"
    _role(
        ctx,
        account,
        name,
        docs.external_trust(ids.root_arn(vendor_id), external_id=external_id),
        ["cloudwatch:Get*", "cloudwatch:List*", "tag:GetResources"],
    )
    return Planted(
        "IDN-004",
        variant,
        f"{label(account)}, role `{name}`",
        f"Trusts the vendor account {vendor_id}, outside the organization ({variant}).",
        (fail("IDN-004", account.id, f"trusts an outside account ({variant})", resource=role_arn(account.id, name)),),
    )


def idn005_open_trust(ctx: PlantContext) -> Planted | None:
    account = ctx.pick_account()
    if account is None:
        return None
    name = "ExternalAuditRole"
    _role(
        ctx,
        account,
        name,
        docs.external_trust("*", external_id=ids.hex_token(account.id + "audit", 24)),
        ["ec2:Describe*", "s3:List*"],
    )
    return Planted(
        "IDN-005",
        "star-with-external-id",
        f"{label(account)}, role `{name}`",
        'Trust `Principal: {"AWS": "*"}` narrowed only by sts:ExternalId.',
        (fail("IDN-005", account.id, "trust open to any principal", resource=role_arn(account.id, name)),),
    )


def idn006_lateral_trust(ctx: PlantContext) -> Planted | None:
    account = ctx.pick_account(("workload", "log-archive"))
    if account is None:
        return None
    others = [a for a in ctx.plan.accounts if a.kind == "workload" and a.id != account.id]
    if not others:
        return None
    other = ctx.rng.choice(others)
    name = f"{other.name}-Promotion-Role"
    _role(ctx, account, name, docs.account_trust(other.id, mfa="none"), ["ecr:BatchGetImage", "ecs:UpdateService"])
    ctx.plan.lateral_trusts[role_arn(account.id, name)] = other.id
    return Planted(
        "IDN-006",
        "member-root",
        f"{label(account)}, role `{name}`",
        f"Trusts the root of member account {other.id}: lateral trust.",
        (fail("IDN-006", account.id, "lateral trust between members", resource=role_arn(account.id, name)),),
    )


def idn010_local_federation(ctx: PlantContext) -> Planted | None:
    """A workload account federating its own corporate IdP: a way in that bypasses the Identity account."""
    account = ctx.pick_account(("workload",))
    if account is None:
        return None
    provider, name = "CorpIdP", "CorpFederatedAdmin"
    _role(ctx, account, name, docs.sso_trust(account.id, provider), ["ec2:*", "s3:*"])
    provider_arn = f"arn:aws:iam::{account.id}:saml-provider/{provider}"
    return Planted(
        "IDN-010",
        "member-saml-federation",
        f"{label(account)}, role `{name}`",
        f"Trusts the account's own SAML provider {provider} (not IAM Identity Center's): people enter without the "
        "Identity account.",
        (
            fail(
                "IDN-010",
                account.id,
                "way in bypassing the Identity account",
                resource=f"{provider_arn} -> {role_arn(account.id, name)}",
            ),
        ),
    )


PLANTERS: dict[str, Planter] = {
    "CRD-001": crd001_root_without_mfa,
    "CRD-002": crd002_root_access_key,
    "CRD-003": crd003_console_without_mfa,
    "CRD-004": crd004_password_policy,
    "CRD-005": crd005_access_key,
    "CRD-006": crd006_password_unused,
    "IDN-001": idn001_member_user,
    "IDN-002": idn002_weak_trust,
    "IDN-003": idn003_path_without_mfa,
    "IDN-004": idn004_external_trust,
    "IDN-005": idn005_open_trust,
    "IDN-006": idn006_lateral_trust,
    "IDN-007": idn007_direct_permissions,
    "IDN-008": idn008_assume_outside,
    "IDN-009": idn009_no_self_service,
    "IDN-010": idn010_local_federation,
}
