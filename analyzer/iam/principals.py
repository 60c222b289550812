"""The caller of a request, and how ``Principal``/``NotPrincipal`` elements match it.

IAMUG ``reference_policies_elements_principal``:

* ``"*"`` / ``{"AWS": "*"}``: everyone, anonymous callers included.
* ``{"AWS": "123456789012"}`` = ``{"AWS": "arn:aws:iam::123456789012:root"}``: *the account*. In a
  resource or trust policy this delegates to the account's own identity policies; it does not by
  itself grant to any principal of the account (:attr:`MatchKind.ACCOUNT`).
* A user or role ARN matches exactly and case-sensitively; no wildcards inside ARNs. A role ARN
  matches every session of that role; an ``assumed-role`` session ARN matches that session only.
* ``Service``, ``Federated`` and ``CanonicalUser`` match callers of that kind.
* A bare unique id (``AIDA...``) is a deleted principal: it matches only a caller whose unique id
  is known and equal (never a re-created principal of the same name).

``NotPrincipal`` (IAMUG ``reference_policies_elements_notprincipal``):

* with ``Allow``: the statement applies to every caller the list does not match;
* with ``Deny``: a caller escapes the deny only if *its whole chain* is listed: the account and the
  user; or the account and the role (and, when sessions of that role are listed, its own session).
  A caller with a permissions boundary never escapes (IAMUG ``access_policies_boundaries``: "will
  always deny any IAM principal that has a permissions boundary policy attached").
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from analyzer.iam.arn import (
    account_principal,
    assumed_role_parts,
    is_service_linked_role,
    parse_arn,
    role_name,
    root_arn,
    session_arn,
)
from analyzer.model.policy import PrincipalSpec

PrincipalType = Literal["user", "role", "root", "service", "federated", "anonymous"]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who makes the request.

    ``arn``: user ARN, role ARN (not the session ARN), ``arn:<p>:iam::<acct>:root`` for the root
    user, the service name for a service principal (``cloudtrail.amazonaws.com``), the identity
    provider ARN (or ``accounts.google.com`` ...) for a federated caller, ``"*"`` for anonymous.
    ``tags``: the caller's IAM tags as sorted ``(key, value)`` pairs when known (``None`` = unknown,
    so ``aws:PrincipalTag/*`` is
    unknown). ``unique_id``: ``AIDA...``/``AROA...`` when known. ``session_name``: for a role, the
    session name when known.
    """

    arn: str
    principal_type: PrincipalType
    account_id: str | None = None
    tags: tuple[tuple[str, str], ...] | None = None
    unique_id: str | None = None
    session_name: str | None = None
    canonical_user: str | None = None

    # ---- constructors -------------------------------------------------------------------
    @classmethod
    def user(cls, arn: str, *, tags: Mapping[str, str] | None = None, unique_id: str | None = None) -> Principal:
        parsed = parse_arn(arn)
        return cls(arn, "user", parsed.account if parsed else None, _frozen(tags), unique_id)

    @classmethod
    def role(
        cls,
        arn: str,
        *,
        session_name: str | None = None,
        tags: Mapping[str, str] | None = None,
        unique_id: str | None = None,
    ) -> Principal:
        parsed = parse_arn(arn)
        return cls(arn, "role", parsed.account if parsed else None, _frozen(tags), unique_id, session_name=session_name)

    @classmethod
    def root(cls, account_id: str, partition: str = "aws") -> Principal:
        return cls(root_arn(account_id, partition), "root", account_id, ())

    @classmethod
    def service(cls, name: str) -> Principal:
        return cls(name, "service")

    @classmethod
    def federated(cls, provider: str) -> Principal:
        parsed = parse_arn(provider)
        return cls(provider, "federated", parsed.account if parsed and parsed.account else None)

    @classmethod
    def anonymous(cls) -> Principal:
        return cls("*", "anonymous")

    # ---- derived --------------------------------------------------------------------------
    @property
    def partition(self) -> str | None:
        parsed = parse_arn(self.arn)
        return parsed.partition if parsed else None

    @property
    def name(self) -> str | None:
        """The friendly name of a user or role (without its path)."""
        return role_name(self.arn) if self.principal_type in ("user", "role") else None

    @property
    def session_arn(self) -> str | None:
        if self.principal_type != "role" or self.session_name is None:
            return None
        return session_arn(self.arn, self.session_name)

    @property
    def is_service_linked(self) -> bool:
        return self.principal_type == "role" and is_service_linked_role(self.arn)

    def describe(self) -> str:
        if self.principal_type == "anonymous":
            return "an anonymous caller"
        if self.principal_type == "service":
            return f"service {self.arn}"
        return self.session_arn or self.arn


def _frozen(tags: Mapping[str, str] | None) -> tuple[tuple[str, str], ...] | None:
    """Tags as a sorted tuple, so that a :class:`Principal` stays hashable."""
    return None if tags is None else tuple(sorted(tags.items()))


