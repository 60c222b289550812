"""``findings.csv``, ``accounts.csv`` and ``inventory.csv``: the results as spreadsheets, written with pandas.

Rows are sorted and columns fixed, so the same result gives the same bytes. Evidence text is
untrusted: a cell that a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``, tab, CR)
is prefixed with ``'`` (OWASP "CSV injection"), so opening the file never runs anything.

The tables are built column by column (a list per column, as a DataFrame holds them), not as a
dictionary per row, and pandas is imported only when a CSV is written: importing it costs about
half a second that commands without CSV output should not pay.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

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


def _defused(values: list[Any]) -> list[Any]:
    return [("'" + v) if isinstance(v, str) and v.startswith(FORMULA_START) else v for v in values]


def _frame(data: dict[str, list[Any]]) -> Any:
    import pandas as pd  # imported when a CSV is written, not at every start

    return pd.DataFrame({name: _defused(values) for name, values in data.items()}, columns=list(data), dtype=object)


def columns_to_csv(data: dict[str, list[Any]]) -> bytes:
    """A table given as one list per column (in column order, all of one length) as CSV bytes."""
    text: str = _frame(data).to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8")


def write_columns(data: dict[str, list[Any]], path: Path) -> None:
    """The same bytes as :func:`columns_to_csv`, written by pandas straight to ``path`` (in chunks)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        _frame(data).to_csv(handle, index=False, lineterminator="\n")


def to_csv(rows: Sequence[dict[str, Any]], columns: list[str]) -> bytes:
    return columns_to_csv({c: [row.get(c) for row in rows] for c in columns})


def finding_columns(result: ScanResult) -> dict[str, list[Any]]:
    """findings.csv as one list per column of FINDING_COLUMNS."""
    meta = {run.rule.id: run.rule.meta for run in result.runs}
    names = {a.id: a.name for a in result.shape.accounts}
    data: dict[str, list[Any]] = {c: [] for c in FINDING_COLUMNS}
    titles: dict[str, tuple[str, str]] = {rule: (m.title, m.pillar.value) for rule, m in meta.items()}
    cells = [data[c] for c in FINDING_COLUMNS]
    for f in result.findings:
        title, pillar = titles.get(f.rule, ("", ""))
        suppressed = f.suppressed
        values = (
            f.rule,
            title,
            pillar,
            display_status(f),
            f.severity.value,
            f.is_suppressed,
            suppressed.reason if suppressed else "",
            (suppressed.expires or "") if suppressed else "",
            f.baseline or "",
            f.account or "",
            names.get(f.account or "") or "",
            f.region or "",
            f.resource or "",
            f.subject or "",
            f.message,
            "; ".join(map(str, f.evidence)),
            f.fingerprint,
        )
        for column, value in zip(cells, values, strict=True):
            column.append(value)
    return data


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


def inventory_columns(result: ScanResult) -> dict[str, list[Any]]:
    """inventory.csv as one list per column of INVENTORY_COLUMNS, by path."""
    rows = sorted(result.snapshot.inventory, key=lambda r: r.path)
    return {
        "path": [r.path for r in rows],
        "kind": [r.kind or "" for r in rows],
        "account": [r.account_id or "" for r in rows],
        "region": [r.region or "" for r in rows],
        "size": [r.size for r in rows],
        "sha256": [r.sha256 for r in rows],
        "status": [r.status.value for r in rows],
        "reason": [r.reason for r in rows],
        "problems": [" | ".join(p.render(r.path) for p in r.problems) for r in rows],
    }


def render_findings(result: ScanResult) -> dict[str, bytes]:
    return {"findings.csv": columns_to_csv(finding_columns(result))}


def render_accounts_and_inventory(result: ScanResult) -> dict[str, bytes]:
    return {
        "accounts.csv": to_csv(account_rows(result), ACCOUNT_COLUMNS),
        "inventory.csv": columns_to_csv(inventory_columns(result)),
    }


def render(result: ScanResult) -> dict[str, bytes]:
    return {**render_findings(result), **render_accounts_and_inventory(result)}


def write_findings(result: ScanResult, folder: Path) -> list[str]:
    write_columns(finding_columns(result), folder / "findings.csv")
    return ["findings.csv"]


def write_accounts_and_inventory(result: ScanResult, folder: Path) -> list[str]:
    (folder / "accounts.csv").write_bytes(to_csv(account_rows(result), ACCOUNT_COLUMNS))
    write_columns(inventory_columns(result), folder / "inventory.csv")
    return ["accounts.csv", "inventory.csv"]


#: The format's files in two parts that two processes can write (see analyzer.report.writer).
PARTS = (write_findings, write_accounts_and_inventory)


FORMATS = {"csv": render}
