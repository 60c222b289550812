"""Web identity (OIDC) trusts open to strangers: which issuers hand a token to anyone, and which
condition confines a role to the customer's own tenant of that issuer (IDN-005).

A role that trusts an OIDC provider for ``sts:AssumeRoleWithWebIdentity`` accepts every token that
provider signs and that meets the statement's conditions. For a *public, multi-tenant* issuer anyone can
obtain such a token: every GitHub repository's workflows get one from ``token.actions.githubusercontent.com``,
every GitLab.com project from ``gitlab.com``, every HCP Terraform organization from ``app.terraform.io``,
every identity pool of every AWS account from ``cognito-identity.amazonaws.com``, every app of Google,
Facebook or Login with Amazon. Only a condition on a claim that names the customer's tenant (the ``sub``
of a repository, project or organization; the ``aud``/``app_id`` of the customer's identity pool or app)
confines the trust; ``aud`` of GitHub is ``sts.amazonaws.com`` for everybody and confines nothing
(IAMUG ``id_roles_create_for-idp_oidc``, "Configuring a role for GitHub OIDC identity provider";
IAMUG ``reference_policies_iam-condition-keys`` "Available keys for OIDC federation"; GitHub's
"Configuring OpenID Connect in Amazon Web Services").

Issuers run by the customer (an enterprise-scoped GitHub issuer, GitHub Enterprise Server, an EKS
cluster, a company IdP) and SAML providers (assertions come from the customer's own IdP) are not open
to strangers and are left alone, whatever their conditions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from analyzer.iam import action_matches, parse_arn, parse_operator
from analyzer.model.policy import ConditionClause, PolicySource, Statement

WEB_IDENTITY: Final = "sts:AssumeRoleWithWebIdentity"

#: A value that is one exact string (no ``*``/``?``): an identity pool, a client or app id.
_EXACT: Final = re.compile(r"[^*?]+\Z")


@dataclass(frozen=True, slots=True)
class PublicIssuer:
    """A token issuer anyone can get a token from, and the claims that name one customer's tenant."""

    who: str  # whom the issuer gives tokens to, as a message says it
    tenant: str  # what of the customer's a pinning condition names
    claims: Mapping[str, re.Pattern[str]]  # claim -> what a StringLike value must look like to pin a tenant
    example: str  # a condition that pins, for messages


#: Claim value shapes: the tenant part (owner, group, organization) must be written out, no wildcard.
_GITHUB_SUB: Final = re.compile(
    r"(?:repo|repository):[^/:*?]+/"  # default template: repo:<owner>/<repo>:...
    r"|(?:repository_owner|repository_owner_id|repository_id|enterprise|enterprise_id):[^:*?]+(?::|\Z)"
)

PUBLIC_ISSUERS: Final[Mapping[str, PublicIssuer]] = {
    "token.actions.githubusercontent.com": PublicIssuer(
        "any GitHub Actions workflow of any GitHub repository",
        "organization or repository",
        {
            "sub": _GITHUB_SUB,
            "repository": re.compile(r"[^/:*?]+/"),
            "repository_id": _EXACT,
            "enterprise_id": _EXACT,
        },
        '"StringLike": {"token.actions.githubusercontent.com:sub": "repo:<org>/<repo>:ref:refs/heads/main"}',
    ),
    "gitlab.com": PublicIssuer(
        "any CI job of any GitLab.com project",
        "group or project",
        {"sub": re.compile(r"project_path:[^/:*?]+/")},
        '"StringLike": {"gitlab.com:sub": "project_path:<group>/<project>:ref_type:branch:ref:main"}',
    ),
    "app.terraform.io": PublicIssuer(
        "any run of any HCP Terraform organization",
        "organization",
        {"sub": re.compile(r"organization:[^:*?]+:")},
        '"StringLike": {"app.terraform.io:sub": "organization:<org>:project:<project>:workspace:<ws>:run_phase:*"}',
    ),
    "cognito-identity.amazonaws.com": PublicIssuer(
        "any Amazon Cognito identity pool of any AWS account",
        "identity pool",
        {"aud": _EXACT, "sub": _EXACT},
        '"StringEquals": {"cognito-identity.amazonaws.com:aud": "<region>:<identity-pool-id>"}',
    ),
    "accounts.google.com": PublicIssuer(
        "any Google account signing in to any Google OAuth client",
        "OAuth client or user",
        {"aud": _EXACT, "oaud": _EXACT, "sub": _EXACT},
        '"StringEquals": {"accounts.google.com:aud": "<client-id>"}',
    ),
    "graph.facebook.com": PublicIssuer(
        "any Facebook user of any Facebook app",
        "app or user",
        {"app_id": _EXACT, "id": _EXACT},
        '"StringEquals": {"graph.facebook.com:app_id": "<app-id>"}',
    ),
    "www.amazon.com": PublicIssuer(
        "any Login with Amazon user of any app",
        "app or user",
        {"app_id": _EXACT, "user_id": _EXACT},
        '"StringEquals": {"www.amazon.com:app_id": "<app-id>"}',
    ),
}


