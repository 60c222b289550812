"""The compliance view (issue 15 §5): per framework, each covered control's verdict derived from
every result of its rules, and the controls trustmap does not cover named as such."""

from __future__ import annotations

import json
from html import unescape
from pathlib import Path

import pytest

from analyzer.pipeline import ScanResult, analyze
from analyzer.report.compliance_view import control_order, framework_views
from analyzer.report.html_report import render_html
from analyzer.report.view import STATUS_RANK, display_status
from analyzer.rules.compliance import FRAMEWORKS

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample-org"


@pytest.fixture(scope="module")
def sample() -> ScanResult:
    return analyze(SAMPLE)


def test_a_control_passes_only_when_every_result_of_its_rules_passes(sample: ScanResult) -> None:
    views = framework_views(sample)
    assert [v.name for v in views] == list(FRAMEWORKS.values())
    for view in views:
        assert view.covered, view.name
        for control in view.covered:
            statuses = [display_status(f) for f in sample.findings if f.rule in control.rules]
            expected = max(statuses, key=STATUS_RANK.__getitem__, default="none")
            assert control.status == expected, (view.name, control.control)
            if control.status == "pass":
                assert set(statuses) == {"pass"}
            assert sum(control.counts.values()) == len(statuses)


def test_uncovered_controls_are_named_and_never_given_a_verdict(sample: ScanResult) -> None:
    cis = next(v for v in framework_views(sample) if v.name == "CIS AWS Foundations v3.0.0")
    covered = {c.control for c in cis.covered}
    uncovered = {c.control for c in cis.uncovered}
    assert {"1.1", "1.16", "3.4", "3.7"} <= uncovered and not covered & uncovered
    assert {"1.5", "1.10", "3.1"} <= covered
    assert all(c.status == "none" and not c.rules for c in cis.uncovered)
    assert [c.control for c in cis.covered] == sorted(covered, key=control_order)


def test_unverified_references_say_so(sample: ScanResult) -> None:
    notes = {v.name: v.checked for v in framework_views(sample)}
    assert notes["APRA CPS 234"].startswith("NOT VERIFIED") and notes["MAS TRM"].startswith("NOT VERIFIED")
    page = unescape(render_html(sample))
    section = page[page.index('<section id="compliance">') : page.index('<section id="accounts">')]
    assert "Not covered by trustmap:" in section and "NOT VERIFIED against the published standard" in section
    assert control_order("1.10") > control_order("1.9") and control_order("AC-2(3)") > control_order("AC-2")


def test_analyze_compliance_filters_every_output_to_one_framework(tmp_path: Path) -> None:
    """``analyze --compliance CIS3``: only the rules citing CIS v3.0.0 and their results, in the JSON,
    the CSV and the page's compliance view."""
    from click.testing import CliRunner

    from analyzer.cli.analyze import analyze as analyze_command

    out = tmp_path / "report"
    done = CliRunner().invoke(
        analyze_command,
        [str(SAMPLE), "--out", str(out), "--compliance", "cis3", "--format", "json", "--format", "html"],
    )
    assert done.exit_code == 0, done.output
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    cis3 = FRAMEWORKS["CIS3"]
    citing = {r.rule.id for r in analyze(SAMPLE).runs if any(c.framework == cis3 for c in r.rule.meta.compliance)}
    assert {r["id"] for r in data["rules"]} == citing and "IDN-003" not in citing
    assert {r["rule"] for r in data["results"]} <= citing
    page = (out / "index.html").read_text(encoding="utf-8")
    section = page[page.index('<section id="compliance">') : page.index('<section id="accounts">')]
    assert section.count('<details class="framework"') == 1 and cis3 in section
