"""Defects of the logging and evidence rules (LOG-*, EVD-*), each with its full consequences.

Trail defects need the account's own trail (organizations with per-account trails); in an
organization with an organization trail the same defects are planted once, on that trail.
"""

from __future__ import annotations

from datetime import timedelta

from analyzer.synth import ids, layout
from analyzer.synth.defect_base import PlantContext, Planted, Planter, fail, label, trail_arn
from analyzer.synth.expected import ExpectedFailure
from analyzer.synth.org_plan import AccountPlan

EVERYONE = ("management", "identity", "log-archive", "workload")


def _trail_defect(
    ctx: PlantContext,
    rule: str,
    variant: str,
    knobs: dict[str, object],
    story: str,
    defect: str,
    extra_rules: tuple[str, ...] = (),
) -> Planted | None:
    """Plant ``knobs`` on an account's own trail, or on the organization trail when there is one."""
    plan = ctx.plan
    if plan.org_trail:
        if not ctx.free("org-trail"):
            return None
        ctx.claim("org-trail")
        plan.org_trail_knobs.update(knobs)
        owner, where = plan.management.id, f"organization trail of {label(plan.management)}"
    else:
        account = ctx.pick_account(EVERYONE)
        if account is None:
            return None
        account.knobs.logging.update(knobs)
        owner, where = account.id, f"trail of {label(account)}"
    arn = trail_arn(plan, owner)
    failures = [fail(r, owner, defect, region=plan.home, resource=arn) for r in (rule, *extra_rules)]
    return Planted(rule, variant, where, story, tuple(failures))


def log001_not_covered(ctx: PlantContext) -> Planted | None:
    if ctx.plan.org_trail:
        return None  # the organization trail covers every account
    account = ctx.pick_account(EVERYONE)
    if account is None:
        return None
    plan = ctx.plan
    if ctx.rng.random() < 0.5 and len(plan.regions) > 1:
        account.knobs.logging["multi_region"] = False
        return Planted(
            "LOG-001",
            "single-region",
            f"trail of {label(account)}",
            f"The account's only trail is single-region ({plan.home}): the other regions are not "
            "covered. It delivers centrally, so LOG-002 has nothing to add.",
            (fail("LOG-001", account.id, "only a single-region trail"),),
        )
    account.knobs.logging["logging_stopped_at"] = plan.collected_at - timedelta(hours=30, minutes=17)
    arn = trail_arn(plan, account.id)
    return Planted(
        "LOG-001",
        "stopped",
        f"trail of {label(account)}",
        "StopLogging was called 30 hours before collection: not covered, the trail is unhealthy, and it "
        "delivers nothing to the central bucket.",
        (
            fail("LOG-001", account.id, "the only trail is not logging"),
            fail("LOG-002", account.id, "collateral: the only trail is stopped, so nothing reaches the bucket"),
            fail("LOG-004", account.id, "collateral: trail not logging", region=plan.home, resource=arn),
        ),
    )


def log002_local_bucket(ctx: PlantContext) -> Planted | None:
    if ctx.plan.org_trail:
        return None
    account = ctx.pick_account(EVERYONE)
    if account is None:
        return None
    account.knobs.logging.update(
        trail_bucket=f"aws-cloudtrail-logs-{account.id}-{ids.hex_token(account.id, 8)}", trail_prefix=None
    )
    return Planted(
        "LOG-002",
        "local-bucket",
        f"trail of {label(account)}",
        "The multi-region trail delivers to the account's own bucket, not the central one.",
        (fail("LOG-002", account.id, "trail delivers to a local bucket"),),
    )


def log003_validation(ctx: PlantContext) -> Planted | None:
    return _trail_defect(
        ctx,
        "LOG-003",
        "validation-off",
        {"validation": False},
        "LogFileValidationEnabled false.",
        "log file validation disabled",
    )


def log004_unhealthy(ctx: PlantContext) -> Planted | None:
    since = ctx.plan.collected_at - timedelta(days=2 + ctx.rng.randrange(5), minutes=ctx.rng.randrange(600))
    return _trail_defect(
        ctx,
        "LOG-004",
        "delivery-failing",
        {"failing_since": since, "kms_key": True},
        f"Deliveries fail with AccessDenied since {since:%Y-%m-%dT%H:%M}.",
        "delivery failing",
    )


def log005_management_events(ctx: PlantContext) -> Planted | None:
    variant = ctx.rng.choice(("write-only", "read-only"))
    return _trail_defect(
        ctx,
        "LOG-005",
        variant,
        {"selectors": variant},
        f"Basic event selector ReadWriteType {variant}.",
        f"management events {variant}",
    )


