"""The graph files byte for byte, and read back against the graph itself (analyzer/graph/export.py).

A small graph with one edge of each kind is written exactly as README's "Reports" section describes
the compact form (``trustmap-graph/2``): the texts table in order of first use, nodes numbered in key
order, the edges' attributes sorted, empty values left to ``defaults``. The round trip is compared with
the graph as built (every node attribute, every ``AssumeEdge`` field), not with the exporter's own
records, so an attribute the exporter loses or changes is seen. DOT: each node kind's shape, each MFA
state's colour, the SAML mark.
"""

from __future__ import annotations

import enum
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from analyzer.graph.access import AccessGraph, AssumeEdge, EdgeKind, MfaStatus, NodeKind
from analyzer.graph.export import (
    FORMAT,
    graph_records,
    read_graph,
    resolve,
    to_dot_bytes,
    to_graphml_bytes,
    to_json_bytes,
    write_dot,
    write_graph_file,
    write_graphml,
    write_json,
)
from analyzer.model.evidence import EvidenceRef
from tests.graph.builders import build
from tests.graph.synthetic import synthetic_snapshot
from tests.graph.test_export_hostile_text import hostile_graph

U = "arn:aws:iam::111111111111:user/alice"
R = "arn:aws:iam::222222222222:role/Admin"
G = "arn:aws:iam::111111111111:group/Ops"
HOME_ACCOUNT = "111111111111"
GAAD = "111111111111/iam/get-account-authorization-details.json"
TRUST = EvidenceRef(
    "222222222222/iam/get-account-authorization-details.json", "/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0"
)


