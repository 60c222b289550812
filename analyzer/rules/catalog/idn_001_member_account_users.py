"""IDN-001: IAM users exist only in the Identity account; member accounts hold roles alone."""

from __future__ import annotations

from collections.abc import Iterator

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
from analyzer.rules.support.identity import account_label, credentials_of, identity_unknown_message

META = RuleMeta(
    id="IDN-001",
    title="No IAM users outside the Identity account",
    severity=Severity.HIGH,
    pillar=Pillar.IDENTITY,
    rationale=(
        "In the centralized model people sign in once, in the Identity account, and reach every other "
        "account by assuming a role that demands MFA. An IAM user in a member or the management account "
        "is a second front door with its own long-term password or keys, outside the access groups, "
        "the Identity account's password policy and its reviews."
    ),
    remediation=(
        "Move the person to an IAM user in the Identity account and give them a role in this account "
        "that trusts the Identity account with MFA; then delete the local user "
        "(`aws iam delete-login-profile`, `aws iam delete-access-key`, detach its policies, "
        "`aws iam delete-user`). Keep a documented break-glass user only if your process requires it and "
        "list it under `break_glass_users` in the config."
    ),
    compliance=refs(
        ("CIS3", "1.21"),
        ("CIS4", "1.21"),
        ("NIST", "AC-2"),
        ("NIST", "IA-2"),
        ("PCI", "7.2.1"),
        ("APRA", "21"),
        ("MAS", "9.1"),
    ),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/tutorial_cross-account-with-roles.html",
    ),
    requires=(Kind.IAM_AUTH_DETAILS, Kind.IAM_CREDENTIAL_REPORT),
    applies_to="user",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    if ctx.identity_account is None:
        yield from not_evaluated_in(ctx.audited_accounts(), identity_unknown_message(ctx))
        return
    for account_id in ctx.non_identity_accounts():
        info = ctx.shape.info(account_id)
        where = f"{info.role if info is not None else 'member'} account {account_label(ctx, account_id)}"
        blocked = ctx.blocking((Kind.IAM_AUTH_DETAILS,), account_id)
        if blocked:
            yield not_evaluated(missing_message(blocked), account=account_id)
            continue
        account = ctx.account(account_id)
        users = account.users if account is not None else ()
        if not users:
            yield passed(f"{where} has no IAM users", account=account_id)
            continue
        report_blocked = ctx.blocking((Kind.IAM_CREDENTIAL_REPORT,), account_id)
        report_problem = "; ".join(s.describe() for s in report_blocked)
        for user in users:
            creds = credentials_of(account, user, report_problem)
            message = f"IAM user {user.name} exists in {where}, outside the Identity account: {creds.describe()}"
            details: dict[str, str] = {}
            break_glass = ctx.settings.break_glass(user.arn)
            if break_glass is not None:
                message += f"; listed as a break-glass user ({break_glass.reason})"
                details["break_glass"] = break_glass.reason
            evidence = (user.ref, creds.row.ref) if creds.row is not None else (user.ref,)
            yield fail(message, account=account_id, resource=user.arn, evidence=evidence, details=details)


RULE = Rule(META, check)
