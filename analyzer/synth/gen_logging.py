"""CloudTrail, Config and central-bucket exports of a generated organization.

Two trail designs, chosen by seed: an organization trail owned by the management account (every
member lists it in each region's describe-trails as a shadow copy; its status and selectors are
exported once, by the owner), or one multi-region trail per account. Config recorders and
delivery channels exist in every account and region either way.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from analyzer.synth import documents as docs
from analyzer.synth import ids, layout
from analyzer.synth.compose_logging import LoggingSetup, config_outputs, logging_files, trail_evidence
from analyzer.synth.org_plan import CONFIG_PREFIX, TRAIL, TRAIL_PREFIX, AccountPlan, OrgPlan
from analyzer.synth.shapes_logging import bucket_policy, describe_trails

Json = dict[str, Any]

#: LoggingSetup fields that only concern the account's own trail (not used with an organization trail).
TRAIL_FIELDS = frozenset(
    {
        "multi_region",
        "trail_bucket",
        "trail_prefix",
        "validation",
        "kms_key",
        "trail_sns",
        "failing_since",
        "logging_stopped_at",
        "selectors",
        "include_global_events",
    }
)


def setup_for(plan: OrgPlan, account_id: str, enabled_since: Any, overrides: dict[str, Any]) -> LoggingSetup:
    return LoggingSetup(
        account_id=account_id,
        regions=plan.regions,
        collected_at=plan.collected_at,
        central_bucket=plan.bucket,
        enabled_since=enabled_since,
        trail_name=TRAIL,
        partition=plan.partition,
        **{"trail_prefix": TRAIL_PREFIX, **overrides},
    )


def org_trail_evidence(plan: OrgPlan) -> layout.TrailEvidence:
    management = plan.management
    setup = setup_for(plan, management.id, management.joined + timedelta(days=30), plan.org_trail_knobs)
    evidence = trail_evidence(setup)
    evidence.description["IsOrganizationTrail"] = True
    return evidence


def account_logging_files(
    plan: OrgPlan, account: AccountPlan, org_trail: layout.TrailEvidence | None
) -> dict[str, Json]:
    """The account's describe-trails (and own trail's status and selectors) and Config outputs."""
    overrides = dict(account.knobs.logging)
    setup = setup_for(plan, account.id, account.joined + timedelta(days=3), overrides)
    if org_trail is None:
        return logging_files(setup)
    unexpected = TRAIL_FIELDS & set(overrides)
    if unexpected:
        raise ValueError(f"{account.id}: trail knobs {sorted(unexpected)} need per-account trails")
    files: dict[str, Json] = {}
    if account.id == plan.management.id:
        files.update(layout.cloudtrail_files(account.id, plan.regions, [org_trail]))
    else:
        listing = describe_trails([org_trail.description])
        for region in plan.regions:
            files[layout.regional_path(account.id, region, "cloudtrail", "describe-trails")] = listing
    for region in plan.regions:
        files.update(layout.config_files(account.id, region, config_outputs(setup, region)))
    return files


# --------------------------------------------------------------------------- the central bucket


def _weaken(policy: Json, variant: str | None, outsider: str, bucket: str) -> Json:
    """Apply a LOG-010 weakness to the (freshly serialized, unshared) policy document."""
    statements = {s["Sid"]: s for s in policy["Statement"]}
    if variant == "cloudtrail-no-acl":
        del statements["AWSCloudTrailWrite"]["Condition"]["StringEquals"]["s3:x-amz-acl"]
    elif variant == "source-outsider":
        statements["AWSCloudTrailWrite"]["Condition"]["StringEquals"]["aws:SourceAccount"].append(outsider)
    elif variant == "external-writer":
        policy["Statement"].insert(
            len(policy["Statement"]) - 1,
            {
                "Sid": "LegacyArchiveReplication",
                "Effect": "Allow",
                "Principal": {"AWS": ids.root_arn(outsider)},
                "Action": ["s3:PutObject", "s3:PutObjectAcl"],
                "Resource": ids.s3_arn(bucket, "*"),
            },
        )
    return policy


def bucket_files(plan: OrgPlan) -> dict[str, Json]:
    knobs = plan.bucket_knobs
    in_org = [a.id for a in plan.accounts]
    sources = [a for a in in_org if a not in knobs.source_omitted]
    trail_keys = [plan.management.id, plan.organization_id] if plan.org_trail else in_org
    document = docs.central_log_bucket_policy(
        plan.bucket,
        source_accounts=sources,
        cloudtrail_accounts=trail_keys,
        config_accounts=[a for a in in_org if a not in knobs.config_omitted],
        cloudtrail_prefix=TRAIL_PREFIX,
        config_prefix=CONFIG_PREFIX,
        config_delivery_source_condition=knobs.weakness != "config-no-source",
        partition=plan.partition,
    )
    document = _weaken(json.loads(json.dumps(document)), knobs.weakness, knobs.outsider, plan.bucket)
    return {layout.bucket_path(plan.log_archive.id, plan.bucket): bucket_policy(document)}
