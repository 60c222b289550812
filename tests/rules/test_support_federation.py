"""How :mod:`analyzer.rules.support.federation` reads web identity (OIDC) trusts (IDN-005 rests on it).

AWS semantics pinned here:

* A ``Federated`` principal is an IAM OIDC provider ARN (``arn:aws:iam::<account>:oidc-provider/<issuer URL
  without https://>``), a SAML provider ARN (``...:saml-provider/<name>``), or one of the built-in web identity
  providers (``cognito-identity.amazonaws.com``, ``accounts.google.com``, ``graph.facebook.com``,
  ``www.amazon.com``); a role for them is assumed with ``sts:AssumeRoleWithWebIdentity`` (SAML:
  ``sts:AssumeRoleWithSAML``).
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-federated-web-identity
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
* The condition keys of each issuer are ``<issuer>:<claim>`` (``token.actions.githubusercontent.com:sub``,
  ``cognito-identity.amazonaws.com:aud``, ``accounts.google.com:aud``/``oaud``/``sub``,
  ``graph.facebook.com:app_id``/``id``, ``www.amazon.com:app_id``/``user_id``); condition keys are
  case-insensitive.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
* GitHub's ``aud`` is ``sts.amazonaws.com`` for every repository; only ``sub`` (``repo:<owner>/<repo>:...``)
  names the customer's repositories ("Configuring a role for GitHub OIDC identity provider" in
  id_roles_create_for-idp_oidc, above).
* ``...IfExists`` is true when the key is absent, ``ForAllValues:`` is true for a request without the key,
  a negated operator is true for any value not listed; with ``StringEquals`` a ``*`` is a plain character.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
"""

from __future__ import annotations

from typing import Any

import pytest

from analyzer.model.evidence import EvidenceRef
from analyzer.model.policy import ConditionClause, PolicySource, parse_policy
from analyzer.rules.support import federation
from analyzer.rules.support.federation import PUBLIC_ISSUERS, WebIdentityTrust

GITHUB = "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com"
GITHUB_ISSUER = PUBLIC_ISSUERS["token.actions.githubusercontent.com"]
COGNITO = "cognito-identity.amazonaws.com"
#: The web identity providers a trust names by name, not by an IAM OIDC provider's ARN.
BUILT_IN = ("cognito-identity.amazonaws.com", "accounts.google.com", "graph.facebook.com", "www.amazon.com")
GAAD = "222222222222/iam/get-account-authorization-details.json"
SUB = "token.actions.githubusercontent.com:sub"
AUD = "token.actions.githubusercontent.com:aud"


def _source(*statements: dict[str, Any]) -> PolicySource:
    document = parse_policy({"Version": "2012-10-17", "Statement": list(statements)})
    return PolicySource("trust", "Role", document, EvidenceRef(GAAD, "/RoleDetailList/0/AssumeRolePolicyDocument"))


def _web(
    provider: str | list[str] = GITHUB,
    condition: dict[str, Any] | None = None,
    effect: str = "Allow",
    action: str | list[str] = "sts:AssumeRoleWithWebIdentity",
    **fields: Any,
) -> dict[str, Any]:
    raw: dict[str, Any] = {"Effect": effect, "Principal": {"Federated": provider}, "Action": action, **fields}
    if condition is not None:
        raw["Condition"] = condition
    return raw


def _clause(operator: str, key: str, *values: str) -> ConditionClause:
    return ConditionClause(operator, key, values)


# ------------------------------------------------------------------------------ issuers


@pytest.mark.parametrize(
    ("provider", "issuer"),
    [
        (GITHUB, "token.actions.githubusercontent.com"),
        ("arn:aws:iam::222222222222:oidc-provider/GitLab.com", "gitlab.com"),
        ("arn:aws-cn:iam::222222222222:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/AB12", None),
        ("Accounts.Google.com", "accounts.google.com"),
        ("cognito-identity.amazonaws.com", "cognito-identity.amazonaws.com"),
        # a SAML provider is its own name, lower case (no issuer URL)
        ("arn:aws:iam::222222222222:saml-provider/Okta", "arn:aws:iam::222222222222:saml-provider/okta"),
    ],
)
def test_issuer_of(provider: str, issuer: str | None) -> None:
    expected = issuer if issuer is not None else provider.split("oidc-provider/", 1)[1].lower()
    assert federation.issuer_of(provider) == expected


