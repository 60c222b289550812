"""``findings.csv``, ``accounts.csv`` and ``inventory.csv``: the results as spreadsheets.

Rows are sorted and columns fixed, so the same result gives the same bytes. Evidence text is
untrusted, and a spreadsheet acts on two things in it:

* a cell that starts like a formula (``=``, ``+``, ``-``, ``@``, tab, CR) is prefixed with ``'``
  (OWASP "CSV injection"), and so is each line of a cell that starts like one after a line break;
* a line break inside a cell must be quoted, or a reader starts a new row there and what follows
  becomes a cell of its own (``Production\\r=1+1`` as an account name became a live formula cell in
  LibreOffice Calc). Python's ``csv`` module (and pandas, which uses it) quotes a cell holding the
  row terminator (``\\n``) but not a bare ``\\r``, so a row holding one is written here.

The tables are built column by column (a list per column) and written with the C ``csv`` writer;
values are written as that writer writes them (``None`` empty, ``True``, ``5``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from itertools import repeat
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from analyzer.model.snapshot import FileStatus
from analyzer.report.view import SEVERITIES, display_status
from analyzer.rules.base import Severity

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
    "compliance",
    "remediation",
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


#: A line of a multi-line cell that starts like a formula (after CR or LF): prefixed with ``'`` too,
#: for a reader that splits the cell there anyway.
_FORMULA_AFTER_BREAK = re.compile("([\r\n])([=+\\-@\t])")
LINE_BREAKS = ("\n", "\r")


def defuse(value: Any) -> Any:
    """A string a spreadsheet would evaluate becomes plain text; everything else is unchanged."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START):
        value = "'" + value
    if "\n" in value or "\r" in value:
        value = _FORMULA_AFTER_BREAK.sub("\\1'\\2", value)
    return value


def _risky(values: list[Any]) -> bool:
    """Whether a cell of ``values`` starts like a formula or holds a line break: tested with
    ``str`` methods mapped in C over a column of strings, cell by cell when not all are strings."""
    try:
        return any(map(str.startswith, values, repeat(FORMULA_START))) or any(
            any(map(str.__contains__, values, repeat(brk))) for brk in LINE_BREAKS
        )
    except TypeError:  # not all strings (numbers, flags): test cell by cell
        return True


def _defused(values: list[Any]) -> list[Any]:
    """``values`` with each cell defused; the list itself when no cell needs it (the usual case)."""
    if not _risky(values):
        return values
    return [defuse(v) if isinstance(v, str) else v for v in values]


#: Columns that repeat a few values (rule ids, statuses, regions, accounts): tested value by value.
FEW_VALUES = frozenset(
    {"rule", "title", "pillar", "status", "severity", "baseline", "account", "account_name", "region", "kind"}
)


def _defused_few(values: list[Any]) -> list[Any]:
    """:func:`_defused` for a column of few distinct strings: each distinct value is tested once."""
    distinct = set(values)
    if not all(type(v) is str for v in distinct):
        return _defused(values)
    cells = {v: defuse(v) for v in distinct}
    if all(cell is v for v, cell in cells.items()):
        return values
    return [cells[v] for v in values]


def _cell_text(value: Any) -> str:
    """A value as the ``csv`` writer writes it: None empty, floats by ``repr``, the rest by ``str``."""
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def _quoted_line(row: Sequence[Any]) -> str:
    """One row as the ``csv`` writer writes it (minimal quoting, quotes doubled), quoting a cell that
    holds a bare ``\\r`` as well."""
    cells = []
    for value in row:
        text = _cell_text(value)
        if any(c in text for c in ',"\n\r'):
            text = '"' + text.replace('"', '""') + '"'
        cells.append(text)
    return ",".join(cells) + "\n"


def _rows_with_cr(columns: list[list[Any]]) -> set[int]:
    """The rows in which a cell holds a carriage return (searched in C; none, usually)."""
    found: set[int] = set()
    for values in columns:
        try:
            if not any(map(str.__contains__, values, repeat("\r"))):
                continue
        except TypeError:
            pass
        found.update(i for i, v in enumerate(values) if isinstance(v, str) and "\r" in v)
    return found


def _write_table(data: dict[str, list[Any]], handle: TextIO) -> None:
    """Header and rows, every cell defused; a row holding a CR quoted by :func:`_quoted_line`."""
    columns = [(_defused_few if name in FEW_VALUES else _defused)(values) for name, values in data.items()]
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(list(data))
    with_cr = _rows_with_cr(columns)
    if not with_cr:
        writer.writerows(zip(*columns, strict=True))
        return
    for number, row in enumerate(zip(*columns, strict=True)):
        if number in with_cr:
            handle.write(_quoted_line(row))
        else:
            writer.writerow(row)


