"""The streamed GraphML and node-link JSON writers against networkx's readers: every value comes back."""

from __future__ import annotations

import io
import json

import networkx as nx
import pytest

from analyzer.graph.access import EdgeKind, NodeKind
from analyzer.graph.export import graph_records, graphml_from_records, json_from_records, resolve, to_graphml_bytes

HOSTILE = ['a"b', "x & y", "<tag>", "line\nbreak", "tab\there", "cr\rhere", "naïve ✓", "  ", "", "]]>", "100% %s"]


def _hostile_graph() -> nx.MultiDiGraph[str]:
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.graph.update({"partition": "aws", "notes": ["n1 & n2", "<n3>"]})
    for i, text in enumerate(HOSTILE):
        g.add_node(f"node {text} {i}", kind=NodeKind.ROLE, label=text, account="111111111111", in_evidence=i % 2 == 0)
    g.add_node("bare")  # no attributes at all
    names = sorted(g.nodes)
    for i, text in enumerate(HOSTILE):
        # empty and filled values side by side in one record, the empty ones in several places
        g.add_edge(
            names[i], names[-i - 1], key=f"trusts/{text}", kind=EdgeKind.TRUSTS, written=text, conditions=(), sid=""
        )
    g.add_edge("bare", names[0], key="plain")  # an edge without attributes
    return g


def _records_graph(g: nx.MultiDiGraph[str]) -> nx.MultiDiGraph[str]:
    records = graph_records(g)
    out: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    out.graph.update(records.graph)
    out.add_nodes_from(records.nodes)
    for u, v, k, d in records.edges:
        out.add_edge(u, v, key=k, **d)
    return out


def _canonical(g: nx.MultiDiGraph[str]) -> tuple[object, ...]:
    nodes = sorted((n, sorted(d.items())) for n, d in g.nodes(data=True))
    edges = sorted((u, v, k, sorted(d.items())) for u, v, k, d in g.edges(keys=True, data=True))
    return g.graph, nodes, edges


GRAPHS = [_hostile_graph(), nx.MultiDiGraph()]


@pytest.mark.parametrize("graph", GRAPHS, ids=["hostile", "empty"])
def test_graphml_reads_back_with_every_node_edge_and_value(graph: nx.MultiDiGraph[str]) -> None:
    """Markup, quotes, line breaks, a CR, "%s", empty values and an edge without attributes: all
    come back exactly through networkx's reader and :func:`resolve`."""
    back = resolve(nx.read_graphml(io.BytesIO(to_graphml_bytes(graph)), force_multigraph=True))
    assert _canonical(back) == _canonical(_records_graph(graph))


@pytest.mark.parametrize("graph", GRAPHS, ids=["hostile", "empty"])
def test_json_is_the_node_link_data_of_the_graph(graph: nx.MultiDiGraph[str]) -> None:
    records = graph_records(graph)
    data = json.loads(json_from_records(records))
    assert data["directed"] is True and data["multigraph"] is True
    assert [n["name"] for n in data["nodes"]] == sorted(graph.nodes)
    assert len(data["links"]) == graph.number_of_edges()
    order = {node["id"]: number for number, node in enumerate(data["nodes"])}
    assert data["links"] == sorted(data["links"], key=lambda e: (order[e["source"]], order[e["target"]]))
    back = resolve(nx.node_link_graph(data, edges="links"))
    assert _canonical(back) == _canonical(_records_graph(graph))


def test_json_writes_one_node_or_link_per_line() -> None:
    g = _hostile_graph()
    lines = json_from_records(graph_records(g)).decode().splitlines()
    records = [line for line in lines if line.startswith('{"')]
    assert len(records) == g.number_of_nodes() + g.number_of_edges()
    assert all(json.loads(line.rstrip(",")) for line in records)


def test_graphml_writer_matches_its_records() -> None:
    records = graph_records(_hostile_graph())
    assert graphml_from_records(records) == to_graphml_bytes(_hostile_graph())


@pytest.mark.parametrize("attribute", ["name", "key", "reason_ref"])
def test_an_attribute_named_as_the_compact_form_names_its_own_is_refused(attribute: str) -> None:
    """``name`` (a node's key), ``key`` (an edge's) and ``*_ref`` (references) would read back as
    something else: refused rather than written ambiguously."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.add_node("a", **{attribute: "x"})
    with pytest.raises(ValueError, match="the compact form's own"):
        to_graphml_bytes(g)
