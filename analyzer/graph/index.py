"""Indexes that keep the build linear in practice: roles by ARN/account/name, trusts by whom they name.

A ``can_assume`` edge needs both sides to allow, so a caller is only ever evaluated against roles
whose trust policy *can* name it (its ARN or unique id, its account, or anyone) and, unless the
trust names it directly, whose ARN one of its ``sts:AssumeRole`` resource patterns can match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from analyzer.iam.arn import account_principal, assumed_role_parts, parse_arn
from analyzer.iam.statements import CompiledStatement, compile_document
from analyzer.iam.wildcard import arn_matches, has_wildcard
from analyzer.model.entities import Role
from analyzer.model.policy import ConditionClause, PolicyDocument, PolicySource

ASSUME = "sts:assumerole"
SAML = "sts:assumerolewithsaml"
WEB_IDENTITY = "sts:assumerolewithwebidentity"

_VARIABLE = re.compile(r"\$\{[^{}]*\}")
# Condition keys whose value differs between two callers of the same account and policies.
_PRINCIPAL_KEYS = frozenset({"aws:principalarn", "aws:username", "aws:userid"})
_PRINCIPAL_PREFIXES = ("aws:principaltag/",)
RESOURCE_ACCOUNT = "aws:resourceaccount"
#: The caller's account as a condition key: the one caller key that is equal for every caller of an account.
PRINCIPAL_ACCOUNT = "aws:principalaccount"
#: Keys whose value is fixed by the role's account (its id, or its place in the organization).
ROLE_ACCOUNT_KEYS = (RESOURCE_ACCOUNT, "aws:resourceorgpaths")
#: The role's own tags (``aws:ResourceTag/<key>``): two roles with one trust document may differ in them.
RESOURCE_TAG = "aws:resourcetag/"
#: The caller's account's place in the organization (its OU path).
PRINCIPAL_ORG_PATHS = "aws:principalorgpaths"


def assume_statements(document: PolicyDocument, action: str = ASSUME) -> tuple[CompiledStatement, ...]:
    """The statements of ``document`` whose ``Action``/``NotAction`` covers ``action`` (lower-cased)."""
    return tuple(cs for cs in compile_document(document).candidates(action) if cs.action_matches(action))


def principal_sensitive(clauses: Iterable[ConditionClause]) -> bool:
    """True when a clause reads a key (or a variable) whose value is specific to one caller."""
    for clause in clauses:
        key = clause.key.lower()
        if key in _PRINCIPAL_KEYS or key.startswith(_PRINCIPAL_PREFIXES):
            return True
        if any("${" in v for v in clause.values):
            return True
    return False


def uses_key(clauses: Iterable[ConditionClause], key: str) -> bool:
    return any(c.key.lower() == key for c in clauses)


def reads(clauses: Iterable[ConditionClause], *keys: str) -> bool:
    """True when a clause reads one of ``keys`` (lower-cased; one ending in ``/`` is a prefix such as
    ``aws:resourcetag/``), as its condition key or in a policy variable of its values."""
    for clause in clauses:
        key = clause.key.lower()
        if any(key == k or (k.endswith("/") and key.startswith(k)) for k in keys):
            return True
        for value in clause.values:
            if "${" in value and any("${" + k in value.lower().replace(" ", "") for k in keys):
                return True
    return False


def prefilter_pattern(pattern: str) -> str:
    """A resource pattern with its policy variables widened to ``*``: a superset, for candidate search."""
    return _VARIABLE.sub("*", pattern)


@dataclass(frozen=True, slots=True)
class TrustInfo:
    """What one trust document says about who may call ``sts:AssumeRole`` (and federation)."""

    accounts: frozenset[str]  # accounts named (bare id or root ARN) by Allow statements for sts:AssumeRole
    named: frozenset[str]  # ARNs / unique ids named anywhere in Principal or NotPrincipal
    named_accounts: frozenset[str]  # accounts named anywhere in Principal or NotPrincipal (any effect, action)
    anyone: bool  # "*" or an Allow + NotPrincipal statement for sts:AssumeRole
    federated: tuple[tuple[str, str], ...]  # (provider, action) pairs of Allow statements
    principal_sensitive: bool  # a condition reads a caller-specific key: no sharing between callers
    uses_resource_account: bool  # a condition reads a key fixed by the role's account (ROLE_ACCOUNT_KEYS)
    reads_caller_account: bool  # a condition reads aws:PrincipalAccount
    has_resource: bool  # a statement with Resource/NotResource (invalid in a trust, but then per-role)
    reads_role_tags: bool = False  # a condition reads aws:ResourceTag/*: the verdict is per role tags
    reads_org_paths: bool = False  # a condition reads aws:PrincipalOrgPaths: per the caller's OU path
    #: role sessions named in Principal or NotPrincipal: (account, role name) -> session names
    sessions: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    def sessions_of(self, account: str, role_name: str) -> tuple[str, ...]:
        """The session names of role ``role_name`` of ``account`` that this trust names (``assumed-role`` ARNs)."""
        return self.sessions.get((account, role_name), ()) if self.sessions else ()

    @classmethod
    def of(cls, document: PolicyDocument) -> TrustInfo:
        accounts: set[str] = set()
        named: set[str] = set()
        named_accounts: set[str] = set()
        sessions: dict[tuple[str, str], list[str]] = {}
        anyone = False
        federated: list[tuple[str, str]] = []
        for statement in document.statements:
            for spec in (statement.principal, statement.not_principal):
                if spec is not None:
                    for value in spec.aws:
                        account = account_principal(value)
                        if account is None:
                            named.add(value)
                        else:
                            named_accounts.add(account[0])
                        session = assumed_role_parts(value)
                        if session is not None:
                            names = sessions.setdefault((session[1], session[2]), [])
                            names.extend(n for n in (session[3],) if n not in names)
        for cs in compile_document(document).statements:
            statement = cs.statement
            if statement.effect != "Allow":
                continue
            if cs.action_matches(ASSUME):
                if statement.not_principal is not None or (statement.principal and statement.principal.any):
                    anyone = True
                if statement.principal is not None:
                    accounts.update(a[0] for v in statement.principal.aws if (a := account_principal(v)))
            if statement.principal is not None:
                for provider in statement.principal.federated:
                    action = SAML if _is_saml(provider) else WEB_IDENTITY
                    if cs.action_matches(action):
                        federated.append((provider, action))
        clauses = [c for s in document.statements for c in s.conditions]
        return cls(
            accounts=frozenset(accounts),
            named=frozenset(named),
            named_accounts=frozenset(named_accounts),
            anyone=anyone,
            federated=tuple(dict.fromkeys(federated)),
            principal_sensitive=principal_sensitive(clauses) or _resource_variables(document),
            uses_resource_account=reads(clauses, *ROLE_ACCOUNT_KEYS),
            reads_caller_account=reads(clauses, PRINCIPAL_ACCOUNT),
            has_resource=any(s.resources is not None or s.not_resources is not None for s in document.statements),
            reads_role_tags=reads(clauses, RESOURCE_TAG),
            reads_org_paths=reads(clauses, PRINCIPAL_ORG_PATHS),
            sessions={key: tuple(sorted(names)) for key, names in sorted(sessions.items())},
        )


def session_name_rule(trust: PolicySource | None) -> str:
    """Why whoever assumes a role may not choose its session name freely; ``""`` when they may.

    ``RoleSessionName`` is the caller's to choose (``sts:AssumeRole``, ``AssumeRoleWithWebIdentity``)
    unless the role's trust sets a condition on ``sts:RoleSessionName``; with SAML the identity
    provider's assertion sets it (IAMUG "Passing session tags in AWS STS", "Configure SAML assertions
    for the authentication response": the ``RoleSessionName`` attribute). An unreadable trust: unknown.
    """
    if trust is None:
        return "its trust policy cannot be read"
    statements = trust.document.statements
    if any(c.key.lower() == "sts:rolesessionname" for s in statements for c in s.conditions):
        return "its trust constrains sts:RoleSessionName"
    if any(
        s.effect == "Allow" and s.principal is not None and any(map(_is_saml, s.principal.federated))
        for s in statements
    ):
        return "its SAML identity provider sets the session name"
    return ""


TAG_SESSION = "sts:tagsession"


def allows_session_tags(trust: PolicySource | None) -> bool:
    """Does the role's trust let whoever assumes it pass session tags (an Allow for ``sts:TagSession``)?

    IAMUG "Passing session tags in AWS STS": the caller chooses the tags (SAML and web identity: the
    identity provider's assertion or token), and a session tag overrides the role's tag of the same key,
    so the sessions' ``aws:PrincipalTag/*`` are not the role's tags. An unreadable trust: they may be.
    """
    if trust is None:
        return True
    return any(
        cs.statement.effect == "Allow" and cs.action_matches(TAG_SESSION)
        for cs in compile_document(trust.document).statements
    )


def _resource_variables(document: PolicyDocument) -> bool:
    """A ``Resource``/``NotResource`` with a policy variable (invalid in a trust, but it may read the caller)."""
    return any("${" in r for s in document.statements for r in (*(s.resources or ()), *(s.not_resources or ())))


def _is_saml(provider: str) -> bool:
    arn = parse_arn(provider)
    return arn is not None and arn.resource_type == "saml-provider"


@dataclass(slots=True)
class RolePool:
    """A set of roles with a name index, to match resource patterns without scanning every role."""

    roles: dict[str, Role] = field(default_factory=dict)
    by_name: dict[str, list[Role]] = field(default_factory=dict)
    by_account: dict[str, list[Role]] = field(default_factory=dict)

    def add(self, role: Role) -> None:
        if role.arn in self.roles:
            return
        self.roles[role.arn] = role
        self.by_name.setdefault(role.name, []).append(role)
        self.by_account.setdefault(role.account_id, []).append(role)

    def matching(self, patterns: Sequence[str] | None) -> list[Role]:
        """Roles whose ARN one of ``patterns`` matches (``None``: any resource), sorted by ARN."""
        if patterns is None or "*" in patterns:
            return sorted(self.roles.values(), key=lambda r: r.arn)
        found: dict[str, Role] = {}
        for pattern in patterns:
            for role in self._narrow(pattern):
                if role.arn not in found and arn_matches(pattern, role.arn):
                    found[role.arn] = role
        return sorted(found.values(), key=lambda r: r.arn)

    def _narrow(self, pattern: str) -> Iterable[Role]:
        if not has_wildcard(pattern):
            role = self.roles.get(pattern)
            return (role,) if role is not None else ()
        parts = pattern.split(":", 5)
        if len(parts) == 6 and parts[2] == "iam":
            name = parts[5].rsplit("/", 1)[-1]
            if parts[5].startswith("role/") and not has_wildcard(name):
                return self.by_name.get(name, ())
            if not has_wildcard(parts[4]):
                return self.by_account.get(parts[4], ())
        return self.roles.values()


@dataclass(slots=True)
class TrustIndex:
    """Assumable roles (not service-linked, with a readable trust) by what their trust names."""

    trust_info: dict[int, TrustInfo] = field(default_factory=dict)  # id(document) -> info
    by_account: dict[str, RolePool] = field(default_factory=dict)
    by_named: dict[str, list[Role]] = field(default_factory=dict)
    by_session_of: dict[tuple[str, str], list[Role]] = field(default_factory=dict)  # (account, role name)
    anyone: list[Role] = field(default_factory=list)
    anyone_by_account: dict[str, list[Role]] = field(default_factory=dict)  # the same, by the role's account
    _pools: dict[str, RolePool] = field(default_factory=dict)

    def info(self, document: PolicyDocument) -> TrustInfo:
        found = self.trust_info.get(id(document))
        if found is None:
            found = self.trust_info[id(document)] = TrustInfo.of(document)
        return found

    def add(self, role: Role, trust: PolicySource) -> TrustInfo:
        info = self.info(trust.document)
        for account in info.accounts:
            self.by_account.setdefault(account, RolePool()).add(role)
        for entry in info.named:
            self.by_named.setdefault(entry, []).append(role)
        for session_role in info.sessions:
            self.by_session_of.setdefault(session_role, []).append(role)
        if info.anyone:
            self.anyone.append(role)
            self.anyone_by_account.setdefault(role.account_id, []).append(role)
        return info

    def pool_for_account(self, account: str) -> RolePool:
        """Roles trusting ``account`` or anyone: those a caller of ``account`` can reach via its identity policies."""
        pool = self._pools.get(account)
        if pool is None:
            pool = RolePool()
            for role in self.by_account.get(account, RolePool()).roles.values():
                pool.add(role)
            for role in self.anyone:
                pool.add(role)
            self._pools[account] = pool
        return pool

    def open_in(self, account: str) -> list[Role]:
        """Roles of ``account`` whose trust allows anyone (``"*"`` or Allow + NotPrincipal).

        Within one account such a trust names every caller directly, so it may allow a caller whose
        identity policies grant nothing (IAMUG policy evaluation logic, same account): these roles are
        candidates for every caller of the account, not only for those whose identity policies reach them.
        """
        return self.anyone_by_account.get(account, [])

    def naming(self, *entries: str | None, session_of: tuple[str, str] | None = None) -> list[Role]:
        """Roles whose trust names one of ``entries`` (an ARN or unique id) directly, or a session of the
        role ``session_of`` (account, role name): whoever assumes that role may name its session so."""
        found: dict[str, Role] = {}
        for entry in entries:
            if entry:
                for role in self.by_named.get(entry, ()):
                    found.setdefault(role.arn, role)
        for role in self.by_session_of.get(session_of, ()) if session_of is not None else ():
            found.setdefault(role.arn, role)
        return [found[a] for a in sorted(found)]