@pytest.mark.parametrize(
    ("provider", "issuer"),
    [
        (GITHUB, "token.actions.githubusercontent.com"),
        ("arn:aws:iam::222222222222:oidc-provider/gitlab.com", "gitlab.com"),
        ("arn:aws:iam::222222222222:oidc-provider/app.terraform.io", "app.terraform.io"),
        ("cognito-identity.amazonaws.com", "cognito-identity.amazonaws.com"),
        ("accounts.google.com", "accounts.google.com"),
        ("graph.facebook.com", "graph.facebook.com"),
        ("www.amazon.com", "www.amazon.com"),
        ("WWW.Amazon.com", "www.amazon.com"),
        # issuers the customer runs: an enterprise-scoped GitHub issuer, an EKS cluster, a company IdP
        ("arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com/octo-enterprise", None),
        ("arn:aws:iam::222222222222:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AB12", None),
        ("arn:aws:iam::222222222222:oidc-provider/login.example.com", None),
        # a SAML provider is never a public issuer, whatever its name
        ("arn:aws:iam::222222222222:saml-provider/token.actions.githubusercontent.com", None),
        ("arn:aws:iam::222222222222:saml-provider/accounts.google.com", None),
    ],
)
def test_public_issuer(provider: str, issuer: str | None) -> None:
    assert federation.public_issuer(provider) is (PUBLIC_ISSUERS[issuer] if issuer is not None else None)


# ------------------------------------------------------------------------------ which clauses pin a tenant


@pytest.mark.parametrize(
    ("clause", "pins"),
    [
        (_clause("StringEquals", SUB, "repo:octo-org/octo-repo:ref:refs/heads/main"), True),
        (_clause("StringLike", SUB, "repo:octo-org/*"), True),
        (_clause("StringLike", SUB, "repository_owner:octo-org"), True),
        (_clause("StringLike", SUB, "repository_owner_id:12345:*"), True),
        (_clause("StringEqualsIgnoreCase", SUB, "repo:octo-org/octo-repo:environment:prod"), True),
        (_clause("ForAnyValue:StringLike", SUB, "repo:octo-org/*"), True),
        (_clause("StringLike", "Token.Actions.GithubUserContent.com:Sub", "repo:octo-org/*"), True),  # keys: any case
        (_clause("StringLike", SUB, "repo:octo-org/*", "repo:other-org/app:*"), True),
        (_clause("StringLike", "token.actions.githubusercontent.com:repository", "octo-org/octo-repo"), True),
        (_clause("StringEquals", "token.actions.githubusercontent.com:repository_id", "123456"), True),
        (_clause("StringEquals", "token.actions.githubusercontent.com:enterprise_id", "42"), True),
        # StringEquals compares literally: "*" is one odd subject nobody has, not a wildcard
        (_clause("StringEquals", SUB, "*"), True),
        # the owner left open, or a value that names nobody
        (_clause("StringLike", SUB, "repo:*"), False),
        (_clause("StringLike", SUB, "repo:octo-org*:*"), False),
        (_clause("StringLike", SUB, "repo:octo-org/*", "*"), False),  # every value must pin
        (_clause("StringLike", "token.actions.githubusercontent.com:repository_id", "12*"), False),
        (_clause("StringEquals", SUB, ""), False),
        (_clause("StringEquals", SUB), False),  # no value at all
        # operators that let other tokens in
        (_clause("StringLikeIfExists", SUB, "repo:octo-org/*"), False),
        (_clause("ForAllValues:StringLike", SUB, "repo:octo-org/*"), False),
        (_clause("StringNotLike", SUB, "repo:evil-org/*"), False),
        (_clause("ArnLike", SUB, "repo:octo-org/*"), False),  # not a string operator
        (_clause("StringSmells", SUB, "repo:octo-org/*"), False),  # not an operator
        # keys that do not name the tenant
        (_clause("StringEquals", AUD, "sts.amazonaws.com"), False),
        (_clause("StringEquals", "gitlab.com:sub", "project_path:octo/app:ref_type:branch:ref:main"), False),
        (_clause("StringEquals", "aws:PrincipalOrgID", "o-abc123"), False),
        (_clause("StringEquals", "sub", "repo:octo-org/app:*"), False),
    ],
)
def test_clause_pins_the_github_tenant(clause: ConditionClause, pins: bool) -> None:
    statement = _source(_web(condition={clause.operator: {clause.key: list(clause.values)}})).document.statements[0]
    assert federation._pinning(clause, GITHUB, GITHUB_ISSUER, negated=False) is pins
    found = federation.web_identity_trusts(
        _source(_web(condition={clause.operator: {clause.key: list(clause.values)}}))
    )
    assert [t.pins for t in found] == [statement.conditions if pins else ()]


