"""The CSV tables keep every row one row, and no cell a spreadsheet would evaluate, whatever the evidence holds.

Seen: an account named ``Production\\r=1+1`` was written unquoted; Python's ``csv`` module and
LibreOffice Calc both started a new row at the CR, and ``=1+1`` became a live formula cell.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.report.tables import columns_to_csv, defuse, write_columns
from tests.graph.disk_bundles import DEV, copy_base

HOSTILE_NAME = "Production\r=1+1"


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_a_cell_with_a_bare_carriage_return_is_quoted_and_stays_one_cell() -> None:
    data = columns_to_csv({"name": [HOSTILE_NAME, "a\nb", "plain"], "n": [1, 2, 3]})
    assert _rows(data) == [["name", "n"], ["Production\r'=1+1", "1"], ["a\nb", "2"], ["plain", "3"]]
    assert data.startswith(b'name,n\n"Production\r')


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("x\r=cmd", "x\r'=cmd"),
        ("x\n+1", "x\n'+1"),
        ("x\r\n@SUM(A1)", "x\r\n'@SUM(A1)"),
        ("=a\n-b", "'=a\n'-b"),
        ("line one\nline two", "line one\nline two"),
    ],
)
def test_every_line_of_a_cell_that_starts_like_a_formula_is_defused(text: str, cell: str) -> None:
    assert defuse(text) == cell
    assert _rows(columns_to_csv({"a": [text], "b": ["x"]}))[1] == [cell, "x"]


def test_the_streamed_file_has_the_same_bytes(tmp_path: Path) -> None:
    data = {"a": [HOSTILE_NAME, None, 1.5, True], "b": ['q"uote', "c,omma", "ok", "\udcff"]}
    write_columns(data, tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_bytes() == columns_to_csv(data)
    assert _rows(columns_to_csv(data))[4] == ["True", "\\udcff"]  # a lone surrogate (a file name) escaped


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base bundle with the Development account named ``Production\\r=1+1``, analyzed."""
    root = tmp_path_factory.mktemp("csv")
    bundle = copy_base(root / "bundle")
    accounts = bundle / "organization" / "list-accounts.json"
    listing = json.loads(accounts.read_text(encoding="utf-8"))
    (dev,) = [a for a in listing["Accounts"] if a["Id"] == DEV]
    dev["Name"] = HOSTILE_NAME
    accounts.write_text(json.dumps(listing), encoding="utf-8")
    out = root / "report"
    result = CliRunner().invoke(main, ["analyze", str(bundle), "--out", str(out), "--format", "csv"])
    assert result.exit_code == 0, result.output
    return out


def test_the_tables_read_back_with_the_csv_module_one_row_per_record(hostile_report: Path) -> None:
    accounts = _rows((hostile_report / "accounts.csv").read_bytes())
    header = accounts[0]
    assert all(len(row) == len(header) for row in accounts)
    names = {row[header.index("account")]: row[header.index("name")] for row in accounts[1:]}
    assert names[DEV] == "Production\r'=1+1"
    findings = _rows((hostile_report / "findings.csv").read_bytes())
    column = findings[0].index("account_name")
    assert all(len(row) == len(findings[0]) for row in findings)
    assert {row[column] for row in findings[1:] if row[findings[0].index("account")] == DEV} == {"Production\r'=1+1"}


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_calc_imports_no_formula_and_no_extra_row(hostile_report: Path, tmp_path: Path) -> None:
    """Calc opens accounts.csv (comma-separated, UTF-8) and saves it as flat ODS: no cell holds a
    formula, and the hostile name is one cell of the Development row."""
    assert SOFFICE is not None
    done = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--infilter=CSV:44,34,76,1",
            "--convert-to",
            "fods",
            "--outdir",
            str(tmp_path),
            str(hostile_report / "accounts.csv"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    converted = tmp_path / "accounts.fods"
    assert converted.exists(), done.stdout + done.stderr
    table = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
    text = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
    root = ET.parse(converted).getroot()
    cells = list(root.iter(f"{table}table-cell"))
    assert not [c for c in cells if f"{table}formula" in c.attrib]
    rows = [r for r in root.iter(f"{table}table-row") if any(p.text for p in r.iter(f"{text}p"))]
    expected = _rows((hostile_report / "accounts.csv").read_bytes())
    assert len(rows) == len(expected)
    (dev_row,) = [r for r in rows if any(p.text == DEV for p in r.iter(f"{text}p"))]
    lines_per_cell = [[p.text for p in cell.iter(f"{text}p")] for cell in dev_row.iter(f"{table}table-cell")]
    assert ["Production", "'=1+1"] in lines_per_cell  # one cell of two lines
