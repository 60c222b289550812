"""The streamed GraphML and node-link JSON writers against networkx's own writers and readers."""

from __future__ import annotations

import io
import json

import networkx as nx
import pytest

from analyzer.graph.access import AccessGraph, EdgeKind, NodeKind
from analyzer.graph.export import graph_records, graphml_from_records, json_from_records, to_graphml_bytes

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


def _networkx_graphml(g: nx.MultiDiGraph[str]) -> bytes:
    """What networkx writes for the same graph flattened to sorted string attributes (the old writer)."""
    records = graph_records(g)
    flat: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    flat.graph.update({k: " | ".join(v) if isinstance(v, list) else v for k, v in records.graph.items()})

    def text(value: object) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        return " | ".join(map(str, value)) if isinstance(value, list) else str(value)

    for node, record in records.nodes:
        flat.add_node(node, **{k: text(v) for k, v in record.items()})
    for u, v, key, record in records.edges:
        flat.add_edge(u, v, key=key, **{k: text(x) for k, x in record.items()})
    buffer = io.BytesIO()
    nx.write_graphml_xml(flat, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def test_graphml_is_byte_for_byte_what_networkx_writes() -> None:
    """But for a CR in element text: networkx writes it raw (a parser reads it back as a line feed),
    trustmap as ``&#13;`` (as networkx writes it in an attribute)."""
    g = _hostile_graph()
    assert to_graphml_bytes(AccessGraph(g)) == _networkx_graphml(g).replace(b"\r", b"&#13;")


def test_graphml_reads_back_with_every_node_edge_and_value() -> None:
    g = _hostile_graph()
    back = nx.read_graphml(io.BytesIO(to_graphml_bytes(g)), force_multigraph=True)
    assert sorted(back.nodes) == sorted(g.nodes)  # ids are attributes: line breaks kept as references
    assert back.number_of_edges() == g.number_of_edges()
    labels = {data.get("label") for _, data in back.nodes(data=True)}
    assert {t for t in HOSTILE if t.strip()} <= labels  # a CR too
    assert back.graph["notes"] == "n1 & n2 | <n3>"


def test_empty_graph_is_valid_graphml() -> None:
    data = to_graphml_bytes(nx.MultiDiGraph())
    assert data == _networkx_graphml(nx.MultiDiGraph())
    assert nx.read_graphml(io.BytesIO(data)).number_of_nodes() == 0


@pytest.mark.parametrize("graph", [_hostile_graph(), nx.MultiDiGraph()], ids=["hostile", "empty"])
def test_json_is_the_node_link_data_of_the_graph(graph: nx.MultiDiGraph[str]) -> None:
    records = graph_records(graph)
    data = json.loads(json_from_records(records))
    expected = nx.node_link_data(graph, edges="links")
    assert data["directed"] is True and data["multigraph"] is True
    assert [n["id"] for n in data["nodes"]] == sorted(graph.nodes)
    assert len(data["links"]) == len(expected["links"])
    assert data["links"] == sorted(data["links"], key=lambda e: (e["source"], e["target"], e["key"]))
    assert data["graph"] == {k: list(v) if isinstance(v, (list, tuple)) else v for k, v in graph.graph.items()}


def test_json_writes_one_node_or_link_per_line() -> None:
    g = _hostile_graph()
    lines = json_from_records(graph_records(g)).decode().splitlines()
    records = [line for line in lines if line.startswith("    {")]
    assert len(records) == g.number_of_nodes() + g.number_of_edges()
    assert all(json.loads(line.rstrip(",")) for line in records)


def test_graphml_writer_matches_its_records() -> None:
    records = graph_records(_hostile_graph())
    assert graphml_from_records(records) == to_graphml_bytes(_hostile_graph())