@pytest.mark.parametrize(
    ("clause", "pins"),
    [
        (_clause("StringNotLike", SUB, "repo:octo-org/*"), True),
        (_clause("StringNotEquals", SUB, "repo:octo-org/app:ref:refs/heads/main"), True),
        (_clause("StringNotEqualsIgnoreCase", SUB, "repo:octo-org/app:ref:refs/heads/main"), True),
        # a token without sub meets these too, so the Deny refuses it (IfExists; ForAllValues of no value)
        (_clause("StringNotLikeIfExists", SUB, "repo:octo-org/*"), True),
        (_clause("ForAllValues:StringNotLike", SUB, "repo:octo-org/*"), True),
        # a Deny guard must be negated, on every value, and refuse a token without sub (not ForAnyValue)
        (_clause("StringLike", SUB, "repo:octo-org/*"), False),
        (_clause("ForAnyValue:StringNotLike", SUB, "repo:octo-org/*"), False),
        (_clause("ForAllValues:StringNotLike", SUB, "repo:*"), False),
        (_clause("StringNotLikeIfExists", SUB, "repo:octo-org*"), False),
        (_clause("StringNotLike", SUB, "repo:*"), False),
        (_clause("StringNotLike", AUD, "sts.amazonaws.com"), False),
    ],
)
def test_clause_guards_the_github_tenant(clause: ConditionClause, pins: bool) -> None:
    assert federation._pinning(clause, GITHUB, GITHUB_ISSUER, negated=True) is pins


@pytest.mark.parametrize(
    ("issuer", "key", "value", "pins"),
    [
        ("gitlab.com", "gitlab.com:sub", "project_path:octo-group/app:ref_type:branch:ref:main", True),
        ("gitlab.com", "gitlab.com:sub", "project_path:octo-group*", False),
        ("app.terraform.io", "app.terraform.io:sub", "organization:octo:project:*", True),
        ("app.terraform.io", "app.terraform.io:sub", "organization:*", False),
        ("cognito-identity.amazonaws.com", "cognito-identity.amazonaws.com:aud", "us-east-1:1234-abcd", True),
        ("cognito-identity.amazonaws.com", "cognito-identity.amazonaws.com:sub", "us-east-1:5678-ef90", True),
        ("cognito-identity.amazonaws.com", "cognito-identity.amazonaws.com:aud", "us-east-1:*", False),
        ("cognito-identity.amazonaws.com", "cognito-identity.amazonaws.com:amr", "authenticated", False),
        ("accounts.google.com", "accounts.google.com:aud", "1234.apps.googleusercontent.com", True),
        ("accounts.google.com", "accounts.google.com:oaud", "1234.apps.googleusercontent.com", True),
        ("accounts.google.com", "accounts.google.com:sub", "1098765", True),
        ("accounts.google.com", "accounts.google.com:aud", "*.apps.googleusercontent.com", False),
        ("graph.facebook.com", "graph.facebook.com:app_id", "1234567890123", True),
        ("graph.facebook.com", "graph.facebook.com:id", "10001", True),
        ("graph.facebook.com", "graph.facebook.com:app_id", "12345?7890123", False),
        ("www.amazon.com", "www.amazon.com:app_id", "amzn1.application.abc", True),
        ("www.amazon.com", "www.amazon.com:user_id", "amzn1.account.xyz", True),
        ("www.amazon.com", "www.amazon.com:app_id", "amzn1.application.*", False),
    ],
)
def test_clause_pins_the_tenant_of_each_issuer(issuer: str, key: str, value: str, pins: bool) -> None:
    """StringLike: the tenant must be written out before any wildcard (for an exact id: no wildcard at all)."""
    provider = issuer if issuer in BUILT_IN else f"arn:aws:iam::222222222222:oidc-provider/{issuer}"
    clause = _clause("StringLike", key, value)
    assert federation._pinning(clause, provider, PUBLIC_ISSUERS[issuer], negated=False) is pins


