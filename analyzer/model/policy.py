"""The IAM policy grammar, normalized.

A :class:`PolicyDocument` holds only content, so identical documents (an AWS-managed policy
attached in a thousand accounts) are parsed once and shared. Where a document came from is
kept by the :class:`PolicySource` that holds it: a statement's evidence reference is the
source's reference plus :attr:`Statement.pointer`.

Normalization (IAMUG ``reference_policies_grammar``): ``Statement`` object or list -> tuple;
``Action``/``Resource``/principal values string or list -> tuple; ``"*"`` principal ->
``PrincipalSpec(any=True)``; condition values (strings, numbers, booleans, lists) -> tuples of
strings with booleans lower-cased; condition operator and key names kept as written (the
engine compares them case-insensitively).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from analyzer.model.evidence import EvidenceRef

Effect = Literal["Allow", "Deny"]
PolicyKind = Literal["inline", "managed", "trust", "boundary", "bucket", "scp", "unresolved"]


class PolicyParseError(ValueError):
    """A policy document that does not follow the grammar; ``pointer`` is inside the document."""

    def __init__(self, pointer: str, message: str, hint: str = "fix the policy document") -> None:
        super().__init__(f"{pointer or '/'}: {message}")
        self.pointer = pointer
        self.message = message
        self.hint = hint


def _cached_hash(owner: Any, content: tuple[Any, ...]) -> int:
    """The hash of ``content``, kept in ``owner.hash_value`` (never 0, which means "not computed yet").

    The value is only ever compared within one process or its forked children, which share the
    interpreter's hash seed (:mod:`analyzer.evidence.transfer` sends it back with the object).
    """
    value = hash(content) or 1
    object.__setattr__(owner, "hash_value", value)
    return value


@dataclass(frozen=True, slots=True)
class PrincipalSpec:
    """``Principal`` / ``NotPrincipal``: ``any`` for ``"*"`` or ``{"AWS": "*"}``."""

    any: bool = False
    aws: tuple[str, ...] = ()
    service: tuple[str, ...] = ()
    federated: tuple[str, ...] = ()
    canonical_user: tuple[str, ...] = ()

    def values(self) -> tuple[tuple[str, str], ...]:
        """Every named principal as (type, value), in document order by type."""
        out: list[tuple[str, str]] = []
        if self.any:
            out.append(("AWS", "*"))
        out.extend(("AWS", v) for v in self.aws)
        out.extend(("Service", v) for v in self.service)
        out.extend(("Federated", v) for v in self.federated)
        out.extend(("CanonicalUser", v) for v in self.canonical_user)
        return tuple(out)


@dataclass(frozen=True, slots=True)
class ConditionClause:
    """One ``operator: {key: values}`` pair of a ``Condition`` block.

    Hashed once (:func:`_cached_hash`): the engine's caches and sets hash a clause for every request
    it evaluates, and hashing a tuple of a hundred thousand values every time made one such
    condition cost time quadratic in its length.
    """

    operator: str
    key: str
    values: tuple[str, ...]
    hash_value: int = field(default=0, init=False, repr=False, compare=False)

    def __hash__(self) -> int:
        return self.hash_value or _cached_hash(self, (self.operator, self.key, self.values))

    @property
    def text(self) -> str:
        shown: str | list[str] = self.values[0] if len(self.values) == 1 else list(self.values)
        return json.dumps({self.operator: {self.key: shown}}, sort_keys=True)


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement; exactly one of each pair (``actions``/``not_actions`` ...) is set."""

    effect: Effect
    sid: str | None = None
    principal: PrincipalSpec | None = None
    not_principal: PrincipalSpec | None = None
    actions: tuple[str, ...] | None = None
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    not_resources: tuple[str, ...] | None = None
    conditions: tuple[ConditionClause, ...] = ()
    pointer: str = ""  # where the statement sits inside its document, e.g. "/Statement/1"
    source_json: str = field(default="", compare=False)  # the statement as written, compact JSON
    hash_value: int = field(default=0, init=False, repr=False, compare=False)  # see ConditionClause

    def __hash__(self) -> int:
        if self.hash_value:
            return self.hash_value
        content = (self.effect, self.sid, self.principal, self.not_principal, self.actions, self.not_actions)
        return _cached_hash(self, (*content, self.resources, self.not_resources, self.conditions, self.pointer))

    @property
    def source_text(self) -> str:
        """The statement as written, pretty-printed (computed on demand: loading stays fast)."""
        if not self.source_json:
            return ""
        return json.dumps(json.loads(self.source_json), indent=2, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    version: str | None
    statements: tuple[Statement, ...]
    id: str | None = None


@dataclass(frozen=True, slots=True)
class PolicySource:
    """A document in its place: which policy of which principal, and where in the bundle."""

    kind: PolicyKind
    name: str
    document: PolicyDocument
    ref: EvidenceRef
    arn: str | None = None

    def statement_ref(self, statement: Statement) -> EvidenceRef:
        if self.ref.inner is not None:
            return EvidenceRef(self.ref.file, self.ref.pointer, self.ref.inner + statement.pointer)
        return EvidenceRef(self.ref.file, self.ref.pointer + statement.pointer)


def _strings(value: Any, pointer: str, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise PolicyParseError(pointer, f"{what} must be a string or a list of strings")


def _principal(value: Any, pointer: str) -> PrincipalSpec:
    if value == "*":
        return PrincipalSpec(any=True)
    if not isinstance(value, Mapping):
        raise PolicyParseError(pointer, 'a principal must be "*" or an object such as {"AWS": [...]}')
    buckets: dict[str, list[str]] = {"aws": [], "service": [], "federated": [], "canonicaluser": []}
    any_principal = False
    for key, raw in value.items():
        slot = buckets.get(str(key).lower())
        if slot is None:
            raise PolicyParseError(f"{pointer}/{key}", f"unknown principal type {key!r}")
        for item in _strings(raw, f"{pointer}/{key}", f"principal {key}"):
            if str(key).lower() == "aws" and item == "*":
                any_principal = True
            else:
                slot.append(item)
    return PrincipalSpec(
        any=any_principal,
        aws=tuple(buckets["aws"]),
        service=tuple(buckets["service"]),
        federated=tuple(buckets["federated"]),
        canonical_user=tuple(buckets["canonicaluser"]),
    )


def _condition_values(value: Any, pointer: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, (str, int, float)):
            out.append(str(item))
        else:
            raise PolicyParseError(pointer, "condition values must be strings, numbers or booleans")
    return tuple(out)


def _conditions(value: Any, pointer: str) -> tuple[ConditionClause, ...]:
    if not isinstance(value, Mapping):
        raise PolicyParseError(pointer, "Condition must be an object of operator -> {key: values}")
    clauses: list[ConditionClause] = []
    for operator, block in value.items():
        if not isinstance(block, Mapping):
            raise PolicyParseError(f"{pointer}/{operator}", "a condition operator must map keys to values")
        for key, raw in block.items():
            clauses.append(
                ConditionClause(str(operator), str(key), _condition_values(raw, f"{pointer}/{operator}/{key}"))
            )
    return tuple(clauses)


_STATEMENT_KEYS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)


def _statement(raw: Any, pointer: str) -> Statement:
    if not isinstance(raw, Mapping):
        raise PolicyParseError(pointer, "a statement must be an object")
    unknown = sorted(set(raw) - _STATEMENT_KEYS)
    if unknown:
        raise PolicyParseError(pointer, f"unknown statement element(s): {', '.join(unknown)}")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyParseError(f"{pointer}/Effect", 'Effect must be exactly "Allow" or "Deny"')
    if ("Action" in raw) == ("NotAction" in raw):
        raise PolicyParseError(pointer, "a statement needs exactly one of Action or NotAction")
    if "Resource" in raw and "NotResource" in raw:
        raise PolicyParseError(pointer, "a statement cannot have both Resource and NotResource")
    if "Principal" in raw and "NotPrincipal" in raw:
        raise PolicyParseError(pointer, "a statement cannot have both Principal and NotPrincipal")
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyParseError(f"{pointer}/Sid", "Sid must be a string")

    def opt(name: str, what: str) -> tuple[str, ...] | None:
        return _strings(raw[name], f"{pointer}/{name}", what) if name in raw else None

    return Statement(
        effect=effect,
        sid=sid,
        principal=_principal(raw["Principal"], f"{pointer}/Principal") if "Principal" in raw else None,
        not_principal=(_principal(raw["NotPrincipal"], f"{pointer}/NotPrincipal") if "NotPrincipal" in raw else None),
        actions=opt("Action", "Action"),
        not_actions=opt("NotAction", "NotAction"),
        resources=opt("Resource", "Resource"),
        not_resources=opt("NotResource", "NotResource"),
        conditions=_conditions(raw["Condition"], f"{pointer}/Condition") if "Condition" in raw else (),
        pointer=pointer,
        source_json=json.dumps(raw, ensure_ascii=False, separators=(",", ":")),
    )


#: Values one policy element may hold by default: statements in ``Statement``, entries of an
#: ``Action``/``Resource`` list or of one principal type, the values of one condition key. No policy
#: AWS accepts comes near (the largest, a bucket policy, is at most 20 KB); a hostile export with
#: a hundred thousand made the evaluation of the trust policies holding them take minutes.
MAX_POLICY_VALUES = 10_000


def _check_counts(raw: Mapping[str, Any], limit: int) -> None:
    """PolicyParseError at the first element holding more than ``limit`` values (before any is parsed)."""

    def check(value: Any, pointer: str) -> None:
        if isinstance(value, list) and len(value) > limit:
            raise PolicyParseError(
                pointer,
                f"{len(value):,} values, more than the {limit:,} one policy element may hold (no policy AWS "
                "accepts has that many: AWS limits a policy to a few KB); the policy is not evaluated",
                "raise --max-policy-values if the policy is genuine",
            )

    body = raw.get("Statement")
    check(body, "/Statement")
    for index, statement in enumerate(body if isinstance(body, list) else [body]):
        if not isinstance(statement, Mapping):
            continue  # the parse says what is wrong with it
        base = f"/Statement/{index}" if isinstance(body, list) else "/Statement"
        for name in ("Action", "NotAction", "Resource", "NotResource"):
            check(statement.get(name), f"{base}/{name}")
        for name in ("Principal", "NotPrincipal"):
            named = statement.get(name)
            for key, value in named.items() if isinstance(named, Mapping) else ():
                check(value, f"{base}/{name}/{key}")
        condition = statement.get("Condition")
        for operator, block in condition.items() if isinstance(condition, Mapping) else ():
            for key, value in block.items() if isinstance(block, Mapping) else ():
                check(value, f"{base}/Condition/{operator}/{key}")


def parse_policy(raw: Any, max_values: int = MAX_POLICY_VALUES) -> PolicyDocument:
    """Normalize a decoded policy document; raises :class:`PolicyParseError` with a pointer.

    ``max_values``: the most values one element may hold (:data:`MAX_POLICY_VALUES`).
    """
    if not isinstance(raw, Mapping):
        raise PolicyParseError("", "a policy document must be a JSON object")
    _check_counts(raw, max_values)
    version = raw.get("Version")
    if version is not None and not isinstance(version, str):
        raise PolicyParseError("/Version", "Version must be a string")
    if "Statement" not in raw:
        raise PolicyParseError("", "a policy document needs a Statement")
    body = raw["Statement"]
    if isinstance(body, Mapping):
        statements: Sequence[Any] = [body]
        pointers = ["/Statement"]
    elif isinstance(body, list):
        statements = body
        pointers = [f"/Statement/{i}" for i in range(len(body))]
    else:
        raise PolicyParseError("/Statement", "Statement must be an object or a list of objects")
    policy_id = raw.get("Id")
    return PolicyDocument(
        version=version,
        statements=tuple(_statement(s, p) for s, p in zip(statements, pointers, strict=True)),
        id=policy_id if isinstance(policy_id, str) else None,
    )


@lru_cache(maxsize=65536)
def parse_policy_text(text: str) -> PolicyDocument:
    """Parse a canonical JSON text of a document; cached so shared documents are parsed once."""
    return parse_policy(json.loads(text))


def canonical_text(raw: Any) -> str:
    """A stable text for a decoded document, the key under which identical documents are shared."""
    return json.dumps(raw, separators=(",", ":"), ensure_ascii=False)
