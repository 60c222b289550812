"""LOG-009: the central bucket policy lets CloudTrail and Config deliver each account's logs.

Decided by the policy engine, not by reading the policy's text: for every trail covering the
account and every delivery channel of the account that target the central bucket, the exact
requests the service makes (object keys under the prefix actually configured, its condition
keys) are evaluated against the bucket policy (see :mod:`analyzer.rules.support.log_bucket`). One
result per account; the message lists each refused delivery and the statement (or the lack of an
allowing one) that refuses it. A pass needs every trail that may deliver the account's logs known:
with its trails unknown in every region, or a trail list from AWS Config's items that may lack one
(``AccountEvidence.trail_list_gap``), the account is not evaluated; a refused known delivery still fails.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from analyzer.iam import is_service_linked_role
from analyzer.model.entities import Role
from analyzer.model.evidence import EvidenceRef
from analyzer.model.kinds import Kind
from analyzer.rules.base import (
    Outcome,
    Pillar,
    Rule,
    RuleMeta,
    Severity,
    fail,
    missing_message,
    not_evaluated,
    not_evaluated_in,
    passed,
)
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.evidence import account_label
from analyzer.rules.support.log_bucket import (
    DeliveryCheck,
    DeliveryPlan,
    Judge,
    Verdict,
    cloudtrail_checks,
    config_checks,
    find_bucket_policy,
)
from analyzer.rules.support.log_delivery import (
    TrailIndex,
    bucket_unknown_message,
    central_bucket,
    channels_in,
    covering_trails,
    covering_trails_unknown,
    customer_recorders,
    trail_index,
)
from analyzer.rules.support.scope import uncollected_outcomes

META = RuleMeta(
    id="LOG-009",
    title="Central bucket policy refuses CloudTrail or Config deliveries",
    severity=Severity.HIGH,
    pillar=Pillar.LOGGING,
    rationale=(
        "CloudTrail and Config write cross-account into the central bucket only as far as its policy allows: "
        "one account missing from a Resource or aws:SourceAccount list, or a prefix that differs from the "
        "trail's S3KeyPrefix, and that account's logs are silently dropped (the trail shows a delivery error "
        "nobody watches). Only simulating the services' real requests shows which deliveries work."
    ),
    remediation=(
        "Grant each account's prefix in the bucket policy of the log archive account: s3:PutObject on "
        "arn:aws:s3:::<bucket>/<prefix>/AWSLogs/<account>/* (organization trails: .../AWSLogs/<o-id>/*) for "
        "cloudtrail.amazonaws.com and .../AWSLogs/<account>/Config/* for config.amazonaws.com, with "
        "s3:x-amz-acl = bucket-owner-full-control and aws:SourceAccount / aws:SourceArn naming the accounts and "
        "trails; s3:GetBucketAcl (and s3:ListBucket for Config) on the bucket. Apply with aws s3api "
        "put-bucket-policy."
    ),
    compliance=refs(("NIST", "AU-9(2)"), ("NIST", "AU-5"), ("PCI", "10.3.3")),
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html",
        "https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html",
    ),
    requires=(Kind.S3_BUCKET_POLICY, Kind.TRAILS, Kind.CONFIG_CHANNELS, Kind.CONFIG_RECORDERS, Kind.ORG_DESCRIBE),
    applies_to="account",
)


def _plan(ctx: RuleContext, bucket: str) -> DeliveryPlan:
    org = ctx.snapshot.organization
    day = ctx.collected_at.date() if ctx.collected_at is not None else date(2026, 11, 20)
    members = ctx.shape.org_ids  # empty when list-accounts is missing: membership (and aws:SourceOrgID) unknown
    return DeliveryPlan(bucket, ctx.partition, day, org.id if org else None, org is not None and bool(members), members)


def _recorder_role(ctx: RuleContext, account: str, region: str) -> tuple[Role | None, str]:
    """The customer-managed role Config writes as first (when the recorder uses one), and why the evidence
    cannot tell what that role may do ("" when it can, or when Config writes as its service)."""
    arns = [r.role_arn for r in customer_recorders(ctx, account, region) if r.role_arn]
    if not arns or is_service_linked_role(arns[0]):
        return None, ""
    evidence = ctx.account(account)
    role = next((r for r in evidence.roles if r.arn == arns[0]), None) if evidence is not None else None
    if role is None:
        blocked = ctx.blocking((Kind.IAM_AUTH_DETAILS,), account)
        why = "; ".join(s.describe() for s in blocked) or "the authorization details do not list it"
        return None, f"recorder role {arns[0]} is not in the IAM evidence ({why})"
    unresolved = [a.arn for a in (*role.attached_policies, role.boundary) if a is not None and a.policy is None]
    if unresolved:
        return role, f"recorder role {role.arn}'s policies {', '.join(unresolved)} are not in the evidence"
    return role, ""


@dataclass(slots=True)
class _Checks:
    """The account's checks, which of them repeat another one in a further region, and what cannot be decided."""

    checks: list[DeliveryCheck] = field(default_factory=list)
    repeats: dict[int, int] = field(default_factory=dict)  # position of a check -> of the check it repeats
    undecided: list[str] = field(default_factory=list)

    def verdicts(self, decide: Judge) -> list[Verdict]:
        """Each check judged; a repeat takes the verdict of the check it repeats (the Judge would find it)."""
        verdicts: list[Verdict] = []
        for position, check in enumerate(self.checks):
            first = self.repeats.get(position)
            verdicts.append(decide(check) if first is None else verdicts[first].of(check))
        return verdicts


