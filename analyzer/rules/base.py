"""What a rule is: metadata plus a pure function from the model and graph to outcomes.

A rule never sees raw JSON, never does I/O and never mutates anything. It yields
:class:`Outcome` objects; the engine turns them into findings (severity overrides,
suppressions, fingerprints) and turns an exception into an ``error`` result, never a pass.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from analyzer.model.evidence import EvidenceRef, EvidenceState
from analyzer.model.kinds import Kind

if TYPE_CHECKING:
    from analyzer.rules.context import RuleContext


class Severity(enum.StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: critical 4 ... info 0."""
        return {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}[self.value]


class Status(enum.StrEnum):
    FAIL = "fail"
    PASS = "pass"
    NOT_EVALUATED = "not_evaluated"
    ERROR = "error"  # the rule itself raised: an engine error, never a pass


class Pillar(enum.StrEnum):
    """The four pillars of the audited model, the observed activity, and the evidence the verdict rests on."""

    IDENTITY = "Central identity"
    MFA = "MFA on every path"
    LOGGING = "Complete log delivery"
    CREDENTIALS = "Credential hygiene"
    EVIDENCE = "Evidence completeness"
    ACTIVITY = "Observed activity"  # what CloudTrail recorded over the evidence period


@dataclass(frozen=True, slots=True)
class ComplianceRef:
    framework: str  # e.g. "CIS AWS Foundations v3.0.0"
    control: str  # e.g. "1.10"

    def __str__(self) -> str:
        return f"{self.framework} {self.control}"


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleMeta:
    id: str
    title: str
    severity: Severity
    pillar: Pillar
    rationale: str
    remediation: str
    compliance: tuple[ComplianceRef, ...] = ()
    references: tuple[str, ...] = ()  # AWS documentation pages
    requires: tuple[Kind, ...] = ()  # evidence kinds the rule reads (documentation + coverage)
    applies_to: str = "account"  # what a result is about: account, region, user, role, trail, ...
    #: The rule reads ``ctx.graph`` (the access graph). The others can run while the graph is built
    #: (see :func:`analyzer.pipeline.start_rules`); a test runs every rule without a graph to keep this true.
    reads_graph: bool = False


@dataclass(slots=True, kw_only=True)
class Outcome:
    """One verdict about one subject. ``subject`` disambiguates fingerprints (e.g. a path's principal).

    ``about`` names what the verdict is about when the rule reports it at more than one grain: IDN-003
    fails per path and passes per person, LOG-010 fails per weakness and passes per bucket. Results with
    the same ``about`` share a subject fingerprint, by which a comparison of two runs recognises that a
    person's pass fixes its paths' failures. None: the result's own identity (its fingerprint) is its subject.

    Read-only by convention, not frozen: rules build 100,000 per 1,000 accounts, and a frozen
    dataclass's ``__init__`` sets each field through ``object.__setattr__`` (several times slower).
    """

    status: Status
    message: str
    account: str | None = None
    region: str | None = None
    resource: str | None = None
    evidence: tuple[EvidenceRef, ...] = ()
    severity: Severity | None = None  # overrides the rule's default for this outcome only
    subject: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    about: str | None = None


Check = Callable[["RuleContext"], Iterable[Outcome]]


@dataclass(frozen=True, slots=True)
class Rule:
    meta: RuleMeta
    check: Check

    @property
    def id(self) -> str:
        return self.meta.id


def fail(message: str, **kw: Any) -> Outcome:
    return Outcome(status=Status.FAIL, message=message, **kw)


def passed(message: str, **kw: Any) -> Outcome:
    return Outcome(status=Status.PASS, message=message, **kw)


def not_evaluated(message: str, **kw: Any) -> Outcome:
    return Outcome(status=Status.NOT_EVALUATED, message=message, **kw)


def not_evaluated_in(accounts: Iterable[str], message: str) -> Iterator[Outcome]:
    """The same ``not_evaluated`` verdict for each account: a rule stopped by organization-wide evidence."""
    return (not_evaluated(message, account=account) for account in accounts)


def missing_message(states: Iterable[EvidenceState]) -> str:
    """'not evaluated: <kind> missing (...); <kind> denied (...)' for the states that block a rule."""
    return "not evaluated: " + "; ".join(s.describe() for s in states)
