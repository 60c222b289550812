"""The report of a 200-account synthetic organization, in headless Chromium at 1,400 px and 390 px
(issue 15 §1-4, §7): what a new user saw before was a 19,500 px fan of lines, the first finding near
22,100 px, failing accounts at rows 43 to 185, a page 1,057 px wide on a phone and a 197-page PDF.

Skipped without Chromium (as test_browser.py). Two regions per account keep the bundle small; the
page's size is driven by the accounts, which are all there.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer.pipeline import ScanResult, analyze
from analyzer.report import access_map
from analyzer.report.view import ACCOUNT_SECTIONS, STATUS_RANK
from analyzer.report.writer import write_outputs
from analyzer.synth.generator import SynthOptions, generate
from tests.report.cdp import Browser, find_chromium

ACCOUNTS = 200
PRINTED_PAGES_AT_MOST = 40
WIDTHS = (1400, 390)


@pytest.fixture(scope="module")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed; CI must run the browser test (.ci/run installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


@pytest.fixture(scope="module")
def organization(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    bundle = tmp_path_factory.mktemp("org") / "bundle"
    generate(bundle, SynthOptions(accounts=ACCOUNTS, regions=2))
    return analyze(bundle)


@pytest.fixture(scope="module")
def page(organization: ScanResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scale") / "report"
    write_outputs(organization, out, ["html"])
    return out / "index.html"


@pytest.fixture(scope="module")
def browser(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with Browser(tmp_path_factory.mktemp("profile"), binary=chromium, timeout=120) as b:
        yield b


def _open(browser: Browser, page: Path, width: int) -> None:
    browser.viewport(width, 900)
    browser.load(page.as_uri())


@pytest.mark.parametrize("width", WIDTHS)
def test_the_page_never_overflows_and_rule_ids_stay_whole(browser: Browser, page: Path, width: int) -> None:
    _open(browser, page, width)
    browser.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert browser.evaluate("document.documentElement.scrollWidth") <= width
    # a rule id is one line box, whatever the width ("IDN-003", not a letter per line)
    lines = browser.evaluate("Array.from(document.querySelectorAll('code.rid')).map(c => c.getClientRects().length)")
    assert lines and set(lines) == {1}
    assert (
        browser.evaluate("Math.max(...Array.from(document.querySelectorAll('code.rid')).map(c => c.offsetHeight))") < 24
    )
    # the contents are reachable: every link of the navigation is laid out and inside the viewport's width
    nav = browser.evaluate(
        "Array.from(document.querySelectorAll('nav.toc > ol > li > a'))"
        ".map(a => { var r = a.getBoundingClientRect(); return r.width > 0 && r.right <= innerWidth; })"
    )
    assert len(nav) >= 7 and all(nav)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_worst_comes_first(browser: Browser, page: Path, width: int) -> None:
    _open(browser, page, width)
    top = browser.evaluate("document.getElementById('top').getBoundingClientRect().top + scrollY")
    assert top < (900 if width == 1400 else 1500)  # the failing rules right under the verdict
    statuses = browser.evaluate(
        "Array.from(document.querySelectorAll('#coverage tbody tr')).map(tr => "
        "Array.from(tr.querySelectorAll('td')).map(td => td.className.slice(3)))"
    )
    ranks = [max(STATUS_RANK[s] for s in row) for row in statuses]
    assert ranks == sorted(ranks, reverse=True) and ranks[0] == STATUS_RANK["fail"]
    sections = browser.evaluate(
        "Array.from(document.querySelectorAll('details.acct')).map(d => d.className.split(' ')[1].slice(3))"
    )
    section_ranks = [STATUS_RANK[s] for s in sections]
    assert len(sections) == ACCOUNT_SECTIONS and section_ranks == sorted(section_ranks, reverse=True)


def test_the_access_map_is_bounded_and_fits_two_screens(browser: Browser, page: Path) -> None:
    _open(browser, page, 1400)
    assert browser.evaluate("document.querySelector('svg.map').getAttribute('class')") == "map"
    links = browser.evaluate("document.querySelectorAll('svg.map path.e').length")
    assert 0 < links <= access_map.AGGREGATE_MAX_LINKS
    assert browser.evaluate("document.querySelector('svg.map').getBoundingClientRect().height") <= 2 * 900
    assert browser.evaluate("document.getElementById('access').offsetHeight") <= 3 * 900
    # drill-down: an account node links to the list of its accounts
    href = browser.evaluate("document.querySelector('svg.map a').getAttribute('href')")
    assert href.startswith("#reach-") and browser.evaluate(f"document.getElementById('{href[1:]}') !== null")
    # and the paths narrow to one account
    browser.evaluate(
        "var q = document.getElementById('p-q'); q.value = document.querySelector('table.problems td:nth-child(3)')"
        ".textContent; q.dispatchEvent(new Event('input'))"
    )
    rows = browser.evaluate("document.querySelectorAll('table.problems tbody tr:not([hidden])').length")
    assert 0 < rows < browser.evaluate("document.querySelectorAll('table.problems tbody tr').length")


def test_search_reaches_arns_and_pointers_at_scale(browser: Browser, page: Path, organization: ScanResult) -> None:
    _open(browser, page, 1400)
    failing = next(  # a result with a JSON pointer to search for (log files are cited without one)
        f
        for f in organization.findings
        if f.status.value == "fail" and f.resource and f.evidence and f.evidence[0].pointer
    )
    for query in (failing.resource, failing.evidence[0].pointer):
        assert query
        browser.evaluate(
            f"var q = document.getElementById('f-q'); q.value = {query!r}; q.dispatchEvent(new Event('input'))"
        )
        shown = browser.evaluate(
            "Array.from(document.querySelectorAll('#findings li.finding:not([hidden])')).map(li => li.id)"
        )
        assert f"f-{failing.fingerprint}" in shown


def test_the_printout_has_its_header_page_numbers_and_fits_forty_pages(
    browser: Browser, page: Path, organization: ScanResult
) -> None:
    _open(browser, page, 1400)
    styles = browser.evaluate("Array.from(document.querySelectorAll('style')).map(s => s.textContent).join('')")
    assert "@top-left" in styles and 'counter(page) " of " counter(pages)' in styles
    assert organization.snapshot.bundle_sha256 in styles and (organization.shape.organization_id or "") in styles
    browser.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    pdf = base64.b64decode(
        browser.call("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": True})["data"]
    )
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 0 < pages <= PRINTED_PAGES_AT_MOST
