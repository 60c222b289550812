"""findings.csv, accounts.csv and inventory.csv: pandas-readable, complete, and safe to open."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from analyzer.pipeline import ScanResult, analyze
from analyzer.report.tables import FINDING_COLUMNS, defuse, render, to_csv
from tests.report.support import DEV, HOSTILE_TAG, MGMT

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample-org"


def _read(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def test_findings_csv_has_one_row_per_result(defective: ScanResult) -> None:
    files = render(defective)
    frame = _read(files["findings.csv"])
    assert list(frame.columns) == FINDING_COLUMNS
    assert len(frame) == len(defective.findings)
    suppressed = frame[frame["status"] == "suppressed"].iloc[0]
    assert suppressed["suppressed"] == "True" and suppressed["suppression_reason"] == "accepted until the migration"
    assert HOSTILE_TAG in suppressed["message"]  # data, kept as written
    assert b"\r\n" not in files["findings.csv"]
    assert render(defective) == files


def test_findings_csv_carries_each_results_compliance_references_and_remediation() -> None:
    """Issue 15 §5: a spreadsheet of results is enough to file each one against its controls."""
    result = analyze(SAMPLE)
    frame = _read(render(result)["findings.csv"])
    root_mfa = frame[frame["rule"] == "CRD-001"].iloc[0]
    assert "CIS AWS Foundations v3.0.0 1.5" in root_mfa["compliance"].split("; ")
    assert "NIST SP 800-53 rev. 5 IA-2(1)" in root_mfa["compliance"].split("; ")
    assert root_mfa["remediation"].startswith("Sign in as root and register an MFA device")
    metas = {run.rule.id: run.rule.meta for run in result.runs}
    assert all(r["remediation"] == metas[r["rule"]].remediation for _, r in frame.iterrows())


def test_accounts_csv_counts_each_account(defective: ScanResult) -> None:
    frame = _read(render(defective)["accounts.csv"]).set_index("account")
    assert frame.loc[DEV, ["fail", "suppressed", "pass", "fail_high", "worst_severity", "failing_rules"]].tolist() == [
        "1",
        "1",
        "2",
        "1",
        "high",
        "TST-001",
    ]
    assert frame.loc[MGMT, "not_evaluated"] == "1" and frame.loc[MGMT, "role"] == "management"


def test_inventory_csv_lists_every_file_with_its_hash(defective: ScanResult) -> None:
    frame = _read(render(defective)["inventory.csv"])
    assert len(frame) == len(defective.snapshot.inventory)
    assert frame[frame["path"] == "notes/readme.json"]["status"].tolist() == ["ignored"]
    assert frame["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()


def test_spreadsheet_formulas_in_evidence_are_defused() -> None:
    assert defuse('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert [defuse(v) for v in ("+1", "-2", "@SUM(A1)", "\tx", "plain", 5)] == [
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "plain",
        5,
    ]
    frame = _read(to_csv([{"a": "=1+1", "b": "ok"}], ["a", "b"]))
    assert frame.iloc[0].tolist() == ["'=1+1", "ok"]


def test_formulas_are_defused_in_columns_of_few_values_and_of_mixed_types() -> None:
    rows = [
        {"region": "=cmd", "message": "ok", "account": 1, "size": 1},
        {"region": "us-east-1", "message": "-1", "account": True, "size": True},
        {"region": "=cmd", "message": "plain", "account": 1, "size": "@x"},
    ]
    frame = _read(to_csv(rows, ["region", "message", "account", "size"]))
    assert frame["region"].tolist() == ["'=cmd", "us-east-1", "'=cmd"]  # a column of few values
    assert frame["message"].tolist() == ["ok", "'-1", "plain"]
    assert frame["account"].tolist() == ["1", "True", "1"]  # 1 and True stay apart
    assert frame["size"].tolist() == ["1", "True", "'@x"]
