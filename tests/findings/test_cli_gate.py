"""The CI gate of ``trustmap analyze``: no evidence is never a pass, nor is a rule that could not run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.cli.analyze import gate, gate_reasons
from analyzer.pipeline import analyze
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, passed
from analyzer.rules.context import RuleContext
from analyzer.rules.registry import RuleRegistry
from tests.rule_cases import BASE

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample-org"


def _analyze(bundle: Path, out: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["analyze", str(bundle), "--out", str(out), "--format", "json", *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


@pytest.mark.parametrize("content", ["nothing", "unrelated files", "manifest only"])
def test_a_bundle_without_evidence_exits_2_even_under_a_gate(tmp_path: Path, content: str) -> None:
    """Before: 29 rules 'not evaluated', exit 0 with --fail-on high, and a report with a green 0."""
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    if content == "unrelated files":
        (bundle / "README.txt").write_text("evidence goes here", encoding="utf-8")
        (bundle / "notes.json").write_text('{"todo": []}', encoding="utf-8")
    elif content == "manifest only":
        (bundle / "manifest.json").write_text('{"identity_account": "111111111111"}', encoding="utf-8")
    code, output = _analyze(bundle, tmp_path / "out", "--fail-on", "high")
    assert code == 2, output
    assert "nothing to audit" in output and "<12-digit account id>/" in output
    assert not (tmp_path / "out").exists()


def test_a_bundle_without_usable_evidence_exits_2(tmp_path: Path) -> None:
    """A collector without permissions writes only AccessDenied records: before, exit 0 under --fail-on high."""
    bundle = tmp_path / "bundle"
    for rel in ("organization/list-accounts", "111111111111/iam/get-account-authorization-details"):
        record = bundle / f"{rel}.error.json"
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text('{"Error": {"Code": "AccessDenied", "Message": "not authorized"}}', encoding="utf-8")
    (bundle / "111111111111/iam/get-account-summary.json").write_text('{"SummaryMap": ', encoding="utf-8")
    code, output = _analyze(bundle, tmp_path / "out", "--fail-on", "high")
    assert code == 2, output
    assert "none of the bundle's 3 evidence file(s) is usable (2 error_record, 1 invalid)" in output
    assert not (tmp_path / "out").exists()
    nothing_configured = bundle / "111111111111/iam/get-account-password-policy.error.json"
    nothing_configured.write_text('{"Error": {"Code": "NoSuchEntity", "Message": "none"}}', encoding="utf-8")
    code, output = _analyze(bundle, tmp_path / "out", "--fail-on", "high")  # AWS's answer is evidence
    # The analysis runs; the denied account list is itself a high failure (EVD-001), so the gate trips.
    assert code == 1 and (tmp_path / "out/findings.json").is_file(), output
    assert '"rule": "EVD-001"' in (tmp_path / "out/findings.json").read_text() and "gate failed" in output


def _raising(_: RuleContext) -> Iterator[Outcome]:
    yield passed("fine so far", account="111111111111")
    raise RuntimeError("boom")


def _passing(_: RuleContext) -> Iterator[Outcome]:
    yield passed("fine", account="111111111111")


def _registry(severity: Severity) -> RuleRegistry:
    registry = RuleRegistry()
    for rule_id, check in (("TST-001", _passing), ("TST-002", _raising)):
        meta = RuleMeta(
            id=rule_id, title="t", severity=severity, pillar=Pillar.IDENTITY, rationale="r", remediation="m"
        )
        registry.add(Rule(meta, check))
    return registry


def test_a_rule_that_could_not_run_fails_the_gate_at_its_severity() -> None:
    """Before: an engine error was ignored by --fail-on, so a crashing rule let CI pass."""
    result = analyze(BASE, registry=_registry(Severity.HIGH))
    assert gate(result, None) == 0  # no gate asked for
    assert gate(result, "high") == 1 and gate(result, "low") == 1
    assert gate(result, "critical") == 0  # below the floor, like a failure would be
    assert gate_reasons(result, "medium") == ["1 rule(s) at or above medium could not run (engine error: TST-002)"]
    assert gate(result, None, only_new=True) == 1  # a baseline cannot vouch for a rule that did not run


def test_the_gate_says_why_it_failed(tmp_path: Path) -> None:
    code, output = _analyze(SAMPLE, tmp_path / "a", "--fail-on", "critical")
    assert code == 1
    # critical: CRD-001, CRD-002, IDN-005 and, from the activity set, ACT-004 (root user) and ACT-007
    assert "gate failed (exit 1): 5 unsuppressed failure(s) at or above critical" in output
    code, output = _analyze(BASE, tmp_path / "b", "--fail-on", "info")
    assert code == 0 and "gate failed" not in output
