"""IDN-006: member-account roles trust the Identity account, not each other (stage separation)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from analyzer.model.entities import Role
from analyzer.model.kinds import Kind
from analyzer.model.policy import PolicySource
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
from analyzer.rules.support.identity import account_label, identity_unknown_message
from analyzer.rules.support.trust import (
    TrustEntry,
    aws_entries,
    condition_entries,
    customer_role_outcomes,
    entries_by_account,
)

#: The role AWS Organizations creates in accounts it creates, trusting the management account.
ORG_ACCESS_ROLE = "OrganizationAccountAccessRole"

META = RuleMeta(
    id="IDN-006",
    title="No lateral trust between member accounts",
    severity=Severity.MEDIUM,
    pillar=Pillar.IDENTITY,
    rationale=(
        "Separate accounts per stage (Development, Test, Staging, Production) only separate anything if "
        "the way into each is through the Identity account. A role in one member account that trusts "
        "principals of another lets whoever controls the other stage (a CI role in Test, a developer in "
        "Development) walk across, without the Identity account's groups, reviews or MFA."
    ),
    remediation=(
        "Replace the other member account in the trust policy by the Identity account (with an MFA "
        "condition) and grant the people or pipelines access through an Identity-account group, or move "
        "the workload so that it no longer needs to cross stages. Apply with "
        "`aws iam update-assume-role-policy`."
    ),
    compliance=refs(("NIST", "AC-4"), ("NIST", "AC-5"), ("NIST", "SC-7"), ("PCI", "7.2.1"), ("MAS", "9.1")),
    references=(
        "https://docs.aws.amazon.com/whitepapers/latest/organizing-your-aws-environment/organizing-your-aws-environment.html",
        "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_access.html",
    ),
    requires=(Kind.IAM_AUTH_DETAILS, Kind.ORG_ACCOUNTS, Kind.ORG_DESCRIBE),
    applies_to="role",
)


def _lateral(
    ctx: RuleContext, role: Role, trust: PolicySource, identity: str, members: frozenset[str]
) -> list[tuple[str, list[TrustEntry]]]:
    """The other member accounts whose principals the role trusts (own, Identity and outside accounts aside)."""
    out = []
    for trusted, entries in entries_by_account([*aws_entries(trust), *condition_entries(trust)]):
        if trusted in (role.account_id, identity) or trusted not in members:
            continue
        if trusted == ctx.shape.management_account and role.name == ORG_ACCESS_ROLE:
            continue
        out.append((trusted, entries))
    return out


def _judge(ctx: RuleContext, identity: str, members: frozenset[str], role: Role, trust: PolicySource) -> Outcome:
    lateral = _lateral(ctx, role, trust, identity, members)
    if not lateral:
        return passed(
            f"role {role.name} trusts no principal of another member account",
            account=role.account_id,
            resource=role.arn,
            evidence=(trust.ref,),
        )
    unsure = ctx.shape.management_account is None and role.name == ORG_ACCESS_ROLE
    if unsure and len(lateral) == 1:  # the one account it trusts may be the management account
        return not_evaluated(
            f"{missing_message(ctx.blocking((Kind.ORG_DESCRIBE,)))}: without the management account, "
            f"{ORG_ACCESS_ROLE}'s trust of {lateral[0][0]} cannot be told apart from lateral trust",
            account=role.account_id,
            resource=role.arn,
        )
    # An organization has one management account: of several accounts trusted, the others are lateral anyway.
    unknown = ctx.blocking((Kind.ORG_DESCRIBE,))
    note = (
        f"; the management account is not known ({'; '.join(s.describe() for s in unknown)}): one of these "
        f"{len(lateral)} accounts may be the management account {ORG_ACCESS_ROLE} is made for, the others are "
        "lateral trust"
        if unsure
        else ""
    )
    parts = []
    for trusted, entries in lateral:
        kind = "the management account" if trusted == ctx.shape.management_account else "member account"
        named = ", ".join(dict.fromkeys(e.value for e in entries))
        parts.append(f"{kind} {account_label(ctx, trusted)} ({named})")
    return fail(
        f"role {role.name} in {account_label(ctx, role.account_id)} trusts principals of another account of the "
        f"organization instead of the Identity account: {'; '.join(parts)}{note}",
        account=role.account_id,
        resource=role.arn,
        evidence=tuple(dict.fromkeys(e.ref for _, entries in lateral for e in entries)),
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    identity = ctx.identity_account
    if identity is None:
        yield from not_evaluated_in(ctx.audited_accounts(), identity_unknown_message(ctx))
        return
    members = frozenset(ctx.audited_accounts()) | ctx.shape.org_ids
    judge = partial(_judge, ctx, identity, members)
    yield from customer_role_outcomes(ctx, ctx.non_identity_accounts(), judge)


RULE = Rule(META, check)
