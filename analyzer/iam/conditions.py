"""Condition operators (IAMUG ``reference_policies_elements_condition_operators``,
``reference_policies_condition-single-vs-multi-valued-context-keys``).

Semantics implemented, per clause ``{operator: {key: [values]}}``:

* The policy values of one key are ORed. For a negated operator (``StringNotEquals``,
  ``NotIpAddress``, ``ArnNotLike`` ...) the request value must match *none* of them.
* Key absent from the request: a positive operator is false; a negated operator is **true**;
  ``...IfExists`` is true; ``ForAllValues:`` is true (also for an empty set); ``ForAnyValue:`` is
  false (also for an empty set); ``Null: true`` is true.
* ``ForAllValues:`` every request value must match (negated: match none of the policy values);
  ``ForAnyValue:`` at least one request value must. Without a set prefix a multivalued request key
  matches when any of its values does (negated: when none does).
* Key names compare case-insensitively; values case-sensitively except ``...IgnoreCase`` and
  ``Bool``.
* Policy variables are substituted in ``String...`` and ``Arn...`` values only, and only when the
  document's ``Version`` is ``2012-10-17``. A variable that cannot be resolved makes the clause
  false, for negated operators too ("the statement is invalid").
* A key the evidence cannot know (:data:`~analyzer.iam.context.UNKNOWN`) makes the clause
  :attr:`Tri.UNKNOWN`. A key known in part (:class:`~analyzer.iam.context.NoneOf`: absent, or
  values that cannot be the excluded ones) decides the clause when it is absent and when it holds
  such values alike, and is :attr:`Tri.UNKNOWN` otherwise: a policy value can only match an excluded
  value when it is that value or its wildcard-free start begins with an excluded prefix.
* An operator the engine does not know (or ``NullIfExists``, ``ForAnyValue:Null``) makes the clause
  false **and** is reported as a problem: an ``Allow`` it guards never grants, and a ``Deny`` it
  guards does not apply (IAM refuses such policies when they are written, so only a policy the
  engine cannot read meets this).
* Values that only need equality (``StringEquals``, ``...IgnoreCase``, ``Like``/``Arn`` values
  without a wildcard) are looked up in a set: a thousand ``aws:SourceAccount`` values cost one lookup.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Literal

from analyzer.iam.context import Lookup, NoneOf, Tri, _Unknown
from analyzer.iam.variables import (
    UNRESOLVED,
    Template,
    Variable,
    resolve,
    template_has_variables,
    template_of,
)
from analyzer.iam.wildcard import Pattern, arn_match_pattern, glob_match_pattern, has_wildcard
from analyzer.model.policy import ConditionClause

Family = Literal["string", "numeric", "date", "bool", "binary", "ip", "arn", "null"]
SetOperator = Literal["any", "all"] | None
Matcher = Callable[[str], bool]

# lower-cased operator name -> (family, comparison, negated)
_BASE_OPERATORS: dict[str, tuple[Family, str, bool]] = {
    "stringequals": ("string", "equals", False),
    "stringnotequals": ("string", "equals", True),
    "stringequalsignorecase": ("string", "iequals", False),
    "stringnotequalsignorecase": ("string", "iequals", True),
    "stringlike": ("string", "like", False),
    "stringnotlike": ("string", "like", True),
    "numericequals": ("numeric", "eq", False),
    "numericnotequals": ("numeric", "eq", True),
    "numericlessthan": ("numeric", "lt", False),
    "numericlessthanequals": ("numeric", "le", False),
    "numericgreaterthan": ("numeric", "gt", False),
    "numericgreaterthanequals": ("numeric", "ge", False),
    "dateequals": ("date", "eq", False),
    "datenotequals": ("date", "eq", True),
    "datelessthan": ("date", "lt", False),
    "datelessthanequals": ("date", "le", False),
    "dategreaterthan": ("date", "gt", False),
    "dategreaterthanequals": ("date", "ge", False),
    "bool": ("bool", "equals", False),
    "binaryequals": ("binary", "equals", False),
    "ipaddress": ("ip", "in", False),
    "notipaddress": ("ip", "in", True),
    "arnequals": ("arn", "like", False),
    "arnlike": ("arn", "like", False),
    "arnnotequals": ("arn", "like", True),
    "arnnotlike": ("arn", "like", True),
    "null": ("null", "null", False),
}

_ORDER: dict[str, Callable[[float, float], bool]] = {
    "eq": operator.eq,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}

_VARIABLE_FAMILIES = frozenset({"string", "arn"})
_EPOCH = re.compile(r"-?\d+(\.\d+)?")


@dataclass(frozen=True, slots=True)
class Operator:
    """A parsed operator name such as ``ForAllValues:StringNotLikeIfExists``."""

    name: str
    family: Family
    comparison: str
    negated: bool
    if_exists: bool
    set_operator: SetOperator


@lru_cache(maxsize=1024)
def parse_operator(name: str) -> Operator | None:
    """The operator, or ``None`` if the engine does not know it (reported, never granting)."""
    text = name.strip().lower()
    set_operator: SetOperator = None
    if text.startswith("forallvalues:"):
        set_operator, text = "all", text[len("forallvalues:") :]
    elif text.startswith("foranyvalue:"):
        set_operator, text = "any", text[len("foranyvalue:") :]
    if_exists = text.endswith("ifexists")
    if if_exists:
        text = text[: -len("ifexists")]
    base = _BASE_OPERATORS.get(text)
    if base is None:
        return None
    family, comparison, negated = base
    if family == "null" and (if_exists or set_operator is not None):
        return None  # IAMUG: IfExists does not apply to Null; a set prefix on Null is meaningless
    return Operator(name, family, comparison, negated, if_exists, set_operator)


def _parse_number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_date(text: str) -> float | None:
    """Seconds since the epoch for an ISO-8601 date/time or an epoch number; naive times are UTC."""
    stripped = text.strip()
    if _EPOCH.fullmatch(stripped):
        return float(stripped)
    try:
        moment = datetime.fromisoformat(stripped.replace("z", "Z"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _decode_binary(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        try:
            network = ipaddress.ip_network(text.strip(), strict=False)
        except ValueError:
            return None
        return network.network_address if network.num_addresses == 1 else None


def _ordered(parse: Callable[[str], float | None], comparison: str, bound: float) -> Matcher:
    compare = _ORDER[comparison]

    def match(value: str) -> bool:
        parsed = parse(value)
        return parsed is not None and compare(parsed, bound)

    return match


@lru_cache(maxsize=65536)
def _matcher(family: Family, comparison: str, pattern: Pattern) -> Matcher | None:
    """A predicate on one request value for one policy value; ``None`` if the policy value is invalid."""
    text = "".join(t for t, _ in pattern)
    if family == "string":
        if comparison == "equals":
            return text.__eq__
        if comparison == "iequals":
            folded = text.casefold()
            return lambda value: value.casefold() == folded
        return lambda value: glob_match_pattern(pattern, value)
    if family == "arn":
        return lambda value: arn_match_pattern(pattern, value)
    if family == "numeric":
        number = _parse_number(text)
        return None if number is None else _ordered(_parse_number, comparison, number)
    if family == "date":
        moment = parse_date(text)
        return None if moment is None else _ordered(parse_date, comparison, moment)
    if family == "bool":
        lowered = text.lower()
        if lowered not in ("true", "false"):
            return None
        return lambda value: value.lower() == lowered
    if family == "binary":
        decoded = _decode_binary(text)
        if decoded is None:
            return None
        return lambda value: _decode_binary(value) == decoded
    if family == "ip":
        try:
            network = ipaddress.ip_network(text.strip(), strict=False)
        except ValueError:
            return None
        return lambda value: (address := _parse_ip(value)) is not None and address in network
    return None


@dataclass(frozen=True, slots=True)
class ClauseOutcome:
    value: Tri
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class _CompiledClause:
    operator: Operator | None
    key: str
    templates: tuple[Template, ...]
    has_variables: bool
    static_matchers: tuple[Matcher, ...]  # when there are no variables (values not in ``literals``)
    problem: str | None
    literals: frozenset[str] = frozenset()  # values matched by equality (casefolded for ...IgnoreCase)


@lru_cache(maxsize=65536)
def _compile(clause: ConditionClause, variables_enabled: bool) -> _CompiledClause:
    op = parse_operator(clause.operator)
    key = clause.key.lower()
    if op is None:
        return _CompiledClause(None, key, (), False, (), f"unsupported condition operator {clause.operator!r}")
    use_variables = variables_enabled and op.family in _VARIABLE_FAMILIES
    templates = tuple(template_of(v, use_variables) for v in clause.values)
    has_variables = any(template_has_variables(t) for t in templates)
    matchers: list[Matcher] = []
    literals: set[str] = set()
    problems: list[str] = []
    if op.family == "null":
        for value in clause.values:
            if value.lower() not in ("true", "false"):
                problems.append(f"Null expects true or false, got {value!r}")
    elif not has_variables:
        for value, template in zip(clause.values, templates, strict=True):
            literal = _literal(op, template)
            if literal is not None:
                literals.add(literal)
                continue
            matcher = _matcher(op.family, op.comparison, template)
            if matcher is None:
                problems.append(f"{clause.operator}: invalid value {value!r} for key {clause.key}")
            else:
                matchers.append(matcher)
    problem = "; ".join(problems) or None
    return _CompiledClause(op, key, templates, has_variables, tuple(matchers), problem, frozenset(literals))


def _literal(op: Operator, template: Template) -> str | None:
    """The value a request value must equal for ``template`` to match it, when that is all it takes.

    A policy with a thousand ``aws:SourceAccount`` values is then one set lookup, not a thousand tries.
    """
    if op.family not in ("string", "arn") or template_has_variables(template):
        return None
    pieces = [part for part in template if not isinstance(part, Variable)]
    text = "".join(piece for piece, _ in pieces)
    if op.comparison == "equals":
        return text
    if op.comparison == "iequals":
        return text.casefold()
    return None if any(active and has_wildcard(piece) for piece, active in pieces) else text


def _absent_result(op: Operator) -> bool:
    if op.set_operator == "all":
        return True
    if op.set_operator == "any":
        return False
    return op.if_exists or op.negated


def evaluate_clause(clause: ConditionClause, lookup: Callable[[str], Lookup], variables_enabled: bool) -> ClauseOutcome:
    """Evaluate one clause against the request context (see the module docstring)."""
    compiled = _compile(clause, variables_enabled)
    op = compiled.operator
    if op is None:
        return ClauseOutcome(Tri.FALSE, compiled.problem)
    found = lookup(compiled.key)
    if isinstance(found, _Unknown):
        return ClauseOutcome(Tri.UNKNOWN, compiled.problem)
    if isinstance(found, NoneOf):
        return ClauseOutcome(_partly_known(compiled, op, clause, found), compiled.problem)
    if op.family == "null":
        is_absent = not found
        hit = any((v.lower() == "true") == is_absent for v in clause.values if v.lower() in ("true", "false"))
        return ClauseOutcome(Tri.of(hit), compiled.problem)
    if found is None or (not found and op.set_operator is None):
        return ClauseOutcome(Tri.of(_absent_result(op)), compiled.problem)

    matchers = compiled.static_matchers
    literals = compiled.literals
    if compiled.has_variables:
        resolved: list[Matcher] = []
        unknown = False
        for template in compiled.templates:
            pattern = resolve(template, lookup)
            if pattern is UNRESOLVED:
                return ClauseOutcome(Tri.FALSE, compiled.problem)
            if isinstance(pattern, _Unknown):
                unknown = True
                continue
            matcher = _matcher(op.family, op.comparison, pattern)
            if matcher is not None:
                resolved.append(matcher)
        if unknown:
            return ClauseOutcome(Tri.UNKNOWN, compiled.problem)
        matchers = tuple(resolved)

    fold = op.comparison == "iequals"

    def matches(value: str) -> bool:
        return (value.casefold() if fold else value) in literals or any(m(value) for m in matchers)

    if op.set_operator == "all":
        result = all((not matches(v)) if op.negated else matches(v) for v in found)
    elif op.set_operator == "any":
        result = any((not matches(v)) if op.negated else matches(v) for v in found)
    elif op.negated:
        result = not any(matches(v) for v in found)
    else:
        result = any(matches(v) for v in found)
    return ClauseOutcome(Tri.of(result), compiled.problem)


def _partly_known(compiled: _CompiledClause, op: Operator, clause: ConditionClause, found: NoneOf) -> Tri:
    """The clause for a key that is absent or holds values none of which is excluded by ``found``."""
    if op.family == "null":
        flags = {v.lower() for v in clause.values}
        if_absent, if_present = "true" in flags, "false" in flags  # Null true: the key is absent
        return Tri.of(if_absent) if if_absent == if_present else Tri.UNKNOWN
    absent = Tri.of(_absent_result(op))
    if op.family != "string" or compiled.has_variables:
        present = Tri.UNKNOWN
    else:
        impossible = all(_excluded(op, template, found) for template in compiled.templates)
        matches = Tri.FALSE if impossible else Tri.UNKNOWN
        present = ~matches if op.negated else matches
    return absent if absent is present else Tri.UNKNOWN


def _excluded(op: Operator, template: Template, found: NoneOf) -> bool:
    """True when the policy value ``template`` can match no value that ``found`` allows."""
    text: list[str] = []
    complete = True
    for part in template:
        if isinstance(part, Variable):
            return False
        piece, active = part
        if op.comparison == "like" and active and any(c in "*?" for c in piece):
            text.append(piece[: min(i for i in (piece.find("*"), piece.find("?")) if i >= 0)])
            complete = False
            break
        text.append(piece)
    start = "".join(text)
    values, prefixes = found.values, found.prefixes
    if op.comparison == "iequals":
        start = start.casefold()
        values = frozenset(v.casefold() for v in values)
        prefixes = tuple(p.casefold() for p in prefixes)
    return (complete and start in values) or start.startswith(prefixes)


@dataclass(frozen=True, slots=True)
class ConditionsOutcome:
    """The conditions of one statement: ``unknown`` lists the clauses that evaluated UNKNOWN."""

    value: Tri
    unknown: tuple[ConditionClause, ...] = ()
    problems: tuple[str, ...] = ()


TRUE_CONDITIONS = ConditionsOutcome(Tri.TRUE)


def evaluate_conditions(
    clauses: tuple[ConditionClause, ...], lookup: Callable[[str], Lookup], variables_enabled: bool
) -> ConditionsOutcome:
    """AND of the clauses, three-valued: any FALSE -> FALSE; else any UNKNOWN -> UNKNOWN."""
    if not clauses:
        return TRUE_CONDITIONS
    unknown: list[ConditionClause] = []
    problems: list[str] = []
    for clause in clauses:
        outcome = evaluate_clause(clause, lookup, variables_enabled)
        if outcome.problem is not None:
            problems.append(outcome.problem)
        if outcome.value is Tri.FALSE:
            return ConditionsOutcome(Tri.FALSE, (), tuple(problems))
        if outcome.value is Tri.UNKNOWN:
            unknown.append(clause)
    if unknown:
        return ConditionsOutcome(Tri.UNKNOWN, tuple(unknown), tuple(problems))
    return ConditionsOutcome(Tri.TRUE, (), tuple(problems))
