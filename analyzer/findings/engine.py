"""Run the catalog over a context: outcomes -> findings, with overrides, suppressions, coverage.

A rule that raises becomes one ``error`` finding naming the exception; it never passes. A rule
that yields nothing at all for an audited scope is reported as ``not_evaluated`` so coverage is
visible (every rule has at least one result).
"""

from __future__ import annotations

import copyreg
import io
import pickle
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from operator import attrgetter

from analyzer.audit.settings import Settings
from analyzer.findings.result import Finding, SuppressionState, fingerprint, subject_fingerprint
from analyzer.model.evidence import EvidenceRef
from analyzer.rules.base import Outcome, Rule, Severity, Status
from analyzer.rules.context import RuleContext
from analyzer.rules.registry import RuleRegistry

_SORT_KEY = attrgetter("sort_key")


@dataclass(frozen=True, slots=True)
class RuleRun:
    rule: Rule
    findings: tuple[Finding, ...]
    error: str | None = None


def _suppression(settings: Settings, outcome: Outcome, rule_id: str, today: date | None) -> SuppressionState | None:
    for entry in settings.suppressions:
        if entry.matches(rule_id, outcome.account, outcome.resource):
            expired = entry.expires is not None and today is not None and entry.expires < today
            note = f" (expired {entry.expires}: no longer applied)" if expired else ""
            return SuppressionState(
                reason=entry.reason + note,
                expires=entry.expires.isoformat() if entry.expires else None,
                source=settings.source,
                expired=expired,
            )
    return None


def _evidence_key(ref: EvidenceRef) -> tuple[str, str, str]:
    """The dataclass order, without its per-comparison tuple building (hot at thousands of accounts)."""
    return (ref.file, ref.pointer, "" if ref.inner is None else "\x00" + ref.inner)


def _sorted_evidence(refs: tuple[EvidenceRef, ...]) -> tuple[EvidenceRef, ...]:
    """Each reference once, in order (keyed by plain tuples: hashing and comparing the dataclass itself
    runs Python code per reference, and findings carry 300,000 at 1,000 accounts)."""
    if len(refs) < 2:
        return tuple(refs)
    by_key = {_evidence_key(ref): ref for ref in refs}
    return tuple(by_key[key] for key in sorted(by_key))


@dataclass(frozen=True, slots=True)
class _FindingMaker:
    """Turns one rule's outcomes into findings; what is the same for every outcome is resolved once."""

    rule: Rule
    settings: Settings
    today: date | None
    forced: Severity | None  # the configured severity override of the rule, if any

    @classmethod
    def of(cls, rule: Rule, settings: Settings, today: date | None) -> _FindingMaker:
        overrides = dict(settings.severity_overrides)
        forced = Severity(overrides[rule.id]) if rule.id in overrides else None
        return cls(rule, settings, today, forced)

    def __call__(self, outcome: Outcome) -> Finding:
        rule_id = self.rule.id
        suppressed = None
        if outcome.status is Status.FAIL:
            suppressed = _suppression(self.settings, outcome, rule_id, self.today)
            if outcome.details.get("break_glass"):
                suppressed = SuppressionState(
                    reason=str(outcome.details["break_glass"]),
                    expires=None,
                    source=f"break_glass_users in {self.settings.source}",
                )
        return Finding(
            rule=rule_id,
            status=outcome.status,
            severity=self.forced or outcome.severity or self.rule.meta.severity,
            account=outcome.account,
            region=outcome.region,
            resource=outcome.resource,
            message=outcome.message,
            evidence=_sorted_evidence(outcome.evidence),
            fingerprint=fingerprint(rule_id, outcome.account, outcome.region, outcome.resource, outcome.subject),
            subject=outcome.subject,
            suppressed=suppressed,
            details=dict(outcome.details),
            subject_fingerprint=subject_fingerprint(rule_id, outcome.about) if outcome.about else None,
        )


def run_rule(rule: Rule, ctx: RuleContext) -> RuleRun:
    today = ctx.collected_at.date() if ctx.collected_at else None
    try:
        outcomes: Iterable[Outcome] = list(rule.check(ctx))
    except Exception as exc:  # a failing rule is reported as an engine error, never silently passed
        where = traceback.extract_tb(exc.__traceback__)[-1]
        message = (
            f"engine error: the rule raised {type(exc).__name__}: {exc} "
            f"(at {where.filename.rsplit('/', 1)[-1]}:{where.lineno}); its verdict is unknown"
        )
        error = Finding(
            rule=rule.id,
            status=Status.ERROR,
            severity=rule.meta.severity,
            account=None,
            region=None,
            resource=None,
            message=message,
            evidence=(),
            fingerprint=fingerprint(rule.id, None, None, None, "engine-error"),
        )
        return RuleRun(rule, (error,), message)
    findings = list(map(_FindingMaker.of(rule, ctx.settings, today), outcomes))
    if not findings:
        findings.append(
            Finding(
                rule=rule.id,
                status=Status.NOT_EVALUATED,
                severity=rule.meta.severity,
                account=None,
                region=None,
                resource=None,
                message="not evaluated: the rule found nothing in the evidence to apply to",
                evidence=(),
                fingerprint=fingerprint(rule.id, None, None, None, "no-scope"),
            )
        )
    return RuleRun(rule, tuple(sorted(findings, key=_SORT_KEY)))


def run_rules(ctx: RuleContext, registry: RuleRegistry, only: Iterable[str] | None = None) -> list[RuleRun]:
    wanted = {r.upper() for r in only} if only else None
    return [run_rule(rule, ctx) for rule in registry if wanted is None or rule.id in wanted]


def _evidence_ref(ref: EvidenceRef) -> tuple[type[EvidenceRef], tuple[str, str, str | None]]:
    return EvidenceRef, (ref.file, ref.pointer, ref.inner)


def dump_runs(runs: list[tuple[str, tuple[Finding, ...], str | None]]) -> bytes:
    """Rule runs (id, findings, error) pickled to go from a worker process to the main one, with
    evidence references reduced to their fields: the default state of a frozen slotted dataclass
    walks ``fields()`` per object in Python, and a finding holds up to a thousand references
    (findings themselves pickle by their fields: :meth:`Finding.__reduce__`). ``pickle.loads`` reads it."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    table = copyreg.dispatch_table.copy()
    table[EvidenceRef] = _evidence_ref
    pickler.dispatch_table = table
    pickler.dump(runs)
    return buffer.getvalue()
