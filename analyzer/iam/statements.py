"""Compiled statements and the evaluation of one set of policies against one request.

A :class:`~analyzer.model.policy.PolicyDocument` is compiled once (cached by the immutable
document): action patterns are lower-cased and indexed by service prefix, so a request for
``sts:AssumeRole`` only looks at statements that name ``sts:...``, a wildcard service or use
``NotAction``. Resource and condition work happens only for statements whose action matches.

Resource matching: a statement without ``Resource``/``NotResource`` (a trust policy statement)
covers every resource. A policy variable that cannot be resolved makes its ``Resource`` pattern
match nothing and makes a ``NotResource`` statement not apply ("the statement is invalid").
A variable whose key the evidence cannot *know* (``aws:RequestTag/...``, set by each request) makes
the statement apply conditionally: the hit carries the Resource element as a condition left open
(:attr:`CompiledStatement.resource_clause`), so an Allow is a conditional allow and a Deny a
conditional deny, never a definite "not covered" the evidence does not support.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from types import MappingProxyType
from typing import Literal

from analyzer.iam.conditions import evaluate_conditions
from analyzer.iam.context import Lookup, Tri
from analyzer.iam.principals import MatchKind, Principal, statement_applies_to
from analyzer.iam.variables import UNRESOLVED, Template, resolve, template_of
from analyzer.iam.wildcard import ArnPatternSet, action_matches, arn_match_pattern, has_wildcard
from analyzer.model.evidence import EvidenceRef
from analyzer.model.policy import ConditionClause, PolicyDocument, PolicySource, Statement

VARIABLES_VERSION = "2012-10-17"

PrincipalMode = Literal["identity", "resource"]


@dataclass(frozen=True, slots=True)
class CompiledStatement:
    statement: Statement
    actions: tuple[str, ...]  # lower-cased patterns of Action or NotAction
    action_negated: bool
    resources: tuple[str, ...] | None  # None: no Resource/NotResource element
    resource_templates: tuple[Template, ...] | None  # only when a pattern holds a variable
    resource_negated: bool
    resource_set: ArnPatternSet | None = None  # the patterns, indexed (when there is no variable)

    def action_matches(self, action: str) -> bool:
        """``action`` lower-cased."""
        hit = _any_action(self.actions, action)
        return not hit if self.action_negated else hit

    def resource_matches(self, resource: str, lookup: Callable[[str], Lookup]) -> bool | None:
        """Whether the statement's Resource/NotResource covers ``resource``; ``None`` when that rests on a
        policy variable whose key the evidence cannot know (it may or may not, see :attr:`resource_clause`)."""
        if self.resources is None:
            return True
        if self.resource_set is not None:
            hit = self.resource_set.matches(resource)
            return not hit if self.resource_negated else hit
        hit = unknown = False
        for template in self.resource_templates or ():
            pattern = resolve(template, lookup)
            if pattern is UNRESOLVED:
                if self.resource_negated:
                    return False  # the statement is invalid: it applies to nothing
                continue
            if not isinstance(pattern, tuple):  # UNKNOWN: the substituted value is not in the evidence
                unknown = True
                continue
            if arn_match_pattern(pattern, resource):
                hit = True
                break
        if not hit and unknown:
            return None
        return not hit if self.resource_negated else hit

    @property
    def resource_clause(self) -> ConditionClause:
        """The Resource element as the condition a hit rests on when :meth:`resource_matches` is ``None``."""
        element = "NotResource" if self.resource_negated else "Resource"
        return ConditionClause(element, "(policy variable the evidence cannot resolve)", self.resources or ())


@lru_cache(maxsize=262144)
def _any_action(patterns: tuple[str, ...], action: str) -> bool:
    return any(action_matches(p, action) for p in patterns)


def _service_of(pattern: str) -> str | None:
    """The service prefix a pattern is limited to, or ``None`` if it may match any service."""
    service, sep, _ = pattern.partition(":")
    if not sep or has_wildcard(service):
        return None
    return service


@dataclass(frozen=True, slots=True)
class CompiledDocument:
    document: PolicyDocument
    variables_enabled: bool
    statements: tuple[CompiledStatement, ...]
    by_service: Mapping[str, tuple[CompiledStatement, ...]] = field(repr=False)
    anywhere: tuple[CompiledStatement, ...] = field(repr=False)

    def candidates(self, action: str) -> tuple[CompiledStatement, ...]:
        """Statements that can match ``action`` (lower-cased), in document order."""
        service = action.partition(":")[0]
        return self.by_service.get(service, self.anywhere)


def _compile_statement(statement: Statement, variables_enabled: bool) -> CompiledStatement:
    negated = statement.actions is None
    actions = tuple(a.lower() for a in (statement.not_actions if negated else statement.actions) or ())
    resource_negated = statement.resources is None and statement.not_resources is not None
    resources = statement.not_resources if resource_negated else statement.resources
    templates: tuple[Template, ...] | None = None
    if resources is not None and variables_enabled:
        parsed = tuple(template_of(r, True) for r in resources)
        if any(t != ((r, True),) for t, r in zip(parsed, resources, strict=True)):
            templates = parsed  # variables or ${*} ${?} ${$} escapes
    indexed = ArnPatternSet.of(resources) if resources is not None and templates is None else None
    return CompiledStatement(statement, actions, negated, resources, templates, resource_negated, indexed)


_BY_IDENTITY_LIMIT = 65536


class _IdentityCache:
    """Compiled documents by object identity, in front of the by-value cache.

    Hashing or comparing a :class:`PolicyDocument` walks every statement; the same document object
    is evaluated again and again (one managed policy, thousands of requests), so the object is
    looked up by ``id`` first. Each entry keeps its document alive, so an id is never reused while
    its entry exists.

    The by-value cache shares one compilation between equal documents, but equal is not identical:
    statements compare without their text as written (``source_json``), and two bundles loaded in
    one process hold distinct objects. A compilation found for an equal document is therefore
    re-bound to this document's own statements, so a :class:`StatementHit` always cites the
    statement of the policy that was evaluated, never its twin from another bundle.
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[PolicyDocument, CompiledDocument]] = {}

    def get(self, document: PolicyDocument) -> CompiledDocument:
        entry = self._entries.get(id(document))
        if entry is not None and entry[0] is document:
            return entry[1]
        compiled = _compile_document(document)
        if compiled.document is not document:
            compiled = _rebind(compiled, document)
        if len(self._entries) >= _BY_IDENTITY_LIMIT:
            self._entries.clear()
        self._entries[id(document)] = (document, compiled)
        return compiled

    def clear(self) -> None:
        self._entries.clear()
        _compile_document.cache_clear()


