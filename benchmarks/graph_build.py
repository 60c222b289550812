"""Time ``build_access_graph`` on a synthetic organization built in memory through the model dataclasses.

    python benchmarks/graph_build.py [--accounts 1000] [--roles 50] [--users 500] [--groups 20]

Prints the time to build the snapshot (not part of the measurement), to build the graph, the node and
edge counts, and how many engine evaluations the memoization left to do. Not a test: nothing asserts
a time, so a slow machine cannot make the suite flaky.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer.audit.org_shape import resolve_shape
from analyzer.audit.settings import Settings
from analyzer.graph.build import build_access_graph
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
    args = parser.parse_args()

    start = time.perf_counter()
    snapshot = synthetic_snapshot(
        args.accounts, args.roles, args.users, args.groups, per_principal_scp=args.per_principal_scp
    )
    shape = resolve_shape(snapshot, Settings())
    prepared = time.perf_counter() - start

    start = time.perf_counter()
    graph = build_access_graph(snapshot, shape)
    built = time.perf_counter() - start

    kinds = Counter(d["kind"].value for _, _, d in graph.graph.edges(data=True))
    mfa = Counter(e.mfa.value for e in graph.assume_edges())
    print(f"synthetic org: {args.accounts} accounts x {args.roles} roles, {args.users} users in {args.groups} groups")
    print(f"snapshot prepared in {prepared:.2f}s (not measured)")
    print(f"graph built in {built:.2f}s: {graph.graph.number_of_nodes()} nodes, {graph.graph.number_of_edges()} edges")
    print("edges by kind: " + ", ".join(f"{k}={v}" for k, v in sorted(kinds.items())))
    print("can_assume by MFA: " + ", ".join(f"{k}={v}" for k, v in sorted(mfa.items())))


if __name__ == "__main__":
    main()
