"""IDN-003: every path from an Identity-account principal into a member-account role passes an MFA check."""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.graph.access import AccessPath, AssumeEdge, MfaStatus, NodeKind
from analyzer.graph.scope import EntryKind, people_entries
from analyzer.iam import parse_arn, role_name
from analyzer.model.entities import Role, User
from analyzer.model.kinds import Kind
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, missing_message, not_evaluated, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.identity import account_label, identity_iam
from analyzer.rules.support.scp_unknown import scp_caveat

META = RuleMeta(
    id="IDN-003",
    title="MFA on every path from the Identity account into member accounts",
    severity=Severity.HIGH,
    pillar=Pillar.MFA,
    rationale=(
        "What matters is not one policy but the whole way in: a user may reach a stage account's role "
        "directly or by chaining through other roles, and MFA only protects the path if some hop on it "
        "demands it (in the trust policy or in the caller's identity policies; a session that proved MFA "
        "keeps that state when it chains). One path without such a hop lets a stolen password or access "
        "key into the member account. Paths that enter through an identity provider (the Identity account's "
        "SAML or OIDC providers, IAM Identity Center) carry no MFA context: their MFA is the provider's, "
        "which the evidence cannot show, so they pass only on an attestation in the config."
    ),
    remediation=(
        "On the path shown, require MFA on the first hop: add `Bool aws:MultiFactorAuthPresent true` to the "
        "trust policy of the member role (and of any Identity-account role used as a stepping stone), or "
        "to the statement of the Identity group's policy that allows sts:AssumeRole. Remove trust "
        "statements that admit the stepping-stone role without MFA."
    ),
    compliance=refs(("NIST", "IA-2(1)"), ("NIST", "IA-2(2)"), ("PCI", "8.4.2"), ("APRA", "21"), ("MAS", "9.1")),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-api.html",
    ),
    requires=(Kind.IAM_AUTH_DETAILS, Kind.ORG_DESCRIBE, Kind.ORG_POLICY, Kind.ORG_TARGETS),
    applies_to="path",
    reads_graph=True,
)

_HOP_MFA = {
    MfaStatus.WEAK: "weak (a session without MFA is refused, long-term access keys pass)",
    MfaStatus.ABSENT: "absent (nothing requires MFA)",
    MfaStatus.DELEGATED: "delegated (to the identity provider; not in the evidence)",
    MfaStatus.ENFORCED: "enforced",
}


def _short(arn: str) -> str:
    parsed = parse_arn(arn)
    return f"{role_name(arn)} ({parsed.account})" if parsed is not None and parsed.account else arn


def _hop(hop: AssumeEdge) -> str:
    only_if = f", only if {', '.join(hop.conditional)}" if hop.conditional else ""
    return f"{_short(hop.source)} -> {_short(hop.target)}: MFA {_HOP_MFA[hop.mfa]}{only_if}"


def _fail(ctx: RuleContext, principal: str, role: str, path: AccessPath, account: str) -> Outcome:
    hops = "; ".join(_hop(h) for h in path.hops)
    caveat = scp_caveat(ctx, path, "these sts:AssumeRole calls without MFA")
    return fail(
        f"{role_name(principal)} reaches {role_name(role)} in account {account} without MFA on any hop "
        f"(weakest: {path.mfa_needed.value}): {hops}{caveat}",
        account=account,
        resource=f"{principal} -> {role}",
        subject=principal,
        about=principal,  # failures per path, the pass per person: the person is what the verdict is about
        evidence=tuple(dict.fromkeys(e for h in path.hops for e in h.evidence)),
    )


def _open_member_paths(ctx: RuleContext, start: str, identity: str) -> dict[str, tuple[str, AccessPath]]:
    """The roles outside the Identity account that ``start`` reaches on a path without an enforcing hop, each
    with its account and that path."""
    members = ctx.graph.outside_account(identity)  # only the paths judged are made (dense graphs: issue 11)
    return {
        role: (ctx.graph.account_of(role) or "", path)  # every node of ``members`` has an account
        for role, path in ctx.graph.reachable(start, without_mfa=True, among=members).items()
    }


def _entry_providers(ctx: RuleContext, identity: str) -> list[str]:
    """Identity providers that are a way in for people (:func:`analyzer.graph.scope.people_entries`):
    those of the Identity account, and the SAML provider of every IAM Identity Center role."""
    providers = (NodeKind.SAML_PROVIDER, NodeKind.OIDC_PROVIDER)
    return [
        entry.node
        for entry in people_entries(ctx.graph, identity)
        if entry.kind is EntryKind.IDENTITY_CENTER
        or (entry.kind is EntryKind.IDENTITY and ctx.graph.kind(entry.node) in providers)
    ]


