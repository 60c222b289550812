"""ACT-001: IAM users signed in to the console without MFA during the evidence period."""

from __future__ import annotations

from collections.abc import Iterator

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
    id="ACT-001",
    title="Console sign-in without MFA by an IAM user",
    severity=Severity.HIGH,
    pillar=Pillar.ACTIVITY,
    rationale=(
        "The model requires MFA for every person. The configuration (CRD-003) says whether an MFA device is "
        "assigned; CloudTrail's ConsoleLogin events say whether it was used: a successful sign-in with "
        "additionalEventData.MFAUsed other than Yes is a password-only session that happened."
    )
    + PASS_BASIS,
    remediation=(
        "Assign an MFA device to the user and deny everything without aws:MultiFactorAuthPresent in the "
        "access groups' policies; review what the session did (the user's events around the sign-in time)."
    ),
    compliance=refs(("CIS3", "1.10"), ("NIST", "IA-2(1)"), ("NIST", "AU-6"), ("PCI", "8.4.2")),
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html",
    ),
    applies_to="sign-in",
)


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
        # A failed sign-in may claim MFAUsed: Yes; only successes are judged.
        found = [
            e
            for e in events_in(activity, "console_logins", account_id)
            if e.identity_type == "IAMUser" and e.outcome.lower() == "success" and e.mfa_used.lower() != "yes"
        ]
        for event in found:
            yield fail(
                f"IAM user {event.user_name or event.principal_arn} signed in to the console of account {account_id} "
                f"without MFA at {when(event)} from {event.source_ip or 'an unknown address'} "
                f"(MFAUsed: {event.mfa_used or 'absent'}; event {event.event_id})",
                account=account_id,
                region=event.region,
                resource=event.principal_arn,
                evidence=(event.ref,),
                subject=event.event_id,
            )
        if not found:
            yield pass_unless_blocked(activity, account_id, "no console sign-in without MFA by an IAM user")


RULE = Rule(META, check)
