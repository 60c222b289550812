"""``findings.csv``, ``accounts.csv`` and ``inventory.csv``: the results as spreadsheets, written with pandas.

Rows are sorted and columns fixed, so the same result gives the same bytes. Evidence text is
untrusted: a cell that a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``, tab, CR)
is prefixed with ``'`` (OWASP "CSV injection"), so opening the file never runs anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from analyzer.report.view import SEVERITIES, display_status
from analyzer.rules.base import Status

if TYPE_CHECKING:
    from analyzer.pipeline import ScanResult

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

FINDING_COLUMNS = [
    "rule",
    "title",
    "pillar",
    "status",
    "severity",
    "suppressed",
    "suppression_reason",
    "suppression_expires",
    "baseline",
    "account",
    "account_name",
    "region",
    "resource",
    "subject",
    "message",
    "evidence",
    "fingerprint",
]
ACCOUNT_COLUMNS = [
    "account",
    "name",
    "role",
    "state",
    "in_organization",
    "fail",
    "pass",
    "not_evaluated",
    "suppressed",
    "error",
    *(f"fail_{s}" for s in SEVERITIES),
    "worst_severity",
    "failing_rules",
]
INVENTORY_COLUMNS = ["path", "kind", "account", "region", "size", "sha256", "status", "reason", "problems"]


def defuse(value: Any) -> Any:
    """A string a spreadsheet would evaluate becomes plain text; everything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(rows: Sequence[dict[str, Any]], columns: list[str]) -> bytes:
    frame = pd.DataFrame([{c: defuse(row.get(c)) for c in columns} for row in rows], columns=columns, dtype=object)
    text: str = frame.to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8")


def finding_rows(result: ScanResult) -> list[dict[str, Any]]:
    meta = {run.rule.id: run.rule.meta for run in result.runs}
    names = {a.id: a.name for a in result.shape.accounts}
    rows = []
    for f in result.findings:
        rule = meta.get(f.rule)
        rows.append(
            {
                "rule": f.rule,
                "title": rule.title if rule else "",
                "pillar": rule.pillar.value if rule else "",
                "status": display_status(f),
                "severity": f.severity.value,
                "suppressed": f.is_suppressed,
                "suppression_reason": f.suppressed.reason if f.suppressed else "",
                "suppression_expires": (f.suppressed.expires or "") if f.suppressed else "",
                "baseline": f.baseline or "",
                "account": f.account or "",
                "account_name": names.get(f.account or "") or "",
                "region": f.region or "",
                "resource": f.resource or "",
                "subject": f.subject or "",
                "message": f.message,
                "evidence": "; ".join(str(e) for e in f.evidence),
                "fingerprint": f.fingerprint,
            }
        )
    return rows


def account_rows(result: ScanResult) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for a in result.shape.accounts:
        rows[a.id] = {
            "account": a.id,
            "name": a.name or "",
            "role": a.role,
            "state": a.state or "",
            "in_organization": a.in_organization,
            **dict.fromkeys(("fail", "pass", "not_evaluated", "suppressed", "error"), 0),
            **{f"fail_{s}": 0 for s in SEVERITIES},
            "worst_severity": "",
            "rules": set(),
        }
    for f in result.findings:
        if not f.account:
            continue
        row = rows.setdefault(
            f.account,
            {
                "account": f.account,
                "name": "",
                "role": "outside the organization",
                "state": "",
                "in_organization": False,
                **dict.fromkeys(("fail", "pass", "not_evaluated", "suppressed", "error"), 0),
                **{f"fail_{s}": 0 for s in SEVERITIES},
                "worst_severity": "",
                "rules": set(),
            },
        )
        status = display_status(f)
        row[status] += 1
        if status == Status.FAIL.value:
            row[f"fail_{f.severity.value}"] += 1
            row["rules"].add(f.rule)
    out = []
    for account in sorted(rows):
        row = rows[account]
        row["worst_severity"] = next((s for s in SEVERITIES if row[f"fail_{s}"]), "")
        row["failing_rules"] = " ".join(sorted(row.pop("rules")))
        out.append(row)
    return out


def inventory_rows(result: ScanResult) -> list[dict[str, Any]]:
    return [
        {
            "path": r.path,
            "kind": r.kind or "",
            "account": r.account_id or "",
            "region": r.region or "",
            "size": r.size,
            "sha256": r.sha256,
            "status": r.status.value,
            "reason": r.reason,
            "problems": " | ".join(p.render(r.path) for p in r.problems),
        }
        for r in sorted(result.snapshot.inventory, key=lambda r: r.path)
    ]


def render(result: ScanResult) -> dict[str, bytes]:
    return {
        "findings.csv": to_csv(finding_rows(result), FINDING_COLUMNS),
        "accounts.csv": to_csv(account_rows(result), ACCOUNT_COLUMNS),
        "inventory.csv": to_csv(inventory_rows(result), INVENTORY_COLUMNS),
    }


FORMATS = {"csv": render}
