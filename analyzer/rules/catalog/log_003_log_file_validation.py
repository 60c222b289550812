"""LOG-003: log file validation is enabled on every trail.

One result per trail ARN, in the owner's account and home region: shadow copies of a multi-region
trail and members' copies of the organization trail are the same trail and are not reported again.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.model.kinds import Kind
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.log_delivery import reported_trails, trail_gap_outcomes, trail_index, trail_label
from analyzer.rules.support.scope import uncollected_outcomes

META = RuleMeta(
    id="LOG-003",
    title="CloudTrail log file validation disabled",
    severity=Severity.MEDIUM,
    pillar=Pillar.LOGGING,
    rationale=(
        "With validation on, CloudTrail writes a signed digest every hour that proves which log files it "
        "delivered and that they were not changed or deleted since. Without it, an intruder who reaches the "
        "bucket can edit or remove log files and nobody can prove it."
    ),
    remediation=(
        "aws cloudtrail update-trail --name <trail> --enable-log-file-validation (for an organization trail, "
        "from the management account); verify later with aws cloudtrail validate-logs --trail-arn <arn> "
        "--start-time <time>."
    ),
    compliance=refs(("CIS3", "3.2"), ("CIS4", "3.2"), ("NIST", "AU-9(3)"), ("PCI", "10.3.4")),
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-enabling.html",
    ),
    requires=(Kind.TRAILS,),
    applies_to="trail",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    for trail in reported_trails(trail_index(ctx)):
        where = {"account": trail.owner_account_id, "region": trail.home_region, "resource": trail.arn}
        evidence = (trail.ref.child("LogFileValidationEnabled"),)
        if trail.log_file_validation:
            yield passed(f"{trail_label(trail)} has log file validation enabled", evidence=evidence, **where)
        else:
            yield fail(
                f"{trail_label(trail)} has log file validation disabled (LogFileValidationEnabled false): "
                "changed or deleted log files cannot be detected",
                evidence=evidence,
                **where,
            )
    yield from trail_gap_outcomes(ctx, "log file validation")
    yield from uncollected_outcomes(ctx, "log file validation of the regional trails")


RULE = Rule(META, check)
