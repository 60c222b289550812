"""CRD-004: the Identity account's password policy meets the baseline (thresholds from the settings).

Only the Identity account matters: in the audited model it is the one account where people hold
passwords. NoSuchEntity (no custom policy, AWS defaults apply) is a failure, not missing evidence;
an AccessDenied record leaves the rule not evaluated.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.model.kinds import Kind
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, missing_message, not_evaluated, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.credentials import AWS_DEFAULT_POLICY, password_policy_shortfalls
from analyzer.rules.support.evidence import account_label

META = RuleMeta(
    id="CRD-004",
    title="Identity-account password policy below baseline or missing",
    severity=Severity.MEDIUM,
    pillar=Pillar.CREDENTIALS,
    rationale=(
        "The Identity account's passwords are the first factor for every human path into the organization. "
        "Short, simple, never-expiring or reused passwords are guessed, sprayed and replayed from other "
        "breaches; without a custom policy AWS accepts 8-character passwords that never expire."
    ),
    remediation=(
        "In the Identity account run: aws iam update-account-password-policy --minimum-password-length 14 "
        "--require-symbols --require-numbers --require-uppercase-characters --require-lowercase-characters "
        "--allow-users-to-change-password --max-password-age 90 --password-reuse-prevention 24 "
        "(use your configured thresholds if they differ)."
    ),
    compliance=refs(
        ("CIS3", "1.8"),
        ("CIS3", "1.9"),
        ("CIS4", "1.8"),
        ("CIS4", "1.9"),
        ("NIST", "IA-5(1)"),
        ("PCI", "8.3.6"),
        ("PCI", "8.3.7"),
        ("PCI", "8.3.9"),
    ),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html",),
    requires=(Kind.IAM_PASSWORD_POLICY,),
    applies_to="account",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    identity = ctx.identity_account
    if identity is None:
        yield not_evaluated(f"not evaluated: the Identity account is unknown ({ctx.shape.identity.reason})")
        return
    label = account_label(ctx, identity)
    blocked = ctx.blocking((Kind.IAM_PASSWORD_POLICY,), identity)
    evidence = ctx.account(identity)
    policy = evidence.password_policy if evidence is not None else None
    if blocked or policy is None:
        why = missing_message(blocked) if blocked else "not evaluated: no password policy was read"
        yield not_evaluated(f"{why} (Identity {label})", account=identity)
        return
    shortfalls = password_policy_shortfalls(policy, ctx.settings.thresholds)
    listed = "; ".join(text for text, _ in shortfalls)
    evidence_refs = tuple(ref for _, ref in shortfalls) or (policy.ref,)
    details = {"shortfalls": [text for text, _ in shortfalls]}
    if policy.is_default:
        yield fail(
            f"no password policy set: {AWS_DEFAULT_POLICY} applies in the Identity {label}; below the "
            f"baseline: {listed}",
            account=identity,
            evidence=evidence_refs,
            details=details,
        )
    elif shortfalls:
        yield fail(
            f"the password policy of the Identity {label} is below the baseline: {listed}",
            account=identity,
            evidence=evidence_refs,
            details=details,
        )
    else:
        t = ctx.settings.thresholds
        yield passed(
            f"the password policy of the Identity {label} meets the baseline (length >= {t.password_min_length}, "
            f"all four character classes, expiry <= {t.password_max_age_days} days, "
            f"{t.password_reuse_prevention} passwords remembered)",
            account=identity,
            evidence=(policy.ref,),
        )


RULE = Rule(META, check)
