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
from tests.report.support import HOSTILE

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


def test_printing_opens_every_section_but_not_each_pass_evidence(browser: Browser, report: Path) -> None:
    """Before: printing opened every pass with its evidence too (86 pages for the sample organization)."""
    browser.load(report.as_uri())
    browser.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    closed = "Array.from(document.querySelectorAll('details:not([open])'))"
    outside_passes = f"{closed}.filter(d => !d.parentElement.closest('details.passes')).length"
    assert browser.evaluate(outside_passes) == 0
    assert browser.evaluate("document.querySelectorAll('details.passes:not([open])').length") == 0
    assert browser.evaluate("document.querySelectorAll('details.passes li.finding details[open]').length") == 0
    assert browser.evaluate("document.querySelectorAll('details.passes li.finding details').length") > 0
    browser.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert browser.evaluate("document.querySelectorAll('details.passes[open]').length") == 0
