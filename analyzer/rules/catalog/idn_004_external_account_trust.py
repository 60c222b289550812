"""IDN-004: no role trusts an account outside the organization unless the config says it is trusted."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from analyzer.model.entities import Role
from analyzer.model.kinds import Kind
from analyzer.model.policy import PolicySource
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, missing_message, not_evaluated, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.trust import (
    TrustEntry,
    aws_entries,
    condition_entries,
    customer_role_outcomes,
    entries_by_account,
    external_id_clause,
    foreign_org_clauses,
    org_confined_clauses,
)

META = RuleMeta(
    id="IDN-004",
    title="No role trusts an account outside the organization",
    severity=Severity.HIGH,
    pillar=Pillar.IDENTITY,
    rationale=(
        "A role that trusts an account outside the organization hands its permissions to whoever runs "
        "that account: their users, their compromised keys, their mistakes. Such trust is sometimes "
        "deliberate (a vendor); it must then be listed and justified, and guarded by an sts:ExternalId "
        "so the vendor cannot be tricked into using it for someone else (the confused deputy)."
    ),
    remediation=(
        "Remove the external account from the trust policy (`aws iam update-assume-role-policy`), or, for an "
        "approved vendor, require `sts:ExternalId` with StringEquals and list the account under "
        "`trusted_external_accounts` in the config with the reason."
    ),
    compliance=refs(("NIST", "AC-3"), ("NIST", "AC-20"), ("PCI", "7.2.2"), ("APRA", "21"), ("MAS", "9.1")),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
    ),
    requires=(Kind.IAM_AUTH_DETAILS, Kind.ORG_ACCOUNTS),
    applies_to="role",
)


def _external(ctx: RuleContext, role: Role, trust: PolicySource) -> list[tuple[str, list[TrustEntry]]]:
    """Accounts the role trusts (by Principal, or by conditions confining an open statement) that are neither
    its own, in the organization, nor configured as trusted; another organization counts as one of them."""
    entries = [*aws_entries(trust), *condition_entries(trust)]
    org_id = ctx.snapshot.organization.id if ctx.snapshot.organization else None
    found = [
        (trusted, group)
        for trusted, group in entries_by_account(entries)
        if trusted != role.account_id
        and not ctx.in_organization(trusted)
        and ctx.settings.trusted_account(trusted) is None
    ]
    for statement, other_org in foreign_org_clauses(trust, org_id):
        entry = TrustEntry(statement, other_org, None, True, trust.statement_ref(statement))
        found.append((f"organization {other_org}", [entry]))
    return found


def _judge(ctx: RuleContext, role: Role, trust: PolicySource) -> Outcome:
    external = _external(ctx, role, trust)
    unknown_orgs = org_confined_clauses(trust) if ctx.snapshot.organization is None else []
    if not external and unknown_orgs:
        # Our own organization's id is unknown: an organization named in aws:PrincipalOrgID may be ours or not.
        blocked = ctx.blocking((Kind.ORG_DESCRIBE,))
        why = missing_message(blocked) if blocked else "not evaluated: the organization's id is unknown"
        orgs = ", ".join(dict.fromkeys(org for _, org in unknown_orgs))
        return not_evaluated(
            f"{why}; role {role.name} lets any principal of organization {orgs} assume it (aws:PrincipalOrgID), "
            "and without this organization's id it cannot be told whether that organization is this one",
            account=role.account_id,
            resource=role.arn,
            evidence=tuple(dict.fromkeys(trust.statement_ref(s) for s, _ in unknown_orgs)),
        )
    if not external:
        return passed(
            f"role {role.name} trusts no account outside the organization (or only configured ones)",
            account=role.account_id,
            resource=role.arn,
            evidence=(trust.ref,),
        )
    parts, guarded = [], True
    for trusted, entries in external:
        ids = [external_id_clause(e.statement) for e in entries]
        guarded = guarded and all(c is not None for c in ids)
        named = ", ".join(dict.fromkeys(e.value for e in entries if e.value not in trusted))
        guard = "with sts:ExternalId" if all(ids) else "without an sts:ExternalId condition"
        parts.append(f"{trusted}{f' ({named})' if named else ''} {guard}")
    return fail(
        f"role {role.name} trusts account(s) outside the organization that the config does not list as "
        f"trusted: {'; '.join(parts)}",
        account=role.account_id,
        resource=role.arn,
        evidence=tuple(dict.fromkeys(e.ref for _, entries in external for e in entries)),
        severity=Severity.MEDIUM if guarded else None,
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    org_blocked = ctx.blocking((Kind.ORG_ACCOUNTS,))
    if org_blocked:
        yield not_evaluated(
            missing_message(org_blocked) + " (the organization's accounts are needed to tell external ones apart)"
        )
        return
    yield from customer_role_outcomes(ctx, ctx.audited_accounts(), partial(_judge, ctx))


RULE = Rule(META, check)
