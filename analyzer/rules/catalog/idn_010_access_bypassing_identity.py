"""IDN-010: people reach member accounts only through the Identity account.

A way in that starts outside the Identity account (an IAM user of the management or a member
account, a SAML provider of another account that is not IAM Identity Center's) bypasses the model:
its sign-in, password policy, MFA and access groups are not the Identity account's, so IDN-003 never
sees those paths. Entries are defined once for the rules and the report in
:mod:`analyzer.graph.scope`. One fail per (entry, member-account role it reaches); per account, a
pass when no such entry reaches its roles; not_evaluated where the IAM evidence that would show
entries or roles is unusable.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.graph.access import AccessGraph, AccessPath, NodeKind
from analyzer.graph.scope import EntryKind, member_paths, people_entries
from analyzer.iam import role_name
from analyzer.model.evidence import EvidenceState
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
    passed,
)
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.identity import account_label, identity_unknown_message
from analyzer.rules.support.scp_unknown import scp_caveat
from analyzer.rules.support.trust import aws_entries, is_customer_role, open_statements

META = RuleMeta(
    id="IDN-010",
    title="Member accounts reached without going through the Identity account",
    severity=Severity.HIGH,
    pillar=Pillar.IDENTITY,
    rationale=(
        "The model has one front door: people sign in to the Identity account (or IAM Identity Center) and "
        "assume roles from there. An IAM user of the management account that can assume "
        "OrganizationAccountAccessRole everywhere, or a member account's own SAML federation, is a second "
        "door: its password policy, MFA, access groups and reviews are not the Identity account's, and the "
        "MFA-on-every-path check never sees it."
    ),
    remediation=(
        "Remove the second door: delete the IAM user (or its permission to call sts:AssumeRole on member "
        "roles) and give the person access through the Identity account; replace a member account's own "
        "SAML provider with IAM Identity Center or with roles that trust the Identity account. If the path "
        "is a documented break-glass route, list the user under `break_glass_users` in the config."
    ),
    compliance=refs(("NIST", "AC-2"), ("NIST", "AC-17"), ("PCI", "7.2.1")),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/tutorial_cross-account-with-roles.html",
        "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_access.html",
    ),
    requires=(Kind.IAM_AUTH_DETAILS,),
    applies_to="path",
    reads_graph=True,
)


def _short(graph: AccessGraph, node: str) -> str:
    """A user, role or identity provider on a path: its name (the ARN's last segment, without the path)
    and the account whose evidence holds it (every such node has one)."""
    return f"{node.rpartition('/')[2]} ({graph.account_of(node)})"


def _fail(ctx: RuleContext, entry: str, kind: NodeKind | None, role: str, path: AccessPath, account: str) -> Outcome:
    what = "IAM user" if kind is NodeKind.USER else "identity provider"
    graph = ctx.graph
    hops = "; ".join(f"{_short(graph, h.source)} -> {_short(graph, h.target)} (MFA {h.mfa.value})" for h in path.hops)
    glass = ctx.settings.break_glass(entry)
    note = f"; listed as a break-glass user ({glass.reason})" if glass is not None else ""
    return fail(
        f"{what} {_short(graph, entry)} reaches {role_name(role)} in {account_label(ctx, account)} without going "
        f"through the Identity account: {hops}{scp_caveat(ctx, path, 'these sts:AssumeRole calls')}{note}",
        account=account,
        resource=f"{entry} -> {role}",
        subject=entry,
        evidence=tuple(dict.fromkeys(e for h in path.hops for e in h.evidence)),
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    identity = ctx.identity_account
    if identity is None:
        yield not_evaluated(identity_unknown_message(ctx))
        return
    unreadable = {a: ctx.blocking((Kind.IAM_AUTH_DETAILS,), a) for a in ctx.audited_accounts()}
    unreadable = {a: states for a, states in unreadable.items() if states}
    graph = ctx.graph
    reached: set[str] = set()  # the accounts a way in from outside reaches: they get no pass
    for entry in people_entries(graph, identity):
        if entry.kind is not EntryKind.OUTSIDE:
            continue
        for role, path in member_paths(graph, entry, identity).items():
            account = graph.account_of(role) or ""
            reached.add(account)
            yield _fail(ctx, entry.node, graph.kind(entry.node), role, path, account)
    for account in ctx.non_identity_accounts():
        if account in reached:
            continue
        label = account_label(ctx, account)
        if account in unreadable:
            yield not_evaluated(
                f"{missing_message(unreadable[account])}: the roles of {label} and its own users and identity "
                "providers cannot be read",
                account=account,
            )
            continue
        doubt = _doubt(ctx, account, unreadable)
        if doubt:
            yield not_evaluated(
                f"not evaluated: whether people reach {label} from outside the Identity account: {doubt}",
                account=account,
            )
        else:
            yield passed(
                f"every way into {label} found in the evidence starts in the Identity account or IAM Identity Center",
                account=account,
            )


def _doubt(ctx: RuleContext, account: str, unreadable: dict[str, list[EvidenceState]]) -> str:
    """Why a way in from outside may exist that the graph cannot show: a role whose trust names an
    account whose IAM evidence is unusable (its users are unknown), cannot be read, or is open to anyone."""
    evidence = ctx.account(account)
    reasons: list[str] = []
    for role in evidence.roles if evidence is not None else ():
        if not is_customer_role(role):
            continue
        if role.trust_policy is None:
            reasons.append(f"the trust policy of {role.name} cannot be read")
            continue
        hidden = sorted(
            {e.account for e in aws_entries(role.trust_policy) if e.account in unreadable and e.account != account}
        )
        if hidden:
            reasons.append(f"{role.name} trusts {', '.join(hidden)}, whose IAM evidence cannot be read")
        if open_statements(role.trust_policy):
            reasons.append(f"{role.name}'s trust admits any principal (IDN-005)")
    return "; ".join(reasons)


RULE = Rule(META, check)
