"""Compare runs by their stable fingerprints: mark failures new or existing, and diff two findings.json.

A fingerprint names a rule and its subject, never the status or the wording (``findings.result``),
so the same defect keeps its fingerprint from run to run. A *failure* here is a ``fail`` result;
whether it is suppressed is carried along and shown, never used to hide it from the comparison.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyzer.findings.engine import RuleRun
from analyzer.findings.result import Finding
from analyzer.rules.base import Severity, Status

if TYPE_CHECKING:
    from analyzer.pipeline import ScanResult


class BaselineError(Exception):
    """The baseline file cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True, slots=True)
class Record:
    """One result of a findings.json, as much as the comparison needs."""

    fingerprint: str
    rule: str
    status: str
    severity: str
    suppressed: bool
    account: str | None
    region: str | None
    resource: str | None
    message: str

    @property
    def failing(self) -> bool:
        return self.status == Status.FAIL.value

    def as_json(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "rule": self.rule,
            "status": self.status,
            "severity": self.severity,
            "suppressed": self.suppressed,
            "account": self.account,
            "region": self.region,
            "resource": self.resource,
            "message": self.message,
        }


def _record(raw: dict[str, Any]) -> Record:
    suppressed = raw.get("suppressed")
    return Record(
        fingerprint=str(raw["fingerprint"]),
        rule=str(raw["rule"]),
        status=str(raw["status"]),
        severity=str(raw.get("severity", "")),
        suppressed=bool(suppressed) and not bool((suppressed or {}).get("expired")),
        account=raw.get("account"),
        region=raw.get("region"),
        resource=raw.get("resource"),
        message=str(raw.get("message", "")),
    )


def load_records(path: Path) -> dict[str, Record]:
    """``{fingerprint: record}`` of a findings.json written by ``trustmap analyze``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the findings file ({exc.strerror})") from exc
    except ValueError as exc:
        raise BaselineError(f"{path}: not JSON ({exc}); pass the findings.json that `trustmap analyze` wrote") from exc
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list):
        raise BaselineError(f"{path}: /results: missing; pass the findings.json that `trustmap analyze` wrote")
    records: dict[str, Record] = {}
    for index, raw in enumerate(results):
        if not isinstance(raw, dict) or "fingerprint" not in raw or "rule" not in raw or "status" not in raw:
            raise BaselineError(f"{path}: /results/{index}: a result needs rule, status and fingerprint")
        record = _record(raw)
        records[record.fingerprint] = record
    return records


def failing_fingerprints(records: dict[str, Record]) -> frozenset[str]:
    return frozenset(fp for fp, r in records.items() if r.failing)


def apply_baseline(result: ScanResult, baseline: dict[str, Record]) -> ScanResult:
    """The same result with each failure marked ``new`` or ``existing`` against the baseline's failures."""
    known = failing_fingerprints(baseline)

    def mark(f: Finding) -> Finding:
        if f.status is not Status.FAIL:
            return f
        return replace(f, baseline="existing" if f.fingerprint in known else "new")

    runs = [RuleRun(run.rule, tuple(mark(f) for f in run.findings), run.error) for run in result.runs]
    return replace(result, runs=runs)


def new_failures(result: ScanResult, floor: Severity | None = None) -> list[Finding]:
    """Unsuppressed failures marked ``new`` (at or above ``floor`` when given)."""
    return [
        f
        for f in result.findings
        if f.status is Status.FAIL
        and f.baseline == "new"
        and not f.is_suppressed
        and (floor is None or f.severity.rank >= floor.rank)
    ]


@dataclass(frozen=True, slots=True)
class Resolved:
    old: Record
    now: Record | None  # the new run's result for the same fingerprint, when it has one

    @property
    def how(self) -> str:
        """``passes`` is a fix; ``not evaluated`` or ``no longer reported`` may only mean less evidence."""
        if self.now is None:
            return "no longer reported"
        return {"pass": "passes", "not_evaluated": "not evaluated", "error": "engine error"}.get(
            self.now.status, self.now.status
        )


@dataclass(frozen=True, slots=True)
class Diff:
    new: tuple[Record, ...]
    resolved: tuple[Resolved, ...]
    unchanged: tuple[Record, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "new": [r.as_json() for r in self.new],
            "resolved": [{**r.old.as_json(), "now": r.how} for r in self.resolved],
            "unchanged": [r.as_json() for r in self.unchanged],
            "summary": {"new": len(self.new), "resolved": len(self.resolved), "unchanged": len(self.unchanged)},
        }


def _order(r: Record) -> tuple[int, str, str, str, str, str]:
    rank = Severity(r.severity).rank if r.severity in Severity.__members__.values() else -1
    return (-rank, r.rule, r.account or "", r.region or "", r.resource or "", r.fingerprint)


def diff_records(old: dict[str, Record], new: dict[str, Record]) -> Diff:
    old_fail = failing_fingerprints(old)
    new_fail = failing_fingerprints(new)
    return Diff(
        new=tuple(sorted((new[fp] for fp in new_fail - old_fail), key=_order)),
        resolved=tuple(
            Resolved(old[fp], new.get(fp)) for fp in sorted(old_fail - new_fail, key=lambda fp: _order(old[fp]))
        ),
        unchanged=tuple(sorted((new[fp] for fp in new_fail & old_fail), key=_order)),
    )
