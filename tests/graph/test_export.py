"""GraphML / node-link JSON / DOT serialization of the access graph (analyzer/graph/export.py)."""

from __future__ import annotations

import io
import json

import networkx as nx
import pytest

from analyzer.graph.access import AccessGraph, EdgeKind, MfaStatus, NodeKind
from analyzer.graph.export import to_dot_bytes, to_graphml_bytes, to_json_bytes
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


def test_graphml_reads_back_with_flat_string_attributes(graph: AccessGraph) -> None:
    back = nx.read_graphml(io.BytesIO(to_graphml_bytes(graph)), force_multigraph=True)
    assert sorted(back.nodes) == sorted(graph.graph.nodes)
    assert back.number_of_edges() == graph.graph.number_of_edges()
    for _, _, data in back.edges(data=True):
        assert all(isinstance(v, str) for v in data.values())
    assumes = [d for _, _, d in back.edges(data=True) if d["kind"] == EdgeKind.CAN_ASSUME]
    assert {d["mfa"] for d in assumes} == {e.mfa.value for e in graph.assume_edges()}
    saml = [d for d in assumes if d["via_saml"] == "true"]
    assert saml and all(d["mfa_by"] == "identity-provider" and d["mfa"] == "delegated" for d in saml)
    # users' hops are enforced by both their deny-without-MFA guard and the trust: a list joined with " | "
    user_hops = [d for u, _, d in back.edges(data=True) if ":user/" in u and d["kind"] == EdgeKind.CAN_ASSUME]
    assert user_hops and all(d["mfa_by"] == "identity | trust" for d in user_hops)


def test_json_is_node_link_data_with_lists(graph: AccessGraph) -> None:
    data = json.loads(to_json_bytes(graph))
    back = nx.node_link_graph(data, edges="links", multigraph=True, directed=True)
    assert back.number_of_edges() == graph.graph.number_of_edges()
    assert data["nodes"] == sorted(data["nodes"], key=lambda n: n["id"])
    enforced = [link for link in data["links"] if link.get("mfa") == MfaStatus.ENFORCED.value]
    assert enforced and all(isinstance(link["mfa_by"], list) for link in enforced)
    kinds = {n["kind"] for n in data["nodes"]}
    assert {NodeKind.USER.value, NodeKind.ROLE.value, NodeKind.SAML_PROVIDER.value} <= kinds


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
    data = json.loads(to_json_bytes(graph))
    saml = [link for link in data["links"] if link.get("via_saml")]
    assert saml and {link["mfa"] for link in saml} == {"delegated"}
    lines = to_dot_bytes(graph).decode().splitlines()
    dot = [line for line in lines if " -> " in line and ":saml-provider/" in line.split(" -> ")[0]]
    assert dot and all('label="delegated (SAML)", color="purple"' in line for line in dot)


def test_dot_lines_match_graph_size(graph: AccessGraph) -> None:
    lines = to_dot_bytes(graph).decode().splitlines()
    assert sum(" -> " in line for line in lines) == graph.graph.number_of_edges()
    assert sum(line.startswith('  "') and " -> " not in line for line in lines) == graph.graph.number_of_nodes()
