"""ACT-003: IAM users of member accounts at work (stray users in use), strengthening IDN-001."""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, not_evaluated, not_evaluated_in
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.activity import NO_ACTIVITY, PASS_BASIS, activity_of, not_covered, pass_unless_blocked
from analyzer.rules.support.identity import identity_unknown_message

META = RuleMeta(
    id="ACT-003",
    title="IAM users active outside the Identity account",
    severity=Severity.HIGH,
    pillar=Pillar.ACTIVITY,
    rationale=(
        "IDN-001 finds IAM users outside the Identity account; their events show which of them are in use: "
        "a second front door that is actually walked through, with how often, when last and from where."
    )
    + PASS_BASIS,
    remediation=(
        "Move the person or workload to the Identity account (or to a role), then delete the local user's "
        "credentials; until then, review its events and source addresses."
    ),
    compliance=refs(("CIS3", "1.21"), ("NIST", "AC-2(12)"), ("NIST", "AU-6")),
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html",
    ),
    applies_to="user",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    activity = activity_of(ctx)
    if activity is None:
        yield from not_evaluated_in(ctx.audited_accounts(), NO_ACTIVITY)
        return
    if ctx.identity_account is None:
        yield from not_evaluated_in(ctx.audited_accounts(), identity_unknown_message(ctx))
        return
    for account_id in ctx.non_identity_accounts():
        uncovered = not_covered(activity, account_id)
        if uncovered:
            yield not_evaluated(uncovered, account=account_id)
            continue
        users = [u for u in activity.user_activity if u.account_id == account_id]
        for user in users:
            yield fail(
                f"IAM user {user.user_name or user.principal_arn} of account {account_id} made {user.events} "
                f"call(s) from {user.first_event:%Y-%m-%dT%H:%M:%SZ} to {user.last_event:%Y-%m-%dT%H:%M:%SZ} "
                f"(last event), from {', '.join(user.source_ips) or 'unknown addresses'}: "
                f"{', '.join(user.event_names[:8])}",
                account=account_id,
                resource=user.principal_arn,
                details={"events": user.events, "source_ips": list(user.source_ips)},
            )
        if not users:
            yield pass_unless_blocked(activity, account_id, f"no IAM user of account {account_id} made a call")


RULE = Rule(META, check)
