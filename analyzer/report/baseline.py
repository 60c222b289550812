"""Compare runs by their stable fingerprints: mark failures new or existing, and diff two findings.json.

A fingerprint names a rule and its subject, never the status or the wording (``findings.result``),
so the same defect keeps its fingerprint from run to run. A *failure* here is a ``fail`` result;
whether it is suppressed is carried along and shown, never used to hide it from the comparison.

Some rules report one verdict at two grains (IDN-003: a failure per path, the pass per person). Their
results also carry a ``subject_fingerprint`` naming what the verdict is about: an old failure whose own
fingerprint is gone from the new run is fixed when every new result about the same subject passes.
Two findings.json of different organizations are not comparable: :func:`different_organizations`
says why, from the organization id, the management account and the accounts each one lists.
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
    #: what the verdict is about (``subject_fingerprint`` in findings.json; the fingerprint when absent)
    subject_fingerprint: str = ""

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
    "subject_fingerprint": (str,),
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
        subject_fingerprint=raw.get("subject_fingerprint") or raw["fingerprint"],
    )


@dataclass(frozen=True, slots=True)
class OrgIdentity:
    """Which organization a findings.json describes, as far as it says (None / empty: it does not say)."""

    id: str | None = None
    management_account: str | None = None
    accounts: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Findings:
    """A findings.json as a comparison reads it."""

    records: dict[str, Record]
    organization: OrgIdentity


_HINT = "pass the findings.json that `trustmap analyze` wrote"


def _organization(path: Path, data: dict[str, Any]) -> OrgIdentity:
    """The head's organization and account ids; a member of the wrong type is refused with its pointer."""
    org = data.get("organization") or {}
    accounts = data.get("accounts") or []
    if not isinstance(org, dict):
        raise BaselineError(f"{path}: /organization: an object expected; {_HINT}")
    for name in ("id", "management_account"):
        if not isinstance(org.get(name), (str, type(None))):
            raise BaselineError(f"{path}: /organization/{name}: a string or null expected; {_HINT}")
    if not isinstance(accounts, list):
        raise BaselineError(f"{path}: /accounts: a list expected; {_HINT}")
    ids = []
    for index, account in enumerate(accounts):
        if not isinstance(account, dict) or not isinstance(account.get("id"), str):
            raise BaselineError(f"{path}: /accounts/{index}/id: a string expected; {_HINT}")
        ids.append(account["id"])
    return OrgIdentity(org.get("id"), org.get("management_account"), frozenset(ids))


def different_organizations(old: OrgIdentity, new: OrgIdentity) -> str | None:
    """Why the two runs describe different organizations, or None when they may be the same one.

    The organization id decides when both have one; else the management account; else the account ids
    (no account in common). A run that does not say is never called different.
    """
    if old.id and new.id:
        return None if old.id == new.id else f"organization {old.id} and organization {new.id}"
    if old.management_account and new.management_account and old.management_account != new.management_account:
        return f"management account {old.management_account} and management account {new.management_account}"
    if old.accounts and new.accounts and not old.accounts & new.accounts:
        return (
            f"no account in common ({len(old.accounts)} account(s) such as {min(old.accounts)}, and "
            f"{len(new.accounts)} such as {min(new.accounts)})"
        )
    return None


def load_records(path: Path) -> dict[str, Record]:
    """``{fingerprint: record}`` of a findings.json written by ``trustmap analyze``."""
    return load_findings(path).records


def load_findings(path: Path) -> Findings:
    """The results of a findings.json written by ``trustmap analyze`` and the organization it describes."""
    hint = _HINT
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
    return Findings(records, _organization(path, data))


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
    #: without ``now``: the new run's results about the same subject at another grain (the person's pass)
    subject_now: tuple[Record, ...] = ()

    @property
    def fixed(self) -> bool:
        """Only a pass is a fix (or, at another grain, every result about the subject passing); everything else
        may just be less evidence."""
        if self.now is not None:
            return self.now.status == Status.PASS.value
        return bool(self.subject_now) and all(r.status == Status.PASS.value for r in self.subject_now)

    @property
    def how(self) -> str:
        """``passes`` is a fix; ``not evaluated`` or ``no longer reported`` may only mean less evidence."""
        if self.now is None and self.subject_now:
            return self._how_subject()
        if self.now is None:
            if self.unevaluated:
                return f"no longer reported, and {self.old.rule} is not evaluated for this account now (less evidence?)"
            return "no longer reported"
        return {"pass": "passes", "not_evaluated": "not evaluated", "error": "engine error"}.get(
            self.now.status, self.now.status
        )

    def _how_subject(self) -> str:
        where = ", ".join(dict.fromkeys(r.resource or r.account or r.rule for r in self.subject_now))
        if self.fixed:
            return f"passes as a whole ({where})"
        failing = [r.resource or r.account or r.rule for r in self.subject_now if r.failing]
        if failing:
            return f"no longer reported, but what it is about still fails ({', '.join(dict.fromkeys(failing))})"
        return f"no longer reported, and what it is about is not evaluated or has an engine error now ({where})"


@dataclass(frozen=True, slots=True)
class Diff:
    new: tuple[Record, ...]
    resolved: tuple[Resolved, ...]
    unchanged: tuple[Record, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "new": [r.as_json() for r in self.new],
            "resolved": [
                {
                    **r.old.as_json(),
                    "now": r.how,
                    "fixed": r.fixed,
                    **({"now_by_subject": [n.fingerprint for n in r.subject_now]} if r.subject_now else {}),
                }
                for r in self.resolved
            ],
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

    by_subject: dict[str, list[Record]] = {}
    for record in new.values():
        by_subject.setdefault(record.subject_fingerprint, []).append(record)

    def no_verdict(r: Record) -> bool:  # for the rule on the record's account, or organization-wide
        return (r.rule, r.account) in unevaluated or (r.rule, None) in unevaluated

    def resolved(r: Record) -> Resolved:
        now = new.get(r.fingerprint)
        subject = () if now is not None else tuple(sorted(by_subject.get(r.subject_fingerprint, ()), key=_order))
        return Resolved(r, now, no_verdict(r), subject)

    return Diff(
        new=tuple(sorted((new[fp] for fp in new_fail - old_fail), key=_order)),
        resolved=tuple(resolved(old[fp]) for fp in sorted(old_fail - new_fail, key=lambda fp: _order(old[fp]))),
        unchanged=tuple(sorted((new[fp] for fp in new_fail & old_fail), key=_order)),
    )