def _rebind(compiled: CompiledDocument, document: PolicyDocument) -> CompiledDocument:
    """``compiled`` (of a document equal to ``document``) holding ``document``'s own statement objects."""
    own = tuple(replace(cs, statement=s) for cs, s in zip(compiled.statements, document.statements, strict=True))
    position = {id(cs): i for i, cs in enumerate(compiled.statements)}

    def mapped(group: tuple[CompiledStatement, ...]) -> tuple[CompiledStatement, ...]:
        return tuple(own[position[id(cs)]] for cs in group)

    by_service = {service: mapped(group) for service, group in compiled.by_service.items()}
    return CompiledDocument(
        document, compiled.variables_enabled, own, MappingProxyType(by_service), mapped(compiled.anywhere)
    )


_COMPILED = _IdentityCache()


def compile_document(document: PolicyDocument) -> CompiledDocument:
    """The compiled form of ``document``, compiled once per distinct document."""
    return _COMPILED.get(document)


def clear_compile_cache() -> None:
    _COMPILED.clear()


def compile_cache_info() -> tuple[int, int]:
    """``(hits, misses)`` of the by-value compile cache (a miss is one compilation)."""
    info = _compile_document.cache_info()
    return info.hits, info.misses


@lru_cache(maxsize=16384)
def _compile_document(document: PolicyDocument) -> CompiledDocument:
    variables_enabled = document.version == VARIABLES_VERSION
    compiled = tuple(_compile_statement(s, variables_enabled) for s in document.statements)
    anywhere: list[int] = []
    per_service: dict[str, set[int]] = {}
    for index, statement in enumerate(compiled):
        services = {_service_of(p) for p in statement.actions}
        if statement.action_negated or None in services:
            anywhere.append(index)
            continue
        for service in services:
            if service is not None:
                per_service.setdefault(service, set()).add(index)
    by_service = {
        service: tuple(compiled[i] for i in sorted(indices | set(anywhere))) for service, indices in per_service.items()
    }
    return CompiledDocument(
        document, variables_enabled, compiled, MappingProxyType(by_service), tuple(compiled[i] for i in anywhere)
    )


