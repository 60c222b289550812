"""`trustmap analyze fixtures/sample-org` finds exactly the planted defects of EXPECTED.md, nothing else."""

from __future__ import annotations

from pathlib import Path

from analyzer.pipeline import analyze
from analyzer.rules.base import Status
from analyzer.rules.registry import default_registry
from analyzer.synth.expected import parse_expected

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample-org"


def test_sample_org_fails_exactly_as_expected() -> None:
    expected = parse_expected((SAMPLE / "EXPECTED.md").read_text(encoding="utf-8"))
    result = analyze(SAMPLE)
    got = sorted(
        (f.rule, f.account or "-", f.region or "-", f.resource or "-")
        for f in result.findings
        if f.status is Status.FAIL
    )
    want = sorted((e.rule, e.account, e.region, e.resource) for e in expected)
    assert got == want, {"unexpected": sorted(set(got) - set(want)), "missing": sorted(set(want) - set(got))}
    assert not [f for f in result.findings if f.status is Status.ERROR]


def test_every_rule_has_a_planted_defect_in_the_sample() -> None:
    planted = {e.rule for e in parse_expected((SAMPLE / "EXPECTED.md").read_text(encoding="utf-8"))}
    assert planted == {rule.id for rule in default_registry()}