def columns_to_csv(data: dict[str, list[Any]]) -> bytes:
    """A table given as one list per column (in column order, all of one length) as CSV bytes."""
    buffer = io.StringIO(newline="")
    _write_table(data, buffer)
    return buffer.getvalue().encode("utf-8", "backslashreplace")  # a lone surrogate (a file name) as \udcff


def write_columns(data: dict[str, list[Any]], path: Path) -> None:
    """The same bytes as :func:`columns_to_csv`, written straight to ``path``."""
    with path.open("w", encoding="utf-8", errors="backslashreplace", newline="") as handle:
        _write_table(data, handle)


def to_csv(rows: Sequence[dict[str, Any]], columns: list[str]) -> bytes:
    return columns_to_csv({c: [row.get(c) for row in rows] for c in columns})


#: Severity as its text, looked up by hash (an enum's ``.value`` is a Python-level call).
_SEVERITY_TEXT: dict[Severity, str] = {s: s.value for s in Severity}


def finding_columns(result: ScanResult) -> dict[str, list[Any]]:
    """findings.csv as one list per column of FINDING_COLUMNS, each column built by one comprehension."""
    findings = result.findings
    rules = {run.rule.id: run.rule.meta for run in result.runs}
    titles = {rule: meta.title for rule, meta in rules.items()}
    pillars = {rule: meta.pillar.value for rule, meta in rules.items()}
    compliance = {rule: "; ".join(map(str, meta.compliance)) for rule, meta in rules.items()}
    remediation = {rule: meta.remediation for rule, meta in rules.items()}
    names = {a.id: a.name for a in result.shape.accounts}
    accounts = [f.account or "" for f in findings]
    suppressions = [f.suppressed for f in findings]
    return {
        "rule": [f.rule for f in findings],
        "title": [titles.get(f.rule, "") for f in findings],
        "pillar": [pillars.get(f.rule, "") for f in findings],
        "status": list(map(display_status, findings)),
        "severity": [_SEVERITY_TEXT[f.severity] for f in findings],
        "suppressed": [f.is_suppressed for f in findings],
        "suppression_reason": [s.reason if s else "" for s in suppressions],
        "suppression_expires": [(s.expires or "") if s else "" for s in suppressions],
        "baseline": [f.baseline or "" for f in findings],
        "account": accounts,
        "account_name": [names.get(a) or "" for a in accounts],
        "region": [f.region or "" for f in findings],
        "resource": [f.resource or "" for f in findings],
        "subject": [f.subject or "" for f in findings],
        "message": [f.message for f in findings],
        "evidence": ["; ".join(map(str, f.evidence)) for f in findings],
        "fingerprint": [f.fingerprint for f in findings],
        "compliance": [compliance.get(f.rule, "") for f in findings],
        "remediation": [remediation.get(f.rule, "") for f in findings],
    }


def _account_row(account: str, name: str, role: str, state: str, in_organization: bool) -> dict[str, Any]:
    return {
        "account": account,
        "name": name,
        "role": role,
        "state": state,
        "in_organization": in_organization,
        **dict.fromkeys(("fail", "pass", "not_evaluated", "suppressed", "error"), 0),
        **{f"fail_{s}": 0 for s in SEVERITIES},
        "worst_severity": "",
        "rules": set(),
    }


def account_rows(result: ScanResult) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {
        a.id: _account_row(a.id, a.name or "", a.role, a.state or "", a.in_organization) for a in result.shape.accounts
    }
    for f in result.findings:
        account = f.account
        if not account:
            continue
        row = rows.get(account)
        if row is None:
            row = rows[account] = _account_row(account, "", "outside the organization", "", False)
        status = display_status(f)
        row[status] += 1
        if status == "fail":
            row["fail_" + _SEVERITY_TEXT[f.severity]] += 1
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
    rows = sorted(result.snapshot.inventory, key=attrgetter("path"))
    return {
        "path": [r.path for r in rows],
        "kind": [r.kind or "" for r in rows],
        "account": [r.account_id or "" for r in rows],
        "region": [r.region or "" for r in rows],
        "size": [r.size for r in rows],
        "sha256": [r.sha256 for r in rows],
        "status": [_FILE_STATUS_TEXT[r.status] for r in rows],
        "reason": [r.reason for r in rows],
        "problems": [" | ".join([p.render(r.path) for p in r.problems]) if r.problems else "" for r in rows],
    }


_FILE_STATUS_TEXT: dict[FileStatus, str] = {s: s.value for s in FileStatus}


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


#: The format's files in two parts that two processes can write at once (see analyzer.report.writer).
PARTS = (write_findings, write_accounts_and_inventory)


FORMATS = {"csv": render}
