"""Three-valued request context: what the evidence says about each condition key.

An offline audit does not see requests, so for every condition key the engine must know one of
three things:

* the key's **values** (``aws:PrincipalAccount`` = the caller's account; ``aws:MultiFactorAuthPresent``
  = ``"true"`` in the MFA scenario);
* that the key is **absent** (``aws:MultiFactorAuthPresent`` for long-term access keys;
  ``aws:username`` for a role);
* nothing: the key is **unknown** (``aws:SourceIp``, ``sts:ExternalId``, ``aws:PrincipalOrgID``
  when the organization is unknown ...). A condition clause on an unknown key evaluates to
  :attr:`Tri.UNKNOWN`, which the evaluator turns into a *conditional* allow or deny that names
  the clause instead of guessing.

Keys are case-insensitive (IAMUG ``reference_policies_elements_condition``), so they are stored
lower-cased. Values keep their case.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal


class Tri(enum.Enum):
    """Kleene three-valued truth."""

    FALSE = 0
    UNKNOWN = 1
    TRUE = 2

    def __and__(self, other: Tri) -> Tri:
        return self if self.value <= other.value else other

    def __or__(self, other: Tri) -> Tri:
        return self if self.value >= other.value else other

    def __invert__(self) -> Tri:
        return {Tri.TRUE: Tri.FALSE, Tri.FALSE: Tri.TRUE, Tri.UNKNOWN: Tri.UNKNOWN}[self]

    @staticmethod
    def of(value: bool) -> Tri:
        return Tri.TRUE if value else Tri.FALSE


class _Unknown(enum.Enum):
    UNKNOWN = "unknown"


UNKNOWN = _Unknown.UNKNOWN
"""Returned by :meth:`RequestContext.lookup` for a key the evidence cannot know."""


@dataclass(frozen=True, slots=True)
class NoneOf:
    """A key known only in part: absent, or present with values that are none of ``values`` and start
    with none of ``prefixes``.

    ``aws:PrincipalOrgID`` of a caller from an account known to be outside the organization is absent
    (an account in no organization; IAMUG "AWS global condition context keys": the key is included
    only if the principal is a member of an organization) or another organization's id: never ours.
    A clause whose answer is the same in both cases is decided; any other is unknown
    (:func:`analyzer.iam.conditions.evaluate_clause`).
    """

    values: frozenset[str]
    prefixes: tuple[str, ...] = ()


Lookup = tuple[str, ...] | None | _Unknown | NoneOf
"""A key's values; ``None`` = known absent; :data:`UNKNOWN` = not known; :class:`NoneOf` = known in part."""

DefaultRule = Literal["unknown", "absent"]

ContextValues = Mapping[str, str | Sequence[str] | NoneOf]


def _normalize(values: ContextValues | None) -> Mapping[str, tuple[str, ...] | NoneOf]:
    out: dict[str, tuple[str, ...] | NoneOf] = {}
    for key, raw in (values or {}).items():
        out[key.lower()] = (raw,) if isinstance(raw, str) else raw if isinstance(raw, NoneOf) else tuple(raw)
    return MappingProxyType(out)


@dataclass(frozen=True, slots=True, eq=False)
class RequestContext:
    """Condition keys of one request.

    ``values``: key (any case) -> one string or a sequence of strings (a multivalued key such as
    ``aws:TagKeys``; an empty sequence is an empty set: ``ForAllValues`` true, ``ForAnyValue`` false,
    plain operators treat it as absent), or a :class:`NoneOf` for a key known only in part.
    ``absent``: keys known not to be in the request. ``absent_prefixes``: every key starting with one
    of these (lower-cased) is absent, e.g. ``aws:principaltag/`` once all of the caller's tags are
    known. ``default``: what every other key is, ``"unknown"`` (the safe default) or ``"absent"``.
    """

    values: Mapping[str, tuple[str, ...] | NoneOf] = field(default_factory=lambda: MappingProxyType({}))
    absent: frozenset[str] = frozenset()
    absent_prefixes: frozenset[str] = frozenset()
    default: DefaultRule = "unknown"

    @classmethod
    def build(
        cls,
        values: ContextValues | None = None,
        absent: Iterable[str] = (),
        *,
        absent_prefixes: Iterable[str] = (),
        default: DefaultRule = "unknown",
    ) -> RequestContext:
        normalized = _normalize(values)
        gone = frozenset(k.lower() for k in absent) - normalized.keys()
        return cls(normalized, gone, frozenset(p.lower() for p in absent_prefixes), default)

    def lookup(self, key: str) -> Lookup:
        lowered = key.lower()
        found = self.values.get(lowered)
        if found is not None:
            return found
        if lowered in self.absent or any(lowered.startswith(p) for p in self.absent_prefixes):
            return None
        return UNKNOWN if self.default == "unknown" else None

    def overlay(self, top: RequestContext) -> RequestContext:
        """This context with ``top`` laid over it: ``top``'s values and absences win; ``top``'s default."""
        merged = {k: v for k, v in self.values.items() if not any(k.startswith(p) for p in top.absent_prefixes)}
        for key in top.absent:
            merged.pop(key, None)
        merged.update(top.values)
        absent = (self.absent - top.values.keys()) | top.absent
        return RequestContext(
            MappingProxyType(merged),
            frozenset(absent),
            self.absent_prefixes | top.absent_prefixes,
            top.default,
        )

    def with_values(self, values: ContextValues | None = None, absent: Iterable[str] = ()) -> RequestContext:
        """A copy with some keys set or made absent (the default rule is kept)."""
        return self.overlay(RequestContext.build(values, absent, default=self.default))
