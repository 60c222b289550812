"""CRD-003: every IAM user with a console password has MFA (credential report ``mfa_active``).

One result per user with a password; users without one (API-only) are out of scope here, and the
root row belongs to CRD-001. An account whose report shows no console user passes as a whole.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.model.kinds import Kind
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, missing_message, not_evaluated, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.credentials import usable_report, user_rows
from analyzer.rules.support.evidence import account_label

META = RuleMeta(
    id="CRD-003",
    title="Console user without MFA",
    severity=Severity.HIGH,
    pillar=Pillar.CREDENTIALS,
    rationale=(
        "In the audited model people sign in to the Identity account and then assume member-account roles "
        "that demand MFA. A console user without MFA is protected by a password alone, and cannot satisfy "
        "those trust policies, which invites weaker workarounds. Phished or reused passwords are the most "
        "common way into cloud consoles."
    ),
    remediation=(
        "Have each listed user register an MFA device (IAM console > Users > <user> > Security credentials > "
        "Assign MFA device), preferably a FIDO security key; until then, deny everything but MFA self-service "
        "with a policy conditioned on aws:MultiFactorAuthPresent, or remove the console password "
        "(aws iam delete-login-profile --user-name <user>) if the user does not need the console."
    ),
    compliance=refs(
        ("CIS3", "1.10"),
        ("CIS4", "1.10"),
        ("NIST", "IA-2(1)"),
        ("NIST", "IA-2(2)"),
        ("PCI", "8.4.2"),
        ("APRA", "21"),
        ("MAS", "9.1"),
    ),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html",
    ),
    requires=(Kind.IAM_CREDENTIAL_REPORT,),
    applies_to="user",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    for account in ctx.audited_accounts():
        label = account_label(ctx, account)
        report, blocked = usable_report(ctx, account)
        if report is None:
            yield not_evaluated(missing_message(blocked), account=account)
            continue
        console = [r for r in user_rows(report) if r.password_enabled]
        if not console:
            yield passed(f"no IAM user of {label} has a console password", account=account, evidence=(report.ref,))
        for row in console:
            if row.mfa_active:
                yield passed(
                    f"IAM user {row.user} of {label} has a console password and MFA",
                    account=account,
                    resource=row.arn,
                    evidence=(row.ref,),
                )
            else:
                yield fail(
                    f"IAM user {row.user} has a console password and no MFA (credential report mfa_active false): "
                    f"the password alone signs in to {label}",
                    account=account,
                    resource=row.arn,
                    evidence=(row.ref,),
                )


RULE = Rule(META, check)
