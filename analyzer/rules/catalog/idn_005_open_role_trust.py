"""IDN-005: no role trust policy is open to any principal without pinning the caller's account or org,
nor to any holder of a public web identity issuer's token without pinning the customer's tenant."""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.model.entities import Role
from analyzer.model.kinds import Kind
from analyzer.model.policy import PolicySource, Statement
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.federation import WEB_IDENTITY, WebIdentityTrust, web_identity_trusts
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
        "operator confines it; a negated operator or an ...IfExists operator lets other callers in. The same "
        "holds for a web identity trust of a public issuer (GitHub Actions, GitLab.com, HCP Terraform, Amazon "
        "Cognito, Google, Facebook, Login with Amazon): anyone can obtain its tokens, so without a condition "
        "naming the customer's repository, project, identity pool or app (for GitHub, "
        "token.actions.githubusercontent.com:sub; its aud is sts.amazonaws.com for everybody) any of its users "
        "can assume the role. SAML trusts and OIDC issuers the customer runs are not open in this sense."
    ),
    remediation=(
        "Name the trusted principals explicitly in the trust policy, or add "
        '`"Condition": {"StringEquals": {"aws:PrincipalOrgID": "<o-...>"}}` to the open statement. For a web '
        "identity trust, pin the tenant claim: for GitHub Actions "
        '`"StringLike": {"token.actions.githubusercontent.com:sub": "repo:<org>/<repo>:ref:refs/heads/main"}` '
        "(or `repo:<org>/<repo>:environment:<env>`; keep the `aud` condition too), for Cognito "
        '`"StringEquals": {"cognito-identity.amazonaws.com:aud": "<identity-pool-id>"}`. Apply it with '
        "`aws iam update-assume-role-policy --role-name <role> --policy-document file://trust.json`."
    ),
    compliance=refs(("NIST", "AC-3"), ("NIST", "AC-6"), ("PCI", "7.2.1"), ("APRA", "21"), ("MAS", "9.1")),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html",
        "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/"
        "configuring-openid-connect-in-amazon-web-services",
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


def _why_open_web(trust: WebIdentityTrust) -> str:
    text = (
        f"statement {statement_names((trust.statement,))} lets {trust.issuer.who} assume it through "
        f"{trust.provider} ({WEB_IDENTITY}): no condition pins {trust.claim_key} to the customer's "
        f"{trust.issuer.tenant} (such as {trust.issuer.example})"
    )
    loose = trust.loose_clauses()
    others = [c for c in trust.statement.conditions if c not in loose]
    if loose:
        text += f"; {clause_texts(loose)} does not pin it (wildcard owner, negated, IfExists or ForAllValues)"
    if others:
        text += f"; its other conditions ({clause_texts(others)}) do not say whose token it is"
    return text


def _confinement(trust: WebIdentityTrust) -> str:
    how = clause_texts(trust.pins)
    if not trust.pins and trust.guard is not None:
        how = f"Deny statement {statement_names((trust.guard,))} for other tokens"
    return f"statement {statement_names((trust.statement,))} ({how})"


def _pass_text(role: Role, narrowed: list[Statement], web: list[WebIdentityTrust]) -> str:
    parts = []
    if narrowed:
        parts.append(
            f"role {role.name}'s open trust is confined to named accounts or the organization by "
            f"statement {statement_names(narrowed)}"
        )
    if web:
        parts.append(
            f"role {role.name}'s web identity trust is confined to the customer's own tenant by "
            + "; ".join(_confinement(w) for w in web)
        )
    return "; ".join(parts) or f"role {role.name}'s trust policy names the principals it trusts"


def _judge(role: Role, trust: PolicySource) -> Outcome:
    guards = deny_guards(trust)
    wide = [s for s in open_statements(trust) if not narrowing_clauses(s)]
    web = web_identity_trusts(trust)
    open_web = [w for w in web if w.open]
    if (wide and not guards) or open_web:
        open_aws = wide if not guards else []
        reasons = [*(_why_open(s) for s in open_aws), *(_why_open_web(w) for w in open_web)]
        lead = (
            f"role {role.name} can be assumed by any principal: "
            if open_aws
            else f"role {role.name} can be assumed from outside the organization: "
        )
        return fail(
            lead + "; ".join(reasons),
            account=role.account_id,
            resource=role.arn,
            evidence=tuple(
                dict.fromkeys(trust.statement_ref(s) for s in [*open_aws, *(w.statement for w in open_web)])
            ),
        )
    narrowed = [*guards, *(s for s in open_statements(trust) if s not in wide)]
    pinned = [*narrowed, *(s for w in web for s in (w.statement, w.guard) if s is not None)]
    return passed(
        _pass_text(role, narrowed, web),
        account=role.account_id,
        resource=role.arn,
        evidence=tuple(dict.fromkeys(trust.statement_ref(s) for s in pinned)) or (trust.ref,),
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    yield from customer_role_outcomes(ctx, ctx.audited_accounts(), _judge)


RULE = Rule(META, check)
