"""ACT-005: the logging model itself was changed during the evidence period."""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.model.activity import ActivityEvent
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, not_evaluated, not_evaluated_in
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.activity import (
    NO_ACTIVITY,
    PASS_BASIS,
    activity_of,
    events_in,
    not_covered,
    pass_unless_blocked,
    when,
)

META = RuleMeta(
    id="ACT-005",
    title="Logging or trust model changed during the period",
    severity=Severity.HIGH,
    pillar=Pillar.ACTIVITY,
    rationale=(
        "The configuration exported at the end of the period says the trails deliver and the roles demand "
        "MFA; it does not say they did so throughout. StopLogging, DeleteTrail, UpdateTrail, PutEventSelectors, "
        "stopping or deleting a Config recorder or delivery channel, changing the central bucket's policy or "
        "ACL, and UpdateAssumeRolePolicy on a member role are the calls that change that; each is named with "
        "who made it and when. A call with an errorCode changed nothing and is not reported."
    )
    + PASS_BASIS,
    remediation=(
        "Match each change with an approved change; protect the trail and bucket with SCPs that deny these "
        "calls to everyone but a break-glass role, and alert on them (CloudWatch/EventBridge)."
    ),
    compliance=refs(("CIS3", "4.5"), ("CIS3", "4.9"), ("NIST", "AU-9"), ("NIST", "CM-3"), ("PCI", "10.3.2")),
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html",
        "https://docs.aws.amazon.com/config/latest/developerguide/cloudtrail-log-files-for-aws-config.html",
    ),
    applies_to="event",
)

_BUCKET_EVENTS = frozenset({"PutBucketPolicy", "DeleteBucketPolicy", "PutBucketAcl"})


def _counts(ctx: RuleContext, event: ActivityEvent) -> bool:
    if event.error_code:
        return False
    if event.name in _BUCKET_EVENTS:
        return bool(ctx.shape.log_bucket.value) and event.target == ctx.shape.log_bucket.value
    if event.name == "UpdateAssumeRolePolicy":
        return event.account_id != ctx.identity_account
    return True


def check(ctx: RuleContext) -> Iterator[Outcome]:
    activity = activity_of(ctx)
    if activity is None:
        yield from not_evaluated_in(ctx.audited_accounts(), NO_ACTIVITY)
        return
    for account_id in ctx.audited_accounts():
        uncovered = not_covered(activity, account_id)
        if uncovered:
            yield not_evaluated(uncovered, account=account_id)
            continue
        found = [e for e in events_in(activity, "tampering", account_id) if _counts(ctx, e)]
        for event in found:
            yield fail(
                f"{event.name} on {event.target or 'an unnamed target'} by "
                f"{event.principal_arn or event.identity_type} at {when(event)} from "
                f"{event.source_ip or 'an unknown address'} (event {event.event_id})",
                account=account_id,
                region=event.region,
                resource=event.target or None,
                evidence=(event.ref,),
                subject=event.event_id,
            )
        if found:
            continue
        yield pass_unless_blocked(
            activity, account_id, "no change to trails, Config, the central bucket or member trusts"
        )


RULE = Rule(META, check)