def issuer_of(provider: str) -> str:
    """The issuer a ``Federated`` value stands for: the URL of an IAM OIDC provider ARN
    (``arn:aws:iam::<acct>:oidc-provider/<url>``), else the built-in provider name itself; lower case."""
    arn = parse_arn(provider)
    if arn is not None and arn.resource.startswith("oidc-provider/"):
        return arn.resource.removeprefix("oidc-provider/").lower()
    return provider.lower()


def public_issuer(provider: str) -> PublicIssuer | None:
    """The public issuer behind a ``Federated`` value (None: SAML, or an issuer the customer runs)."""
    arn = parse_arn(provider)
    if arn is not None and not arn.resource.startswith("oidc-provider/"):
        return None  # saml-provider/...
    return PUBLIC_ISSUERS.get(issuer_of(provider))


def _covers_web_identity(statement: Statement) -> bool:
    if statement.actions is not None:
        return any(action_matches(a, WEB_IDENTITY) for a in statement.actions)
    return not any(action_matches(a, WEB_IDENTITY) for a in statement.not_actions or ())


def _value_pins(like: bool, value: str, shape: re.Pattern[str]) -> bool:
    """With StringEquals a value is one exact subject (``*`` is a plain character there); with StringLike
    it must spell the tenant out before any wildcard."""
    return bool(value) if not like else shape.match(value) is not None


def _pinning(clause: ConditionClause, provider: str, issuer: PublicIssuer, *, negated: bool) -> bool:
    """Does ``clause`` name the customer's tenant of the issuer (every value pinning), positively for an
    Allow, negated for a Deny guard? A token without the claim must fail an Allow's pin and meet a Deny
    guard's (so the Deny refuses it): ``...IfExists`` and ``ForAllValues`` hold for a missing key, so they
    never pin an Allow but do a Deny; ``ForAnyValue`` does not hold, so it never makes a guard (IAMUG
    ``reference_policies_elements_condition_operators`` "...IfExists", and
    ``reference_policies_condition-single-vs-multi-valued-context-keys``)."""
    key = clause.key.lower()
    prefix = f"{issuer_of(provider)}:"
    shape = issuer.claims.get(key.removeprefix(prefix)) if key.startswith(prefix) else None
    op = parse_operator(clause.operator)
    if shape is None or op is None or op.family != "string" or op.negated != negated:
        return False
    # A negated operator holds for a missing key too (IAMUG: "the condition is true"), but not under ForAnyValue.
    if (op.set_operator == "any") if negated else (op.if_exists or op.set_operator == "all"):
        return False
    like = op.comparison == "like"
    return bool(clause.values) and all(_value_pins(like, v, shape) for v in clause.values)


def _names_provider(statement: Statement, provider: str) -> bool:
    spec = statement.principal
    return spec is not None and (spec.any or provider in spec.federated)


def _guard(source: PolicySource, provider: str, issuer: PublicIssuer) -> Statement | None:
    """A ``Deny`` for the provider's tokens that spares only the customer's tenant (or spares none)."""
    return next(
        (
            s
            for s in source.document.statements
            if s.effect == "Deny"
            and _names_provider(s, provider)
            and _covers_web_identity(s)
            and all(_pinning(c, provider, issuer, negated=True) for c in s.conditions)
        ),
        None,
    )


@dataclass(frozen=True, slots=True)
class WebIdentityTrust:
    """One ``Allow`` of a trust policy for ``sts:AssumeRoleWithWebIdentity`` by a public issuer's tokens."""

    statement: Statement
    provider: str
    issuer: PublicIssuer
    pins: tuple[ConditionClause, ...]  # the clauses naming the customer's tenant (empty: open)
    guard: Statement | None  # a Deny that refuses every token from outside the tenant

    @property
    def open(self) -> bool:
        return not self.pins and self.guard is None

    @property
    def claim_key(self) -> str:
        """The condition key that usually pins the tenant (the issuer's first claim), for messages."""
        return f"{issuer_of(self.provider)}:{next(iter(self.issuer.claims))}"

    def loose_clauses(self) -> list[ConditionClause]:
        """Clauses on the tenant claims that do not pin (wildcard tenant, negated, IfExists, ForAllValues)."""
        prefix = f"{issuer_of(self.provider)}:"
        keys = {prefix + claim for claim in self.issuer.claims}
        return [c for c in self.statement.conditions if c.key.lower() in keys and c not in self.pins]


def web_identity_trusts(source: PolicySource) -> list[WebIdentityTrust]:
    """Every (Allow statement, public-issuer provider) pair of the trust, in document order."""
    out: list[WebIdentityTrust] = []
    for statement in source.document.statements:
        spec = statement.principal
        if statement.effect != "Allow" or spec is None or not _covers_web_identity(statement):
            continue
        for provider in spec.federated:
            issuer = public_issuer(provider)
            if issuer is None:
                continue
            pins = tuple(c for c in statement.conditions if _pinning(c, provider, issuer, negated=False))
            out.append(WebIdentityTrust(statement, provider, issuer, pins, _guard(source, provider, issuer)))
    return out
