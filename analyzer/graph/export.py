"""Serialize the access graph: GraphML (Gephi, Neo4j import), node-link JSON, Graphviz DOT.

All three are deterministic: nodes sorted by key, edges by (source, target, key), attributes by
name. GraphML wants scalar attributes, so every value becomes a string there: an edge's
:class:`~analyzer.graph.access.AssumeEdge` is flattened into ``mfa``, ``mfa_by``, ``conditional``,
``evidence``, ``reason`` and ``via_saml``; sequences are joined with ``" | "``, booleans are
``"true"``/``"false"``. JSON keeps lists and booleans. DOT is written here (no pydot/pygraphviz).
"""

from __future__ import annotations

import enum
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import networkx as nx

from analyzer.graph.access import AccessGraph, AssumeEdge, EdgeKind, MfaStatus, NodeKind
from analyzer.model.evidence import EvidenceRef

JOIN = " | "

GraphLike = AccessGraph | nx.MultiDiGraph  # type: ignore[type-arg]


def _graph(graph: GraphLike) -> nx.MultiDiGraph[str]:
    return graph.graph if isinstance(graph, AccessGraph) else graph


def _plain(value: Any) -> Any:
    """A JSON-friendly value: enums by value, refs as text, tuples as lists."""
    if type(value) is str:  # the common case first: most attributes are plain text
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, EvidenceRef):
        return str(value)
    if isinstance(value, (tuple, list, frozenset, set)):
        items = [_plain(v) for v in value]
        return sorted(items) if isinstance(value, (frozenset, set)) else items
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return str(value)


def assume_record(info: AssumeEdge) -> dict[str, Any]:
    """An :class:`AssumeEdge` as plain fields (without source/target, which the edge already has)."""
    return {
        "mfa": info.mfa.value,
        "mfa_by": list(info.mfa_by),
        "conditional": list(info.conditional),
        "evidence": [str(e) for e in info.evidence],
        "reason": info.reason,
        "via_saml": info.via_saml,
    }


def _edge_record(data: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: _plain(v) for k, v in data.items() if k != "info"}
    info = data.get("info")
    if isinstance(info, AssumeEdge):
        out.update(assume_record(info))
    return dict(sorted(out.items()))


def _node_record(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in sorted(data.items())}


Edge = tuple[str, str, str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class GraphRecords:
    """The graph as plain, sorted records: what every serializer writes, computed once for all of them.

    ``graph``: the graph's attributes by name; ``nodes``: (key, attributes) by key; ``edges``:
    (source, target, edge key, attributes) by (source, target, key). Attribute values are JSON
    values (text, booleans, numbers, lists), attributes sorted by name.
    """

    graph: dict[str, Any]
    nodes: list[tuple[str, dict[str, Any]]]
    edges: list[Edge]


def graph_records(graph: GraphLike) -> GraphRecords:
    g = _graph(graph)
    attributes = {k: _plain(v) for k, v in sorted(g.graph.items())}
    node_data = g.nodes
    nodes = [(node, _node_record(node_data[node])) for node in sorted(g.nodes)]
    return GraphRecords(attributes, nodes, _sorted_edges(g))


def _sorted_edges(graph: nx.MultiDiGraph[str]) -> list[Edge]:
    edges = [(u, v, str(k), _edge_record(d)) for u, v, k, d in graph.edges(keys=True, data=True)]
    edges.sort(key=lambda e: (e[0], e[1], e[2]))
    return edges


def _string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return JOIN.join(_string(v) for v in value)
    return "" if value is None else str(value)


# -------------------------------------------------------------------------------------------- GraphML

_GRAPHML_ROOT = (
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">'
)


def _cdata(text: str) -> str:
    """Element text escaped as ElementTree escapes it."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _attrib(text: str) -> str:
    """An attribute value escaped as ElementTree escapes it (quotes and line breaks as references)."""
    text = _cdata(text)
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    if "\t" in text:
        text = text.replace("\t", "&#09;")
    return text


class _GraphMLKeys:
    """GraphML ``<key>`` ids in order of first use (``d0``, ``d1`` ...), as networkx numbers them."""

    def __init__(self, records: GraphRecords) -> None:
        self.ids: dict[tuple[str, str], str] = {}
        scoped = [("graph", records.graph)]
        scoped += [("node", record) for _, record in records.nodes]
        scoped += [("edge", record) for *_, record in records.edges]
        for scope, record in scoped:
            for name in record:
                if (name, scope) not in self.ids:
                    self.ids[(name, scope)] = f"d{len(self.ids)}"

    def data(self, scope: str, record: Mapping[str, Any], indent: str) -> Iterator[str]:
        ids = self.ids
        for name, value in record.items():
            key = ids[(name, scope)]
            text = _string(value)
            yield f'{indent}<data key="{key}">{_cdata(text)}</data>\n' if text else f'{indent}<data key="{key}" />\n'

    def declarations(self) -> Iterator[str]:
        """The ``<key>`` elements, newest first (networkx inserts each one at the top of the document)."""
        for (name, scope), key in reversed(self.ids.items()):
            yield f'  <key id="{key}" for="{scope}" attr.name="{_attrib(name)}" attr.type="string" />\n'


def _graphml_lines(records: GraphRecords) -> Iterator[str]:
    """The GraphML document, line by line (each line ends with its line break)."""
    keys = _GraphMLKeys(records)
    yield "<?xml version='1.0' encoding='utf-8'?>\n"
    yield _GRAPHML_ROOT + "\n"
    yield from keys.declarations()
    if not (records.graph or records.nodes or records.edges):
        yield '  <graph edgedefault="directed" />\n'
        yield "</graphml>\n"
        return
    yield '  <graph edgedefault="directed">\n'
    for node, record in records.nodes:
        if record:
            yield f'    <node id="{_attrib(node)}">\n'
            yield from keys.data("node", record, "      ")
            yield "    </node>\n"
        else:
            yield f'    <node id="{_attrib(node)}" />\n'
    for source, target, key, record in records.edges:
        opening = f'    <edge source="{_attrib(source)}" target="{_attrib(target)}" id="{_attrib(key)}"'
        if record:
            yield opening + ">\n"
            yield from keys.data("edge", record, "      ")
            yield "    </edge>\n"
        else:
            yield opening + " />\n"
    yield from keys.data("graph", records.graph, "    ")  # networkx puts the graph's data after the edges
    yield "  </graph>\n"
    yield "</graphml>\n"


def write_graphml(records: GraphRecords, handle: TextIO) -> None:
    """GraphML 1.0, every attribute a string, laid out as networkx's pretty-printing writer lays it out.

    Written line by line from the records instead of building an ElementTree of the whole graph
    (the same document networkx's ``write_graphml`` writes for the flattened graph, several times
    faster, and never the whole text in memory at once); ``networkx.read_graphml`` reads it back.
    ``handle``: a text file encoding UTF-8 with ``errors="xmlcharrefreplace"`` (see :func:`open_graphml`).
    """
    for chunk in _chunks(_graphml_lines(records)):
        handle.write(chunk)


def _chunks(lines: Iterable[str], size: int = 4096) -> Iterator[str]:
    """Lines joined a few thousand at a time: few writes, little memory."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def open_graphml(path: Path) -> TextIO:
    """A file to write GraphML into: UTF-8, characters UTF-8 cannot hold as XML references."""
    return path.open("w", encoding="utf-8", errors="xmlcharrefreplace", newline="")


def graphml_from_records(records: GraphRecords) -> bytes:
    buffer = io.StringIO()
    write_graphml(records, buffer)
    return buffer.getvalue().encode("utf-8", "xmlcharrefreplace")


def to_graphml_bytes(graph: GraphLike) -> bytes:
    return graphml_from_records(graph_records(graph))


# ----------------------------------------------------------------------------------------------- JSON


def _json_parts(records: GraphRecords) -> Iterator[str]:
    encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(", ", ": ")).encode
    head = json.dumps(records.graph, indent=2, sort_keys=True, ensure_ascii=False).replace("\n", "\n  ")
    yield f'{{\n  "directed": true,\n  "graph": {head},\n  "links": '
    yield from _array(encode({**record, "source": u, "target": v, "key": k}) for u, v, k, record in records.edges)
    yield ',\n  "multigraph": true,\n  "nodes": '
    yield from _array(encode({**record, "id": node}) for node, record in records.nodes)
    yield "\n}\n"