def test_a_clause_of_another_issuer_does_not_pin() -> None:
    """The key's issuer must be the provider's: a GitHub sub does not pin a Cognito trust."""
    cognito = PUBLIC_ISSUERS[COGNITO]
    clause = _clause("StringEquals", "cognito-identity.amazonaws.com:aud", "us-east-1:1234-abcd")
    assert federation._pinning(clause, COGNITO, cognito, negated=False)
    assert not federation._pinning(clause, GITHUB, cognito, negated=False)


# ------------------------------------------------------------------------------ trusts and guards


def test_web_identity_trusts_every_public_provider_of_every_allow_in_order() -> None:
    pinned = {"StringLike": {SUB: "repo:octo-org/*"}}
    source = _source(
        _web(provider=["arn:aws:iam::222222222222:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AB12", GITHUB]),
        _web(provider=COGNITO, condition={"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:1"}}),
        _web(provider=GITHUB, action="sts:AssumeRole"),  # not a web identity grant
        _web(provider=GITHUB, condition=pinned, effect="Deny"),  # not an Allow
        _web(provider=GITHUB, action="sts:AssumeRoleWith*", condition=pinned),
        {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "sts:*"},
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "sts:*"},
    )
    statements = source.document.statements
    assert federation.web_identity_trusts(source) == [
        WebIdentityTrust(statements[0], GITHUB, GITHUB_ISSUER, (), None),
        WebIdentityTrust(statements[1], COGNITO, PUBLIC_ISSUERS[COGNITO], statements[1].conditions, None),
        WebIdentityTrust(statements[4], GITHUB, GITHUB_ISSUER, statements[4].conditions, None),
    ]


@pytest.mark.parametrize(
    ("fields", "covers"),
    [
        ({"Action": "sts:AssumeRoleWithWebIdentity"}, True),
        ({"Action": ["sts:TagSession", "STS:assumerolewithwebidentity"]}, True),
        ({"Action": "sts:*"}, True),
        ({"Action": "*"}, True),
        ({"Action": ["sts:AssumeRole", "sts:AssumeRoleWithSAML"]}, False),
        ({"NotAction": "sts:AssumeRole"}, True),
        ({"NotAction": ["sts:TagSession", "sts:AssumeRoleWithWebIdentity"]}, False),
        ({"NotAction": "sts:AssumeRoleWith*"}, False),
    ],
)
def test_which_statements_cover_web_identity(fields: dict[str, Any], covers: bool) -> None:
    raw = {"Effect": "Allow", "Principal": {"Federated": GITHUB}, **fields}
    assert len(federation.web_identity_trusts(_source(raw))) == int(covers)
    deny = {"Effect": "Deny", "Principal": "*", **fields}
    guard = federation.web_identity_trusts(_source(_web(), deny))[0].guard
    assert (guard is not None) is covers


