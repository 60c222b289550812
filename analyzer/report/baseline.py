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


#: The fields a comparison reads, and the JSON types each may have (a findings.json written by hand
#: or by another tool must fail with a message, never with a traceback).
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "fingerprint": (str,),
    "rule": (str,),
    "status": (str,),
    "severity": (str,),
    "suppressed": (dict, type(None)),
    "account": (str, type(None)),
    "region": (str, type(None)),
    "resource": (str, type(None)),
    "message": (str,),
}
_TYPE_WORDS: dict[type, str] = {dict: "an object", str: "a string", type(None): "null"}
_REQUIRED = ("fingerprint", "rule", "status")
_STATUSES = frozenset(s.value for s in Status)


def _field_problem(raw: Any) -> tuple[str, str] | None:
    """(pointer below the result, what is wrong) for one result of a findings.json, or None."""
    if not isinstance(raw, dict):
        return "", "a result must be an object"
    missing = [name for name in _REQUIRED if name not in raw]
    if missing:
        return "", f"a result needs {', '.join(missing)}"
    for name, types in _FIELD_TYPES.items():
        if name in raw and not isinstance(raw[name], types):
            wanted = " or ".join(_TYPE_WORDS[t] for t in types)
            return f"/{name}", f"{wanted} expected, found {json.dumps(raw[name])[:40]}"
    if raw["status"] not in _STATUSES:
        return "/status", f"{raw['status']!r} is not one of {', '.join(sorted(_STATUSES))}"
    return None


def _record(raw: dict[str, Any]) -> Record:
    suppressed = raw.get("suppressed")
    return Record(
        fingerprint=raw["fingerprint"],
        rule=raw["rule"],
        status=raw["status"],
        severity=raw.get("severity", ""),
        suppressed=suppressed is not None and not suppressed.get("expired"),
        account=raw.get("account"),
        region=raw.get("region"),
        resource=raw.get("resource"),
        message=raw.get("message", ""),
    )


def load_records(path: Path) -> dict[str, Record]:
    """``{fingerprint: record}`` of a findings.json written by ``trustmap analyze``."""
    hint = "pass the findings.json that `trustmap analyze` wrote"
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the findings file ({exc.strerror})") from exc
    except (ValueError, RecursionError) as exc:
        raise BaselineError(f"{path}: not JSON ({exc}); {hint}") from exc
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list):
        raise BaselineError(f"{path}: /results: missing; {hint}")
    records: dict[str, Record] = {}
    for index, raw in enumerate(results):
        problem = _field_problem(raw)
        if problem is not None:
            below, what = problem
            raise BaselineError(f"{path}: /results/{index}{below}: {what}; {hint}")
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
    #: the new run has no verdict for the rule on the old failure's account (not evaluated, engine error)
    unevaluated: bool = False

    @property
    def fixed(self) -> bool:
        """Only a pass is a fix; everything else may just be less evidence."""
        return self.now is not None and self.now.status == Status.PASS.value

    @property
    def how(self) -> str:
        """``passes`` is a fix; ``not evaluated`` or ``no longer reported`` may only mean less evidence."""
        if self.now is None:
            if self.unevaluated:
                return f"no longer reported, and {self.old.rule} is not evaluated for this account now (less evidence?)"
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
            "resolved": [{**r.old.as_json(), "now": r.how, "fixed": r.fixed} for r in self.resolved],
            "unchanged": [r.as_json() for r in self.unchanged],
            "summary": {
                "new": len(self.new),
                "resolved": len(self.resolved),
                "fixed": sum(1 for r in self.resolved if r.fixed),
                "unchanged": len(self.unchanged),
            },
        }


def _order(r: Record) -> tuple[int, str, str, str, str, str]:
    rank = Severity(r.severity).rank if r.severity in Severity.__members__.values() else -1
    return (-rank, r.rule, r.account or "", r.region or "", r.resource or "", r.fingerprint)


def diff_records(old: dict[str, Record], new: dict[str, Record]) -> Diff:
    old_fail = failing_fingerprints(old)
    new_fail = failing_fingerprints(new)
    unevaluated = {(r.rule, r.account) for r in new.values() if r.status in ("not_evaluated", "error")}

    def no_verdict(r: Record) -> bool:  # for the rule on the record's account, or organization-wide
        return (r.rule, r.account) in unevaluated or (r.rule, None) in unevaluated

    return Diff(
        new=tuple(sorted((new[fp] for fp in new_fail - old_fail), key=_order)),
        resolved=tuple(
            Resolved(old[fp], new.get(fp), no_verdict(old[fp]))
            for fp in sorted(old_fail - new_fail, key=lambda fp: _order(old[fp]))
        ),
        unchanged=tuple(sorted((new[fp] for fp in new_fail & old_fail), key=_order)),
    )
