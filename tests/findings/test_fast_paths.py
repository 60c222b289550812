"""The shortcuts the engine and the rule context take at scale give exactly what the plain definitions give."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analyzer.audit.org_shape import resolve_shape
from analyzer.audit.settings import Settings
from analyzer.evidence import load_bundle
from analyzer.findings.engine import _evidence_key, _sorted_evidence, dump_runs
from analyzer.findings.result import Finding, SuppressionState, fingerprint
from analyzer.graph.build import build_access_graph
from analyzer.model.evidence import EvidenceRef
from analyzer.model.kinds import Kind
from analyzer.rules.base import Severity, Status
from analyzer.rules.context import RuleContext
from analyzer.rules.support.log_delivery import channels_in, customer_recorders

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample-org"

_REFS = st.builds(
    EvidenceRef,
    st.sampled_from(["a.json", "b.json"]),
    st.sampled_from(["", "/x", "/x/0"]),
    st.sampled_from([None, "", "/Statement/0"]),
)


@given(st.lists(_REFS, max_size=8))
def test_evidence_is_each_reference_once_in_order(refs: list[EvidenceRef]) -> None:
    assert _sorted_evidence(tuple(refs)) == tuple(sorted(set(refs), key=_evidence_key))


def test_a_finding_pickles_back_to_an_equal_finding() -> None:
    finding = Finding(
        rule="LOG-009",
        status=Status.FAIL,
        severity=Severity.HIGH,
        account="222222222222",
        region="us-east-1",
        resource="arn:aws:s3:::central-logs",
        message="refused",
        evidence=(EvidenceRef("a.json", "/Policy", "/Statement/0"), EvidenceRef("b.json", "/x")),
        fingerprint=fingerprint("LOG-009", "222222222222", "us-east-1", None, None),
        subject="trail",
        suppressed=SuppressionState(reason="on leave", expires="2027-01-01", source="trustmap.toml"),
        baseline="new",
        details={"break_glass": "why"},
    )
    for payload in (pickle.dumps(finding), dump_runs([("LOG-009", (finding,), None)])):
        back = pickle.loads(payload)
        found = back if isinstance(back, Finding) else back[0][1][0]
        assert found == finding and all(type(r) is EvidenceRef for r in found.evidence)


@pytest.fixture(scope="module")
def ctx() -> RuleContext:
    snapshot = load_bundle(SAMPLE)
    shape = resolve_shape(snapshot, Settings())
    return RuleContext(snapshot, build_access_graph(snapshot, shape), Settings(), shape)


def test_blocking_is_the_unusable_states_of_the_snapshot(ctx: RuleContext) -> None:
    scopes: list[tuple[str | None, str | None]] = [(None, None), ("000000000000", "us-east-1")]
    for account in ctx.audited_accounts():
        scopes += [(account, None), *((account, region) for region in (*ctx.regions(account).regions, "xx-none-1"))]
    for owner, place in scopes:
        for kind in Kind:
            expected = [s for s in [ctx.snapshot.state(kind, owner, place)] if not s.usable]
            assert ctx.blocking((kind,), owner, place) == expected
    assert any(ctx.blocking(tuple(Kind), a, r) for a, r in scopes)  # the sample has unusable evidence


def test_config_by_region_is_a_scan_of_the_account(ctx: RuleContext) -> None:
    seen = 0
    for account in ctx.audited_accounts():
        evidence = ctx.account(account)
        for region in (*ctx.regions(account).regions, "xx-none-1"):
            recorders = [r for r in (evidence.recorders if evidence else ()) if r.region == region]
            channels = [c for c in (evidence.channels if evidence else ()) if c.region == region]
            assert customer_recorders(ctx, account, region) == [r for r in recorders if not r.service_linked]
            assert channels_in(ctx, account, region) == channels
            seen += len(recorders) + len(channels)
    assert seen