def tiny() -> AccessGraph:
    """alice in group Ops; role Admin trusts alice; alice may assume Admin with MFA enforced."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.graph.update(partition="aws", notes=["n1"], note="")
    g.add_node(U, kind=NodeKind.USER, account="111111111111", label="alice", unknown_grants=("policy X",))
    g.add_node(R, kind=NodeKind.ROLE, account="222222222222", label="Admin")
    g.add_node(G, kind=NodeKind.GROUP, account="111111111111", label="Ops")
    g.add_edge(U, G, key=EdgeKind.MEMBER_OF, kind=EdgeKind.MEMBER_OF)
    g.add_edge(
        R,
        U,
        key=f"trusts/Statement/0:AWS:{U}",
        kind=EdgeKind.TRUSTS,
        evidence=TRUST,
        sid="",
        conditions=(),
        principal_type="AWS",
        written=U,
        not_principal=False,
    )
    info = AssumeEdge(
        source=U,
        target=R,
        mfa=MfaStatus.ENFORCED,
        mfa_by=("identity", "trust"),
        evidence=(EvidenceRef(GAAD, "/UserDetailList/0"), TRUST),
        reason="alice may assume Admin; trust allows; MFA enforced",
    )
    g.add_edge(U, R, key=EdgeKind.CAN_ASSUME, kind=EdgeKind.CAN_ASSUME, info=info)
    return AccessGraph(g)


TEXTS = [
    "n1",
    "policy X",
    f"{GAAD}#/UserDetailList/0",
    str(TRUST),
    "identity",
    "trust",
    "alice may assume Admin",
    "trust allows",
    "MFA enforced",
]
DEFAULTS = {
    "edge": {
        "can_assume": {"conditional": [], "via_saml": False},
        "trusts": {"conditions": [], "not_principal": False, "sid": ""},
    },
    "node": {},
}

GRAPHML = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
    '<key id="d0" for="edge" attr.name="kind" attr.type="string"/>\n'
    '<key id="d1" for="edge" attr.name="evidence_ref" attr.type="string"/>\n'
    '<key id="d2" for="edge" attr.name="mfa" attr.type="string"/>\n'
    '<key id="d3" for="edge" attr.name="mfa_by_ref" attr.type="string"/>\n'
    '<key id="d4" for="edge" attr.name="reason_ref" attr.type="string"/>\n'
    '<key id="d5" for="edge" attr.name="evidence" attr.type="string"/>\n'
    '<key id="d6" for="edge" attr.name="key" attr.type="string"/>\n'
    '<key id="d7" for="edge" attr.name="principal_type" attr.type="string"/>\n'
    '<key id="d8" for="edge" attr.name="written" attr.type="string"/>\n'
    '<key id="d9" for="node" attr.name="name" attr.type="string"/>\n'
    '<key id="d10" for="node" attr.name="account" attr.type="string"/>\n'
    '<key id="d11" for="node" attr.name="kind" attr.type="string"/>\n'
    '<key id="d12" for="node" attr.name="label" attr.type="string"/>\n'
    '<key id="d13" for="node" attr.name="unknown_grants_ref" attr.type="string"/>\n'
    '<key id="d14" for="graph" attr.name="defaults" attr.type="string"/>\n'
    '<key id="d15" for="graph" attr.name="format" attr.type="string"/>\n'
    '<key id="d16" for="graph" attr.name="texts" attr.type="string"/>\n'
    '<key id="d17" for="graph" attr.name="note" attr.type="string"/>\n'
    '<key id="d18" for="graph" attr.name="notes_ref" attr.type="string"/>\n'
    '<key id="d19" for="graph" attr.name="partition" attr.type="string"/>\n'
    '<graph edgedefault="directed">\n'
    f'<data key="d14">{json.dumps(DEFAULTS, separators=(",", ":"), sort_keys=True)}</data>'
    '<data key="d15">trustmap-graph/2</data>'
    f'<data key="d16">{json.dumps(TEXTS, separators=(",", ":"))}</data>'
    '<data key="d17"/><data key="d18">0</data><data key="d19">aws</data>\n'
    f'<node id="n0"><data key="d9">{G}</data><data key="d10">111111111111</data>'
    '<data key="d11">group</data><data key="d12">Ops</data></node>\n'
    f'<node id="n1"><data key="d9">{U}</data><data key="d10">111111111111</data>'
    '<data key="d11">user</data><data key="d12">alice</data><data key="d13">1</data></node>\n'
    f'<node id="n2"><data key="d9">{R}</data><data key="d10">222222222222</data>'
    '<data key="d11">role</data><data key="d12">Admin</data></node>\n'
    '<edge source="n1" target="n0"><data key="d0">member_of</data></edge>\n'
    '<edge source="n1" target="n2"><data key="d1">2 3</data><data key="d0">can_assume</data>'
    '<data key="d2">enforced</data><data key="d3">4 5</data><data key="d4">6 7 8</data></edge>\n'
    f'<edge source="n2" target="n1"><data key="d5">{TRUST}</data><data key="d6">trusts/Statement/0:AWS:{U}</data>'
    f'<data key="d0">trusts</data><data key="d7">AWS</data><data key="d8">{U}</data></edge>\n'
    "</graph>\n"
    "</graphml>\n"
)


def _json_lines() -> str:
    graph = {"defaults": DEFAULTS, "format": FORMAT, "note": "", "notes_ref": [0], "partition": "aws", "texts": TEXTS}
    head = json.dumps(graph, indent=1, sort_keys=True).replace("\n", "\n ")
    links = [
        {"kind": "member_of", "source": "n1", "target": "n0"},
        {
            "evidence_ref": [2, 3],
            "kind": "can_assume",
            "mfa": "enforced",
            "mfa_by_ref": [4, 5],
            "reason_ref": [6, 7, 8],
            "source": "n1",
            "target": "n2",
        },
        {
            "evidence": str(TRUST),
            "key": f"trusts/Statement/0:AWS:{U}",
            "kind": "trusts",
            "principal_type": "AWS",
            "source": "n2",
            "target": "n1",
            "written": U,
        },
    ]
    nodes = [
        {"account": "111111111111", "id": "n0", "kind": "group", "label": "Ops", "name": G},
        {"account": "111111111111", "id": "n1", "kind": "user", "label": "alice", "name": U, "unknown_grants_ref": [1]},
        {"account": "222222222222", "id": "n2", "kind": "role", "label": "Admin", "name": R},
    ]

    def lines(items: list[dict[str, Any]]) -> str:
        return ",\n".join(json.dumps(item, separators=(",", ":"), sort_keys=True) for item in items)

    return (
        f'{{\n "directed": true,\n "graph": {head},\n "links": [\n{lines(links)}\n ],\n'
        f' "multigraph": true,\n "nodes": [\n{lines(nodes)}\n ]\n}}\n'
    )


DOT = (
    "digraph access {\n"
    '  graph [rankdir="LR"];\n'
    '  node [fontname="Helvetica"];\n'
    f'  "{G}" [label="Ops\\ngroup", shape="folder", kind="group"];\n'
    f'  "{U}" [label="alice\\nuser", shape="ellipse", kind="user"];\n'
    f'  "{R}" [label="Admin\\nrole", shape="box", kind="role"];\n'
    f'  "{U}" -> "{G}" [kind="member_of", key="member_of", style="dashed", color="gray40"];\n'
    f'  "{U}" -> "{R}" [kind="can_assume", key="can_assume", label="enforced", color="darkgreen"];\n'
    f'  "{R}" -> "{U}" [kind="trusts", key="trusts/Statement/0:AWS:{U}", style="dotted", color="steelblue"];\n'
    "}\n"
)


def test_graphml_byte_for_byte() -> None:
    assert to_graphml_bytes(tiny()).decode() == GRAPHML


def test_json_byte_for_byte() -> None:
    assert to_json_bytes(tiny()).decode() == _json_lines()


def test_dot_byte_for_byte() -> None:
    assert to_dot_bytes(tiny()).decode() == DOT


FILES = [("graphml", to_graphml_bytes), ("json", to_json_bytes), ("dot", to_dot_bytes)]


@pytest.mark.parametrize(("fmt", "export"), FILES)
@pytest.mark.parametrize("graph", [tiny, hostile_graph], ids=["tiny", "hostile"])
def test_a_graph_file_holds_the_bytes_of_its_format(tmp_path: Path, fmt: str, export: Any, graph: Any) -> None:
    path = tmp_path / f"graph.{fmt}"
    write_graph_file(graph(), fmt, path)
    assert path.read_bytes() == export(graph())


def test_an_unknown_graph_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^unknown graph format 'gml'$"):
        write_graph_file(tiny(), "gml", tmp_path / "graph.gml")


# ------------------------------------------------------------------------- against the graph itself


def _plain(value: Any) -> Any:
    """What a value reads back as: an enum's value, a reference's text, a sequence as a list."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, EvidenceRef):
        return str(value)
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, dict):  # no JSON value of its own: its text
        return str(value)
    return value


