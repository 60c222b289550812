"""CRD-006: no IAM user keeps a console password that has gone unused (or was never used) for too long.

Measured against the collection time. A never-used password counts from when it was set
(``password_last_changed``, else the user's creation), so a password issued last week is not
stale yet. Root is excluded (CRD-001 covers it). A configured break-glass user, whose password is
meant to stay unused, still fails but is shown suppressed with its reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from analyzer.model.kinds import Kind
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, missing_message, not_evaluated, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.credentials import day, password_idle, usable_report, user_rows
from analyzer.rules.support.evidence import account_label

META = RuleMeta(
    id="CRD-006",
    title="Console password never used or unused for 90 days",
    severity=Severity.LOW,
    pillar=Pillar.CREDENTIALS,
    rationale=(
        "A console password nobody uses belongs to someone who left, changed role or never needed it. It "
        "still signs in, nobody would notice its misuse, and it widens the set of passwords an attacker can "
        "spray or phish."
    ),
    remediation=(
        "Confirm with the user's owner, then remove the console password (aws iam delete-login-profile "
        "--user-name <user>) or delete the user. Keep break-glass users in the settings' break_glass_users "
        "with a reason so their expected idleness is documented."
    ),
    compliance=refs(("CIS3", "1.12"), ("CIS4", "1.12"), ("NIST", "AC-2(3)"), ("PCI", "8.2.6")),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html",
    ),
    requires=(Kind.IAM_CREDENTIAL_REPORT,),
    applies_to="user",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    now = ctx.collected_at
    limit = ctx.settings.thresholds.password_unused_days
    for account in ctx.audited_accounts():
        label = account_label(ctx, account)
        report, blocked = usable_report(ctx, account)
        if report is None:
            yield not_evaluated(missing_message(blocked), account=account)
            continue
        if now is None:
            yield not_evaluated(
                "not evaluated: the collection time is unknown (no collected_at in manifest.json "
                "and no credential report GeneratedTime); trustmap never uses the wall clock",
                account=account,
                evidence=(report.ref,),
            )
            continue
        console = [r for r in user_rows(report) if r.password_enabled]
        if not console:
            yield passed(f"no IAM user of {label} has a console password", account=account, evidence=(report.ref,))
        for row in console:
            where: dict[str, Any] = {"account": account, "resource": row.arn, "evidence": (row.ref,)}
            idle = password_idle(row, now)
            if idle is None:
                yield not_evaluated(
                    f"not evaluated: the credential report gives no password or creation date for IAM user {row.user}",
                    **where,
                )
                continue
            days, since = idle
            if row.password_last_used is not None:
                state = f"has been unused for {days} days (last used {day(since)})"
            elif row.password_last_changed is not None:
                state = f"was never used in the {days} days since it was set ({day(since)})"
            else:  # AWS writes password_last_changed for every password: the report is damaged or edited
                state = (
                    f"was never used in the {days} days since the user was created ({day(since)}; "
                    "the credential report gives no password_last_changed)"
                )
            if days < limit:
                recent = (
                    f"was last used {day(since)}, {days} day{'' if days == 1 else 's'} before the collection"
                    if row.password_last_used is not None
                    else state
                )
                yield passed(
                    f"console password of IAM user {row.user} in {label} {recent} (limit {limit} days)", **where
                )
                continue
            glass = ctx.settings.break_glass(row.arn)
            note = f"; configured break-glass user ({glass.reason})" if glass else ""
            yield fail(
                f"console password of IAM user {row.user} in {label} {state} (limit {limit} days){note}",
                details={"break_glass": glass.reason} if glass else {},
                **where,
            )


RULE = Rule(META, check)
