"""How the report's graph files are cut when the graph is dense (analyzer/graph/bounded.py), exactly.

What the files keep is what a reader of graph.json / graph.graphml sees: every edge that is not
``can_assume``, and per caller its weakest ``can_assume`` edges (absent, then weak, then delegated, then
enforced; by target ARN within a state), the count it lost, and the note that says so.
"""

from __future__ import annotations

import networkx as nx
import pytest

from analyzer.graph import bounded
from analyzer.graph.access import AccessGraph, AssumeEdge, EdgeKind, MfaStatus, NodeKind
from analyzer.graph.bounded import GraphCut, assume_degrees, edge_budget, kept_edges, plan_cut, weakest_targets

A, D, W, E = MfaStatus.ABSENT, MfaStatus.DELEGATED, MfaStatus.WEAK, MfaStatus.ENFORCED


def _graph(edges: dict[str, list[tuple[str, MfaStatus]]], *, trusts: int = 0) -> AccessGraph:
    """Callers and their can_assume edges (target, MFA), in that order, and ``trusts`` trust edges."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for caller, targets in edges.items():
        g.add_node(caller, kind=NodeKind.ROLE)
        for target, mfa in targets:
            g.add_node(target, kind=NodeKind.ROLE)
            info = AssumeEdge(source=caller, target=target, mfa=mfa, reason=f"{caller} to {target}")
            g.add_edge(caller, target, key="can_assume", kind=EdgeKind.CAN_ASSUME, info=info)
    for i in range(trusts):
        g.add_edge(f"t{i}", "svc", key=f"trusts{i}", kind=EdgeKind.TRUSTS)
    return AccessGraph(g)


def test_the_note_says_what_was_left_out_and_how_to_get_it() -> None:
    cut = GraphCut(total=1_234_567, written=50_000, per_caller=12, callers_cut=3_456)
    assert cut.note == (
        "50,000 of 1,234,567 can_assume edges written: 3,456 principal(s) that can assume more than 12 roles each "
        "keep their 12 weakest (MFA absent first), the node attribute can_assume_not_written counts the rest; "
        "`trustmap graph BUNDLE --out FILE` writes every edge"
    )


def test_the_budget_is_the_minimum_or_ten_edges_per_node(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = _graph({"c": [("r1", A), ("r2", A)]})  # 3 nodes
    assert edge_budget(graph) == bounded.MIN_ASSUME_EDGES == 50_000
    assert bounded.ASSUME_EDGES_PER_NODE == 10
    monkeypatch.setattr(bounded, "MIN_ASSUME_EDGES", 20)
    assert edge_budget(graph) == 30  # 10 per node
    monkeypatch.setattr(bounded, "MIN_ASSUME_EDGES", 31)
    assert edge_budget(graph) == 31


def test_degrees_count_each_callers_edges() -> None:
    graph = _graph({"c": [("r1", A), ("r2", E)], "d": [("r1", W)]})
    assert assume_degrees(graph) == {"c": 2, "d": 1}
    graph.assume.succ["e"] = {}  # a caller left without targets is no caller
    assert assume_degrees(graph) == {"c": 2, "d": 1}


def test_a_graph_within_the_budget_is_not_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = _graph({"c": [(f"r{i}", A) for i in range(4)], "d": [("r0", A)]}, trusts=4)  # 5 can_assume, 9 edges
    monkeypatch.setattr(bounded, "ASSUME_EDGES_PER_NODE", 0)
    monkeypatch.setattr(bounded, "MIN_ASSUME_EDGES", 9)
    assert plan_cut(graph) is None  # every edge fits
    monkeypatch.setattr(bounded, "MIN_ASSUME_EDGES", 5)
    assert plan_cut(graph) is None  # more edges than the budget, but the can_assume ones fit
    monkeypatch.setattr(bounded, "MIN_ASSUME_EDGES", 4)
    assert plan_cut(graph) == GraphCut(total=5, written=4, per_caller=3, callers_cut=1)


def test_a_caller_with_exactly_the_cap_loses_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = _graph({"c": [(f"r{i}", A) for i in range(5)], "d": [(f"r{i}", A) for i in range(3)], "e": [("r0", A)]})
    monkeypatch.setattr(bounded, "ASSUME_EDGES_PER_NODE", 0)
    monkeypatch.setattr(bounded, "MIN_ASSUME_EDGES", 7)
    assert plan_cut(graph) == GraphCut(total=9, written=7, per_caller=3, callers_cut=1)  # only c is cut


@pytest.mark.parametrize(
    ("degrees", "budget", "level"),
    [([4, 4], 6, 3), ([1, 2, 3], 10, 3), ([7], 7, 7), ([2, 9], 7, 5)],
)
def test_the_cap_is_the_highest_that_fits(degrees: list[int], budget: int, level: int) -> None:
    """The contract of ``_water_level`` (more cases in tests/report/test_dense_graph_outputs.py): when every
    edge fits, the largest degree."""
    assert bounded._water_level(degrees, budget) == level


def test_the_weakest_targets_by_state_then_by_arn() -> None:
    targets = _graph({"c": [("r5", E), ("r4", A), ("r3", W), ("r2", D), ("r1", E), ("r0", A)]}).assume.succ["c"]
    assert weakest_targets(targets, 1) == ["r0"]
    assert weakest_targets(targets, 3) == ["r0", "r4", "r3"]
    assert weakest_targets(targets, 4) == ["r0", "r4", "r3", "r2"]
    assert weakest_targets(targets, 5) == ["r0", "r4", "r3", "r2", "r1"]
    same = _graph({"c": [("r2", E), ("r0", E), ("r1", E)]}).assume.succ["c"]
    assert weakest_targets(same, 2) == ["r0", "r1"]
    two = _graph({"c": [("r0", E), ("r1", A)]}).assume.succ["c"]
    assert weakest_targets(two, 1) == ["r1"]  # two states: still the weaker first, not the first by ARN


def test_kept_edges_are_the_other_edges_then_each_callers_weakest() -> None:
    graph = _graph({"c": [("r2", E), ("r1", A), ("r0", W)], "d": [("r1", E), ("r0", E)]}, trusts=1)
    kept, lost = kept_edges(graph, GraphCut(total=5, written=4, per_caller=2, callers_cut=1))
    assert lost == {"c": 1}
    assert [(u, v, k) for u, v, k, _ in kept] == [
        ("t0", "svc", "trusts0"),
        ("c", "r1", EdgeKind.CAN_ASSUME),
        ("c", "r0", EdgeKind.CAN_ASSUME),
        ("d", "r1", EdgeKind.CAN_ASSUME),  # not cut: in the order they were added
        ("d", "r0", EdgeKind.CAN_ASSUME),
    ]
    assert kept[0][3] == {"kind": EdgeKind.TRUSTS}
    data = kept[1][3]
    assert data["kind"] == EdgeKind.CAN_ASSUME
    assert data["info"] == AssumeEdge(source="c", target="r1", mfa=A, reason="c to r1")
    assert kept[4][3]["info"] == AssumeEdge(source="d", target="r0", mfa=E, reason="d to r0")