def _as_built(graph: AccessGraph) -> nx.MultiDiGraph[str]:
    """The graph as built, each ``can_assume`` edge's :class:`AssumeEdge` as its six fields."""
    out: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    out.graph.update({k: _plain(v) for k, v in graph.graph.graph.items()})
    for node, data in graph.graph.nodes(data=True):
        out.add_node(node, **{k: _plain(v) for k, v in data.items()})
    for source, target, key, data in graph.graph.edges(keys=True, data=True):
        out.add_edge(source, target, key=str(key), **{k: _plain(v) for k, v in data.items()})
    for edge in graph.assume_edges():
        fields = {
            "kind": "can_assume",
            "mfa": edge.mfa.value,
            "mfa_by": list(edge.mfa_by),
            "conditional": list(edge.conditional),
            "evidence": [str(e) for e in edge.evidence],
            "reason": edge.reason,
            "via_saml": edge.via_saml,
        }
        out.add_edge(edge.source, edge.target, key="can_assume", **fields)
    return out


def _canonical(g: nx.MultiDiGraph[str]) -> tuple[object, ...]:
    nodes = sorted((n, sorted(d.items())) for n, d in g.nodes(data=True))
    edges = sorted((u, v, k, sorted(d.items())) for u, v, k, d in g.edges(keys=True, data=True))
    return dict(g.graph), nodes, edges


