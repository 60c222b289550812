"""Config file, suppressions, severity overrides, break-glass, engine errors, the --fail-on gate."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.audit.settings import ConfigError, load_settings
from analyzer.cli import main
from analyzer.pipeline import analyze
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, Status, fail
from analyzer.rules.context import RuleContext
from analyzer.rules.registry import RegistryError, RuleRegistry
from tests.rule_cases import BASE

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample-org"


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "trustmap.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_config_typo_is_an_error_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(_config(tmp_path, 'identity_acount = "123456789012"\n'))
    assert "identity_acount" in str(err.value)


def test_config_bad_toml_and_impossible_date(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(_config(tmp_path, "identity_account = \n"))
    bad_date = '[[suppressions]]\nrule = "CRD-006"\nreason = "x"\nexpires = "2026-02-30"\n'
    with pytest.raises(ConfigError, match="not a real date"):
        load_settings(_config(tmp_path, bad_date))


def test_suppression_applies_until_it_expires_against_collection_time(tmp_path: Path) -> None:
    text = (
        '[[suppressions]]\nrule = "CRD-006"\nresource = "arn:aws:iam::123456789012:user/erin*"\n'
        'reason = "on leave"\nexpires = 2027-01-01\n'
        '[[suppressions]]\nrule = "CRD-005"\nreason = "rotation scheduled"\nexpires = 2026-01-01\n'
    )
    result = analyze(SAMPLE, load_settings(_config(tmp_path, text)), only=["CRD-005", "CRD-006"])
    fails = {f.rule: f for f in result.findings if f.status is Status.FAIL}
    assert fails["CRD-006"].is_suppressed and fails["CRD-006"].suppressed is not None
    assert fails["CRD-006"].suppressed.reason == "on leave"
    expired = fails["CRD-005"].suppressed
    assert expired is not None and expired.expired and not fails["CRD-005"].is_suppressed
    assert "expired 2026-01-01" in expired.reason


def test_severity_override_and_break_glass(tmp_path: Path) -> None:
    text = (
        '[severity_overrides]\n"IDN-001" = "low"\n'
        '[[break_glass_users]]\narn = "arn:aws:iam::565392545552:user/build-agent"\nreason = "sealed"\n'
    )
    result = analyze(SAMPLE, load_settings(_config(tmp_path, text)), only=["IDN-001"])
    [failure] = [f for f in result.findings if f.status is Status.FAIL and f.resource and "build-agent" in f.resource]
    assert failure.severity is Severity.LOW
    assert failure.is_suppressed


def _exploding(_: RuleContext) -> Iterator[Outcome]:
    yield fail("first", account="111111111111")
    raise RuntimeError("boom")


def _meta(rule_id: str) -> RuleMeta:
    return RuleMeta(
        id=rule_id, title="t", severity=Severity.HIGH, pillar=Pillar.IDENTITY, rationale="r", remediation="m"
    )


def test_a_rule_that_raises_is_an_engine_error_never_a_pass() -> None:
    registry = RuleRegistry()
    registry.add(Rule(_meta("TST-001"), _exploding))
    result = analyze(BASE, registry=registry)
    [finding] = result.findings
    assert finding.status is Status.ERROR
    assert "RuntimeError: boom" in finding.message


def test_registry_refuses_duplicates_and_bad_ids() -> None:
    registry = RuleRegistry()
    registry.add(Rule(_meta("TST-001"), _exploding))
    with pytest.raises(RegistryError, match="duplicate"):
        registry.add(Rule(_meta("TST-001"), _exploding))
    with pytest.raises(RegistryError, match="form"):
        registry.add(Rule(_meta("tst-1"), _exploding))


def test_analyze_exit_codes_and_fail_on(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(
        main, ["analyze", str(BASE), "--out", str(tmp_path / "a"), "--format", "json", "--fail-on", "low"]
    )
    assert ok.exit_code == 0, ok.output
    gated = runner.invoke(
        main, ["analyze", str(SAMPLE), "--out", str(tmp_path / "b"), "--format", "json", "--fail-on", "critical"]
    )
    assert gated.exit_code == 1
    missing = runner.invoke(main, ["analyze", str(tmp_path / "nope"), "--out", str(tmp_path / "c")])
    assert missing.exit_code == 2
    bad_config = _config(tmp_path, "nonsense = 1\n")
    assert (
        runner.invoke(main, ["analyze", str(BASE), "--config", str(bad_config), "--out", str(tmp_path / "d")]).exit_code
        == 2
    )


def test_suppressed_failures_do_not_trip_the_gate(tmp_path: Path) -> None:
    config = _config(tmp_path, '[[suppressions]]\nrule = "*"\nreason = "accepted risk"\n')
    result = CliRunner().invoke(
        main,
        [
            "analyze",
            str(SAMPLE),
            "--config",
            str(config),
            "--out",
            str(tmp_path / "o"),
            "--format",
            "json",
            "--fail-on",
            "info",
        ],
    )
    assert result.exit_code == 0, result.output


def test_findings_json_is_deterministic_valid_and_fingerprints_are_stable(tmp_path: Path) -> None:
    from analyzer.evidence.schemas import check

    runner = CliRunner()
    for name in ("one", "two"):
        runner.invoke(main, ["analyze", str(SAMPLE), "--out", str(tmp_path / name), "--format", "json"])
    one = (tmp_path / "one" / "findings.json").read_bytes()
    assert one == (tmp_path / "two" / "findings.json").read_bytes()
    document = json.loads(one)
    assert check("findings", document) == ()
    prints = [r["fingerprint"] for r in document["results"]]
    assert len(prints) == len(set(prints)), "a fingerprint names one subject"
    assert document["bundle"]["collected_at"] == "2026-11-20T10:00:00Z"
    per_rule = {r["rule"] for r in document["results"]}
    assert per_rule == {r["id"] for r in document["rules"]}, "every rule shows at least one result"
