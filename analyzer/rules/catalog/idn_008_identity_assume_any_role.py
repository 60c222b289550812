"""IDN-008: Identity-account access policies name the roles they let people assume."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from analyzer.graph.gaps import UnreadablePolicies
from analyzer.iam import arn_matches
from analyzer.model.entities import Group, Role, User
from analyzer.model.kinds import Kind
from analyzer.model.policy import Statement
from analyzer.model.snapshot import AccountEvidence
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, missing_message, not_evaluated, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.identity import HeldPolicy, identity_iam, identity_policies
from analyzer.rules.support.trust import (
    PROBE_ROLE,
    assume_role_grants,
    confined_to_org,
    org_condition_unknown,
    role_pattern_reach,
)

META = RuleMeta(
    id="IDN-008",
    title="Identity-account policies do not allow sts:AssumeRole on any role",
    severity=Severity.MEDIUM,
    pillar=Pillar.IDENTITY,
    rationale=(
        "The Identity account's groups decide who may enter which stage account. A policy that allows "
        'sts:AssumeRole on "*" (or on arn:aws:iam::*:role/*) lets its holders assume every role anywhere '
        "whose trust policy happens to admit the Identity account, including roles created later, and "
        "roles in accounts outside the organization; the group no longer says where its members can go."
    ),
    remediation=(
        "List the role ARNs the group needs in the policy's Resource (for example "
        "`arn:aws:iam::222222222222:role/Dev-Admin-Role`), or confine the statement with "
        '`"Condition": {"StringEquals": {"aws:ResourceOrgID": "${aws:PrincipalOrgID}"}}`; update it with '
        "`aws iam create-policy-version --set-as-default` or `aws iam put-group-policy`."
    ),
    compliance=refs(("NIST", "AC-6"), ("NIST", "AC-3"), ("PCI", "7.2.2"), ("APRA", "21"), ("MAS", "9.1")),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
    ),
    requires=(Kind.IAM_AUTH_DETAILS, Kind.ORG_ACCOUNTS),
    applies_to="policy",
)


def _policies(account: AccountEvidence, unreadable: UnreadablePolicies) -> list[HeldPolicy]:
    """Every identity policy of the account's users, groups and (not service-linked) roles, managed ones once."""
    out: dict[str, HeldPolicy] = {}
    entities: list[tuple[User | Group | Role, str]] = [
        *((u, "user") for u in account.users),
        *((g, "group") for g in account.groups),
        *((r, "role") for r in account.roles if not r.is_service_linked),
    ]
    for entity, kind in entities:
        for held in identity_policies(entity, kind, unreadable):
            out.setdefault(held.resource, held)
    return [out[k] for k in sorted(out)]


def _reach(statement: Statement, ours: Callable[[str], bool]) -> tuple[list[str], list[str]]:
    """Why the statement's sts:AssumeRole goes beyond the organization's roles, and the external accounts it
    names (which only the organization's account list can confirm as external)."""
    if statement.not_resources is not None:
        if any(arn_matches(p, PROBE_ROLE) for p in statement.not_resources):
            return [], []
        return [f"NotResource {list(statement.not_resources)} leaves roles in any account"], []
    reasons, accounts = [], []
    for pattern in statement.resources or ():
        reach = role_pattern_reach(pattern)
        if reach == "*":
            reasons.append(f'"{pattern}" covers roles in any account')
        elif reach is not None and not ours(reach):
            reasons.append(f'"{pattern}" is a role in account {reach}, outside the organization')
            accounts.append(reach)
    return reasons, accounts


def check(ctx: RuleContext) -> Iterator[Outcome]:
    found = identity_iam(ctx)
    if isinstance(found, Outcome):
        yield found
        return
    identity, account = found
    org_blocked = ctx.blocking((Kind.ORG_ACCOUNTS,))
    org_id = ctx.snapshot.organization.id if ctx.snapshot.organization else None
    org_undescribed = ctx.blocking((Kind.ORG_DESCRIBE,))

    def ours(acct: str) -> bool:
        return acct == identity or ctx.in_organization(acct) or ctx.settings.trusted_account(acct) is not None

    decided = True
    for held in _policies(account, ctx.unreadable_policies):
        if held.source is None:
            decided = False
            yield not_evaluated(
                f"not evaluated: {held.gap}, held by {held.via}: whether it allows "
                "sts:AssumeRole beyond named roles cannot be told",
                account=identity,
                resource=held.resource,
                evidence=(held.ref,),
            )
            continue
        reasons, external, refs_, unknown_org = [], [], [], []
        for statement in assume_role_grants(held.source.document):
            if confined_to_org(statement, org_id, ours):
                continue
            why, accounts = _reach(statement, ours)
            if why and org_undescribed and org_condition_unknown(statement, org_id):
                unknown_org.append(held.source.statement_ref(statement))  # the condition may confine it
                continue
            reasons.extend(why)
            external.extend(accounts)
            refs_.extend([held.source.statement_ref(statement)] if why else [])
        if reasons and org_blocked and len(external) == len(reasons):
            decided = False
            yield not_evaluated(
                f"{missing_message(org_blocked)}: cannot tell whether account(s) {', '.join(sorted(set(external)))} "
                f"named by policy {held.source.name} belong to the organization",
                account=identity,
                resource=held.resource,
                evidence=tuple(refs_),
            )
        elif reasons:
            decided = False
            yield fail(
                f"policy {held.source.name} (held by {held.via}) allows sts:AssumeRole beyond named roles of "
                f"the organization: {'; '.join(dict.fromkeys(reasons))}",
                account=identity,
                resource=held.resource,
                evidence=tuple(dict.fromkeys(refs_)),
            )
        elif unknown_org:
            decided = False
            yield not_evaluated(
                f"{missing_message(org_undescribed)}: cannot tell whether the organization condition of policy "
                f"{held.source.name} (held by {held.via}) names this organization",
                account=identity,
                resource=held.resource,
                evidence=tuple(unknown_org),
            )
    if decided:
        yield passed(
            f"no policy in the Identity account {identity} allows sts:AssumeRole on roles outside named roles "
            "of the organization",
            account=identity,
        )


RULE = Rule(META, check)
