"""How index.html states its verdict: missing evidence never reads as compliant, nor as a failure."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from analyzer.audit.settings import Settings
from analyzer.findings.engine import RuleRun
from analyzer.pipeline import ScanResult, analyze
from analyzer.report.html_report import render_html
from analyzer.rules.base import Pillar, Status
from analyzer.rules.registry import RuleRegistry
from tests.report.support import DEV, IDENTITY, defective_bundle, test_registry


def _only(*rule_ids: str) -> RuleRegistry:
    registry = RuleRegistry()
    for rule in test_registry():
        if rule.id in rule_ids:
            registry.add(rule)
    return registry


def _summary(html: str) -> str:
    return html[html.index('<section id="summary">') : html.index('<section id="coverage">')]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The defective bundle (one trail status missing) plus two recorded export failures."""
    target = defective_bundle(tmp_path_factory.mktemp("verdicts") / "bundle")
    policy = target / IDENTITY / "iam/get-account-password-policy.json"
    policy.unlink()
    policy.with_name("get-account-password-policy.error.json").write_text(
        json.dumps({"Error": {"Code": "NoSuchEntity", "Message": "The Password Policy cannot be found."}}),
        encoding="utf-8",
    )
    devices = target / DEV / "iam/list-virtual-mfa-devices.json"
    devices.unlink()
    devices.with_name("list-virtual-mfa-devices.error.json").write_text(
        json.dumps({"Error": {"Code": "AccessDenied", "Message": "not authorized"}}), encoding="utf-8"
    )
    return target


@pytest.fixture(scope="module")
def incomplete(bundle: Path) -> ScanResult:
    """No failure, one result not evaluated (the missing trail status): the TST-003 rule alone."""
    return analyze(bundle, Settings(), registry=_only("TST-003"))


def test_no_failure_with_results_not_evaluated_is_incomplete_never_green(incomplete: ScanResult) -> None:
    """Before: a big green "0 unsuppressed failures" even when nothing at all could be evaluated."""
    summary = _summary(render_html(incomplete))
    assert 'class="card big verdict-incomplete"' in summary
    assert "verdict-pass" not in summary
    assert "No failure found, but the audit is incomplete: 1 result could not be evaluated" in summary
    assert "Absence of evidence is not compliance." in summary


def test_a_clean_run_and_a_failing_run_say_so(bundle: Path, defective_html: str) -> None:
    clean = render_html(analyze(bundle, Settings(), registry=_only("TST-002")))
    assert 'class="card big verdict-pass"' in _summary(clean)
    assert "Every result was evaluated, and passes." in _summary(clean)
    failing = _summary(defective_html)
    assert 'class="card big verdict-fail"' in failing
    assert re.search(r"\d+ unsuppressed failures?; 1 result could not be evaluated", failing)


def test_a_pillar_with_no_verdict_does_not_say_it_found_no_failure(incomplete: ScanResult) -> None:
    """Before: "no failure found, but N result(s) could not be evaluated" even when none could be."""
    assert "no failure in " in _summary(render_html(incomplete))  # passes in other regions: some checks ran
    only_unknown = render_html(_without_passes(incomplete))
    assert "no verdict: none of its 1 result(s) could be evaluated" in _summary(only_unknown)
    assert "no failure" not in _summary(only_unknown)


def _without_passes(result: ScanResult) -> ScanResult:
    runs = [RuleRun(r.rule, tuple(f for f in r.findings if f.status is not Status.PASS), r.error) for r in result.runs]
    return replace(result, runs=runs)


def test_a_failing_pillar_still_says_what_it_could_not_evaluate(defective: ScanResult) -> None:
    """Before: a failing pillar's line hid the results it could not evaluate."""

    def into_mfa(run: RuleRun) -> RuleRun:  # the trail rule's not-evaluated result joins the failing MFA pillar
        return RuleRun(replace(run.rule, meta=replace(run.rule.meta, pillar=Pillar.MFA)), run.findings, run.error)

    merged = replace(defective, runs=[into_mfa(r) if r.rule.id == "TST-003" else r for r in defective.runs])
    line = next(p for p in _summary(render_html(merged)).split("<li ") if "MFA on every path" in p)
    assert "failure" in line and "; 1 more result(s) not evaluated" in line


def test_the_severity_of_a_result_that_is_not_a_failure_is_outlined(defective_html: str) -> None:
    """Before: a not-evaluated result carried the same solid badge as a failure of that severity."""
    findings = defective_html[defective_html.index('<section id="findings">') :]
    unknown = findings[findings.index('data-status="not_evaluated"') :]
    assert '<span class="sev sev-medium muted">medium</span>' in unknown[: unknown.index("</li>")]
    failure = findings[findings.index('data-status="fail"') :]
    assert re.search(r'<span class="sev sev-\w+">', failure[: failure.index("</li>")])


def test_the_inventory_tells_an_aws_answer_from_a_denied_export(bundle: Path) -> None:
    html = render_html(analyze(bundle, Settings(), registry=_only("TST-002")))
    section = html[html.index('<section id="inventory">') :].replace("<wbr>", "")
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r'<code>([^<]+\.error\.json)</code></td><td class="nw">(.*?)</td>', section)
    }
    assert "AWS answer: not configured" in rows[f"{IDENTITY}/iam/get-account-password-policy.error.json"]
    assert "export denied" in rows[f"{DEV}/iam/list-virtual-mfa-devices.error.json"]


def test_an_unusable_account_list_is_named_in_the_scope(bundle: Path, tmp_path: Path) -> None:
    """With no organization account list, a missing account cannot be noticed: the scope says so."""
    copy = tmp_path / "bundle"
    shutil.copytree(bundle, copy)
    (copy / "organization/list-accounts.json").write_text('{"Accounts": [', encoding="utf-8")
    summary = _summary(render_html(analyze(copy, Settings(), registry=_only("TST-002"))))
    assert "account list unusable" in summary and "an account missing from the bundle cannot be noticed" in summary
    assert "account list unusable" not in _summary(render_html(analyze(bundle, Settings(), registry=_only("TST-002"))))


def test_worst_status_follows_the_rank_of_the_statuses() -> None:
    from itertools import combinations

    from analyzer.report.view import STATUS_LOOK, STATUS_RANK, worst

    names = list(STATUS_LOOK)
    assert worst([]) == "none"
    for size in range(1, 4):
        for combo in combinations(names, size):
            assert worst(iter(combo)) == max(combo, key=STATUS_RANK.__getitem__)
    assert worst(["pass", "fail", "suppressed"]) == "fail"
    assert worst(["pass", "not_evaluated"]) == "not_evaluated"
