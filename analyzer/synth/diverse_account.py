"""The diverse shape of one account (``--single-account-principals P --diverse``): no two principals alike.

The default single account (:mod:`analyzer.synth.single_account`) gives every principal its own
policies too, but none reaches ``sts:AssumeRole`` and every trust names a service, so its access
graph is trivial. A real account's is not: here most principals carry their own inline policies that
mix workload statements with ``sts:AssumeRole`` grants of every shape (exact role ARNs, prefixes with
wildcards, ``*``, ``sts:*``, ``Action: "*"``, ``NotAction``, a policy variable), Deny guardrails
(MFA, production roles) and conditions; roles are trusted by services, by the account root with an
MFA condition, by specific users and roles of the account, by other accounts with an ``sts:ExternalId``,
by SAML and OIDC providers, by role sessions, and a few by ``"*"``. Customer-managed policies are
each held by one or two principals. This is the shape on which a memo of shared verdicts finds
nothing to share: the benchmark that cannot flatter (issue 14).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from analyzer.synth import documents as docs
from analyzer.synth import ids
from analyzer.synth import shapes_credentials as creds
from analyzer.synth import shapes_iam as shapes
from analyzer.synth.compose_iam import AccountIam, service_linked_role
from analyzer.synth.gen_iam import whole
from analyzer.synth.org_plan import COLLECTED_AT, FIRST_NAMES, LAST_NAMES, OrgPlan
from analyzer.synth.single_account import (
    NOUNS,
    ROLE_KINDS,
    STAGES,
    TEAMS,
    _document,
    _regions,
    _Scope,
)

Json = dict[str, Any]

#: Accounts outside this one that trusts and grants name (a vendor, a CI account, a partner).
EXTERNAL_ACCOUNTS: tuple[str, ...] = ("210987654321", "345678901234", "456789012345", "567890123456")
MFA_TRUE = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


@dataclass(frozen=True, slots=True)
class _RolePlan:
    name: str
    team: str
    stage: str
    kind: str
    service: str


@dataclass(frozen=True, slots=True)
class _Account:
    """What a statement may name: the account, its users and roles (planned before any is written)."""

    id: str
    users: tuple[str, ...]
    roles: tuple[_RolePlan, ...]

    def role_arn(self, role: _RolePlan) -> str:
        return f"arn:aws:iam::{self.id}:role/{role.name}"

    def user_arn(self, name: str) -> str:
        return f"arn:aws:iam::{self.id}:user/{name}"


# --------------------------------------------------------------------------- identity side


def _assume(resource: str | list[str], **extra: Any) -> Json:
    return {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": resource, **extra}


def _exact_roles(rng: random.Random, acct: _Account, team: str) -> Json:
    picked = sorted({acct.role_arn(rng.choice(acct.roles)) for _ in range(rng.randint(1, 4))})
    return _assume(picked[0] if len(picked) == 1 else picked)


def _team_prefix(rng: random.Random, acct: _Account, team: str) -> Json:
    stage = rng.choice(("*", *STAGES))
    return _assume(f"arn:aws:iam::{acct.id}:role/{team}-*-{stage}-*")


def _stage_pattern(rng: random.Random, acct: _Account, team: str) -> Json:
    statement = _assume(f"arn:aws:iam::{acct.id}:role/*-{rng.choice(STAGES)}-*")
    if rng.random() < 0.5:
        statement["Condition"] = MFA_TRUE
    return statement


def _any_role(rng: random.Random, acct: _Account, team: str) -> Json:
    conditions: tuple[Json | None, ...] = (None, MFA_TRUE, {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
    statement = _assume("*")
    condition = rng.choice(conditions)
    if condition:
        statement["Condition"] = condition
    return statement


def _sts_star(rng: random.Random, acct: _Account, team: str) -> Json:
    return {"Effect": "Allow", "Action": ["sts:*", "iam:Get*", "iam:List*"], "Resource": "*"}


def _everything(rng: random.Random, acct: _Account, team: str) -> Json:
    return {"Effect": "Allow", "Action": "*", "Resource": "*"}


def _not_action(rng: random.Random, acct: _Account, team: str) -> Json:
    return {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"}


def _cross_account(rng: random.Random, acct: _Account, team: str) -> Json:
    return _assume(f"arn:aws:iam::*:role/{team}-deploy-*")


def _templated(rng: random.Random, acct: _Account, team: str) -> Json:
    return _assume(f"arn:aws:iam::{acct.id}:role/${{aws:username}}-*")


def _tag_session(rng: random.Random, acct: _Account, team: str) -> Json:
    return {
        "Effect": "Allow",
        "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Resource": f"arn:aws:iam::{acct.id}:role/{team}-*",
    }


def _deny_prod_without_mfa(rng: random.Random, acct: _Account, team: str) -> Json:
    return {
        "Effect": "Deny",
        "Action": "sts:AssumeRole",
        "Resource": f"arn:aws:iam::{acct.id}:role/*-prod-*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    }


def _deny_team(rng: random.Random, acct: _Account, team: str) -> Json:
    other = rng.choice([t for t in TEAMS if t != team])
    return {"Effect": "Deny", "Action": "sts:*", "Resource": f"arn:aws:iam::{acct.id}:role/{other}-*"}


_ASSUME_STATEMENTS: tuple[tuple[Callable[[random.Random, _Account, str], Json], int], ...] = (
    (_exact_roles, 30),
    (_team_prefix, 18),
    (_stage_pattern, 8),
    (_any_role, 3),
    (_sts_star, 1),
    (_everything, 1),
    (_not_action, 1),
    (_cross_account, 6),
    (_templated, 3),
    (_tag_session, 4),
    (_deny_prod_without_mfa, 8),
    (_deny_team, 4),
)


def _identity_document(rng: random.Random, acct: _Account, scope: _Scope, assume: int) -> Json:
    """A workload document (:func:`analyzer.synth.single_account._document`) with ``assume`` STS statements."""
    document = _document(rng, scope, rng.randint(1, 4))
    builders = rng.choices([b for b, _ in _ASSUME_STATEMENTS], weights=[w for _, w in _ASSUME_STATEMENTS], k=assume)
    statements = list(document["Statement"])
    for build in builders:
        statements.insert(rng.randint(0, len(statements)), build(rng, acct, scope.team))
    return {"Version": docs.VERSION, "Statement": statements}


# --------------------------------------------------------------------------- trust side


def _trust(*statements: Json) -> Json:
    return {"Version": docs.VERSION, "Statement": list(statements)}


def _allow(principal: Any, condition: Json | None = None, action: str | list[str] = "sts:AssumeRole") -> Json:
    statement: Json = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        statement["Condition"] = condition
    return statement


def _service(rng: random.Random, acct: _Account, role: _RolePlan) -> Json:
    return docs.service_trust(role.service)


def _root_mfa(rng: random.Random, acct: _Account, role: _RolePlan) -> Json:
    root = rng.choice((f"arn:aws:iam::{acct.id}:root", acct.id))
    condition = rng.choice((MFA_TRUE, {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, None))
    return _trust(_allow({"AWS": root}, condition))


def _named(rng: random.Random, acct: _Account, role: _RolePlan) -> Json:
    users = [acct.user_arn(rng.choice(acct.users)) for _ in range(rng.randint(0, 3))]
    roles = [acct.role_arn(rng.choice(acct.roles)) for _ in range(rng.randint(0, 2))]
    named = sorted(set(users + roles)) or [acct.user_arn(rng.choice(acct.users))]
    condition = MFA_TRUE if rng.random() < 0.4 else None
    actions: str | list[str] = "sts:AssumeRole" if rng.random() < 0.8 else ["sts:AssumeRole", "sts:TagSession"]
    return _trust(_allow({"AWS": named[0] if len(named) == 1 else named}, condition, actions))


def _external(rng: random.Random, acct: _Account, role: _RolePlan) -> Json:
    account = rng.choice(EXTERNAL_ACCOUNTS)
    condition = {"StringEquals": {"sts:ExternalId": f"{role.team}-{rng.getrandbits(32):08x}"}}
    return _trust(_allow({"AWS": f"arn:aws:iam::{account}:root"}, condition))


def _saml(rng: random.Random, acct: _Account, role: _RolePlan) -> Json:
    provider = f"arn:aws:iam::{acct.id}:saml-provider/{rng.choice(('Okta', 'AzureAD', 'ADFS'))}"
    condition = {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}
    return _trust(_allow({"Federated": provider}, condition, ["sts:AssumeRoleWithSAML", "sts:TagSession"]))


def _oidc(rng: random.Random, acct: _Account, role: _RolePlan) -> Json:
    provider = f"arn:aws:iam::{acct.id}:oidc-provider/token.actions.githubusercontent.com"
    condition = {
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
        "StringLike": {"token.actions.githubusercontent.com:sub": f"repo:example/{role.team}-*:*"},
    }
    return _trust(_allow({"Federated": provider}, condition, "sts:AssumeRoleWithWebIdentity"))


def _anyone(rng: random.Random, acct: _Account, role: _RolePlan) -> Json:
    conditions: tuple[Json | None, ...] = (
        {"StringEquals": {"sts:ExternalId": f"{role.team}-shared"}},
        {"StringEquals": {"aws:PrincipalAccount": acct.id}},
        None,
    )
    return _trust(_allow("*", rng.choice(conditions)))


def _session(rng: random.Random, acct: _Account, role: _RolePlan) -> Json:
    caller = rng.choice(acct.roles)
    return _trust(_allow({"AWS": f"arn:aws:sts::{acct.id}:assumed-role/{caller.name}/{role.team}-session"}))


def _root_guarded(rng: random.Random, acct: _Account, role: _RolePlan) -> Json:
    """The account root, with a Deny refusing anyone outside the corporate network."""
    guard = {
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "sts:AssumeRole",
        "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    }
    return _trust(_allow({"AWS": f"arn:aws:iam::{acct.id}:root"}), guard)


_TRUSTS: tuple[tuple[Callable[[random.Random, _Account, _RolePlan], Json], int], ...] = (
    (_service, 40),
    (_root_mfa, 16),
    (_named, 16),
    (_external, 7),
    (_saml, 5),
    (_oidc, 5),
    (_anyone, 3),
    (_session, 3),
    (_root_guarded, 5),
)


# --------------------------------------------------------------------------- principals


def _plan(rng: random.Random, account: str, users: int, roles: int) -> _Account:
    user_names = tuple(f"{rng.choice(FIRST_NAMES)}.{rng.choice(LAST_NAMES)}.{i:05d}" for i in range(users))
    planned = []
    for index in range(roles):
        team, (kind, service, _) = rng.choice(TEAMS), rng.choice(ROLE_KINDS)
        stage = rng.choice(STAGES)
        if rng.random() < 0.08:
            kind = "deploy"
        planned.append(_RolePlan(f"{team}-{rng.choice(NOUNS)}-{stage}-{kind}-{index:05d}", team, stage, kind, service))
    return _Account(account, user_names, tuple(planned))


def _own_policies(rng: random.Random, acct: _Account, scope: _Scope, name: str, low: int, high: int) -> list[Json]:
    return [
        shapes.inline_policy(f"{name}-{n}", _identity_document(rng, acct, scope, rng.choice((0, 0, 1, 1, 2))))
        for n in range(rng.randint(low, high))
    ]


def diverse_account_iam(plan: OrgPlan, principals: int, rng: random.Random) -> AccountIam:
    """``principals`` users and roles, each with its own policies (see the module docstring)."""
    account = plan.identity.id
    created = plan.identity.created
    iam = AccountIam(
        account_id=account,
        created=created,
        report_generated=whole(COLLECTED_AT - timedelta(minutes=15)),
        root_password_last_used=whole(created + timedelta(days=3)),
        password_policy=shapes.password_policy(),
    )
    acct = _plan(rng, account, principals // 4, principals - principals // 4)
    policies = _managed(rng, acct, created, max(len(TEAMS), principals * 3 // 10))
    holders: Counter[str] = Counter()
    free = [arn for arn, _ in policies]
    rng.shuffle(free)

    def take(count: int) -> list[str]:
        chosen = [free.pop() for _ in range(min(count, len(free)))]
        holders.update(chosen)
        return sorted(chosen)

    boundaries = [arn for arn, d in policies[:3]]
    iam.groups = _groups(rng, acct, created, max(len(TEAMS), principals // 50), take)
    for index, name in enumerate(acct.users):
        team = TEAMS[index % len(TEAMS)]
        scope = _Scope(account, _regions(rng), team)
        when = whole(created + timedelta(days=rng.randrange(3000)))
        groups = sorted({rng.choice(iam.groups)["GroupName"] for _ in range(rng.randint(0, 2))})
        boundary = rng.choice(boundaries) if rng.random() < 0.1 else None
        iam.users.append(
            shapes.user_detail(
                account,
                name,
                created=when,
                groups=groups,
                inline_policies=_own_policies(rng, acct, scope, f"{name}-access", 1, 3),
                attached_policy_arns=take(rng.randint(0, 1)),
                boundary_arn=boundary,
                tags={"team": team},
            )
        )
        iam.credential_rows.append(
            creds.user_credential_row(
                account,
                name,
                created=when,
                password_last_changed=whole(COLLECTED_AT - timedelta(days=10)),
                password_last_used=whole(COLLECTED_AT - timedelta(days=1)),
                mfa_active=rng.random() < 0.8,
            )
        )
    for role in acct.roles:
        scope = _Scope(account, _regions(rng), role.team)
        trust = rng.choices([b for b, _ in _TRUSTS], weights=[w for _, w in _TRUSTS])[0](rng, acct, role)
        iam.roles.append(
            shapes.role_detail(
                account,
                role.name,
                created=whole(created + timedelta(days=rng.randrange(3000))),
                trust_policy=trust,
                inline_policies=_own_policies(rng, acct, scope, f"{role.name}-policy", 0, 2),
                attached_policy_arns=take(rng.randint(0, 1)),
                boundary_arn=rng.choice(boundaries) if rng.random() < 0.05 else None,
                tags={"team": role.team, "stage": role.stage} if rng.random() < 0.6 else None,
                last_used=whole(COLLECTED_AT - timedelta(hours=rng.randrange(1, 500))),
                last_used_region=plan.home,
            )
        )
    iam.roles.append(
        service_linked_role(account, "AWSServiceRoleForConfig", created=whole(created + timedelta(days=2)))
    )
    held = Counter(dict.fromkeys(boundaries, 1)) + holders
    iam.policies = [
        shapes.managed_policy_detail(
            arn.rsplit("/", 1)[-1],
            account_id=account,
            path="/",
            versions=[shapes.PolicyVersion("v1", document, created)],
            default_version="v1",
            attachment_count=held[arn],
        )
        for arn, document in policies
    ]
    return iam


def _managed(rng: random.Random, acct: _Account, created: datetime, count: int) -> list[tuple[str, Json]]:
    out = []
    for index in range(count):
        team = TEAMS[index % len(TEAMS)]
        scope = _Scope(acct.id, _regions(rng), team)
        name = f"{team}-{rng.choice(NOUNS)}-access-{index:04d}"
        out.append((ids.iam_arn(acct.id, "policy", name, "/"), _identity_document(rng, acct, scope, rng.randint(0, 2))))
    return out


def _groups(
    rng: random.Random, acct: _Account, created: datetime, count: int, take: Callable[[int], list[str]]
) -> list[Json]:
    groups = []
    for index in range(count):
        team = TEAMS[index % len(TEAMS)]
        scope = _Scope(acct.id, _regions(rng), team)
        inline = [shapes.inline_policy(f"{team}-access", _identity_document(rng, acct, scope, rng.randint(0, 2)))]
        if rng.random() < 0.5:
            inline.append(shapes.inline_policy("RequireMFA", docs.deny_without_mfa_policy()))
        groups.append(
            shapes.group_detail(
                acct.id,
                f"{team}-{rng.choice(('engineers', 'analysts', 'oncall', 'leads'))}-{index:03d}",
                created=whole(created + timedelta(days=index)),
                inline_policies=inline,
                attached_policy_arns=take(rng.randint(0, 2)),
            )
        )
    return groups


__all__ = ["diverse_account_iam"]
