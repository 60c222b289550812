"""graph.graphml and graph.json sized to their content (issue 14 §4).

On an account whose principals do not share policies, each edge carried its reason and evidence
pointers in full: about 800 bytes per edge (73 MB of GraphML for 88,000 edges on a real account's
export). Each repeated text is now written once and referenced; the files must stay within 250
bytes per edge and give back the very graph the old files held.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from analyzer.cli.graph import _load_graph
from analyzer.graph.access import AccessGraph
from analyzer.graph.export import graph_records, read_graph
from analyzer.report.graph_export import write_graph_files
from analyzer.synth.single_account import generate_single_account

BYTES_PER_EDGE = 250


@pytest.fixture(scope="module")
def diverse(tmp_path_factory: pytest.TempPathFactory) -> tuple[AccessGraph, Path]:
    root = tmp_path_factory.mktemp("diverse")
    generate_single_account(root / "bundle", 300, seed=3, regions=1, diverse=True)
    graph = _load_graph(root / "bundle", 2**31, 2**30, None)
    out = root / "report"
    out.mkdir()
    write_graph_files(graph, out)
    return graph, out


@pytest.mark.parametrize("name", ["graph.graphml", "graph.json"])
def test_the_files_hold_at_most_250_bytes_per_edge(diverse: tuple[AccessGraph, Path], name: str) -> None:
    graph, out = diverse
    edges = graph.number_of_edges()
    assert edges > 4000  # a real graph: principals reaching many roles, each with its own reason
    assert (out / name).stat().st_size <= BYTES_PER_EDGE * edges


@pytest.mark.parametrize("name", ["graph.graphml", "graph.json"])
def test_the_files_give_back_every_node_edge_and_attribute(diverse: tuple[AccessGraph, Path], name: str) -> None:
    graph, out = diverse
    records = graph_records(graph, bounded=True)
    back = read_graph(out / name)
    assert back.graph == records.graph
    assert dict(back.nodes(data=True)) == dict(records.nodes)
    expected = {(u, v, k): d for u, v, k, d in records.edges}
    assert {(u, v, k): d for u, v, k, d in back.edges(keys=True, data=True)} == expected
    reasons = [d["reason"] for *_, d in back.edges(data=True) if d["kind"] == "can_assume"]
    assert len(set(reasons)) > 100 and all(reasons)  # the reasons differ: each comes back whole
    assert isinstance(back, nx.MultiDiGraph)