def test_guard_is_the_first_deny_sparing_only_the_tenant() -> None:
    source = _source(
        _web(condition={"StringEquals": {AUD: "sts.amazonaws.com"}}),
        # not a guard: a Deny of another provider's tokens, a loose condition, a Deny of AssumeRole only
        _web(provider="arn:aws:iam::222222222222:oidc-provider/gitlab.com", effect="Deny"),
        _web(effect="Deny", condition={"StringNotLike": {SUB: "repo:*"}}),
        _web(effect="Deny", action="sts:AssumeRole"),
        {"Effect": "Deny", "NotPrincipal": {"Federated": GITHUB}, "Action": "sts:*"},
        # guards: the first one, naming everyone, then one naming the provider
        {"Effect": "Deny", "Principal": "*", "Action": "sts:*", "Condition": {"StringNotLike": {SUB: "repo:octo/*"}}},
        _web(effect="Deny", condition={"StringNotEquals": {SUB: "repo:octo/app:ref:refs/heads/main"}}),
    )
    [trust] = federation.web_identity_trusts(source)
    assert trust.guard is source.document.statements[5]
    assert trust.pins == ()
    assert not trust.open


def test_a_deny_of_every_token_of_the_provider_is_a_guard() -> None:
    """A Deny without conditions refuses every token: nobody outside the tenant gets in (nor anyone)."""
    source = _source(_web(), _web(effect="Deny"))
    [trust] = federation.web_identity_trusts(source)
    assert trust.guard is source.document.statements[1]
    assert not trust.open


def test_a_deny_with_one_loose_clause_is_no_guard() -> None:
    """Every clause of the Deny must spare only the tenant: a Deny that also needs aud to differ spares all."""
    source = _source(
        _web(),
        _web(effect="Deny", condition={"StringNotLike": {SUB: "repo:octo/*", AUD: "sts.amazonaws.com"}}),
    )
    [trust] = federation.web_identity_trusts(source)
    assert trust.guard is None
    assert trust.open


# ------------------------------------------------------------------------------ what messages read


def test_open_trust_claim_key_and_loose_clauses() -> None:
    source = _source(
        _web(
            condition={
                "StringEquals": {AUD: "sts.amazonaws.com"},
                "StringLike": {SUB: "repo:*", "token.actions.githubusercontent.com:repository": "octo/*"},
                "StringNotLike": {SUB: "repo:evil/*"},
                "ForAllValues:StringLike": {"Token.Actions.GitHubUserContent.com:Repository_Id": "1"},
            }
        )
    )
    [trust] = federation.web_identity_trusts(source)
    conditions = source.document.statements[0].conditions
    repository = next(c for c in conditions if c.key == "token.actions.githubusercontent.com:repository")
    assert trust.pins == (repository,)
    assert not trust.open
    assert trust.claim_key == SUB
    # the clauses on tenant claims that do not pin, in document order; aud is not a tenant claim
    assert [c.text for c in trust.loose_clauses()] == [
        '{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}}',
        '{"StringNotLike": {"token.actions.githubusercontent.com:sub": "repo:evil/*"}}',
        '{"ForAllValues:StringLike": {"Token.Actions.GitHubUserContent.com:Repository_Id": "1"}}',
    ]


@pytest.mark.parametrize(
    ("provider", "claim_key"),
    [
        (COGNITO, "cognito-identity.amazonaws.com:aud"),
        ("Accounts.Google.com", "accounts.google.com:aud"),
        ("graph.facebook.com", "graph.facebook.com:app_id"),
        ("www.amazon.com", "www.amazon.com:app_id"),
        ("arn:aws:iam::222222222222:oidc-provider/gitlab.com", "gitlab.com:sub"),
        ("arn:aws:iam::222222222222:oidc-provider/app.terraform.io", "app.terraform.io:sub"),
    ],
)
def test_claim_key_of_each_issuer(provider: str, claim_key: str) -> None:
    [trust] = federation.web_identity_trusts(_source(_web(provider=provider)))
    assert trust.open
    assert trust.claim_key == claim_key
    assert trust.loose_clauses() == []


def test_a_statement_for_everyone_trusts_no_provider_but_guards_all() -> None:
    """``Principal: "*"`` names no web identity provider to trust (``federated`` is empty), but a Deny for
    ``*`` covers every provider's tokens."""
    source = _source({"Effect": "Allow", "Principal": "*", "Action": "sts:*"})
    assert federation.web_identity_trusts(source) == []
    assert federation._names_provider(source.document.statements[0], GITHUB)
