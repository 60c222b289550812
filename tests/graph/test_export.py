"""GraphML / node-link JSON / DOT serialization of the access graph (analyzer/graph/export.py)."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from analyzer.graph.access import AccessGraph, EdgeKind, MfaStatus, NodeKind
from analyzer.graph.export import FORMAT, graph_records, resolve, to_dot_bytes, to_graphml_bytes, to_json_bytes
from tests.graph.builders import build
from tests.graph.synthetic import synthetic_snapshot

EXPORTERS = [to_graphml_bytes, to_json_bytes, to_dot_bytes]


@pytest.fixture(scope="module")
def graph() -> AccessGraph:
    return build(synthetic_snapshot(accounts=2, roles=13, users=4, groups=2))[0]


@pytest.mark.parametrize("export", EXPORTERS, ids=lambda f: f.__name__)
def test_output_is_deterministic(export: object, graph: AccessGraph) -> None:
    again = build(synthetic_snapshot(accounts=2, roles=13, users=4, groups=2))[0]
    assert export(graph) == export(again)  # type: ignore[operator]


def _from_graphml(data: bytes) -> nx.MultiDiGraph[str]:
    return resolve(nx.read_graphml(io.BytesIO(data), force_multigraph=True))


def _from_json(data: bytes) -> nx.MultiDiGraph[str]:
    return resolve(nx.node_link_graph(json.loads(data), edges="links"))


def _canonical(g: nx.MultiDiGraph[str]) -> tuple[object, ...]:
    nodes = sorted((n, sorted(d.items())) for n, d in g.nodes(data=True))
    edges = sorted((u, v, k, sorted(d.items())) for u, v, k, d in g.edges(keys=True, data=True))
    return g.graph, nodes, edges


def _records_graph(graph: AccessGraph) -> nx.MultiDiGraph[str]:
    """The graph as plain records (AssumeEdge flattened): what the files must give back."""
    records = graph_records(graph)
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.graph.update(records.graph)
    g.add_nodes_from(records.nodes)
    for u, v, k, d in records.edges:
        g.add_edge(u, v, key=k, **d)
    return g


@pytest.mark.parametrize("read", [_from_graphml, _from_json], ids=["graphml", "json"])
def test_every_node_edge_and_attribute_reads_back(graph: AccessGraph, read: object) -> None:
    export = to_graphml_bytes if read is _from_graphml else to_json_bytes
    back = read(export(graph))  # type: ignore[operator]
    assert _canonical(back) == _canonical(_records_graph(graph))
    assumes = [d for _, _, d in back.edges(data=True) if d["kind"] == EdgeKind.CAN_ASSUME]
    assert {d["mfa"] for d in assumes} == {e.mfa.value for e in graph.assume_edges()}
    saml = [d for d in assumes if d["via_saml"] is True]
    assert saml and all(d["mfa_by"] == ["identity-provider"] and d["mfa"] == "delegated" for d in saml)
    # users' hops are enforced by both their deny-without-MFA guard and the trust
    user_hops = [d for u, _, d in back.edges(data=True) if ":user/" in u and d["kind"] == EdgeKind.CAN_ASSUME]
    assert user_hops and all(d["mfa_by"] == ["identity", "trust"] for d in user_hops)
    assert all(d["reason"] and d["evidence"] for d in assumes)


def test_a_reason_is_found_by_its_references_in_the_texts_table(graph: AccessGraph) -> None:
    """What README's "Reports" section tells a reader to do, done by hand on the raw files."""
    document = json.loads(to_json_bytes(graph))
    texts = document["graph"]["texts"]
    names = {node["id"]: node["name"] for node in document["nodes"]}
    expected = {(e.source, e.target): e for e in graph.assume_edges()}
    links = [link for link in document["links"] if link["kind"] == "can_assume"]
    assert links and len(links) == len(expected)
    for link in links:
        edge = expected[(names[link["source"]], names[link["target"]])]
        assert "; ".join(texts[n] for n in link["reason_ref"]) == edge.reason
        assert [texts[n] for n in link["evidence_ref"]] == [str(e) for e in edge.evidence]
    root = ET.fromstring(to_graphml_bytes(graph))
    keys = {k.get("attr.name"): k.get("id") for k in root.iter(f"{NS}key") if k.get("for") == "edge"}
    (table,) = [d.text for d in root.iter(f"{NS}data") if d.get("key") == _graph_key(root, "texts")]
    assert json.loads(table or "") == texts
    for edge in root.iter(f"{NS}edge"):
        refs = [d.text or "" for d in edge if d.get("key") == keys["reason_ref"]]
        if refs:
            assert "; ".join(texts[int(n)] for n in refs[0].split()) in {e.reason for e in expected.values()}


NS = "{http://graphml.graphdrawing.org/xmlns}"


