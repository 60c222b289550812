"""Random organizations where principals do not share policies (or share them on purpose), for the oracles.

:func:`random_organization` draws, from one ``random.Random``, an organization of three accounts in
two OUs plus one account outside it, whose users and roles carry their own identity policies mixing
every shape the access graph must handle: ``sts:AssumeRole`` on ``*``, exact ARNs, prefixes,
``NotResource``, ``Action: "*"``, ``NotAction``, a policy variable; Deny guardrails; conditions on
MFA, caller and role tags, the resource account, the organization, unknown keys. Trusts name account
roots (ARN or bare id, with MFA or ``sts:ExternalId`` conditions), specific users and roles, ``"*"``,
services, SAML and OIDC providers, role sessions, with Deny statements and ``NotPrincipal``, and
conditions reading caller-specific keys and policy variables. SCPs may demand MFA, deny a role
pattern, or read ``aws:PrincipalArn``. On purpose, some callers are twins that differ only by their
permissions boundary, or by their account (so by resource account and organization membership), and
some share policies (so that verdicts, "no edge" included, are shared between callers).

``distinct=True`` draws the organization issue 14 is about instead: no two principals share a policy.
Every user, role and group gets its own documents, every permissions boundary is its own managed policy
drawn from the same variety, users may be in a group of their own, and nothing is repeated on purpose.
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

from analyzer.model.entities import AttachedPolicyRef, Role, User
from analyzer.model.snapshot import Snapshot
from tests.graph.builders import (
    FULL_ACCESS,
    MGMT,
    ORG_ID,
    ROOT_ID,
    doc,
    evidence,
    group,
    managed,
    org_account,
    role,
    scp,
    snapshot,
    unique_id,
    user,
)

A, B, C = "111111111111", "222222222222", "444444444444"
OUTSIDE = "555555555555"  # has evidence, is not in the organization
OU_1, OU_2 = "ou-a1b2-first001", "ou-a1b2-second01"
ACCOUNTS = (A, B, C, OUTSIDE)
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
MFA_IF_EXISTS = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}
NO_MFA = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
MFA_ABSENT = {"Null": {"aws:MultiFactorAuthPresent": "true"}}

Json = dict[str, Any]


class _Draw:
    def __init__(self, rng: random.Random, users: list[str], roles: list[str]) -> None:
        self.rng = rng
        self.users = users  # ARNs
        self.roles = roles

    def maybe(self, p: float) -> bool:
        return self.rng.random() < p

    def account(self) -> str:
        return self.rng.choice(ACCOUNTS)

    # ---------------------------------------------------------------- identity side
    def identity_condition(self) -> Json | None:
        return self.rng.choice(
            [
                None,
                None,
                None,
                MFA,
                MFA_IF_EXISTS,
                {"StringEquals": {"aws:PrincipalTag/team": "ops"}},
                {"StringEquals": {"aws:ResourceTag/team": "ops"}},
                {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
                {"StringEquals": {"aws:ResourceAccount": self.account()}},
                {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}},
                {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
                {"StringEquals": {"aws:PrincipalAccount": self.account()}},
                {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{self.account()}:*"}},
                {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
                {"StringLike": {"aws:ResourceOrgPaths": f"{ORG_ID}/{ROOT_ID}/{OU_2}/*"}},
            ]
        )

    def resource(self) -> str | list[str]:
        kind = self.rng.randrange(7)
        if kind == 0 or not self.roles:
            return "*"
        if kind in (1, 2):
            return sorted(set(self.rng.sample(self.roles, min(len(self.roles), self.rng.randint(1, 3)))))
        if kind == 3:
            return f"arn:aws:iam::{self.account()}:role/R{self.rng.randrange(4)}*"
        if kind == 4:
            return f"arn:aws:iam::*:role/R{self.rng.randrange(4)}*"
        if kind == 5:
            return self.rng.choice(("arn:aws:iam::*:role/${aws:username}*", "arn:aws:iam::*:role/R?x*"))
        if kind == 6 and self.maybe(0.5) and self.roles:  # an exact ARN next to a prefix of another account
            return [self.rng.choice(self.roles), f"arn:aws:iam::{self.account()}:role/R{self.rng.randrange(4)}*"]
        return f"arn:aws:iam::{self.account()}:role/*"

    def identity_statement(self) -> Json:
        kind = self.rng.randrange(14)
        statement: Json
        if kind >= 10:
            statement = self.rng.choice(
                [
                    {"Effect": "Allow", "Action": "sts:Assume*", "Resource": self.resource()},
                    {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"], "Resource": self.resource()},
                    {"Effect": "Deny", "NotAction": "sts:AssumeRole", "Resource": "*"},
                    {"Effect": "Deny", "NotAction": ["s3:*"], "NotResource": self.resource()},
                    {"Effect": "Allow", "NotAction": "sts:AssumeRole", "Resource": "*"},
                    {"Effect": "Deny", "Action": "sts:*", "Resource": self.resource(), "Condition": MFA_ABSENT},
                ]
            )
        elif kind <= 4:
            statement = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": self.resource()}
        elif kind == 5:
            statement = {"Effect": "Allow", "Action": "*", "Resource": "*"}
        elif kind == 6:
            statement = {"Effect": "Allow", "NotAction": ["iam:*", "s3:*"], "Resource": "*"}
        elif kind == 7:
            statement = {"Effect": "Allow", "Action": "sts:*", "NotResource": self.resource()}
        elif kind == 8:
            statement = {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": self.resource(), "Condition": NO_MFA}
        else:
            statement = {"Effect": "Deny", "Action": ["sts:AssumeRole"], "Resource": self.resource()}
        condition = self.identity_condition()
        if condition and "Condition" not in statement:
            statement["Condition"] = condition
        return statement

    def identity_document(self) -> Json:
        filler = {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::bucket/*"}
        statements = [self.identity_statement() for _ in range(self.rng.randint(0, 3))]
        return doc(filler, *statements)

    # ---------------------------------------------------------------- trust side
    def trust_principal(self, own: str) -> Any:
        kind = self.rng.randrange(10)
        if kind == 0:
            return "*"
        if kind == 1:
            return {"AWS": f"arn:aws:iam::{self.rng.choice((own, own, self.account()))}:root"}
        if kind == 2:
            return {"AWS": self.rng.choice((own, self.account()))}
        if kind in (3, 4) and (self.users or self.roles):
            pool = self.users + self.roles
            named = sorted(set(self.rng.sample(pool, min(len(pool), self.rng.randint(1, 3)))))
            return {"AWS": named if len(named) > 1 else named[0]}
        if kind == 5 and self.roles:
            caller = self.rng.choice(self.roles)
            account, name = caller.split(":")[4], caller.rsplit("/", 1)[-1]
            return {"AWS": f"arn:aws:sts::{account}:assumed-role/{name}/s1"}
        if kind == 6:
            return self.rng.choice(({"Service": "ec2.amazonaws.com"}, {"AWS": "*"}))
        if kind == 7:
            return self.rng.choice(
                (
                    {"Federated": f"arn:aws:iam::{own}:saml-provider/Okta"},
                    {"Federated": f"arn:aws:iam::{own}:oidc-provider/token.actions.githubusercontent.com"},
                )
            )
        if kind == 8 and (self.users or self.roles):  # a unique id (what IAM shows once the principal is deleted)
            named = self.rng.choice(self.users + self.roles)
            prefix = "AIDA" if ":user/" in named else "AROA"
            return {"AWS": unique_id(prefix, f"{named.split(':')[4]}/{named.rsplit('/', 1)[-1]}")}
        return {"AWS": [f"arn:aws:iam::{own}:root", f"arn:aws:iam::{self.account()}:root"]}

    def trust_condition(self) -> Json | None:
        return self.rng.choice(
            [
                None,
                None,
                None,
                MFA,
                MFA_IF_EXISTS,
                {"StringEquals": {"sts:ExternalId": "x-1"}},
                {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}},
                {"StringEquals": {"aws:PrincipalTag/team": "ops"}},
                {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/${aws:username}"}},
                {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
                {"StringEquals": {"aws:PrincipalAccount": self.account()}},
                {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": f"{ORG_ID}/{ROOT_ID}/{OU_1}/*"}},
                {"StringLike": {"sts:RoleSessionName": "s*"}},
                {"StringEquals": {"aws:ResourceAccount": self.account()}},
            ]
        )

    def trust(self, own: str) -> Json:
        statements = []
        for _ in range(self.rng.randint(1, 2)):
            principal = self.trust_principal(own)
            action: Any = "sts:AssumeRole"
            if isinstance(principal, dict) and "Federated" in principal:
                saml = "saml-provider" in principal["Federated"]
                action = "sts:AssumeRoleWithSAML" if saml else "sts:AssumeRoleWithWebIdentity"
            elif self.maybe(0.2):
                action = ["sts:AssumeRole", "sts:TagSession"]
            statement: Json = {"Effect": "Allow", "Principal": principal, "Action": action}
            condition = self.trust_condition()
            if condition:
                statement["Condition"] = condition
            statements.append(statement)
        if self.maybe(0.15):
            statements.append(
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "sts:AssumeRole",
                    "Condition": self.rng.choice(
                        [
                            {"StringNotEquals": {"aws:PrincipalOrgID": ORG_ID}},
                            NO_MFA,
                            {"StringEquals": {"aws:PrincipalAccount": own}},
                            {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{own}:role/R0*"}},
                        ]
                    ),
                }
            )
        if self.maybe(0.05):
            statements.append(
                {
                    "Effect": "Allow",
                    "NotPrincipal": {"AWS": f"arn:aws:iam::{self.account()}:root"},
                    "Action": "sts:AssumeRole",
                }
            )
        if self.maybe(0.08) and (self.users or self.roles):  # a Deny naming one principal
            statements.append(
                {
                    "Effect": "Deny",
                    "Principal": {"AWS": self.rng.choice(self.users + self.roles)},
                    "Action": "sts:AssumeRole",
                }
            )
        return doc(*statements)


def _scps(draw: _Draw) -> list[Any]:
    found = [scp("p-FullAWSAccess", FULL_ACCESS, ROOT_ID, OU_1, OU_2, A, B, C, MGMT)]
    if draw.maybe(0.4):  # an SCP demanding MFA for sts:AssumeRole
        found.append(
            scp(
                "p-mfa",
                doc({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*", "Condition": NO_MFA}),
                draw.rng.choice((OU_1, ROOT_ID)),
            )
        )
    if draw.maybe(0.3):
        found.append(
            scp("p-deny-r1", doc({"Effect": "Deny", "Action": "sts:*", "Resource": "arn:aws:iam::*:role/R1*"}), OU_2)
        )
    if draw.maybe(0.2):
        statement = {
            "Effect": "Deny",
            "Action": "sts:AssumeRole",
            "Resource": "*",
            "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/u0*"}},
        }
        found.append(scp("p-per-principal", doc(statement), A))
    return found


def random_organization(rng: random.Random, *, distinct: bool = False) -> Snapshot:
    """One random organization (see the module docstring); ``distinct``: no two principals share a policy."""
    plan: dict[str, tuple[list[str], list[str]]] = {}
    for account in ACCOUNTS:
        users = [f"u{i}" for i in range(rng.randint(0, 3))]
        roles = [f"R{i}x{rng.randrange(3)}" for i in range(rng.randint(1, 4))]
        plan[account] = (users, roles)
    user_arns = [f"arn:aws:iam::{a}:user/{u}" for a, (us, _) in plan.items() for u in us]
    role_arns = [f"arn:aws:iam::{a}:role/{r}" for a, (_, rs) in plan.items() for r in rs]
    draw = _Draw(rng, user_arns, role_arns)
    shared = [draw.identity_document() for _ in range(2)]  # policies some callers share
    boundaries = [
        doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
        doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/R0*"}),
        doc({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": MFA}),
    ]
    twins: list[tuple[list[Json], str]] = []  # (policies, name) drawn once and repeated elsewhere

    def policies_for(name: str) -> list[Json]:
        if distinct:
            return [draw.identity_document() for _ in range(rng.randint(1, 2))]
        if twins and draw.maybe(0.25):
            return rng.choice(twins)[0]
        found = [rng.choice(shared) if draw.maybe(0.3) else draw.identity_document() for _ in range(rng.randint(1, 2))]
        twins.append((found, name))
        return found

    def boundary(account: str, index: int) -> AttachedPolicyRef | None:
        if not draw.maybe(0.3):
            return None
        if distinct:  # its own managed policy: a drawn document, or a variant of a usual boundary
            drawn = draw.identity_document() if draw.maybe(0.5) else rng.choice(boundaries)
            return managed(account, f"Boundary-{account}-{index}", drawn, 100 + index)
        which = rng.randrange(len(boundaries))
        return managed(account, f"Boundary{which}", boundaries[which], 100 + index)

    accounts = {}
    for account, (users, roles) in plan.items():
        made_users: list[User] = []
        made_groups = []
        for i, name in enumerate(users):
            groups = []
            if distinct and draw.maybe(0.4):  # a group of its own, with its own policy
                groups = [f"G-{name}"]
                made_groups.append(group(account, groups[0], index=len(made_groups), policies=policies_for(name)))
            made = user(
                account, name, index=i, groups=groups, policies=policies_for(name), boundary=boundary(account, i)
            )
            if draw.maybe(0.5):
                made = replace(made, tags=(("team", rng.choice(("ops", "dev"))),))
            made_users.append(made)
        made_roles: list[Role] = []
        for i, name in enumerate(roles):
            tags = {"team": rng.choice(("ops", "dev"))} if draw.maybe(0.6) else None
            made_roles.append(
                role(
                    account,
                    name,
                    draw.trust(account),
                    index=i,
                    policies=policies_for(name),
                    boundary=boundary(account, 10 + i),
                    tags=tags,
                )
            )
        accounts[account] = evidence(account, users=made_users, roles=made_roles, groups=made_groups)
    # now and then no describe-organization and no account ARN: any account may be the management account
    known = draw.maybe(0.75)
    named = MGMT if known else None
    org = [
        org_account(A, "A", (ROOT_ID, OU_1), management=named),
        org_account(B, "B", (ROOT_ID, OU_1), management=named),
        org_account(C, "C", (ROOT_ID, OU_2), management=named),
        org_account(MGMT, "Management", (ROOT_ID,), management=named),
    ]
    return snapshot(accounts, org_accounts=org, scps=_scps(draw), described=known)