def typed() -> AccessGraph:
    """Attributes of every type a reader tells apart (and one whose values differ in type)."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    tags = frozenset(f"tag-{i}" for i in range(12))  # written sorted, whatever the set's order
    g.graph.update(partition="aws", roles=3, share=0.5, complete=True, tags=tags, other={"a": 1})
    g.add_node(R, kind=NodeKind.ROLE, label="Admin", index=0, weight=1.5, in_evidence=True, via=("y", "x"))
    g.add_node(U, kind=NodeKind.USER, label="", index=7, weight=0.0, in_evidence=False, via=())
    info = AssumeEdge(source=U, target=R, mfa=MfaStatus.DELEGATED, mfa_by=("identity-provider",), via_saml=True)
    g.add_edge(U, R, key=EdgeKind.CAN_ASSUME, kind=EdgeKind.CAN_ASSUME, info=info)
    g.add_edge(R, U, key="custom", kind=EdgeKind.TRUSTS, conditions=("c",), not_principal=True, sid="S1")
    g.add_edge(U, R, key="trusts/x", kind=EdgeKind.TRUSTS, conditions=(), not_principal=False, sid="")
    return AccessGraph(g)


def _synthetic() -> AccessGraph:
    return build(synthetic_snapshot(accounts=2, roles=5, users=3, groups=2))[0]


NS = "{http://graphml.graphdrawing.org/xmlns}"

GRAPHS = {"tiny": tiny, "typed": typed, "synthetic": _synthetic}


@pytest.mark.parametrize("name", sorted(GRAPHS))
@pytest.mark.parametrize("fmt", ["graphml", "json"])
def test_a_graph_file_reads_back_as_the_graph_as_built(tmp_path: Path, name: str, fmt: str) -> None:
    graph = GRAPHS[name]()
    path = tmp_path / f"graph.{fmt}"
    write_graph_file(graph, fmt, path)
    back = read_graph(path)
    assert _canonical(back) == _canonical(_as_built(graph))
    if name == "typed":  # each value comes back with its own type (GraphML: the key's attr.type)
        for node in (R, U):
            data = back.nodes[node]
            assert [type(data[k]) for k in ("index", "weight", "in_evidence")] == [int, float, bool]
        assert [type(back.graph[k]) for k in ("roles", "share", "complete")] == [int, float, bool]
        links = json.loads(to_json_bytes(graph))["links"]  # by source, target, then key
        assert [(link["source"], link["target"], link.get("key", link["kind"])) for link in links] == [
            ("n0", "n1", "can_assume"),  # U -> R: the can_assume edge (from the store) before trusts/x
            ("n0", "n1", "trusts/x"),
            ("n1", "n0", "custom"),
        ]


def test_resolve_reads_networkx_s_own_readers_output() -> None:
    graph = tiny()
    from_graphml = resolve(nx.read_graphml(io.BytesIO(to_graphml_bytes(graph)), force_multigraph=True))
    from_json = resolve(nx.node_link_graph(json.loads(to_json_bytes(graph)), edges="links"))
    assert _canonical(from_graphml) == _canonical(from_json) == _canonical(_as_built(graph))


# ------------------------------------------------------------------------------------------- DOT


def test_dot_draws_each_node_kind_and_each_mfa_state_its_own_way() -> None:
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    shapes = {
        NodeKind.ACCOUNT: "box3d",
        NodeKind.USER: "ellipse",
        NodeKind.GROUP: "folder",
        NodeKind.ROLE: "box",
        NodeKind.SAML_PROVIDER: "cds",
        NodeKind.OIDC_PROVIDER: "cds",
        NodeKind.EXTERNAL_ACCOUNT: "doubleoctagon",
        NodeKind.SERVICE: "component",
        NodeKind.ANYONE: "star",
        NodeKind.DELETED_PRINCIPAL: "octagon",
    }
    for kind in NodeKind:
        g.add_node(f"{kind.value}-node", kind=kind, label="")
    g.add_node("no-kind")
    g.add_edge("no-kind", "role-node", key="plain")  # an edge without attributes
    colours = {"enforced": "darkgreen", "delegated": "purple", "weak": "orange", "absent": "red"}
    for mfa in MfaStatus:
        target = f"role-{mfa.value}"
        g.add_node(target, kind=NodeKind.ROLE, label=mfa.value)
        info = AssumeEdge(source="user-node", target=target, mfa=mfa, via_saml=mfa is MfaStatus.DELEGATED)
        g.add_edge("user-node", target, key=EdgeKind.CAN_ASSUME, kind=EdgeKind.CAN_ASSUME, info=info)
    lines = to_dot_bytes(AccessGraph(g)).decode().splitlines()
    for kind, shape in shapes.items():
        node = f"{kind.value}-node"
        assert f'  "{node}" [label="{node}\\n{kind.value}", shape="{shape}", kind="{kind.value}"];' in lines
    assert '  "no-kind" [label="no-kind\\n", shape="box", kind=""];' in lines
    assert '  "no-kind" -> "role-node" [kind="", key="plain", style="dashed", color="gray40"];' in lines
    for mfa, colour in colours.items():
        label = f"{mfa} (SAML)" if mfa == "delegated" else mfa
        assert (
            f'  "user-node" -> "role-{mfa}" [kind="can_assume", key="can_assume", label="{label}", color="{colour}"];'
            in lines
        )


# ------------------------------------------------------------------------------ what XML cannot hold


def test_graphml_booleans_are_xml_schema_booleans() -> None:
    """``true``/``false`` in lower case (XML Schema's boolean; Gephi and Neo4j read no other case). A
    ``false`` is written where its kind has no default for it (a role without the attribute)."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.graph["complete"] = True
    g.add_node(R, kind=NodeKind.ROLE, in_evidence=False)
    g.add_node(U, kind=NodeKind.ROLE, in_evidence=True)
    g.add_node(G, kind=NodeKind.ROLE)
    root = ET.fromstring(to_graphml_bytes(g))
    names = {key.get("id"): (key.get("attr.name"), key.get("attr.type")) for key in root.iter(f"{NS}key")}
    written = sorted(
        (names[d.get("key")], d.text) for d in root.iter(f"{NS}data") if names[d.get("key")][1] == "boolean"
    )
    assert written == [
        (("complete", "boolean"), "true"),
        (("in_evidence", "boolean"), "false"),
        (("in_evidence", "boolean"), "true"),
    ]


def test_the_texts_table_keeps_every_character_even_those_xml_cannot_hold() -> None:
    """The table is ASCII JSON in GraphML: a lone surrogate or a right-to-left override in a reason or
    an evidence pointer comes back exactly (element text would show it as ``[U+D800]``)."""
    reason = "trust allows \ud800\u202e"
    ref = EvidenceRef(GAAD, "/RoleDetailList/0/RoleName/\u00e9\udfff")
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.add_node(U, kind=NodeKind.USER)
    g.add_node(R, kind=NodeKind.ROLE)
    info = AssumeEdge(source=U, target=R, mfa=MfaStatus.ABSENT, evidence=(ref,), reason=reason)
    g.add_edge(U, R, key=EdgeKind.CAN_ASSUME, kind=EdgeKind.CAN_ASSUME, info=info)
    data = to_graphml_bytes(g)
    data.decode("ascii")  # the table and every text here is ASCII
    back = resolve(nx.read_graphml(io.BytesIO(data), force_multigraph=True))
    assert back.edges[U, R, "can_assume"]["reason"] == reason
    assert back.edges[U, R, "can_assume"]["evidence"] == [str(ref)]


def test_the_files_are_utf8_whatever_the_locale(tmp_path: Path) -> None:
    """Written in this process, then by a Python whose locale is ASCII (C locale, no UTF-8 mode): the
    same bytes, those of :func:`to_graphml_bytes` ... (UTF-8; a lone surrogate as its escape)."""
    graph = hostile_graph()
    expected = {fmt: export(graph) for fmt, export in FILES}
    for fmt in expected:
        write_graph_file(graph, fmt, tmp_path / f"graph.{fmt}")
    assert {fmt: (tmp_path / f"graph.{fmt}").read_bytes() for fmt in expected} == expected
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    script = (
        "import locale, sys; from pathlib import Path\n"
        "from analyzer.graph.export import write_graph_file\n"
        "from tests.graph.test_export_hostile_text import hostile_graph\n"
        "assert locale.getpreferredencoding(False).lower() in ('ansi_x3.4-1968', 'ascii', 'us-ascii')\n"
        "for fmt in sys.argv[2:]:\n"
        "    write_graph_file(hostile_graph(), fmt, Path(sys.argv[1]) / ('ascii.' + fmt))\n"
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path), *expected], env=env, cwd=root, check=True)
    assert {fmt: (tmp_path / f"ascii.{fmt}").read_bytes() for fmt in expected} == expected


