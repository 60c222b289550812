"""CRD-005: every active IAM-user access key is younger than the rotation limit and in use.

Measured against the evidence's collection time (never the wall clock): a bundle audited a year
later gives the same answer. One result per active key, ``resource`` = the user's ARN and
``subject`` = the key slot (so the two keys of a user have distinct fingerprints). Inactive keys
are ignored; root keys are CRD-002's subject.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.model.kinds import Kind
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, missing_message, not_evaluated, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.credentials import day, days_between, key_problems, usable_report, user_rows
from analyzer.rules.support.evidence import account_label

META = RuleMeta(
    id="CRD-005",
    title="Access key older than 90 days or unused for 90 days",
    severity=Severity.MEDIUM,
    pillar=Pillar.CREDENTIALS,
    rationale=(
        "Access keys are long-term secrets that bypass console MFA. The longer a key lives the more places it "
        "has been copied to; a key nobody uses is pure exposure with no benefit. Regular rotation and removal "
        "of idle keys bound the damage of a leak."
    ),
    remediation=(
        "For an old key in use: create a second key (aws iam create-access-key --user-name <user>), move the "
        "workload to it, then deactivate and delete the old one (aws iam update-access-key --status Inactive, "
        "aws iam delete-access-key). For an unused key: deactivate it, wait, then delete it. Prefer roles "
        "(IAM Identity Center, instance profiles) over user keys altogether."
    ),
    compliance=refs(
        ("CIS3", "1.12"),
        ("CIS3", "1.14"),
        ("CIS4", "1.12"),
        ("CIS4", "1.14"),
        ("NIST", "IA-5"),
        ("NIST", "AC-2(3)"),
        ("PCI", "8.2.6"),
    ),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html",
    ),
    requires=(Kind.IAM_CREDENTIAL_REPORT,),
    applies_to="access key",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    now = ctx.collected_at
    thresholds = ctx.settings.thresholds
    for account in ctx.audited_accounts():
        label = account_label(ctx, account)
        report, blocked = usable_report(ctx, account)
        if report is None:
            yield not_evaluated(missing_message(blocked), account=account)
            continue
        if now is None:
            yield not_evaluated(
                "not evaluated: the collection time is unknown (no collected_at in manifest.json and no "
                "GeneratedTime in any credential report), so key ages cannot be measured; trustmap never uses "
                "the wall clock",
                account=account,
                evidence=(report.ref,),
            )
            continue
        keys = [(row, key) for row in user_rows(report) for key in row.access_keys if key.active]
        if not keys:
            yield passed(f"no IAM user of {label} has an active access key", account=account, evidence=(report.ref,))
        for row, key in keys:
            slot = f"access_key_{key.slot}"
            where = {"account": account, "resource": row.arn, "subject": slot, "evidence": (row.ref,)}
            name = f"{slot} of user {row.user} in {label}"
            if key.last_rotated is None:
                yield not_evaluated(
                    f"not evaluated: {name} is active but the credential report gives no "
                    f"{slot}_last_rotated, so its age is unknown",
                    **where,
                )
                continue
            problems = key_problems(key, key.last_rotated, now, thresholds)
            if problems:
                yield fail(f"{name} " + " and ".join(problems), **where)
            else:
                used = f"last used {day(key.last_used)}" if key.last_used else "not used yet"
                yield passed(f"{name} is {days_between(key.last_rotated, now)} days old and {used}", **where)


RULE = Rule(META, check)
