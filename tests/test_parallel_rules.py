"""The rules run in two processes give exactly the findings of one process."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from analyzer.audit.org_shape import resolve_shape
from analyzer.audit.settings import Settings
from analyzer.evidence import load_bundle
from analyzer.findings.engine import run_rule
from analyzer.findings.parallel import (
    COSTS,
    DEFAULT_COST,
    FINDINGS,
    GRAPH_COST,
    partition,
    run_split,
    start,
    without_graph,
)
from analyzer.findings.result import Finding
from analyzer.graph.build import build_access_graph
from analyzer.rules.base import Rule
from analyzer.rules.context import RuleContext
from analyzer.rules.registry import default_registry
from analyzer.synth.generator import SynthOptions, generate

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

Run = tuple[str, tuple[Finding, ...], str | None]


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> RuleContext:
    out = tmp_path_factory.mktemp("rules") / "org"
    generate(out, SynthOptions(accounts=12, seed=7, regions=2, defect_rate=1.0))
    snapshot = load_bundle(out)
    shape = resolve_shape(snapshot, Settings())
    return RuleContext(snapshot, build_access_graph(snapshot, shape), Settings(), shape)


def _run(rule: Rule, ctx: RuleContext) -> Run:
    found = run_rule(rule, ctx)
    return found.rule.id, found.findings, found.error


def test_two_processes_give_the_same_findings(ctx: RuleContext) -> None:
    rules = list(default_registry())
    progress: list[int] = []
    split = run_split(ctx, rules, _run, progress.append)
    assert [split[r.id] for r in rules] == [_run(r, ctx) for r in rules]
    assert progress[-1] == len(rules) and progress == sorted(progress)


def test_a_failing_child_is_replaced_by_running_its_rules_here(ctx: RuleContext) -> None:
    parent = os.getpid()

    def dies_in_the_child(rule: Rule, c: RuleContext) -> Run:
        if os.getpid() != parent:
            os._exit(4)
        return _run(rule, c)

    rules = list(default_registry())
    assert run_split(ctx, rules, dies_in_the_child) == {r.id: _run(r, ctx) for r in rules}


def test_partition_balances_the_measured_costs() -> None:
    rules = list(default_registry())
    mine, theirs = partition(rules)
    assert sorted(r.id for r in [*mine, *theirs]) == sorted(r.id for r in rules)
    cost = [sum(COSTS.get(r.id, DEFAULT_COST) for r in side) for side in (mine, theirs)]
    assert abs(cost[0] - cost[1]) <= max(COSTS.values())


def test_rules_with_findings_per_region_stay_in_this_process() -> None:
    """Their findings would cost more to send back than they take to compute."""
    mine, theirs = partition(list(default_registry()))
    bulky = {rule for rule, count in FINDINGS.items() if count >= 10_000}
    assert bulky and bulky <= {r.id for r in mine}
    assert "LOG-009" in {r.id for r in theirs}  # the costliest rule, one finding per account


def test_rules_not_marked_reads_graph_run_without_a_graph(ctx: RuleContext) -> None:
    """The rules the child starts before the graph exists must not need it (RuleMeta.reads_graph)."""
    early = without_graph(ctx.snapshot, ctx.settings, ctx.shape)
    for rule in default_registry():
        if rule.meta.reads_graph:
            continue
        run = run_rule(rule, early)
        assert run.error is None, f"{rule.id} reads the access graph: mark it reads_graph=True ({run.error})"
        assert run.findings == run_rule(rule, ctx).findings


def test_a_child_started_before_the_graph_gives_the_same_findings(ctx: RuleContext) -> None:
    rules = list(default_registry())
    mine, theirs = partition(rules, head_start=GRAPH_COST)
    assert theirs and not any(r.meta.reads_graph for r in theirs)
    child = start(without_graph(ctx.snapshot, ctx.settings, ctx.shape), theirs, _run)
    found = child.finish(ctx, mine)
    assert [found[r.id] for r in rules] == [_run(r, ctx) for r in rules]


def test_a_rule_that_reads_the_graph_in_the_early_child_is_run_again_here(ctx: RuleContext) -> None:
    """A rule wrongly left unmarked fails in the child (GraphNotBuilt) and is re-run with the graph."""
    idn003 = next(r for r in default_registry() if r.id == "IDN-003")
    unmarked = Rule(replace(idn003.meta, reads_graph=False), idn003.check)
    early = without_graph(ctx.snapshot, ctx.settings, ctx.shape)
    assert "not built yet" in (run_rule(unmarked, early).error or "")
    found = start(early, [unmarked], _run).finish(ctx, [])
    assert found["IDN-003"] == _run(idn003, ctx) and found["IDN-003"][2] is None


def test_the_whole_analysis_is_the_same_with_the_early_child(ctx: RuleContext, monkeypatch: pytest.MonkeyPatch) -> None:
    from analyzer import pipeline
    from analyzer.findings import parallel

    serial = pipeline.analyze_snapshot(ctx.snapshot)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_FILES", 0)
    started: list[int] = []
    real_start = pipeline.start
    monkeypatch.setattr(pipeline, "start", lambda *a: started.append(1) or real_start(*a))
    split = pipeline.analyze_snapshot(ctx.snapshot)
    assert started == [1]
    assert split.findings == serial.findings
