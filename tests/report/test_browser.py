"""index.html as a user opens it: real headless Chromium, from disk, offline.

Skipped when Chromium is not installed, except in CI (``CI=true``), where a missing browser fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer.pipeline import ScanResult
from analyzer.report.writer import write_outputs
from tests.report.cdp import Browser, find_chromium
from tests.report.support import DEV, HOSTILE, MGMT

VISIBLE = "Array.from(document.querySelectorAll('#findings li.finding')).filter(li => !li.hidden).length"


@pytest.fixture(scope="module")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed; CI must run the browser test (.ci/run installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


@pytest.fixture(scope="module")
def report(defective: ScanResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "report"
    write_outputs(defective, out, ["html"])
    return out / "index.html"


@pytest.fixture
def browser(chromium: str, tmp_path: Path) -> Iterator[Browser]:
    with Browser(tmp_path / "profile", binary=chromium) as b:
        b.viewport(1400, 900)
        yield b


def test_the_report_opens_from_disk_without_errors_or_network(browser: Browser, report: Path, tmp_path: Path) -> None:
    browser.load(report.as_uri())
    assert browser.console_errors() == []
    assert browser.requests() == [report.as_uri()]  # the page itself, nothing else
    assert browser.evaluate("document.documentElement.className") == "js"
    assert browser.evaluate("document.querySelectorAll('svg.map g.n').length") == 4
    shot = browser.screenshot(tmp_path / "report.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_no_script_from_the_evidence_runs_and_it_reads_as_text(browser: Browser, report: Path) -> None:
    browser.load(report.as_uri())
    assert browser.evaluate("typeof window.__pwned") == "undefined"
    assert browser.evaluate("document.scripts.length") == 1
    assert browser.evaluate("document.images.length") == 0
    browser.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    text = browser.evaluate("document.body.innerText")
    for hostile in HOSTILE:
        assert hostile in text


def test_the_filter_narrows_the_findings(browser: Browser, report: Path, tmp_path: Path) -> None:
    browser.load(report.as_uri())
    total = browser.evaluate(VISIBLE)
    assert total == 8
    browser.evaluate("var q = document.getElementById('f-q'); q.value = 'ops-role';q.dispatchEvent(new Event('input'))")
    assert browser.evaluate(VISIBLE) == 1
    assert browser.evaluate("document.getElementById('f-count').textContent") == "1 of 8 results"
    assert browser.evaluate("document.getElementById('rule-TST-002').hidden") is True
    browser.evaluate(
        "var q = document.getElementById('f-q'); q.value = '';"
        "q.dispatchEvent(new Event('input'));"
        "var s = document.getElementById('f-status'); s.value = 'not_evaluated';"
        "s.dispatchEvent(new Event('change'))"
    )
    assert browser.evaluate(VISIBLE) == 1
    assert (
        browser.evaluate("document.querySelector('#findings li.finding:not([hidden])').dataset.status")
        == "not_evaluated"
    )
    browser.screenshot(tmp_path / "filtered.png")


def test_a_link_to_a_collapsed_result_opens_it(browser: Browser, report: Path) -> None:
    browser.load(report.as_uri())
    href = browser.evaluate("document.querySelector('#coverage td.is-not_evaluated a').getAttribute('href')")
    target = href[1:]
    browser.evaluate(f"document.querySelector('#coverage a[href=\"{href}\"]').click()")
    assert browser.evaluate(f"document.getElementById('{target}').closest('details.rule').open") is True


def test_without_scripts_everything_is_still_there(chromium: str, report: Path, tmp_path: Path) -> None:
    with Browser(tmp_path / "profile", binary=chromium) as b:
        b.call("Emulation.setScriptExecutionDisabled", {"value": True})
        b.load(report.as_uri())
        assert b.console_errors() == []
        assert b.evaluate("document.documentElement.className") == "no-js"
        assert b.evaluate("getComputedStyle(document.querySelector('.filters')).display") == "none"
        assert b.evaluate("document.querySelectorAll('#findings li.finding').length") == 8
        assert b.evaluate("document.getElementById('rule-TST-001').open") is True  # failures open by default


def test_printing_opens_the_problems_and_counts_the_passes(browser: Browser, report: Path) -> None:
    """Before: printing opened every section and every list of passes (49 pages for the sample
    organization, 197 for 200 accounts). Now (issue 15 §4): each rule and account with a problem is
    opened, each failure with its evidence; other problems stay on their line; passes are counted."""
    browser.load(report.as_uri())
    browser.evaluate("window.dispatchEvent(new Event('beforeprint'))")

    def closed(selector: str) -> list[str]:
        return browser.evaluate(  # type: ignore[no-any-return]
            f"Array.from(document.querySelectorAll('{selector}')).filter(d => !d.open).map(d => d.id || d.className)"
        )

    assert closed("details.rule:not(.is-pass):not(.is-none)") == []
    assert closed("details.acct.is-fail, details.acct.is-error") == []
    assert closed("li.finding.is-fail > details") == []  # each failure with its evidence
    assert closed("details.acct.is-pass") != []  # a passing account prints its counts only
    assert closed("details.passes") != [] and closed("li.finding.is-not_evaluated > details") != []
    assert browser.evaluate("document.querySelectorAll('details.passes[open]').length") == 0
    browser.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert closed("li.finding.is-fail > details") != []  # restored as they were


def _search(browser: Browser, text: str) -> None:
    browser.evaluate(f"var q = document.getElementById('f-q'); q.value = {text!r}; q.dispatchEvent(new Event('input'))")


def _shown_rules(browser: Browser) -> list[str]:
    return browser.evaluate(  # type: ignore[no-any-return]
        "Array.from(document.querySelectorAll('#findings li.finding')).filter(li => !li.hidden)"
        ".map(li => li.dataset.rule + ' ' + li.querySelector('.msg').textContent)"
    )


@pytest.mark.parametrize(
    "query",
    [
        f"arn:aws:iam::{DEV}:role/Ops-Role",  # a resource ARN (not in the result's one-line message)
        "/Condition/BoolIfExists",  # a JSON pointer of the evidence
        f"{DEV}/iam/get-account-authorization-details.json",  # an evidence file path
    ],
)
def test_search_finds_results_by_arn_pointer_and_file(browser: Browser, report: Path, query: str) -> None:
    """Issue 15 §3: before, the search read only each result's summary line, which holds none of these."""
    browser.load(report.as_uri())
    _search(browser, query.lower())
    shown = _shown_rules(browser)
    assert shown and all(line.startswith("TST-001 ") for line in shown), shown
    if "Ops-Role" in query:
        assert len(shown) == 1 and "Ops-Role" in shown[0]


def test_search_finds_results_by_account_id_and_clearing_restores_the_page(browser: Browser, report: Path) -> None:
    browser.load(report.as_uri())
    opened = "Array.from(document.querySelectorAll('#findings details')).map(d => d.open)"
    before = browser.evaluate(opened)
    assert True in before and False in before
    _search(browser, MGMT)
    shown = _shown_rules(browser)
    assert shown and {line.split()[0] for line in shown} == {"TST-002", "TST-003"}
    assert browser.evaluate(opened) != before  # the matching rules were opened
    _search(browser, "")
    assert browser.evaluate(opened) == before
    assert browser.evaluate(VISIBLE) == 8
    assert browser.evaluate("document.querySelectorAll('#findings details.rule[hidden]').length") == 0
