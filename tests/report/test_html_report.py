"""index.html as a file: self-contained, locked down, escaped, deterministic, every link landing."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from analyzer.pipeline import ScanResult
from analyzer.report import log_matrix, view
from analyzer.report.html_report import render_html
from analyzer.report.writer import FORMATS, write_outputs
from tests.report.support import DEV, HOSTILE, HOSTILE_ACCOUNT, MGMT, ROOT, defective_bundle


class Page(HTMLParser):
    """Every start tag with its attributes, the text of script/style elements, and every id."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self._open: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in self.raw:
            self._open = tag
            self.raw[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self.raw[self._open][-1] += data

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.tags if t == tag]

    @property
    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if a.get("id")}


def test_hostile_evidence_is_text_never_markup(defective_html: str) -> None:
    for hostile in HOSTILE:
        assert hostile not in defective_html
        assert str(escape(hostile)) in defective_html  # shown, escaped
    page = Page(defective_html)
    assert len(page.named("script")) == 1 and len(page.named("style")) == 1
    assert page.named("img") == []
    assert not [(t, k) for t, attrs in page.tags for k in attrs if k.startswith("on")]
    assert "__pwned" not in page.raw["script"][0] and "__pwned" not in page.raw["style"][0]


def test_nothing_is_loaded_from_anywhere(defective_html: str) -> None:
    page = Page(defective_html)
    assert not [a for _, a in page.tags if "src" in a]
    assert page.named("link") == [] and page.named("iframe") == [] and page.named("object") == []
    for attrs in page.named("a"):
        href = attrs.get("href") or ""
        assert href.startswith(("#", "https://")), href  # in-page anchors, or documentation links to click
    assert "@import" not in page.raw["style"][0] and "url(" not in page.raw["style"][0]


def test_the_content_security_policy_forbids_the_network_and_admits_only_our_script(defective_html: str) -> None:
    page = Page(defective_html)
    metas = [a for a in page.named("meta") if (a.get("http-equiv") or "").lower() == "content-security-policy"]
    assert len(metas) == 1
    policy = {d.split()[0]: d.split()[1:] for d in (metas[0]["content"] or "").split("; ")}
    assert policy["default-src"] == ["'none'"] and policy["img-src"] == ["data:"]
    digest = base64.b64encode(hashlib.sha256(page.raw["script"][0].encode()).digest()).decode()
    assert policy["script-src"] == [f"'sha256-{digest}'"]
    head = defective_html[: defective_html.index("<style>")]
    assert "Content-Security-Policy" in head  # before any style or script


def test_every_in_page_link_lands(defective_html: str) -> None:
    page = Page(defective_html)
    targets = {(a.get("href") or "")[1:] for a in page.named("a") if (a.get("href") or "").startswith("#")}
    assert targets
    assert targets - page.ids == set()
    assert {"summary", "coverage", "access", "logs", "findings", "accounts", "inventory", "catalog"} <= page.ids


def test_same_evidence_gives_the_same_bytes(tmp_path: Path) -> None:
    """Two separate runs of the command over copies of one bundle write byte-identical reports."""
    outputs = []
    for run in ("a", "b"):
        bundle = defective_bundle(tmp_path / run / "bundle")
        out = tmp_path / run / "report"
        done = subprocess.run(
            [sys.executable, "-m", "analyzer", "analyze", str(bundle), "--out", str(out)],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        assert done.returncode == 0, done.stderr
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0].keys() == outputs[1].keys() and len(outputs[0]) == 8  # 7 reports and the marker
    for name in outputs[0]:
        assert outputs[0][name] == outputs[1][name], name


def test_rendering_is_a_pure_function_of_the_result(defective: ScanResult, defective_html: str) -> None:
    assert render_html(defective) == defective_html


def test_writer_writes_every_format(tmp_path: Path, defective: ScanResult) -> None:
    written = write_outputs(defective, tmp_path / "out", sorted(FORMATS))
    assert {p.name for p in written} == {
        ".trustmap-report",
        "index.html",
        "findings.json",
        "findings.csv",
        "accounts.csv",
        "inventory.csv",
        "graph.graphml",
        "graph.json",
        "findings.ocsf.jsonl",
        "findings.asff.json",
    }


def _cells(html: str, account: str) -> list[tuple[str, str]]:
    row = re.search(rf'<tr><th><a href="#acct-{account}">.*?</tr>', html, re.S)
    assert row is not None
    return re.findall(r'<td class="is-([a-z_]+)"><a href="([^"]+)"', row.group(0))


def test_coverage_cells_say_the_status_and_link_to_the_worst_result(defective: ScanResult, defective_html: str) -> None:
    dev = dict(zip(["TST-001", "TST-002", "TST-003"], _cells(defective_html, DEV), strict=True))
    failing = next(f for f in defective.findings if f.rule == "TST-001" and not f.is_suppressed)
    assert dev["TST-001"] == ("fail", f"#f-{failing.fingerprint}")
    assert dev["TST-002"][0] == "pass"
    assert _cells(defective_html, MGMT)[2][0] == "not_evaluated"
    assert _cells(defective_html, MGMT)[0] == ("none", "#rule-TST-001")


def test_summary_names_the_scope_and_its_sources(defective_html: str) -> None:
    assert "2026-11-20T10:00:00Z" in defective_html
    assert "identity_account in manifest.json" in defective_html
    assert "central-logs-111111111111" in defective_html
    assert re.search(r"MFA on every path</strong> <span>1 failure in 1 of 1 rule", defective_html)


def test_findings_show_evidence_with_hash_and_the_deciding_part_marked(
    defective: ScanResult, defective_html: str
) -> None:
    row = next(r for r in defective.snapshot.inventory if r.path == f"{DEV}/iam/get-account-authorization-details.json")
    assert row.sha256 in defective_html
    assert re.search(r"<mark>&#34;BoolIfExists&#34;: \{</mark>", defective_html)
    assert "accepted until the migration" in defective_html  # the suppression and its reason


def test_inventory_lists_files_not_loaded_with_their_reason(defective_html: str) -> None:
    section = defective_html[defective_html.index('<section id="inventory">') :]
    assert "notes/<wbr>readme.json" in section and "ignored" in section  # paths may wrap after a slash only


def test_big_tables_show_the_worst_accounts_first_and_say_what_they_left_out(
    monkeypatch: pytest.MonkeyPatch, defective: ScanResult
) -> None:
    monkeypatch.setattr(view, "MATRIX_ROWS", 1)
    monkeypatch.setattr(view, "ACCOUNT_SECTIONS", 1)
    monkeypatch.setattr(log_matrix, "MATRIX_ROWS", 1)
    html = render_html(defective)
    coverage = html[html.index('<section id="coverage">') : html.index('<section id="access">')]
    assert coverage.count("<tr><th>") == 1 and f"#acct-{DEV}" in coverage
    assert "2 more accounts not shown" in coverage
    logs = html[html.index('<section id="logs">') : html.index('<section id="findings">')]
    assert f"#acct-{MGMT}" in logs and "2 more accounts not shown" in logs  # the not-evaluated trail first


def test_print_stylesheet_and_no_script_fallbacks(defective_html: str) -> None:
    assert "@media print" in defective_html
    assert '<html lang="en" class="no-js">' in defective_html  # the script swaps it; without it filters hide
    assert "<details" in defective_html
    assert str(escape(HOSTILE_ACCOUNT)) in defective_html