@dataclass(frozen=True, slots=True)
class StatementHit:
    """A statement that applies to the request, definitely (``unknown == ()``) or conditionally."""

    source: PolicySource
    statement: Statement
    unknown: tuple[ConditionClause, ...] = ()
    match: MatchKind | None = None  # how a resource-policy Principal named the caller
    level: str | None = None  # the SCP level (target id) for SCP statements

    @property
    def definite(self) -> bool:
        return not self.unknown

    @property
    def ref(self) -> EvidenceRef:
        return self.source.statement_ref(self.statement)


@dataclass(frozen=True, slots=True)
class PolicySetResult:
    """Every applicable statement of a set of policies, sorted by effect and certainty."""

    denies: tuple[StatementHit, ...] = ()
    conditional_denies: tuple[StatementHit, ...] = ()
    allows: tuple[StatementHit, ...] = ()
    conditional_allows: tuple[StatementHit, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        """An Allow applies, definitely or conditionally (explicit denies not considered)."""
        return bool(self.allows or self.conditional_allows)


@dataclass(frozen=True, slots=True)
class RequestView:
    """What statement evaluation needs of a request."""

    action: str  # lower-cased
    resource: str
    lookup: Callable[[str], Lookup]
    caller: Principal
    has_boundary: bool = False


def evaluate_policy_set(
    sources: Iterable[PolicySource],
    view: RequestView,
    *,
    mode: PrincipalMode,
    level: str | None = None,
) -> PolicySetResult:
    """Evaluate every statement of ``sources`` that matches the request.

    ``mode="identity"``: identity policies, boundaries and SCPs (no ``Principal`` element expected;
    one that is present is reported and ignored). ``mode="resource"``: resource and trust policies,
    where a statement applies only if its ``Principal``/``NotPrincipal`` covers the caller.
    """
    denies: list[StatementHit] = []
    conditional_denies: list[StatementHit] = []
    allows: list[StatementHit] = []
    conditional_allows: list[StatementHit] = []
    problems: list[str] = []
    for source in sources:
        compiled = compile_document(source.document)
        for cs in compiled.candidates(view.action):
            statement = cs.statement
            if not cs.action_matches(view.action):
                continue
            match: MatchKind | None = None
            has_principal = statement.principal is not None or statement.not_principal is not None
            if mode == "resource":
                if not has_principal:
                    problems.append(f"{_where(source, statement)}: statement without Principal is ignored")
                    continue
                match = statement_applies_to(
                    statement.principal, statement.not_principal, statement.effect, view.caller, view.has_boundary
                )
                if match is None:
                    continue
            elif has_principal:
                problems.append(
                    f"{_where(source, statement)}: Principal/NotPrincipal ignored in a {source.kind} policy"
                )
            covered = cs.resource_matches(view.resource, view.lookup)
            if covered is False:
                continue
            conditions = evaluate_conditions(statement.conditions, view.lookup, compiled.variables_enabled)
            problems.extend(f"{_where(source, statement)}: {p}" for p in conditions.problems)
            if conditions.value is Tri.FALSE:
                continue
            unknown = conditions.unknown if covered else (*conditions.unknown, cs.resource_clause)
            hit = StatementHit(source, statement, unknown, match, level)
            if statement.effect == "Deny":
                (denies if hit.definite else conditional_denies).append(hit)
            else:
                (allows if hit.definite else conditional_allows).append(hit)
    return PolicySetResult(
        tuple(denies), tuple(conditional_denies), tuple(allows), tuple(conditional_allows), tuple(problems)
    )


def statement_label(statement: Statement) -> str:
    """``Sid`` when it has one, else its place in the document (``/Statement/2``)."""
    return statement.sid if statement.sid else (statement.pointer or "/Statement")


def _where(source: PolicySource, statement: Statement) -> str:
    return f"{source.kind} policy {source.name} statement {statement_label(statement)}"