def test_a_value_without_a_graphml_type_is_text_and_a_null_is_empty() -> None:
    """A key whose values differ in type is ``string`` (each value its text); ``None`` is empty text
    (GraphML has no null; JSON keeps it)."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.add_node(R, kind=NodeKind.ROLE, index=7, account=None)
    g.add_node(U, kind=NodeKind.USER, index="x")
    root = ET.fromstring(to_graphml_bytes(g))
    keys = {key.get("attr.name"): key for key in root.iter(f"{NS}key") if key.get("for") == "node"}
    assert keys["index"].get("attr.type") == "string"
    (role,) = [n for n in root.iter(f"{NS}node") if n.get("id") == "n1"]  # nodes by key: U (n0), R (n1)
    values = {d.get("key"): d.text for d in role}
    assert values[keys["account"].get("id")] is None  # <data key="dN"/>
    back = resolve(nx.read_graphml(io.BytesIO(to_graphml_bytes(g)), force_multigraph=True))
    assert (back.nodes[R]["index"], back.nodes[U]["index"], back.nodes[R]["account"]) == ("7", "x", "")
    document = json.loads(to_json_bytes(g))
    assert [(n["name"], n["account"]) for n in document["nodes"] if "account" in n] == [(R, None)]


def test_attribute_names_are_escaped_in_the_key_declarations() -> None:
    name = 'odd "name"\twith\nbreaks & <marks>'
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.add_node(R, kind=NodeKind.ROLE, **{name: "v"})
    data = to_graphml_bytes(g)
    assert b'attr.name="odd &quot;name&quot;&#09;with&#10;breaks &amp; &lt;marks&gt;"' in data
    back = resolve(nx.read_graphml(io.BytesIO(data), force_multigraph=True))
    assert back.nodes[R][name] == "v"


class _Writes(io.StringIO):
    """A text file that keeps each write."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return super().write(text)


