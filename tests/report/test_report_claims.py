"""The page states only what the results hold, whatever evidence is missing.

Each evidence kind of the sample organization is removed in turn (with its error records). On every
resulting page: each verdict symbol that links to a result shows that result's status (the matrix
cell and the log-delivery letter link to the worst result they stand for); a pillar, the access
map's verdict on the paths and an account's section say "passes" only when every result behind them
passes; and a sentence that states an absence ("no Config recorder in this region") is never made
of evidence that is not there. Seen before: with no authorization details the access map said
"Every path ... enforces MFA".
"""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import pytest

from analyzer.evidence import load_bundle
from analyzer.findings.result import Finding
from analyzer.pipeline import analyze
from analyzer.report.html_report import render_html
from analyzer.report.view import PATH_RULE, display_status

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample-org"
KINDS = sorted({row.kind for row in load_bundle(SAMPLE).inventory if row.kind and row.kind != "manifest"})

_LINKED = re.compile(r'class="(?:fc )?is-([a-z_]+)"(?:><a)? href="#f-([0-9a-f]+)"')
_PILLAR = re.compile(r'<li class="pillar is-([a-z_]+)">.*?<strong>([^<]+)</strong>')
_PATHS = re.compile(r'<p class="[^"]*path-verdict">.*?</span> ([^<]*)</p>')
_ACCOUNT = re.compile(r'<details class="acct is-[a-z_]+" id="([^"]+)".*?</details>', re.S)


def _without(kind: str, tmp_path: Path) -> Path:
    bundle = tmp_path / "bundle"
    shutil.copytree(SAMPLE, bundle)
    for row in load_bundle(SAMPLE).inventory:
        if row.kind == kind:
            (bundle / row.path).unlink()
    return bundle


def _claims(page: str, findings: list[Finding]) -> list[str]:
    """Every statement of the page that its results do not hold."""
    by_fingerprint = {f.fingerprint: f for f in findings}
    wrong = []
    for shown, fingerprint in _LINKED.findall(page):
        target = by_fingerprint.get(fingerprint)
        if target is None:
            wrong.append(f"a {shown} symbol links to no result ({fingerprint})")
        elif display_status(target) != shown:
            wrong.append(f"{target.rule} {target.account}: shown {shown}, the result is {display_status(target)}")
    for status, pillar in _PILLAR.findall(page):
        if status != "pass":
            continue
        statuses = {display_status(f) for f in findings if _pillar(f) == unescape(pillar)}
        if statuses != {"pass"}:
            wrong.append(f"pillar {pillar} shown as passing over results {sorted(statuses)}")
    paths = {display_status(f) for f in findings if f.rule == PATH_RULE}
    verdict = _PATHS.search(page)
    assert verdict is not None, "the access map states no verdict on the paths"
    if "requires MFA on some hop" in verdict.group(1) and paths != {"pass"}:
        wrong.append(f"the access map says every path requires MFA over {PATH_RULE} results {sorted(paths)}")
    for anchor, section in ((m.group(1), m.group(0)) for m in _ACCOUNT.finditer(page)):
        account = None if anchor == "acct-org" else anchor.removeprefix("acct-")  # "org": results of no account
        if "Every rule that applies to this account passes" in section:
            statuses = {display_status(f) for f in findings if f.account == account}
            if statuses != {"pass"}:
                wrong.append(f"account {account} said to pass every rule over {sorted(statuses)}")
    return wrong


_PILLARS: dict[str, str] = {}


def _pillar(finding: Finding) -> str:
    if not _PILLARS:
        from analyzer.rules.registry import default_registry

        _PILLARS.update({rule.id: rule.meta.pillar.value for rule in default_registry()})
    return _PILLARS[finding.rule]


def test_the_untouched_sample_states_only_its_results() -> None:
    result = analyze(SAMPLE)
    page = render_html(result)
    assert _claims(page, result.findings) == []
    assert len(_LINKED.findall(page)) > 200  # the check reads the page's symbols, not nothing


@pytest.mark.parametrize("kind", KINDS)
def test_without_one_kind_of_evidence_the_page_states_only_its_results(kind: str, tmp_path: Path) -> None:
    result = analyze(_without(kind, tmp_path))
    page = render_html(result)
    assert _claims(page, result.findings) == []
    if kind.startswith("config-describe-configuration-recorders"):
        assert "no Config recorder in this region" not in unescape(page)
        assert "no usable Config evidence" in unescape(page)


def test_without_authorization_details_the_paths_are_not_said_to_require_mfa(tmp_path: Path) -> None:
    result = analyze(_without("iam-get-account-authorization-details", tmp_path))
    page = unescape(render_html(result))
    assert "Every path" not in page
    verdict = _PATHS.search(render_html(result))
    assert verdict is not None and unescape(verdict.group(1)).startswith("Not every path could be followed")
