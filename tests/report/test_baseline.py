"""Baselines and diffs by fingerprint: analyze --baseline/--fail-on-new and trustmap diff."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.cli.analyze import ProgressDisplay
from analyzer.evidence.schemas import check
from analyzer.pipeline import ScanResult
from analyzer.report import json_report
from analyzer.report.baseline import (
    BaselineError,
    apply_baseline,
    diff_records,
    load_records,
    new_failures,
)
from analyzer.rules.base import Severity
from tests.report.support import defective_bundle


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _result(fp: str, status: str, severity: str = "high", rule: str = "TST-001") -> dict[str, Any]:
    return {
        "rule": rule,
        "status": status,
        "severity": severity,
        "account": "222222222222",
        "region": None,
        "resource": f"arn:aws:iam::222222222222:role/{fp}",
        "message": f"{fp} {status}",
        "evidence": [],
        "fingerprint": fp,
        "suppressed": None,
    }


def test_failures_are_new_or_existing_against_the_baseline(tmp_path: Path, defective: ScanResult) -> None:
    old = json.loads(json_report.render(defective))
    fails = [r for r in old["results"] if r["status"] == "fail"]
    assert len(fails) == 2
    old["results"] = [r for r in old["results"] if r is not fails[0]]  # the baseline did not have this one
    marked = apply_baseline(defective, load_records(_write(tmp_path / "old.json", old)))
    by_fp = {f.fingerprint: f.baseline for f in marked.findings if f.status.value == "fail"}
    assert by_fp == {fails[0]["fingerprint"]: "new", fails[1]["fingerprint"]: "existing"}
    assert all(f.baseline is None for f in marked.findings if f.status.value != "fail")
    written = json.loads(json_report.render(marked))
    assert check("findings", written) == ()
    assert {r["fingerprint"]: r.get("baseline") for r in written["results"] if r["status"] == "fail"} == by_fp
    assert fails[0]["suppressed"] is None and fails[0]["severity"] == "high"
    assert [f.fingerprint for f in new_failures(marked)] == [fails[0]["fingerprint"]]
    assert [f.fingerprint for f in new_failures(marked, Severity.HIGH)] == [fails[0]["fingerprint"]]
    assert new_failures(marked, Severity.CRITICAL) == []
    everything_new = apply_baseline(defective, {})
    assert len(new_failures(everything_new)) == 1  # the suppressed failure is new too, but never gates


def test_diff_sorts_failures_into_new_resolved_and_unchanged(tmp_path: Path) -> None:
    old = _write(
        tmp_path / "old.json",
        {"results": [_result("a", "fail"), _result("b", "fail"), _result("c", "fail"), _result("d", "pass")]},
    )
    new = _write(
        tmp_path / "new.json",
        {
            "results": [
                _result("a", "pass"),
                _result("b", "fail"),
                _result("c", "not_evaluated"),
                _result("d", "fail", "critical"),
            ]
        },
    )
    diff = diff_records(load_records(old), load_records(new))
    assert [r.fingerprint for r in diff.new] == ["d"]
    assert [(r.old.fingerprint, r.how) for r in diff.resolved] == [("a", "passes"), ("c", "not evaluated")]
    assert [r.fingerprint for r in diff.unchanged] == ["b"]

    runner = CliRunner()
    text = runner.invoke(main, ["diff", str(old), str(new)])
    assert text.exit_code == 0
    assert "1 new, 2 resolved, 1 unchanged failures" in text.output
    assert "now: not evaluated" in text.output
    as_json = runner.invoke(main, ["diff", str(old), str(new), "--format", "json"])
    data = json.loads(as_json.output)
    assert data["summary"] == {"new": 1, "resolved": 2, "unchanged": 1}
    assert data["resolved"][1]["now"] == "not evaluated"
    assert runner.invoke(main, ["diff", str(old), str(new), "--fail-on-new"]).exit_code == 1
    assert runner.invoke(main, ["diff", str(new), str(new), "--fail-on-new"]).exit_code == 0


def test_unreadable_findings_files_exit_2_with_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(BaselineError, match="not JSON"):
        load_records(bad)
    with pytest.raises(BaselineError, match="/results/0"):
        load_records(_write(tmp_path / "x.json", {"results": [{"rule": "X"}]}))
    result = CliRunner().invoke(main, ["diff", str(bad), str(bad)])
    assert result.exit_code == 2 and "not JSON" in result.output


def test_analyze_gates_on_new_failures_only_with_a_baseline(tmp_path: Path) -> None:
    bundle = str(defective_bundle(tmp_path / "bundle"))
    runner = CliRunner()
    first = runner.invoke(main, ["analyze", bundle, "--out", str(tmp_path / "r1"), "--format", "json"])
    assert first.exit_code == 0, first.output
    old = json.loads((tmp_path / "r1/findings.json").read_text())
    assert any(r["status"] == "fail" and not r["suppressed"] for r in old["results"])  # the planted defects
    same = runner.invoke(
        main,
        [
            "analyze",
            bundle,
            "--out",
            str(tmp_path / "r2"),
            "--format",
            "json",
            "--baseline",
            str(tmp_path / "r1/findings.json"),
            "--fail-on",
            "info",
            "--fail-on-new",
        ],
    )
    assert same.exit_code == 0, same.output
    assert "0 new" in same.output
    assert all(
        r.get("baseline") == "existing"
        for r in json.loads((tmp_path / "r2/findings.json").read_text())["results"]
        if r["status"] == "fail"
    )
    old["results"] = [r for r in old["results"] if r["status"] != "fail"]
    empty = _write(tmp_path / "empty.json", old)
    fresh = runner.invoke(
        main,
        [
            "analyze",
            bundle,
            "--out",
            str(tmp_path / "r3"),
            "--format",
            "json",
            "--baseline",
            str(empty),
            "--fail-on-new",
        ],
    )
    assert fresh.exit_code == 1, fresh.output
    plain = runner.invoke(
        main, ["analyze", bundle, "--out", str(tmp_path / "r4"), "--format", "json", "--baseline", str(empty)]
    )
    assert plain.exit_code == 0  # marking alone never gates
    misuse = runner.invoke(main, ["analyze", bundle, "--out", str(tmp_path / "r5"), "--fail-on-new"])
    assert misuse.exit_code == 2 and "--baseline" in misuse.output


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_only() -> None:
    quiet = io.StringIO()
    display = ProgressDisplay(quiet)
    for call in (("load", 0, 1), ("rules", 0, 2), ("rules", 1, 2), ("rules", 2, 2)):
        display(*call)
    assert quiet.getvalue() == ""
    tty = _Terminal()
    display = ProgressDisplay(tty)
    for call in (("load", 0, 1), ("graph", 0, 1), ("rules", 0, 2), ("rules", 1, 2), ("rules", 2, 2), ("write", 0, 1)):
        display(*call)
    shown = tty.getvalue()
    assert "loading the evidence" in shown and "building the access graph" in shown
    assert "running the rules" in shown and "writing the reports" in shown