def test_the_files_are_written_a_few_thousand_lines_at_a_time() -> None:
    """5,000 nodes: never the whole text in one write (at most 4,096 elements or lines at once)."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for i in range(5000):
        g.add_node(f"arn:aws:iam::{HOME_ACCOUNT}:role/r{i:04d}", kind=NodeKind.ROLE, label=f"r{i:04d}")
    graph = AccessGraph(g)
    for write, expected in ((write_graphml, to_graphml_bytes), (write_json, to_json_bytes), (write_dot, to_dot_bytes)):
        handle = _Writes()
        write(graph_records(graph) if write is not write_dot else graph, handle)  # type: ignore[operator]
        assert handle.getvalue().encode("utf-8") == expected(graph)
        if write is write_json:
            assert len(json.loads(handle.getvalue())["nodes"]) == 5000
        lines = [part.count("\n") for part in handle.parts]
        assert sum(lines) > 5000 and max(lines) <= 4096, write.__name__


def test_a_graph_of_the_format_without_tables_resolves_as_written() -> None:
    """No ``texts`` or ``defaults`` table (nothing referenced, nothing left out): the attributes as
    they are; a node without ``name`` keeps its id; the graph's own ``kind`` takes no defaults."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.graph.update(format=FORMAT, kind="role", partition="aws")
    g.add_node("n0", name=R, kind="role", label="Admin")
    g.add_node("n1", kind="user")
    g.add_edge("n1", "n0", key="k", kind="can_assume", mfa="absent")
    back = resolve(g)
    assert back.graph == {"kind": "role", "partition": "aws"}
    assert dict(back.nodes(data=True)) == {R: {"kind": "role", "label": "Admin"}, "n1": {"kind": "user"}}
    assert list(back.edges(keys=True, data=True)) == [("n1", R, "k", {"kind": "can_assume", "mfa": "absent"})]


def test_json_writes_characters_as_they_are() -> None:
    """UTF-8, not ``\\u`` escapes: a label (a node's line) and a reason (the texts table, in the head)."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.add_node(U, kind=NodeKind.USER, label="José")
    g.add_node(R, kind=NodeKind.ROLE, label="Admin")
    info = AssumeEdge(source=U, target=R, mfa=MfaStatus.ABSENT, reason="trust names José ✓")
    g.add_edge(U, R, key=EdgeKind.CAN_ASSUME, kind=EdgeKind.CAN_ASSUME, info=info)
    data = to_json_bytes(g)
    assert '"label":"José"'.encode() in data and '"trust names José ✓"'.encode() in data
