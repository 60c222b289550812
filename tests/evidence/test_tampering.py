"""A tampering corpus over the sample organization: no doctored copy buys a pass.

Each case of :data:`tests.evidence.tampering.TAMPERS` is one way a verdict was bought in the
evidence-integrity review. For each, every planted failure of the untouched sample must still fail,
or be ``not_evaluated`` for the same rule and account, and the doctoring itself must show as a new
failure of an evidence rule (or of the rule that cross-checks the forged fact).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.findings.result import Finding
from analyzer.pipeline import analyze
from tests.evidence.tampering import SAMPLE, TAMPERS, Tamper, broken_promises, doctored, tamper_seen


@pytest.fixture(scope="module")
def untouched() -> list[Finding]:
    return analyze(SAMPLE).findings


@pytest.mark.parametrize("tamper", TAMPERS, ids=[t.name for t in TAMPERS])
def test_doctored_sample_buys_no_pass(tamper: Tamper, untouched: list[Finding], tmp_path: Path) -> None:
    after = analyze(doctored(tamper, tmp_path)).findings
    assert broken_promises(untouched, after) == []
    assert tamper_seen(untouched, after, tamper.witness), f"{tamper.name}: nothing reports the doctoring"


def test_the_corpus_notices_a_bought_pass(untouched: list[Finding]) -> None:
    """The comparison itself: a failure turned into a pass, or dropped, is reported."""
    failure = next(f for f in untouched if f.status.value == "fail" and f.account)
    import dataclasses

    from analyzer.rules.base import Status

    passed = [dataclasses.replace(f, status=Status.PASS) if f is failure else f for f in untouched]
    dropped = [f for f in untouched if f is not failure]
    key = f"{failure.rule} {failure.account} {failure.region} {failure.resource}"
    assert broken_promises(untouched, passed) == [key]
    assert broken_promises(untouched, dropped) == [key]
    assert tamper_seen(untouched, untouched) == []
