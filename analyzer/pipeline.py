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
import pickle
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from analyzer.activity import read_activity
from analyzer.audit.org_shape import OrgShape, resolve_shape
from analyzer.audit.settings import Settings
from analyzer.evidence import Limits, load_bundle
from analyzer.evidence.loader import collector_paused
from analyzer.findings.engine import RuleRun, dump_runs, run_rule
from analyzer.findings.result import Finding
from analyzer.graph.access import AccessGraph
from analyzer.graph.build import build_access_graph
from analyzer.model.snapshot import Snapshot
from analyzer.parallel import Batch, resolve_jobs, worth_processes
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
    jobs: int | None = None,
) -> ScanResult:
    """Shape, graph and rules over a loaded snapshot. ``jobs``: the processes to use (None: one per
    CPU); the result is the same for any number."""
    with collector_paused():
        return _analyze_snapshot(snapshot, settings, registry, only, timings, progress, jobs)


class GraphNotBuilt(RuntimeError):
    """A rule read the access graph in a worker started before the graph was built."""


class _PendingGraph:
    """Stands for the access graph in the workers' context: any use raises."""

    def __getattr__(self, name: str) -> object:
        raise GraphNotBuilt(f"the access graph is not built yet (AccessGraph.{name})")


def without_graph(snapshot: Snapshot, settings: Settings, shape: OrgShape) -> RuleContext:
    """The context of workers started before the graph is built (its ``graph`` raises :class:`GraphNotBuilt`)."""
    return RuleContext(snapshot=snapshot, graph=cast("AccessGraph", _PendingGraph()), settings=settings, shape=shape)


Run = tuple[str, tuple[Finding, ...], str | None]  # what a RuleRun holds besides the Rule object


def start_rules(
    snapshot: Snapshot, settings: Settings, shape: OrgShape, rules: list[Rule], jobs: int
) -> Batch[Rule, Run]:
    """The rules that do not read the graph (``RuleMeta.reads_graph``), started on ``jobs - 1`` forked
    workers (see :mod:`analyzer.parallel`) while this process builds the graph; none when processes
    would not pay (:func:`~analyzer.parallel.worth_processes`: by the organization's accounts).

    Each rule is one task, whoever is free takes the next: no rule needs to be known as costly. A
    rule that reads the graph anyway fails in a worker (:class:`GraphNotBuilt`, an engine error):
    every run that comes back with an error is run again here with the graph (:func:`finish_rules`).
    """
    early = without_graph(snapshot, settings, shape)
    workers = jobs - 1 if worth_processes(len(shape.accounts), jobs) else 0
    tasks = [rule for rule in rules if not rule.meta.reads_graph] if workers else []
    return Batch(
        "running the rules",
        lambda rule: _run_tuple(rule, early),
        tasks,
        workers,
        send=lambda run: dump_runs([run]),
        receive=_load_run,
        describe=lambda rule: rule.id,
    )


def finish_rules(
    batch: Batch[Rule, Run], ctx: RuleContext, rules: list[Rule], done: Callable[[int], None] | None = None
) -> list[RuleRun]:
    """Every rule's run, in the order of ``rules``: those the batch does not hold run here with ``ctx``
    (the graph's rules first, while the workers go on), then the batch's runs, each run again here when
    it came back with an error. ``done(n)``: told the number of rules finished."""
    started = {rule.id for rule in batch.tasks}
    found: dict[str, Run] = {}

    def finished(_: Rule) -> None:
        if done is not None:
            done(len(found))

    for rule in rules:
        if rule.id not in started:
            found[rule.id] = _run_tuple(rule, ctx)
            finished(rule)
    for rule, run in zip(batch.tasks, batch.results(lambda rule: _run_tuple(rule, ctx)), strict=True):
        found[rule.id] = run if run[2] is None else _run_tuple(rule, ctx)
        finished(rule)
    return [RuleRun(rule, found[rule.id][1], found[rule.id][2]) for rule in rules]


def _load_run(payload: bytes) -> Run:
    (run,) = pickle.loads(payload)  # noqa: S301 - our own worker's answer
    return cast(Run, run)


def _analyze_snapshot(
    snapshot: Snapshot,
    settings: Settings | None,
    registry: RuleRegistry | None,
    only: Iterable[str] | None,
    timings: dict[str, float] | None,
    progress: Progress | None,
    jobs: int | None = None,
) -> ScanResult:
    settings = settings or Settings()
    timings = timings if timings is not None else {}
    start_time = time.perf_counter()
    if progress is not None:
        progress("graph", 0, 1)
    shape = resolve_shape(snapshot, settings)
    wanted = {r.upper() for r in only} if only else None
    selected = [rule for rule in registry or default_registry() if wanted is None or rule.id in wanted]
    batch = start_rules(snapshot, settings, shape, selected, resolve_jobs(jobs))
    try:
        graph = build_access_graph(snapshot, shape)
        if progress is not None:
            progress("graph", 1, 1)
        timings["graph"] = time.perf_counter() - start_time
        start_time = time.perf_counter()
        ctx = RuleContext(snapshot=snapshot, graph=graph, settings=settings, shape=shape)
        if progress is not None:
            progress("rules", 0, len(selected))

        def done(count: int) -> None:
            if progress is not None:
                progress("rules", count, len(selected))

        runs = finish_rules(batch, ctx, selected, done)
    except BaseException:
        batch.cancel()
        raise
    timings["rules"] = time.perf_counter() - start_time
    return ScanResult(snapshot, shape, graph, settings, runs, timings)


def _run_tuple(rule: Rule, ctx: RuleContext) -> Run:
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
    jobs: int | None = None,
) -> ScanResult:
    """The whole analysis of the bundle at ``bundle``; ``jobs``: the processes to use (None: one per CPU)."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    if progress is not None:
        progress("load", 0, 1)
    with collector_paused():
        snapshot = with_activity(bundle, load_bundle(bundle, limits, jobs=jobs), limits)
        if progress is not None:
            progress("load", 1, 1)
        timings["load"] = time.perf_counter() - start
        return _analyze_snapshot(snapshot, settings, registry, only, timings, progress, jobs)