def _checks(ctx: RuleContext, account: str, plan: DeliveryPlan, decide: Judge, index: TrailIndex) -> _Checks:
    """The checks of the account's deliveries to the central bucket."""
    lookup = decide.lookup
    found_checks = _Checks()
    checks = found_checks.checks
    undecided = found_checks.undecided
    regions = ctx.regions(account).regions
    for trail in covering_trails(ctx, account, index):
        if trail.s3_bucket != plan.bucket:
            continue
        if trail.organization_trail and plan.org_id is None:
            undecided.append(
                f"{trail.arn} writes under AWSLogs/<organization id>/, and the organization's id is "
                "unknown (no organization/describe-organization.json)"
            )
            continue
        checks += cloudtrail_checks(plan, account, trail, regions or (trail.home_region,))
    # Region-neutral policies decide a channel's checks alike in every region (see Judge.alike): the checks
    # of the first region a channel (by name, prefix and the role Config writes as) is seen in stand for
    # the others, which differ only in their region and the channel's evidence.
    seen: dict[tuple[str, str | None, str | None, str], range] = {}  # -> the positions of its first checks
    for region in regions:
        for channel in channels_in(ctx, account, region):
            if channel.s3_bucket != plan.bucket:
                continue
            role, gap = _recorder_role(ctx, account, region)
            if gap and lookup.owner == account:  # in its own account Config writes only as the role
                undecided.append(f"Config in {region}: {gap}, and in the bucket's own account Config writes as it")
                continue
            same = (channel.name, channel.s3_prefix, role.arn if role is not None and not gap else None, gap)
            first = seen.get(same)
            if first is not None and all(decide.alike(checks[position]) for position in first):
                for position in first:
                    found_checks.repeats[len(checks)] = position
                    checks.append(_in_region(checks[position], region, (channel.ref,)))
                continue
            found = config_checks(plan, channel, None if gap else role, lookup.owner)
            seen[same] = range(len(checks), len(checks) + len(found))
            checks += [dataclasses.replace(c, unsure=gap) for c in found] if gap else found
    return found_checks


def _in_region(check: DeliveryCheck, region: str, evidence: tuple[EvidenceRef, ...]) -> DeliveryCheck:
    """``check`` (of a region-neutral policy) as made in ``region``: its attempts are never evaluated again."""
    return DeliveryCheck(
        check.service,
        check.source,
        check.what,
        region,
        check.action,
        check.shown,
        check.attempts,
        check.required,
        evidence,
        check.unsure,
    )