def log011_notifications(ctx: PlantContext) -> Planted | None:
    if ctx.rng.random() < 0.4:
        return _trail_defect(
            ctx,
            "LOG-011",
            "trail-without-sns",
            {"trail_sns": False},
            "The trail has no SNS topic.",
            "trail without SNS topic",
        )
    account, region = ctx.pick_account(EVERYONE), ctx.pick_region()
    if account is None or region is None:
        return None
    account.knobs.logging["channel_without_sns_regions"] = (region,)
    return Planted(
        "LOG-011",
        "channel-without-sns",
        f"{label(account)}, {region}, delivery channel",
        "The delivery channel has no snsTopicARN.",
        (fail("LOG-011", account.id, "delivery channel without SNS topic", region=region),),
    )


def log006_no_recorder(ctx: PlantContext) -> Planted | None:
    plan = ctx.plan
    variant = ctx.rng.choice(("no-recorder", "stopped")) if len(plan.regions) > 1 else "stopped"
    account = ctx.pick_account(EVERYONE)
    region = ctx.pick_region(not_home=len(plan.regions) > 1)
    if account is None or region is None:
        return None
    failures: list[ExpectedFailure] = [fail("LOG-006", account.id, f"Config recorder {variant}", region=region)]
    if variant == "no-recorder":
        account.knobs.logging["no_recorder_regions"] = (region,)
        failures.append(fail("LOG-008", account.id, "collateral: no delivery channel either", region=region))
        story = f"No configuration recorder and no delivery channel in {region}."
    else:
        account.knobs.logging["stopped"] = (region, plan.collected_at - timedelta(hours=17, minutes=19))
        story = f"The recorder in {region} was stopped 17 hours before collection."
    return Planted("LOG-006", variant, f"{label(account)}, {region}", story, tuple(failures))


def log007_scope(ctx: PlantContext) -> Planted | None:
    plan = ctx.plan
    account = ctx.pick_account(EVERYONE)
    if account is None:
        return None
    if len(plan.regions) > 1 and ctx.rng.random() < 0.5:
        other = ctx.rng.choice(plan.regions[1:])
        account.knobs.logging["global_regions"] = (plan.home, other)
        variant, story = "global-twice", f"Global IAM types recorded in {plan.home} and {other}."
    else:
        account.knobs.logging["global_regions"] = ()
        variant, story = "global-nowhere", "No recorder includes the global IAM resource types."
    return Planted(
        "LOG-007",
        variant,
        f"{label(account)}, Config recorders",
        story,
        (fail("LOG-007", account.id, f"global IAM types {variant}"),),
    )


def log008_delivery(ctx: PlantContext) -> Planted | None:
    account, region = ctx.pick_account(EVERYONE), ctx.pick_region()
    if account is None or region is None:
        return None
    variant = ctx.rng.choice(("local-bucket", "failing"))
    key = "local_channel_regions" if variant == "local-bucket" else "failed_channel_regions"
    account.knobs.logging[key] = (region,)
    return Planted(
        "LOG-008",
        variant,
        f"{label(account)}, {region}, delivery channel",
        "Delivers to a local bucket." if variant == "local-bucket" else "Last delivery FAILURE.",
        (fail("LOG-008", account.id, f"delivery channel {variant}", region=region),),
    )


def log009_bucket_policy(ctx: PlantContext) -> Planted | None:
    plan = ctx.plan
    variants = ["config-prefix-missing", "source-account-missing"] + ([] if plan.org_trail else ["trail-prefix"])
    variant = ctx.rng.choice(variants)

    def accept(account: AccountPlan) -> bool:
        return not (variant == "source-account-missing" and plan.org_trail and account.kind == "management")

    account = ctx.pick_account(EVERYONE, accept)
    if account is None:
        return None
    failures = [fail("LOG-009", account.id, f"bucket policy refuses deliveries ({variant})")]
    if variant == "config-prefix-missing":
        plan.bucket_knobs.config_omitted.append(account.id)
        story = "The Config PutObject statement lists every account's prefix but this one's."
    elif variant == "source-account-missing":
        plan.bucket_knobs.source_omitted.append(account.id)
        story = "The account was added after the bucket policy: no aws:SourceAccount value names it."
    else:
        account.knobs.logging.update(
            trail_prefix="cloudtrail-v2", failing_since=plan.collected_at - timedelta(hours=2, minutes=5)
        )
        story = (
            "The trail's S3KeyPrefix was changed to cloudtrail-v2; the bucket policy still allows "
            "cloudtrail/AWSLogs/<acct>/* only, so deliveries fail since."
        )
        failures.append(
            fail(
                "LOG-004",
                account.id,
                "collateral: deliveries fail",
                region=plan.home,
                resource=trail_arn(plan, account.id),
            )
        )
    return Planted("LOG-009", variant, f"central bucket policy, {label(account)}", story, tuple(failures))