def _graph_key(root: ET.Element, name: str) -> str:
    return next(
        k.get("id") or "" for k in root.iter(f"{NS}key") if (k.get("for"), k.get("attr.name")) == ("graph", name)
    )


def test_graphml_is_valid_graphml_structure(graph: AccessGraph) -> None:
    """What the GraphML schema (graphml.graphdrawing.org/xmlns/1.0/graphml.xsd) asks of the
    document, checked element by element: keys first, each with a declared type; node ids unique
    NMTOKENs; edges between declared nodes, without ids (the schema's ``edge_id_unique``: the files
    before repeated ``id="can_assume"``); every data element naming a key of its scope."""
    root = ET.fromstring(to_graphml_bytes(graph))
    assert root.tag == f"{NS}graphml"
    children = [child.tag for child in root]
    assert children == [f"{NS}key"] * (len(children) - 1) + [f"{NS}graph"]
    scopes = {k.get("id"): k.get("for") for k in root.iter(f"{NS}key")}
    assert len(scopes) == len(children) - 1
    types = {k.get("attr.type") for k in root.iter(f"{NS}key")}
    assert types <= {"boolean", "int", "long", "float", "double", "string"}
    assert all(re.fullmatch(r"[\w.:-]+", k.get("attr.name") or "") for k in root.iter(f"{NS}key"))
    ids = [n.get("id") or "" for n in root.iter(f"{NS}node")]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"n\d+", i) for i in ids)
    for edge in root.iter(f"{NS}edge"):
        assert edge.get("source") in set(ids) and edge.get("target") in set(ids)
        assert edge.get("id") is None  # edge ids would have to be unique: keys are attributes
    for element, scope in [(root.find(f"{NS}graph"), "graph"), *[(n, "node") for n in root.iter(f"{NS}node")]]:
        assert element is not None
        assert all(scopes[d.get("key")] == scope for d in element.findall(f"{NS}data"))
    assert all(scopes[d.get("key")] == "edge" for e in root.iter(f"{NS}edge") for d in e)


def test_json_is_node_link_data_with_lists(graph: AccessGraph) -> None:
    data = json.loads(to_json_bytes(graph))
    back = nx.node_link_graph(data, edges="links", multigraph=True, directed=True)
    assert back.number_of_edges() == graph.number_of_edges()
    assert [n["name"] for n in data["nodes"]] == sorted(graph.graph.nodes)
    assert [n["id"] for n in data["nodes"]] == [f"n{i}" for i in range(len(data["nodes"]))]
    enforced = [link for link in data["links"] if link.get("mfa") == MfaStatus.ENFORCED.value]
    assert enforced and all(isinstance(link["mfa_by_ref"], list) for link in enforced)
    kinds = {n["kind"] for n in data["nodes"]}
    assert {NodeKind.USER.value, NodeKind.ROLE.value, NodeKind.SAML_PROVIDER.value} <= kinds
    assert data["graph"]["format"] == FORMAT


def test_an_old_or_foreign_graph_is_not_resolved() -> None:
    with pytest.raises(ValueError, match="not a trustmap-graph/2 graph"):
        resolve(nx.MultiDiGraph())


def test_dot_has_every_node_and_edge_and_escapes_quotes() -> None:
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.add_node('odd"name', kind=NodeKind.ROLE, label='say "hi"\\now', account="1")
    g.add_node("b", kind=NodeKind.USER, label="b", account="1")
    g.add_edge("b", 'odd"name', key="member_of", kind=EdgeKind.MEMBER_OF)
    text = to_dot_bytes(AccessGraph(g)).decode()
    assert text.startswith("digraph access {") and text.rstrip().endswith("}")
    assert '"odd\\"name" [label="say \\"hi\\"\\\\now\\nrole"' in text
    assert '"b" -> "odd\\"name" [kind="member_of"' in text


def test_federation_hops_are_delegated_in_json_and_dot(graph: AccessGraph) -> None:
    """IAM Identity Center roles of the synthetic org: their SAML hops carry their own MFA state."""
    back = _from_json(to_json_bytes(graph))
    saml = [d for *_, d in back.edges(data=True) if d.get("via_saml")]
    assert saml and {d["mfa"] for d in saml} == {"delegated"}
    lines = to_dot_bytes(graph).decode().splitlines()
    dot = [line for line in lines if " -> " in line and ":saml-provider/" in line.split(" -> ")[0]]
    assert dot and all('label="delegated (SAML)", color="purple"' in line for line in dot)


def test_dot_lines_match_graph_size(graph: AccessGraph) -> None:
    lines = to_dot_bytes(graph).decode().splitlines()
    assert sum(" -> " in line for line in lines) == graph.number_of_edges()
    assert sum(line.startswith('  "') and " -> " not in line for line in lines) == graph.graph.number_of_nodes()
