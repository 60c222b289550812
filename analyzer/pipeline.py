"""The whole analysis as one function: bundle -> snapshot -> shape -> graph -> rules -> result.

The CLI, the tests and the benchmarks all call :func:`analyze`; phase timings are measured here
(monotonic clock, never written into reports) so the benchmark can show where time goes.

Python's cyclic garbage collector is paused while an analysis runs (as while a bundle loads):
the snapshot, the graph and the findings are millions of long-lived objects without cycles, and
each full collection walks all of them again for nothing (a quarter of the run time at 1,000
accounts). Reference counting still frees every temporary; the collector is restored afterwards.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.activity import read_activity
from analyzer.audit.org_shape import OrgShape, resolve_shape
from analyzer.audit.settings import Settings
from analyzer.evidence import Limits, load_bundle
from analyzer.evidence.loader import collector_paused
from analyzer.findings.engine import RuleRun, run_rule
from analyzer.findings.parallel import GRAPH_COST, ChildRules, partition, start, without_graph, worth_splitting
from analyzer.findings.result import Finding
from analyzer.graph.access import AccessGraph
from analyzer.graph.build import build_access_graph
from analyzer.model.snapshot import Snapshot
from analyzer.rules.base import Rule
from analyzer.rules.context import RuleContext
from analyzer.rules.registry import RuleRegistry, default_registry

#: ``progress(phase, done, total)``: called as each phase starts (done 0) and as it advances.
#: Phases: ``graph`` (total 1) and ``rules`` (total = rules selected). Display only; never required.
Progress = Callable[[str, int, int], None]


@dataclass
class ScanResult:
    snapshot: Snapshot
    shape: OrgShape
    graph: AccessGraph
    settings: Settings
    runs: list[RuleRun]
    timings: dict[str, float] = field(default_factory=dict)
    #: the one compliance framework the outputs are filtered to (``analyze --compliance``), else None
    framework: str | None = None
    #: ``findings`` sorted once for the runs it was computed from (reports ask for it many times)
    _sorted: tuple[tuple[RuleRun, ...], list[Finding]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def findings(self) -> list[Finding]:
        """Every rule's findings, sorted (a new list each time; sorted once while the runs stay the same)."""
        cached = self._sorted
        if (
            cached is None
            or len(cached[0]) != len(self.runs)
            or any(a is not b for a, b in zip(cached[0], self.runs, strict=True))
        ):
            found = sorted((f for run in self.runs for f in run.findings), key=lambda f: f.sort_key)
            cached = self._sorted = (tuple(self.runs), found)
        return list(cached[1])

    @property
    def registry_rules(self) -> list[str]:
        return [run.rule.id for run in self.runs]


def analyze_snapshot(
    snapshot: Snapshot,
    settings: Settings | None = None,
    registry: RuleRegistry | None = None,
    only: Iterable[str] | None = None,
    timings: dict[str, float] | None = None,
    progress: Progress | None = None,
    on_graph: Callable[[AccessGraph], None] | None = None,
) -> ScanResult:
    """Shape, graph and rules over a loaded snapshot. ``on_graph`` is called with the finished graph
    before the rules run (the report writer starts the graph files then)."""
    with collector_paused():
        return _analyze_snapshot(snapshot, settings, registry, only, timings, progress, on_graph)


def _analyze_snapshot(
    snapshot: Snapshot,
    settings: Settings | None,
    registry: RuleRegistry | None,
    only: Iterable[str] | None,
    timings: dict[str, float] | None,
    progress: Progress | None,
    on_graph: Callable[[AccessGraph], None] | None = None,
) -> ScanResult:
    settings = settings or Settings()
    timings = timings if timings is not None else {}
    start_time = time.perf_counter()
    if progress is not None:
        progress("graph", 0, 1)
    shape = resolve_shape(snapshot, settings)
    wanted = {r.upper() for r in only} if only else None
    selected = [rule for rule in registry or default_registry() if wanted is None or rule.id in wanted]
    # Two processes (see analyzer.findings.parallel): the child starts now, on the rules that do not
    # read the graph, while this process builds the graph and then runs the rest.
    early = without_graph(snapshot, settings, shape)
    child: ChildRules | None = None
    mine = selected
    if worth_splitting(early, selected):
        mine, theirs = partition(selected, head_start=GRAPH_COST)
        child = start(early, theirs, _run_tuple)
    try:
        graph = build_access_graph(snapshot, shape)
        if progress is not None:
            progress("graph", 1, 1)
        timings["graph"] = time.perf_counter() - start_time
        if on_graph is not None:
            on_graph(graph)
    except BaseException:
        if child is not None:
            child.cancel()
        raise
    start_time = time.perf_counter()
    ctx = RuleContext(snapshot=snapshot, graph=graph, settings=settings, shape=shape)
    if progress is not None:
        progress("rules", 0, len(selected))
    if child is not None:

        def done(count: int) -> None:
            if progress is not None:
                progress("rules", count, len(selected))

        found = child.finish(ctx, mine, done)
        runs = [RuleRun(rule, found[rule.id][1], found[rule.id][2]) for rule in selected]
    else:
        runs = []
        for count, rule in enumerate(selected, start=1):
            runs.append(run_rule(rule, ctx))
            if progress is not None:
                progress("rules", count, len(selected))
    timings["rules"] = time.perf_counter() - start_time
    return ScanResult(snapshot, shape, graph, settings, runs, timings)


def _run_tuple(rule: Rule, ctx: RuleContext) -> tuple[str, tuple[Finding, ...], str | None]:
    run = run_rule(rule, ctx)
    return run.rule.id, run.findings, run.error


def with_activity(bundle: Path | str, snapshot: Snapshot, limits: Limits | None = None) -> Snapshot:
    """The snapshot with its activity evidence read (see :mod:`analyzer.activity`)."""
    return dataclasses.replace(snapshot, activity=read_activity(bundle, snapshot, limits))


def analyze(
    bundle: Path | str,
    settings: Settings | None = None,
    limits: Limits | None = None,
    registry: RuleRegistry | None = None,
    only: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> ScanResult:
    timings: dict[str, float] = {}
    start = time.perf_counter()
    if progress is not None:
        progress("load", 0, 1)
    with collector_paused():
        snapshot = with_activity(bundle, load_bundle(bundle, limits), limits)
        if progress is not None:
            progress("load", 1, 1)
        timings["load"] = time.perf_counter() - start
        return _analyze_snapshot(snapshot, settings, registry, only, timings, progress)
