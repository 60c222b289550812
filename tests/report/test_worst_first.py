"""Worst first (issue 15 §1): the failing rules under the verdict, and every account list ordered by
worst status, then by name. Before, the accounts sat in the order of their ids: at 200 accounts the
failing ones were rows 43 to 185 of the coverage matrix."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from pathlib import Path

import pytest

from analyzer.pipeline import ScanResult, analyze
from analyzer.report.html_report import render_html
from analyzer.report.view import STATUS_RANK, TOP_RULES, display_status

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample-org"

_COVERAGE_ROW = re.compile(r'<tr><th><a href="#acct-[^"]*">([^<]*)</a></th>(.*?)</tr>', re.S)
_CELL = re.compile(r'<td class="is-([a-z_]+)"><a href')
_SECTION = re.compile(
    r'<details class="acct is-([a-z_]+)" id="acct-[^"]*"[^>]*>\s*<summary>.*?<strong>([^<]*)</strong>'
)
_LOG_ROW = re.compile(r'<tr class="row-[a-z_]+"><th><a href="#acct-[^"]*">([^<]*)</a><span class="rs">(.*?)</tr>', re.S)
_FACET = re.compile(r'class="fc is-([a-z_]+)"')
_TOP_ROW = re.compile(
    r'<tr><td class="nw"><span class="sev sev-([a-z]+)">.*?<code class="rid">([A-Z]+-\d+)</code>.*?'
    r'<td class="is-fail"><a href="#f-([0-9a-f]+)"[^>]*>✖ ([\d,]+)</a></td><td><b>([\d,]+)</b>',
    re.S,
)


@pytest.fixture(scope="module")
def sample() -> ScanResult:
    return analyze(SAMPLE)


@pytest.fixture(scope="module")
def page(sample: ScanResult) -> str:
    return render_html(sample)


def _section(page: str, name: str) -> str:
    start = page.index(f'<section id="{name}">')
    return page[start : page.index("</section>", start)]


def _worst(statuses: list[str]) -> str:
    return max(statuses, key=STATUS_RANK.__getitem__, default="none")


def _assert_worst_first(rows: list[tuple[str, str]]) -> None:
    """(status, label) rows: status rank never rises, and labels ascend within one status."""
    keys = [(-STATUS_RANK[status], unescape(label).casefold()) for status, label in rows]
    assert keys == sorted(keys), rows


def test_the_coverage_matrix_lists_accounts_worst_first_then_by_name(page: str) -> None:
    rows = [(_worst(_CELL.findall(cells)), label) for label, cells in _COVERAGE_ROW.findall(_section(page, "coverage"))]
    assert len(rows) == 9  # the eight accounts and the organization-wide results
    _assert_worst_first(rows)
    assert rows[0][0] == "fail" and rows[-1][0] != "fail"


def test_the_account_sections_are_worst_first_then_by_name(page: str) -> None:
    rows = [(status, label) for status, label in _SECTION.findall(_section(page, "accounts"))]
    assert len(rows) == 9
    _assert_worst_first(rows)


def test_the_log_matrix_is_worst_first_then_by_name(page: str) -> None:
    rows = [(_worst(_FACET.findall(rest)), label) for label, rest in _LOG_ROW.findall(_section(page, "logs"))]
    assert len(rows) == 8
    _assert_worst_first(rows)


def test_fix_first_lists_every_failing_rule_severity_first_with_its_counts(sample: ScanResult, page: str) -> None:
    failing = [f for f in sample.findings if display_status(f) == "fail"]
    by_rule = Counter(f.rule for f in failing)
    accounts = {rule: len({f.account for f in failing if f.rule == rule}) for rule in by_rule}
    top = page[page.index('<div id="top"') : page.index("<h2>Verdict by pillar</h2>")]
    rows = _TOP_ROW.findall(top)
    counts = {rule: int(n.replace(",", "")) for _, rule, _, n, _ in rows}
    assert counts == {rule: by_rule[rule] for rule in counts}
    assert {rule: int(n.replace(",", "")) for _, rule, _, _, n in rows} == {rule: accounts[rule] for rule in counts}
    severity = {f.rule: max(g.severity.rank for g in failing if g.rule == f.rule) for f in failing}
    keys = [(-severity[rule], -by_rule[rule], rule) for _, rule, *_ in rows]
    assert keys == sorted(keys)  # critical and high first, then the most failures
    unlisted = sorted((-severity[r], -by_rule[r], r) for r in by_rule if r not in counts)
    assert len(rows) == min(TOP_RULES, len(by_rule)) and (not unlisted or unlisted[0] > keys[-1])
    if unlisted:
        assert f"{len(unlisted)} more failing rules" in top
    by_fingerprint = {f.fingerprint: f for f in sample.findings}
    for _, rule, fingerprint, _, _ in rows:  # each count links to a failure of that rule
        assert by_fingerprint[fingerprint].rule == rule and display_status(by_fingerprint[fingerprint]) == "fail"
    assert page.index('<div id="top"') < page.index('<section id="coverage">')
