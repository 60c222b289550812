"""The report's graph files, kept to a size a reader can use when the access graph is dense.

Roles that may all assume each other make ``n**2`` ``can_assume`` edges: 1,000 such roles wrote two
gigabytes of graph.graphml and graph.json, more than any graph tool opens. The report's files hold
at most :func:`edge_budget` of them, a number proportional to the graph's nodes (so an organization
of thousands of accounts, whose edges grow with its principals, is never cut); beyond it, each
caller keeps its ``per_caller`` weakest ``can_assume`` edges (MFA absent first, then weak, then
enforced; then by target) and every caller with fewer keeps all of them: the fewest callers lose
edges. What is left out is said in the files (graph attributes ``can_assume_edges``,
``can_assume_edges_written``, ``can_assume_edges_note``; node attribute ``can_assume_not_written``),
on the terminal and in the HTML page; ``trustmap graph`` writes the whole graph.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import islice
from typing import Any

import networkx as nx

from analyzer.graph.access import MFA_RANK, AccessGraph, EdgeKind, Targets, as_access_graph

#: The report's graph files hold at least this many can_assume edges before any is left out ...
MIN_ASSUME_EDGES = 50_000
#: ... and more on larger graphs: this many per node (a 5,000-account organization has about 3).
ASSUME_EDGES_PER_NODE = 10

EdgeItem = tuple[str, str, Any, dict[str, Any]]
GraphLike = AccessGraph | nx.MultiDiGraph  # type: ignore[type-arg]


@dataclass(frozen=True, slots=True)
class GraphCut:
    """How the report's graph files were cut: ``total`` can_assume edges, ``written`` of them, each
    caller keeping at most ``per_caller`` (its weakest first); ``callers_cut`` callers lost some."""

    total: int
    written: int
    per_caller: int
    callers_cut: int

    @property
    def note(self) -> str:
        return (
            f"{self.written:,} of {self.total:,} can_assume edges written: {self.callers_cut:,} principal(s) that "
            f"can assume more than {self.per_caller:,} roles each keep their {self.per_caller:,} weakest (MFA "
            "absent first), the node attribute can_assume_not_written counts the rest; "
            "`trustmap graph BUNDLE --out FILE` writes every edge"
        )


def edge_budget(graph: GraphLike) -> int:
    nodes = as_access_graph(graph).graph.number_of_nodes()
    return max(MIN_ASSUME_EDGES, ASSUME_EDGES_PER_NODE * nodes)


def _water_level(degrees: list[int], budget: int) -> int:
    """The largest cap ``p`` (at least 1) with ``sum(min(d, p) for d in degrees) <= budget``."""
    degrees = sorted(degrees)
    left = budget
    for index, degree in enumerate(degrees):
        callers = len(degrees) - index
        if degree * callers > left:
            return max(1, left // callers)
        left -= degree
    return degrees[-1] if degrees else 1


def assume_degrees(graph: GraphLike) -> Counter[str]:
    """How many can_assume edges leave each node (one step per node: the store holds them by caller)."""
    return Counter({source: len(targets) for source, targets in as_access_graph(graph).assume.succ.items() if targets})


def plan_cut(graph: GraphLike) -> GraphCut | None:
    """How the report's graph files are cut, or None when every edge fits (the usual case, decided
    without looking at an edge when the graph has fewer edges than the budget)."""
    graph = as_access_graph(graph)
    budget = edge_budget(graph)
    if graph.number_of_edges() <= budget:
        return None
    degrees = assume_degrees(graph)
    total = sum(degrees.values())
    if total <= budget:
        return None
    cap = _water_level(list(degrees.values()), budget)
    written = sum(min(d, cap) for d in degrees.values())
    return GraphCut(total, written, cap, sum(1 for d in degrees.values() if d > cap))


def weakest_targets(targets: Targets, count: int) -> list[str]:
    """The ``count`` weakest of a caller's targets: MFA absent first, then weak, then enforced; then by ARN.

    Without a key per edge: the targets sorted once (a caller's are mostly in ARN order already, which
    the sort passes through once), then taken by state, from the weakest, until there are enough.
    """
    ordered = sorted(targets)
    ranks = sorted({MFA_RANK[facts.mfa] for facts in set(targets.values())}, reverse=True)
    if len(ranks) <= 1:
        return ordered[:count]
    chosen: list[str] = []
    for rank in ranks:
        chosen.extend(islice((t for t in ordered if MFA_RANK[targets[t].mfa] == rank), count - len(chosen)))
        if len(chosen) == count:
            break
    return chosen


def kept_edges(graph: GraphLike, cut: GraphCut) -> tuple[list[EdgeItem], dict[str, int]]:
    """The edges the cut keeps (every edge that is not can_assume, and each caller's weakest
    ``cut.per_caller`` can_assume edges), and how many each cut caller lost."""
    graph = as_access_graph(graph)
    kept: list[EdgeItem] = list(graph.graph.edges(keys=True, data=True))
    lost: dict[str, int] = {}
    for source, targets in graph.assume.succ.items():
        chosen: list[str] | Targets = targets
        if len(targets) > cut.per_caller:
            lost[source] = len(targets) - cut.per_caller
            chosen = weakest_targets(targets, cut.per_caller)
        kept.extend(
            (
                source,
                target,
                EdgeKind.CAN_ASSUME,
                {"kind": EdgeKind.CAN_ASSUME, "info": targets[target].edge(source, target)},
            )
            for target in chosen
        )
    return kept, lost


__all__ = [
    "ASSUME_EDGES_PER_NODE",
    "MIN_ASSUME_EDGES",
    "GraphCut",
    "assume_degrees",
    "edge_budget",
    "kept_edges",
    "plan_cut",
    "weakest_targets",
]