def _describe(verdicts: list[Verdict]) -> str:
    """Refusals grouped by who delivers and why: ``CloudTrail for <trail> in <regions>: log files (...); why``."""
    groups: dict[tuple[str, str, str], dict[str, set[str]]] = {}
    for v in verdicts:
        c = v.check
        requests = groups.setdefault((c.service, c.source, v.explanation), {})
        requests.setdefault(f"{c.what} ({c.action} on {c.shown})", set()).add(c.region)
    parts = []
    for (service, source, why), requests in groups.items():
        regions = sorted({r for rs in requests.values() for r in rs})
        parts.append(f"{service} for {source} in {', '.join(regions)}: {', '.join(requests)} - {why}")
    return "; ".join(parts)


def _verdict(ctx: RuleContext, account: str, decide: Judge, plan: DeliveryPlan, index: TrailIndex) -> Outcome:
    lookup = decide.lookup
    label = account_label(ctx, account)
    found = _checks(ctx, account, plan, decide, index)
    checks, undecided = found.checks, found.undecided
    policy_ref = (lookup.policy.source.ref,) if lookup.policy is not None else ()
    if not checks and not undecided:
        return not_evaluated(
            f"not evaluated: no trail or delivery channel of {label} targets {plan.bucket} "
            "(LOG-002 and LOG-008 report where its logs go)",
            account=account,
        )
    if lookup.absent_in_aws:
        return fail(
            f"{plan.bucket} has no bucket policy ({lookup.state.reason}): CloudTrail and Config cannot "
            f"deliver {label}'s logs to it",
            account=account,
        )
    verdicts = found.verdicts(decide)
    refused = [v for v in verdicts if not v.allowed and v.check.required and not v.check.unsure]
    undecided += dict.fromkeys(
        f"Config in {v.check.region}: {v.check.unsure}, which it writes as first (the bucket policy alone "
        "refuses the delivery)"
        for v in verdicts
        if not v.allowed and v.check.required and v.check.unsure
    )
    evidence = tuple(dict.fromkeys(r for v in verdicts for r in (*v.check.evidence, *v.evidence))) or policy_ref
    if refused:
        return fail(
            f"the policy of {plan.bucket} refuses {len(refused)} of {len(checks)} deliveries of {label}'s "
            f"logs: {_describe(refused)}",
            account=account,
            evidence=evidence,
        )
    if undecided:
        return not_evaluated("not evaluated: " + "; ".join(undecided), account=account, evidence=evidence)
    allowed_by = sorted({label for v in verdicts if v.allowed for label in v.allowed_by})
    roles = sorted({v.via for v in verdicts if v.allowed and not v.via.startswith("service ")})
    optional = [v for v in verdicts if not v.allowed]
    extra = [f"Config writes as {r}" for r in roles]
    extra += [f"note: {_describe(optional)} (AWS Config still delivers without it)"] if optional else []
    lets = (
        f"the policy of {plan.bucket} lets {len([v for v in verdicts if v.allowed])} of {len(checks)} simulated "
        f"deliveries of {label}'s logs through (statements {', '.join(allowed_by)})" + "; ".join(["", *extra])
    )
    unseen = covering_trails_unknown(ctx, account)
    if unseen:  # a trail not in the evidence may deliver the account's logs where the policy refuses them
        return not_evaluated(
            f"not evaluated: {lets}; but a trail delivering {label}'s logs may be unknown: {unseen}",
            account=account,
            evidence=evidence,
        )
    return passed(lets, account=account, evidence=evidence)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    bucket = central_bucket(ctx)
    accounts = ctx.audited_accounts()
    if bucket is None:
        yield from not_evaluated_in(accounts, bucket_unknown_message(ctx))
        return
    lookup = find_bucket_policy(ctx, bucket)
    if lookup.policy is None and not lookup.absent_in_aws:
        yield from not_evaluated_in(accounts, missing_message([lookup.state]))
        return
    plan = _plan(ctx, bucket)
    index = trail_index(ctx)
    decide = Judge.of(lookup)
    for account in accounts:
        yield _verdict(ctx, account, decide, plan, index)
    yield from uncollected_outcomes(ctx, "the deliveries to the central bucket")


RULE = Rule(META, check)