def log010_bucket_weakness(ctx: PlantContext) -> Planted | None:
    if not ctx.free("bucket"):
        return None
    ctx.claim("bucket")
    plan = ctx.plan
    variant = ctx.rng.choice(("config-no-source", "cloudtrail-no-acl", "source-outsider", "external-writer"))
    plan.bucket_knobs.weakness = variant
    story = {
        "config-no-source": "The Config PutObject statement has no aws:SourceAccount condition.",
        "cloudtrail-no-acl": "The CloudTrail PutObject statement lacks the s3:x-amz-acl condition.",
        "source-outsider": f"aws:SourceAccount of the CloudTrail write also lists {plan.bucket_knobs.outsider}.",
        "external-writer": f"A statement lets account {plan.bucket_knobs.outsider} put objects.",
    }[variant]
    return Planted(
        "LOG-010",
        variant,
        f"central bucket `{plan.bucket}`",
        story,
        (
            fail(
                "LOG-010", plan.log_archive.id, f"bucket policy weakness ({variant})", resource=ids.s3_arn(plan.bucket)
            ),
        ),
    )


# --------------------------------------------------------------------------- evidence


def evd001_missing(ctx: PlantContext) -> Planted | None:
    plan = ctx.plan
    variant = ctx.rng.choice(("no-folder", "missing-recorders"))
    account = ctx.pick_account(("workload",) if variant == "no-folder" else EVERYONE)
    if account is None:
        return None
    if variant == "no-folder":
        account.knobs.no_evidence = True
        story = "ACTIVE in list-accounts, but the bundle has no folder for it."
    else:
        region = ctx.rng.choice(plan.regions)
        account.knobs.missing.append(
            layout.regional_path(account.id, region, "config", "describe-configuration-recorders")
        )
        story = f"describe-configuration-recorders of {region} is missing from the bundle."
    return Planted(
        "EVD-001", variant, label(account), story, (fail("EVD-001", account.id, f"evidence missing ({variant})"),)
    )


def evd002_denied(ctx: PlantContext) -> Planted | None:
    plan = ctx.plan
    variant = ctx.rng.choice(("virtual-mfa", "password-policy", "channel-status"))
    account = ctx.pick_account(EVERYONE if variant != "password-policy" else ("management", "log-archive", "workload"))
    if account is None:
        return None
    region = "-"
    if variant == "virtual-mfa":
        path = layout.iam_path(account.id, "list-virtual-mfa-devices")
    elif variant == "password-policy":
        path = layout.iam_path(account.id, "get-account-password-policy")
    else:
        region = ctx.rng.choice(plan.regions)
        path = layout.regional_path(account.id, region, "config", "describe-delivery-channel-status")
    account.knobs.denied.append(path)
    error = layout.error_path(path)
    return Planted(
        "EVD-002",
        variant,
        f"{label(account)}, `{error}`",
        "The export was refused (AccessDenied).",
        (fail("EVD-002", account.id, "export refused: AccessDenied", region=region, resource=error),),
    )


def evd003_outside(ctx: PlantContext) -> Planted | None:
    taken = {a.id for a in ctx.plan.accounts} | set(ctx.plan.former_accounts)
    while True:
        candidate = str(ctx.rng.randrange(100_000_000_000, 999_999_999_999))
        if candidate not in taken:
            break
    ctx.plan.former_accounts.append(candidate)
    return Planted(
        "EVD-003",
        "former-account",
        f"former account `{candidate}`",
        "An account summary and a CSV credential report of an account that left the organization.",
        (fail("EVD-003", candidate, "evidence for an account outside the organization"),),
    )


def evd004_stale_report(ctx: PlantContext) -> Planted | None:
    account = ctx.pick_account()
    if account is None:
        return None
    account.knobs.report_age_days = ctx.rng.randrange(3, 400)
    return Planted(
        "EVD-004",
        "stale-credential-report",
        f"{label(account)}, `{layout.iam_path(account.id, 'get-credential-report')}`",
        f"The credential report was generated {account.knobs.report_age_days} days before the collection.",
        (fail("EVD-004", account.id, "credential report older than the collection"),),
    )


PLANTERS: dict[str, Planter] = {
    "LOG-001": log001_not_covered,
    "LOG-002": log002_local_bucket,
    "LOG-003": log003_validation,
    "LOG-004": log004_unhealthy,
    "LOG-005": log005_management_events,
    "LOG-006": log006_no_recorder,
    "LOG-007": log007_scope,
    "LOG-008": log008_delivery,
    "LOG-009": log009_bucket_policy,
    "LOG-010": log010_bucket_weakness,
    "LOG-011": log011_notifications,
    "EVD-001": evd001_missing,
    "EVD-002": evd002_denied,
    "EVD-003": evd003_outside,
    "EVD-004": evd004_stale_report,
}
