"""Time ``build_access_graph`` on a synthetic organization built in memory, or on a bundle on disk.

    python benchmarks/graph_build.py [--accounts 1000] [--roles 50] [--users 500] [--groups 20]
    python benchmarks/graph_build.py --bundle DIR [--profile]

``--bundle``: load an evidence bundle (e.g. ``trustmap synth OUT --single-account-principals 2000 --diverse``)
and build its graph. The build runs with the garbage collector paused, as ``trustmap analyze`` runs it.
Prints the time to prepare the snapshot (not part of the measurement), the wall and CPU time of the build,
its peak resident memory, the node and edge counts, and how many decisions the memoization left to do;
``--profile`` adds a cProfile of the build. Not a test: nothing asserts a time, so a slow machine cannot
make the suite flaky.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer.audit.org_shape import resolve_shape
from analyzer.audit.settings import Settings
from analyzer.evidence import Limits, load_bundle
from analyzer.graph.build import _Builder
from tests.graph.synthetic import synthetic_snapshot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--roles", type=int, default=50)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument(
        "--per-principal-scp",
        action="store_true",
        help="add an SCP reading aws:PrincipalArn: every caller evaluated on its own (worst case)",
    )
    parser.add_argument("--bundle", type=Path, help="build the graph of this evidence bundle instead")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the build")
    args = parser.parse_args()

    gc.disable()  # as analyze does (analyzer.pipeline: collector_paused)
    start = time.perf_counter()
    if args.bundle is not None:
        snapshot = load_bundle(args.bundle, Limits(max_members=2_000_000))
        what = f"bundle {args.bundle}"
    else:
        snapshot = synthetic_snapshot(
            args.accounts, args.roles, args.users, args.groups, per_principal_scp=args.per_principal_scp
        )
        what = (
            f"synthetic org: {args.accounts} accounts x {args.roles} roles, {args.users} users in {args.groups} groups"
        )
    shape = resolve_shape(snapshot, Settings())
    prepared = time.perf_counter() - start

    profiler = cProfile.Profile() if args.profile else None
    start, cpu = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    builder = _Builder(snapshot, shape)
    graph = builder.build()
    if profiler is not None:
        profiler.disable()
    built, cpu = time.perf_counter() - start, time.process_time() - cpu

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    kinds = Counter(d["kind"].value for _, _, d in graph.graph.edges(data=True))
    kinds["can_assume"] = len(graph.assume)
    mfa = Counter(facts.mfa.value for targets in graph.assume.succ.values() for facts in targets.values())
    evaluator = builder.evaluator
    print(what)
    print(f"snapshot prepared in {prepared:.2f}s (not measured)")
    print(
        f"graph built in {built:.2f}s ({cpu:.2f}s CPU; peak memory of the process {peak} MiB): "
        f"{graph.graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges"
    )
    print("edges by kind: " + ", ".join(f"{k}={v}" for k, v in sorted(kinds.items())))
    print("can_assume by MFA: " + ", ".join(f"{k}={v}" for k, v in sorted(mfa.items())))
    print(
        f"decisions: {evaluator.full_evaluations} distinct, {evaluator.evaluations} joined, "
        f"{evaluator.sides.set_evaluations} policy sets evaluated"
    )
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
