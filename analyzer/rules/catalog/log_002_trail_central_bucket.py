"""LOG-002: the trails covering an account deliver to the central log bucket.

The account passes when at least one multi-region trail that covers it (its own, or the
organization trail) writes to the central bucket, and when ``log_prefix`` is configured, under
that prefix (it pins the CloudTrail prefix; Config channels are LOG-008's). Extra local trails do
not matter: what matters is that the account's events reach the central bucket. An account with
no covering trail is LOG-001's finding; its single-region trails are judged instead, and with no
trail at all there is nothing to judge (not_evaluated).
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.model.entities import Trail
from analyzer.model.kinds import Kind
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, not_evaluated, not_evaluated_in, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.evidence import account_label
from analyzer.rules.support.log_delivery import (
    TrailIndex,
    bucket_unknown_message,
    central_bucket,
    covering_trails,
    describe_destination,
    gap_text,
    normalized_prefix,
    region_gaps,
    single_region_trails,
    trail_index,
    trail_label,
)

META = RuleMeta(
    id="LOG-002",
    title="CloudTrail does not deliver to the central log bucket",
    severity=Severity.HIGH,
    pillar=Pillar.LOGGING,
    rationale=(
        "Logs kept in the account they describe can be deleted by whoever compromises that account. The audited "
        "model sends every account's CloudTrail logs to one bucket in the Identity (log archive) account, "
        "where member-account administrators cannot alter them and investigators find everything in one place."
    ),
    remediation=(
        "Point the covering trail at the central bucket: aws cloudtrail update-trail --name <trail> "
        "--s3-bucket-name <central bucket> --s3-key-prefix <prefix>, after granting the account's "
        "AWSLogs/<account>/ prefix in the bucket policy (see LOG-009), or replace per-account trails with an "
        "organization trail delivering to the central bucket."
    ),
    compliance=refs(("NIST", "AU-9(2)"), ("NIST", "AU-6(4)"), ("PCI", "10.3.3")),
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-receive-logs-from-multiple-accounts.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-update-a-trail.html",
    ),
    requires=(Kind.TRAILS, Kind.MANIFEST),
    applies_to="account",
)


def _prefix_problem(trail: Trail, expected: str | None) -> str | None:
    if expected is None or normalized_prefix(trail.s3_prefix) == normalized_prefix(expected):
        return None
    return f"prefix '{normalized_prefix(trail.s3_prefix)}' instead of the configured '{normalized_prefix(expected)}'"


def _destination(trail: Trail, bucket: str, expected: str | None) -> str:
    text = f"{trail_label(trail)} delivers to {describe_destination(trail.s3_bucket, trail.s3_prefix)}"
    problem = _prefix_problem(trail, expected) if trail.s3_bucket == bucket else None
    return f"{text} ({problem})" if problem else text


def _verdict(ctx: RuleContext, account: str, bucket: str, index: TrailIndex) -> Outcome:
    label = account_label(ctx, account)
    expected = ctx.settings.log_prefix
    covering = covering_trails(ctx, account, index)
    # Without a covering trail (LOG-001's finding) the account's own single-region trails are judged.
    candidates = covering or single_region_trails(account, index)
    note = "" if covering else " (no multi-region trail covers it: LOG-001; its single-region trails are judged)"
    central = [t for t in candidates if t.s3_bucket == bucket and _prefix_problem(t, expected) is None]
    if central:
        trail = central[0]
        return passed(
            f"{label}'s events reach the central bucket: {trail_label(trail)} delivers to "
            f"{describe_destination(trail.s3_bucket, trail.s3_prefix)}{note}",
            account=account,
            evidence=(trail.ref,),
        )
    if candidates:
        return fail(
            f"no trail of {label} delivers to the central bucket {bucket}{note}: "
            + "; ".join(_destination(t, bucket, expected) for t in candidates),
            account=account,
            evidence=tuple(t.ref for t in candidates),
        )
    gaps = region_gaps(ctx, account, (Kind.TRAILS,))
    unseen = f" and trails unknown in {gap_text(gaps)}" if gaps else ""
    return not_evaluated(
        f"not evaluated: {label} has no trail whose delivery could be judged{unseen} (LOG-001 reports the missing "
        "coverage)",
        account=account,
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    bucket = central_bucket(ctx)
    accounts = ctx.audited_accounts()
    if bucket is None:
        yield from not_evaluated_in(accounts, bucket_unknown_message(ctx))
        return
    index = trail_index(ctx)
    for account in accounts:
        yield _verdict(ctx, account, bucket, index)


RULE = Rule(META, check)
