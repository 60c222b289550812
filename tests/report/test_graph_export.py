"""graph.graphml and graph.json as report files: readable by networkx again, complete, deterministic."""

from __future__ import annotations

import io
import json

import networkx as nx

from analyzer.graph.export import resolve
from analyzer.pipeline import ScanResult
from analyzer.report import graph_export


def test_graphml_and_json_hold_the_whole_graph_with_mfa_verdicts(defective: ScanResult) -> None:
    files = graph_export.render(defective)
    graph = defective.graph
    back = resolve(nx.read_graphml(io.BytesIO(files["graph.graphml"])))
    assert set(back.nodes) == set(graph.graph.nodes)
    assert back.number_of_edges() == graph.number_of_edges()
    assert sorted(d["mfa"] for _, _, d in back.edges(data=True) if d.get("kind") == "can_assume") == ["absent", "weak"]
    data = json.loads(files["graph.json"])
    assert {n["name"] for n in data["nodes"]} == set(graph.graph.nodes)
    assert len(data["links"]) == graph.number_of_edges()
    assert graph_export.render(defective) == files