class MatchKind(enum.Enum):
    """How a ``Principal`` element matched the caller; decides what the grant means."""

    ANY = "any"  # "*"
    ACCOUNT = "account"  # account id / :root: delegation to the account's identity policies
    ARN = "arn"  # the user ARN / the root ARN
    ROLE = "role"  # the role ARN, matching a session of that role
    SESSION = "session"  # the assumed-role session ARN
    SERVICE = "service"
    FEDERATED = "federated"
    CANONICAL_USER = "canonical_user"
    UNIQUE_ID = "unique_id"
    NOT_PRINCIPAL = "not_principal"  # an Allow whose NotPrincipal does not list the caller

    @property
    def direct(self) -> bool:
        """True when the grant names the caller itself rather than delegating to its account."""
        return self is not MatchKind.ACCOUNT


_RANK = {kind: i for i, kind in enumerate(MatchKind)}


def _aws_entry_kind(entry: str, caller: Principal) -> MatchKind | None:
    if caller.principal_type not in ("user", "role", "root"):
        return None
    account = account_principal(entry)
    if account is not None:
        acct, partition = account
        same_partition = partition is None or caller.partition in (None, partition)
        if caller.principal_type == "root" and entry == caller.arn:
            return MatchKind.ARN if acct == caller.account_id else None
        return MatchKind.ACCOUNT if acct == caller.account_id and same_partition else None
    if entry == caller.arn:
        return MatchKind.ROLE if caller.principal_type == "role" else MatchKind.ARN
    if caller.unique_id is not None and entry == caller.unique_id:
        return MatchKind.UNIQUE_ID
    if caller.principal_type == "role":
        own_session = caller.session_arn
        if own_session is not None and entry == own_session:
            return MatchKind.SESSION
    return None


def match_principal(spec: PrincipalSpec, caller: Principal) -> MatchKind | None:
    """The strongest way ``spec`` names ``caller`` (direct over account delegation), or ``None``."""
    if spec.any:
        return MatchKind.ANY
    kinds: list[MatchKind] = []
    for entry in spec.aws:
        kind = _aws_entry_kind(entry, caller)
        if kind is not None:
            kinds.append(kind)
    if caller.principal_type == "service" and any(s.lower() == caller.arn.lower() for s in spec.service):
        kinds.append(MatchKind.SERVICE)
    if caller.principal_type == "federated" and caller.arn in spec.federated:
        kinds.append(MatchKind.FEDERATED)
    if caller.canonical_user is not None and caller.canonical_user in spec.canonical_user:
        kinds.append(MatchKind.CANONICAL_USER)
    if not kinds:
        return None
    return min(kinds, key=lambda k: (not k.direct, _RANK[k]))


def _listed(spec: PrincipalSpec, value: str | None) -> bool:
    return value is not None and value in spec.aws


def escapes_not_principal_deny(spec: PrincipalSpec, caller: Principal, has_boundary: bool) -> bool:
    """True when a ``Deny`` + ``NotPrincipal: spec`` statement does *not* apply to ``caller``."""
    if spec.any:
        return not has_boundary
    if has_boundary and caller.principal_type in ("user", "role"):
        return False
    if caller.principal_type == "service":
        return any(s.lower() == caller.arn.lower() for s in spec.service)
    if caller.principal_type == "federated":
        return caller.arn in spec.federated
    if caller.principal_type == "anonymous":
        return False
    account = caller.account_id
    account_listed = account is not None and (
        account in spec.aws or any(account_principal(e) == (account, caller.partition) for e in spec.aws)
    )
    if not account_listed:
        return False
    if caller.principal_type == "root":
        return True
    if not _listed(spec, caller.arn):
        return False
    if caller.principal_type == "role":
        name = role_name(caller.arn)
        listed_sessions = [
            e for e in spec.aws if (parts := assumed_role_parts(e)) is not None and parts[1:3] == (account, name)
        ]
        if listed_sessions:
            return _listed(spec, caller.session_arn)
    return True


def statement_applies_to(
    principal: PrincipalSpec | None,
    not_principal: PrincipalSpec | None,
    effect: Literal["Allow", "Deny"],
    caller: Principal,
    has_boundary: bool,
) -> MatchKind | None:
    """How a resource-policy statement's ``Principal``/``NotPrincipal`` covers ``caller``, or ``None``."""
    if principal is not None:
        return match_principal(principal, caller)
    if not_principal is not None:
        if effect == "Deny":
            return None if escapes_not_principal_deny(not_principal, caller, has_boundary) else MatchKind.NOT_PRINCIPAL
        return None if match_principal(not_principal, caller) is not None else MatchKind.NOT_PRINCIPAL
    return None


__all__ = [
    "MatchKind",
    "Principal",
    "PrincipalType",
    "escapes_not_principal_deny",
    "match_principal",
    "statement_applies_to",
]