def _array(items: Iterable[str]) -> Iterator[str]:
    """A JSON array of already encoded items, one per line, at the second level of indentation."""
    first = True
    for item in items:
        yield ("[\n    " if first else ",\n    ") + item
        first = False
    yield "[]" if first else "\n  ]"


def write_json(records: GraphRecords, handle: TextIO) -> None:
    """networkx node-link data (``edges="links"``), sorted keys; one node or link per line.

    The document is the one ``nx.node_link_data`` gives for the graph; each node and link is written
    by the C JSON encoder on a line of its own (the indenting encoder is pure Python, several times
    slower on a large graph), the rest of the document indented as usual. ``handle``: UTF-8 text.
    """
    for chunk in _chunks(_json_parts(records)):
        handle.write(chunk)


def json_from_records(records: GraphRecords) -> bytes:
    buffer = io.StringIO()
    write_json(records, buffer)
    return buffer.getvalue().encode("utf-8")


def to_json_bytes(graph: GraphLike) -> bytes:
    return json_from_records(graph_records(graph))


# ---------------------------------------------------------------------------------------------- DOT

_SHAPES: Mapping[str, str] = {
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
_MFA_COLORS: Mapping[str, str] = {MfaStatus.ENFORCED: "darkgreen", MfaStatus.WEAK: "orange", MfaStatus.ABSENT: "red"}


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _attrs(pairs: Iterable[tuple[str, str]]) -> str:
    return "[" + ", ".join(f"{k}={_quote(v)}" for k, v in pairs) + "]"


def _dot_edge_style(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    kind = record.get("kind")
    if kind == EdgeKind.CAN_ASSUME:
        mfa = str(record.get("mfa", ""))
        label = mfa + (" (SAML)" if record.get("via_saml") else "")
        return [("label", label), ("color", _MFA_COLORS.get(mfa, "black"))]
    if kind == EdgeKind.TRUSTS:
        return [("style", "dotted"), ("color", "steelblue")]
    return [("style", "dashed"), ("color", "gray40")]


def to_dot_bytes(graph: GraphLike) -> bytes:
    g = _graph(graph)
    lines = ["digraph access {", '  graph [rankdir="LR"];', '  node [fontname="Helvetica"];']
    for node in sorted(g.nodes):
        data = g.nodes[node]
        kind = str(_plain(data.get("kind", "")))
        label = f"{data.get('label') or node}\n{kind}"
        pairs = [("label", label), ("shape", _SHAPES.get(kind, "box")), ("kind", kind)]
        lines.append(f"  {_quote(node)} {_attrs(pairs)};")
    for u, v, key, record in _sorted_edges(g):
        pairs = [("kind", str(record.get("kind", ""))), ("key", key), *_dot_edge_style(record)]
        lines.append(f"  {_quote(u)} -> {_quote(v)} {_attrs(pairs)};")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")