def _delegated(ctx: RuleContext, provider: str, role: str, path: AccessPath, account: str) -> Outcome:
    """A path whose only MFA is the identity provider's: never a plain pass (IAMUG
    ``id_credentials_mfa_configure-api-require``: a federated session carries no MFA context)."""
    hops = "; ".join(_hop(h) for h in path.hops)
    name = _short(provider)
    common: dict[str, object] = {
        "account": account,
        "resource": f"{provider} -> {role}",
        "subject": provider,
        "evidence": tuple(dict.fromkeys(e for h in path.hops for e in h.evidence)),
    }
    attested = ctx.settings.provider_mfa(provider)
    if attested is None:
        return not_evaluated(
            f"not evaluated: {name} reaches {role_name(role)} in account {account} with MFA delegated to the identity "
            "provider: a federated session carries no MFA context, so whether the provider requires MFA is not in "
            "the evidence; once verified, attest it in the config ([[identity_provider_mfa]] with the reason): " + hops,
            **common,
        )
    return passed(
        f"{name} reaches {role_name(role)} in account {account} with MFA delegated to the identity provider, "
        f"attested in {ctx.settings.source} (not verified from the evidence): {attested.reason}: {hops}",
        **common,
    )


def _federated(ctx: RuleContext, provider: str, identity: str) -> Iterator[Outcome]:
    """The paths from an identity provider into member-account roles (see :func:`_entry_providers`)."""
    graph = ctx.graph
    open_paths = _open_member_paths(ctx, provider, identity)
    for role, (account, path) in open_paths.items():
        # the first hop is a federation edge, always ``delegated`` (:mod:`analyzer.graph.build`), and a path's
        # MFA is its strongest hop: without an enforcing hop, a path from a provider is delegated
        yield _delegated(ctx, provider, role, path, account)
    if open_paths:
        return
    gaps = graph.open_path_gaps(provider, identity)
    if gaps:
        yield not_evaluated(
            f"not evaluated: whether {_short(provider)} reaches member-account roles without MFA is unknown: "
            + "; ".join(gaps),
            account=identity,  # a provider's first roles are in its own account: here, the Identity account
            resource=provider,
            subject=provider,
        )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    found = identity_iam(ctx)
    if isinstance(found, Outcome):
        yield found
        if found.account is not None:  # the Identity account is known: say so for each account it leads into
            for account_id in ctx.non_identity_accounts():
                yield not_evaluated(
                    f"{found.message}: the paths into {account_label(ctx, account_id)} start in the Identity "
                    "account, whose principals cannot be read",
                    account=account_id,
                )
        return
    identity, account = found
    if not ctx.non_identity_accounts():  # one account only: there is no member account to reach, no path to judge
        yield not_evaluated(
            f"not evaluated: the bundle holds no account besides the Identity account {identity}, so there is no "
            "path into a member account to check",
            account=identity,
        )
        return
    unknown = []
    for account_id in ctx.non_identity_accounts():
        member_blocked = ctx.blocking((Kind.IAM_AUTH_DETAILS,), account_id)
        if member_blocked:
            unknown.append(account_id)
            yield not_evaluated(
                f"{missing_message(member_blocked)}: paths from the Identity account into "
                f"{account_label(ctx, account_id)} cannot be followed",
                account=account_id,
            )
    principals: list[User | Role] = [*account.users, *(r for r in account.roles if not r.is_service_linked)]
    in_members = ctx.graph.outside_account(identity)  # member-account roles: the paths IDN-003 judges
    for principal in principals:
        open_paths = _open_member_paths(ctx, principal.arn, identity)
        for role, (member, path) in open_paths.items():
            yield _fail(ctx, principal.arn, role, path, member)
        if open_paths:
            continue
        gaps = ctx.graph.open_path_gaps(principal.arn, identity)
        if gaps:
            yield not_evaluated(
                f"not evaluated: whether {principal.name} reaches member-account roles without MFA is unknown: "
                + "; ".join(gaps),
                account=identity,
                resource=principal.arn,
                subject=principal.arn,
                about=principal.arn,
                evidence=(principal.ref,),
            )
            continue
        reached = ctx.graph.reachable(principal.arn, among=in_members)
        scope = f" (accounts {', '.join(unknown)} not evaluated)" if unknown else ""
        evidence = tuple(dict.fromkeys(e for p in reached.values() for h in p.hops for e in h.evidence))
        if not reached and unknown:  # a pass would rest on no path at all: the only ways in may be unread
            yield not_evaluated(
                f"not evaluated: {principal.name} reaches no role of the member accounts that could be read, and "
                f"the IAM evidence of {', '.join(unknown)} cannot be read: whether it reaches roles there without "
                "MFA is unknown",
                account=identity,
                resource=principal.arn,
                subject=principal.arn,
                about=principal.arn,
                evidence=(principal.ref,),
            )
            continue
        yield passed(
            f"every path from {principal.name} into member-account roles requires MFA on some hop "
            f"({len(reached)} member role(s) reachable){scope}",
            account=identity,
            resource=principal.arn,
            subject=principal.arn,
            about=principal.arn,
            evidence=evidence or (principal.ref,),
        )
    for provider in _entry_providers(ctx, identity):
        yield from _federated(ctx, provider, identity)


RULE = Rule(META, check)
