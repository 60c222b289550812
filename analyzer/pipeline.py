"""The whole analysis as one function: bundle -> snapshot -> shape -> graph -> rules -> result.

The CLI, the tests and the benchmarks all call :func:`analyze`; phase timings are measured here
(monotonic clock, never written into reports) so the benchmark can show where time goes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.evidence import Limits, load_bundle
from analyzer.findings.engine import RuleRun, run_rule, run_rules
from analyzer.findings.org_shape import OrgShape, resolve_shape
from analyzer.findings.result import Finding
from analyzer.findings.settings import Settings
from analyzer.graph.access import AccessGraph
from analyzer.graph.build import build_access_graph
from analyzer.model.snapshot import Snapshot
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

    @property
    def findings(self) -> list[Finding]:
        return sorted((f for run in self.runs for f in run.findings), key=lambda f: f.sort_key)

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
) -> ScanResult:
    settings = settings or Settings()
    timings = timings if timings is not None else {}
    start = time.perf_counter()
    if progress is not None:
        progress("graph", 0, 1)
    shape = resolve_shape(snapshot, settings)
    graph = build_access_graph(snapshot, shape)
    if progress is not None:
        progress("graph", 1, 1)
    timings["graph"] = time.perf_counter() - start
    start = time.perf_counter()
    ctx = RuleContext(snapshot=snapshot, graph=graph, settings=settings, shape=shape)
    if progress is None:
        runs = run_rules(ctx, registry or default_registry(), only)
    else:  # what run_rules does, one rule at a time so the display can follow
        wanted = {r.upper() for r in only} if only else None
        selected = [rule for rule in registry or default_registry() if wanted is None or rule.id in wanted]
        progress("rules", 0, len(selected))
        runs = []
        for done, rule in enumerate(selected, start=1):
            runs.append(run_rule(rule, ctx))
            progress("rules", done, len(selected))
    timings["rules"] = time.perf_counter() - start
    return ScanResult(snapshot, shape, graph, settings, runs, timings)


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
    snapshot = load_bundle(bundle, limits)
    if progress is not None:
        progress("load", 1, 1)
    timings["load"] = time.perf_counter() - start
    return analyze_snapshot(snapshot, settings, registry, only, timings, progress)
