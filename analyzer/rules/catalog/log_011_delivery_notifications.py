"""LOG-011: trails and Config delivery channels notify an SNS topic.

The audited procedure (section IV, steps 02.5 and 03.9) subscribes an SNS topic to every trail's log
file deliveries and every channel's configuration changes. One result per trail ARN (owner's
account) and per delivery channel (account and region, subject = channel name).
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.model.kinds import Kind
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, missing_message, not_evaluated, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.log_delivery import (
    channel_label,
    channels_in,
    reported_trails,
    trail_gap_outcomes,
    trail_index,
    trail_label,
)
from analyzer.rules.support.scope import uncollected_outcomes

META = RuleMeta(
    id="LOG-011",
    title="No SNS notification on trail or Config deliveries",
    severity=Severity.LOW,
    pillar=Pillar.LOGGING,
    rationale=(
        "Notifications are how operators learn that logs keep arriving and that configurations change: a silent "
        "trail or channel can stop delivering for weeks before anyone looks. The audited procedure sets an SNS "
        "topic with a subscription on every trail and every Config delivery channel."
    ),
    remediation=(
        "aws cloudtrail update-trail --name <trail> --sns-topic-name <topic>; aws configservice "
        "put-delivery-channel --delivery-channel name=default,s3BucketName=<bucket>,snsTopicARN=<topic ARN>; "
        "subscribe the team's address (aws sns subscribe --protocol email) and confirm it."
    ),
    compliance=refs(("NIST", "AU-5"), ("PCI", "10.7.2")),
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/configure-sns-notifications-for-cloudtrail.html",
        "https://docs.aws.amazon.com/config/latest/developerguide/notifications-for-AWS-Config.html",
    ),
    requires=(Kind.TRAILS, Kind.CONFIG_CHANNELS),
    applies_to="trail",
)


def _trails(ctx: RuleContext) -> Iterator[Outcome]:
    for trail in reported_trails(trail_index(ctx)):
        where = {"account": trail.owner_account_id, "region": trail.home_region, "resource": trail.arn}
        if trail.sns_topic:
            yield passed(f"{trail_label(trail)} notifies {trail.sns_topic}", evidence=(trail.ref,), **where)
        else:
            yield fail(
                f"{trail_label(trail)} has no SNS topic (SnsTopicARN absent): log deliveries go unnoticed",
                evidence=(trail.ref,),
                **where,
            )


def _channels(ctx: RuleContext) -> Iterator[Outcome]:
    for account in ctx.audited_accounts():
        for region in ctx.regions(account).regions:
            blocked = ctx.blocking((Kind.CONFIG_CHANNELS,), account, region)
            if blocked:
                # subject: told apart from the trails' result in the same account and region (its fingerprint)
                yield not_evaluated(
                    missing_message(blocked), account=account, region=region, subject="delivery channels"
                )
                continue
            for channel in channels_in(ctx, account, region):
                where = {"account": account, "region": region, "subject": channel.name, "evidence": (channel.ref,)}
                if channel.sns_topic:
                    yield passed(f"{channel_label(channel)} notifies {channel.sns_topic}", **where)
                else:
                    yield fail(f"{channel_label(channel)} has no SNS topic (snsTopicARN absent)", **where)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    yield from _trails(ctx)
    yield from _channels(ctx)
    yield from trail_gap_outcomes(ctx, "the notifications")
    yield from uncollected_outcomes(ctx, "the notifications of the regional trails and delivery channels")


RULE = Rule(META, check)
