"""IDN-005: no role trust policy is open to any principal without pinning the caller's account or org."""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.model.entities import Role
from analyzer.model.kinds import Kind
from analyzer.model.policy import PolicySource, Statement
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.trust import (
    clause_texts,
    customer_role_outcomes,
    deny_guards,
    loose_principal_clauses,
    narrowing_clauses,
    open_statements,
    statement_names,
)

META = RuleMeta(
    id="IDN-005",
    title="No role trust policy is open to any principal",
    severity=Severity.CRITICAL,
    pillar=Pillar.IDENTITY,
    rationale=(
        'A trust policy whose principal is "*" (or an Allow with NotPrincipal) lets every AWS account in the '
        "world call sts:AssumeRole on the role; conditions such as sts:ExternalId or a source IP do not say "
        "who the caller is. Only a condition that pins the caller's organization, account or ARN "
        "(aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount) with a positive "
        "operator confines it; a negated operator or an ...IfExists operator lets other callers in."
    ),
    remediation=(
        "Name the trusted principals explicitly in the trust policy, or add "
        '`"Condition": {"StringEquals": {"aws:PrincipalOrgID": "<o-...>"}}` to the open statement, and apply '
        "it with `aws iam update-assume-role-policy --role-name <role> --policy-document file://trust.json`."
    ),
    compliance=refs(("NIST", "AC-3"), ("NIST", "AC-6"), ("PCI", "7.2.1"), ("APRA", "21"), ("MAS", "9.1")),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html",
    ),
    requires=(Kind.IAM_AUTH_DETAILS,),
    applies_to="role",
)


def _why_open(statement: Statement) -> str:
    who = "NotPrincipal (everyone not listed)" if statement.not_principal is not None else 'any principal ("*")'
    loose = loose_principal_clauses(statement)
    others = [c for c in statement.conditions if c not in loose]
    text = f"statement {statement_names((statement,))} lets {who} assume it"
    if loose:
        text += f"; {clause_texts(loose)} does not confine the caller (negated, IfExists or wildcard value)"
    if others:
        text += f"; its other conditions ({clause_texts(others)}) do not say who the caller is"
    return text


def _judge(role: Role, trust: PolicySource) -> Outcome:
    guards = deny_guards(trust)
    wide = [s for s in open_statements(trust) if not narrowing_clauses(s)]
    if wide and not guards:
        return fail(
            f"role {role.name} can be assumed by any principal: " + "; ".join(_why_open(s) for s in wide),
            account=role.account_id,
            resource=role.arn,
            evidence=tuple(trust.statement_ref(s) for s in wide),
        )
    narrowed = [*guards, *(s for s in open_statements(trust) if s not in wide)]
    text = (
        f"role {role.name}'s open trust is confined to named accounts or the organization by "
        f"statement {statement_names(narrowed)}"
        if narrowed
        else f"role {role.name}'s trust policy names the principals it trusts"
    )
    return passed(
        text,
        account=role.account_id,
        resource=role.arn,
        evidence=tuple(trust.statement_ref(s) for s in narrowed) or (trust.ref,),
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    yield from customer_role_outcomes(ctx, ctx.audited_accounts(), _judge)


RULE = Rule(META, check)
