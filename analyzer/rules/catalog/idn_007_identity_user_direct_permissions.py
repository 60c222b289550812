"""IDN-007: Identity-account users get their permissions from access groups, not from their own policies."""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.graph.gaps import UnreadablePolicies
from analyzer.model.entities import User
from analyzer.model.evidence import EvidenceRef
from analyzer.model.kinds import Kind
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, not_evaluated, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.identity import beyond_self_service, direct_policies, identity_iam

META = RuleMeta(
    id="IDN-007",
    title="Identity-account users hold permissions only through access groups",
    severity=Severity.MEDIUM,
    pillar=Pillar.IDENTITY,
    rationale=(
        "In the Identity account, groups are the access model: a group per job function, holding the "
        "policies that let its members assume roles in the stage accounts. A policy attached to a user "
        "(other than managing the user's own credentials) is access nobody reviews with the group, and a "
        "user in no group is outside the model altogether."
    ),
    remediation=(
        "Put the user in the group that matches their job and remove the user's own policies "
        "(`aws iam detach-user-policy`, `aws iam delete-user-policy`); keep at most a self-service "
        "credentials policy (change password, manage own MFA and access keys). Delete users that belong "
        "in no group."
    ),
    compliance=refs(("CIS3", "1.15"), ("CIS4", "1.15"), ("NIST", "AC-2"), ("NIST", "AC-6"), ("PCI", "7.2.2")),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
    ),
    requires=(Kind.IAM_AUTH_DETAILS,),
    applies_to="user",
)


def _user_outcome(user: User, unreadable: UnreadablePolicies) -> Outcome:
    reasons: list[str] = []
    evidence: list[EvidenceRef] = [user.ref]
    unresolved: list[str] = []
    if not user.group_names:
        reasons.append("it is in no group")
        evidence.append(user.ref.child("GroupList"))
    held_policies = direct_policies(user, unreadable)
    for held in held_policies:
        if held.source is None:
            unresolved.append(held.gap)
            evidence.append(held.ref)
            continue
        beyond = beyond_self_service(held.source)
        if beyond:
            kind = "inline policy" if held.source.kind == "inline" else "attached policy"
            reasons.append(f"{kind} {held.name} {beyond[0][1]}")
            evidence.extend(held.source.statement_ref(s) for s, _ in beyond)
    account_kw = {"account": user.account_id, "resource": user.arn, "evidence": tuple(evidence)}
    if reasons:
        return fail(f"user {user.name} has permissions beyond its access groups: {'; '.join(reasons)}", **account_kw)
    if unresolved:
        return not_evaluated(
            f"not evaluated: user {user.name} has {', '.join(unresolved)}, so whether its own policies stay "
            "within self-service cannot be told (re-export the account's authorization details in full)",
            **account_kw,
        )
    groups = ", ".join(user.group_names)
    extra = " (its own policies only manage its own credentials)" if held_policies else ""
    return passed(f"user {user.name} receives its permissions through group {groups}{extra}", **account_kw)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    found = identity_iam(ctx)
    if isinstance(found, Outcome):
        yield found
        return
    identity, account = found
    users = account.users
    if not users:
        yield passed(f"the Identity account {identity} has no IAM users", account=identity)
    for user in users:
        yield _user_outcome(user, ctx.unreadable_policies)


RULE = Rule(META, check)
