"""The graph files stay well-formed and readable whatever characters the evidence holds.

XML 1.0 cannot hold C0 controls other than tab and line breaks, lone surrogates, U+FFFE or U+FFFF,
not even as character references: a role named ``Ops\\x01`` made graph.graphml a document no XML
parser (ElementTree, networkx, Gephi) would open. Those are written as ``[U+0001]``; everything
XML can hold (bidi characters, CR) is kept exactly.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from analyzer.graph.access import AccessGraph, AssumeEdge, EdgeKind, MfaStatus, NodeKind
from analyzer.graph.export import resolve, to_dot_bytes, to_graphml_bytes, to_json_bytes
from analyzer.model.evidence import EvidenceRef
from analyzer.report.graph_export import render_graph, write_graph_files

HOSTILE_ROLE = "arn:aws:iam::222222222222:role/Ops\x01\x1b[2J\u202eevil\r\n\ufffe\ud800"
SHOWN_ROLE = "arn:aws:iam::222222222222:role/Ops[U+0001][U+001B][2J\u202eevil\r\n[U+FFFE][U+D800]"
USER = "arn:aws:iam::111111111111:user/alice\x0b"
SHOWN_USER = "arn:aws:iam::111111111111:user/alice[U+000B]"


def hostile_graph() -> AccessGraph:
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.add_node(HOSTILE_ROLE, kind=NodeKind.ROLE, account="222222222222", label="Ops\x01\u202e\ud800")
    g.add_node(USER, kind=NodeKind.USER, account="111111111111", label="alice\x0b")
    info = AssumeEdge(
        source=USER,
        target=HOSTILE_ROLE,
        mfa=MfaStatus.ABSENT,
        conditional=('{"StringEquals": {"sts:ExternalId": "x\x02<&>"}}',),
        evidence=(EvidenceRef("222222222222/iam/get-account-authorization-details.json", "/RoleDetailList/0"),),
        reason="trust\x1f allows\r",
    )
    g.add_edge(USER, HOSTILE_ROLE, key="can_assume", kind=EdgeKind.CAN_ASSUME, info=info)
    return AccessGraph(g)


def test_graphml_parses_with_elementtree_and_networkx() -> None:
    data = to_graphml_bytes(hostile_graph())
    root = ET.fromstring(data)  # raised "not well-formed (invalid token)" before
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    assert {n.get("id") for n in root.iter(f"{ns}node")} == {"n0", "n1"}
    back = resolve(nx.read_graphml(io.BytesIO(data), force_multigraph=True))
    assert set(back.nodes) == {SHOWN_ROLE, SHOWN_USER}
    assert back.nodes[SHOWN_ROLE]["label"] == "Ops[U+0001]\u202e[U+D800]"
    ((_, _, edge),) = back.edges(data=True)
    # the texts table is ASCII JSON: what XML cannot hold is kept exactly there, a CR too
    assert edge["reason"] == "trust\x1f allows\r"
    assert edge["conditional"] == ['{"StringEquals": {"sts:ExternalId": "x\x02<&>"}}']


def test_graph_json_keeps_every_string_exactly_even_a_lone_surrogate() -> None:
    data = to_json_bytes(hostile_graph())
    data.decode("utf-8")  # strict UTF-8: the surrogate is written as its JSON escape
    document = json.loads(data)
    assert {n["name"] for n in document["nodes"]} == {HOSTILE_ROLE, USER}
    assert b"\\ud800" in data


def test_dot_is_written() -> None:
    data = to_dot_bytes(hostile_graph())
    assert b"\\ud800" in data and data.decode("utf-8")


def test_the_report_files_are_the_same_bytes_written_or_rendered(tmp_path: Path) -> None:
    graph = hostile_graph()
    names = write_graph_files(graph, tmp_path)
    rendered = render_graph(graph)
    assert {name: (tmp_path / name).read_bytes() for name in names} == rendered
    ET.parse(tmp_path / "graph.graphml")


@pytest.mark.parametrize("char", ["\x00", "\x08", "\x0c", "\x1f", "\udfff", "\uffff"])
def test_every_character_xml_cannot_hold_is_shown_by_its_code_point(char: str) -> None:
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.add_node(f"n{char}", kind=NodeKind.ROLE, label=char)
    ET.fromstring(to_graphml_bytes(g))  # well-formed
    back = resolve(nx.read_graphml(io.BytesIO(to_graphml_bytes(g))))
    assert set(back.nodes) == {f"n[U+{ord(char):04X}]"}
