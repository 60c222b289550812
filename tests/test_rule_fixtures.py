"""One parametrised driver for every rule's fixture cases (fixtures/rules/<ID>/<case>/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.findings.settings import _settings_from
from analyzer.pipeline import analyze
from analyzer.rules.base import Status
from analyzer.rules.registry import default_registry
from tests.rule_cases import BASE, RuleCase, all_cases

CASES = all_cases()


def _key(account: str | None, region: str | None, resource: str | None) -> tuple[str, str, str]:
    return (account or "", region or "", resource or "")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_case(case: RuleCase, tmp_path: Path) -> None:
    bundle = case.materialize(tmp_path / "bundle")
    settings = _settings_from(case.spec.get("config", {}), "case.json")
    result = analyze(bundle, settings, only=[case.rule])
    findings = [f for f in result.findings if f.rule == case.rule]
    assert not [f for f in findings if f.status is Status.ERROR], [f.message for f in findings]
    expect = case.spec["expect"]
    if case.spec.get("exact_failures", True):
        got_fails = sorted(_key(f.account, f.region, f.resource) for f in findings if f.status is Status.FAIL)
        want_fails = sorted(
            _key(e.get("account"), e.get("region"), e.get("resource")) for e in expect if e["status"] == "fail"
        )
        assert got_fails == want_fails, "\n".join(f"{f.status} {f.account} {f.resource}: {f.message}" for f in findings)
    for e in expect:
        matching = [
            f
            for f in findings
            if f.status.value == e["status"]
            and _key(f.account, f.region, f.resource) == _key(e.get("account"), e.get("region"), e.get("resource"))
        ]
        assert matching, f"expected {e} among:\n" + "\n".join(
            f"{f.status} {f.account} {f.region} {f.resource}: {f.message}" for f in findings
        )
        if "message_contains" in e:  # several results may share a key (LOG-010: one per weakness of the bucket)
            matching = [f for f in matching if e["message_contains"] in f.message]
            assert matching, f"no {e['status']} result says {e['message_contains']!r}"
        if "severity" in e:
            assert matching[0].severity.value == e["severity"]
        if "message_lacks" in e:  # a claim the result must not make
            assert all(e["message_lacks"] not in f.message for f in matching), [f.message for f in matching]


def test_every_rule_has_fail_pass_and_not_evaluated_cases() -> None:
    by_rule: dict[str, set[str]] = {}
    for case in CASES:
        by_rule.setdefault(case.rule, set()).update(e["status"] for e in case.spec["expect"])
    missing = {
        rule.id: sorted({"fail", "pass", "not_evaluated"} - by_rule.get(rule.id, set())) for rule in default_registry()
    }
    assert not {k: v for k, v in missing.items() if v}, missing


def test_base_bundle_passes_every_rule(tmp_path: Path) -> None:
    result = analyze(BASE)
    bad = [f for f in result.findings if f.status in (Status.FAIL, Status.ERROR)]
    assert not bad, "\n".join(f"{f.rule} {f.account} {f.resource}: {f.message}" for f in bad)
