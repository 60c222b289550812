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
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any, TextIO

import networkx as nx

from analyzer.graph.access import AccessGraph, AssumeEdge, EdgeKind, MfaStatus, NodeKind
from analyzer.graph.bounded import kept_edges, plan_cut
from analyzer.model.evidence import EvidenceRef
from analyzer.text import xml_safe

JOIN = " | "

GraphLike = AccessGraph | nx.MultiDiGraph  # type: ignore[type-arg]


def _graph(graph: GraphLike) -> nx.MultiDiGraph[str]:
    return graph.graph if isinstance(graph, AccessGraph) else graph


#: Attribute values that are JSON values already (everything else goes through :func:`_plain`).
_SCALARS = frozenset({str, bool, int, float, type(None)})


def _plain(value: Any) -> Any:
    """A JSON-friendly value: enums by value, refs as text, tuples as lists."""
    if type(value) in _SCALARS:
        return value
    if isinstance(value, enum.Enum):
        return value._value_  # the stored value (``.value`` is a property: a Python call per member)
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
        "mfa": info.mfa._value_,
        "mfa_by": list(info.mfa_by),
        "conditional": list(info.conditional),
        "evidence": [str(e) for e in info.evidence],
        "reason": info.reason,
        "via_saml": info.via_saml,
    }


def _edge_record(data: Mapping[str, Any]) -> dict[str, Any]:
    # most values are text already: tested inline, without a call for each
    out = {k: v if type(v) in _SCALARS else _plain(v) for k, v in data.items() if k != "info"}
    info = data.get("info")
    if isinstance(info, AssumeEdge):
        out.update(assume_record(info))
    return dict(sorted(out.items()))


def _node_record(data: Mapping[str, Any], not_written: int | None = None) -> dict[str, Any]:
    if not_written is not None:
        data = {**data, "can_assume_not_written": not_written}
    return {k: v if type(v) in _SCALARS else _plain(v) for k, v in sorted(data.items())}


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


def graph_records(graph: GraphLike, *, bounded: bool = False) -> GraphRecords:
    """The graph as records. ``bounded``: as the report writes it, cut to a size a reader can use when
    the graph is dense (see :mod:`analyzer.graph.bounded`), with what was left out said in the
    graph's and the cut callers' attributes."""
    g = _graph(graph)
    cut = plan_cut(g) if bounded else None
    if cut is None:
        edges = _sorted_edges(g.edges(keys=True, data=True))
        lost: dict[str, int] = {}
        extra: dict[str, Any] = {}
    else:
        kept, lost = kept_edges(g, cut)
        edges = _sorted_edges(kept)
        extra = {
            "can_assume_edges": cut.total,
            "can_assume_edges_written": cut.written,
            "can_assume_edges_note": cut.note,
        }
    attributes = {k: _plain(v) for k, v in sorted({**g.graph, **extra}.items())}
    node_data = g.nodes
    nodes = [(node, _node_record(node_data[node], lost.get(node))) for node in sorted(g.nodes)]
    return GraphRecords(attributes, nodes, edges)


def _sorted_edges(items: Iterable[tuple[str, str, Any, Mapping[str, Any]]]) -> list[Edge]:
    edges = [(u, v, str(k), _edge_record(d)) for u, v, k, d in items]
    edges.sort(key=itemgetter(0, 1, 2))
    return edges


def _batches(items: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _chunks(parts: Iterable[str], size: int = 4096) -> Iterator[str]:
    """Parts (lines, whole elements) joined a few thousand at a time: few writes, bounded memory."""
    return map("".join, _batches(parts, size))


# -------------------------------------------------------------------------------------------- GraphML

_GRAPHML_ROOT = (
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">'
)


def _text(value: Any) -> str:
    """A record value as GraphML text: lists joined with " | ", booleans as ``true``/``false``."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is list:
        try:
            return JOIN.join(value)  # a list of text, the usual case: joined in one call
        except TypeError:
            return JOIN.join(map(_text, value))
    return "" if value is None else str(value)


#: What element text or an attribute value cannot hold as it is: markup, and what XML 1.0 cannot
#: represent at all (see :func:`analyzer.text.xml_safe`); a CR, which a parser would read as LF.
_NOT_PLAIN = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _cdata(text: str) -> str:
    """Element text escaped as ElementTree escapes it, and always well-formed: what XML 1.0 cannot
    hold (controls, lone surrogates: evidence is untrusted) shown as ``[U+0001]``, a CR kept as
    ``&#13;`` (a parser reads a raw one as a line feed)."""
    text = xml_safe(text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
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


class _AttributeText(dict[str, str]):
    """Node ids and edge keys escaped for an attribute, each distinct one once (a node is the source
    or target of many edges; most edge keys are an edge kind)."""

    def __missing__(self, text: str) -> str:
        escaped = self[text] = _attrib(text)
        return escaped


Shape = tuple[tuple[str, ...], tuple[bool, ...]]


class _Templates(dict[Shape, str]):
    """``%``-templates of one kind of element (node, edge, the graph), one per shape: the record's
    attribute names and which of its values are not empty. The opening tag's values come first,
    then one ``<data>`` line per attribute: ``<data key="d3">text</data>``, or ``<data key="d3" />``
    when the value is empty (there ``%.0s`` takes the empty text and writes nothing)."""

    def __init__(self, ids: Mapping[str, str], opening: str, closing: str, empty: str, indent: str) -> None:
        super().__init__()
        self.ids, self.opening, self.closing, self.empty, self.indent = ids, opening, closing, empty, indent

    def __missing__(self, shape: Shape) -> str:
        names, filled = shape
        if not names:
            template = self.empty
        else:
            lines = "".join(
                f'{self.indent}<data key="{self.ids[name]}">%s</data>\n'
                if full
                else f'%.0s{self.indent}<data key="{self.ids[name]}" />\n'
                for name, full in zip(names, filled, strict=True)
            )
            template = self.opening + lines + self.closing
        self[shape] = template
        return template


class _GraphMLKeys:
    """GraphML ``<key>`` ids in order of first use (``d0``, ``d1`` ...), as networkx numbers them."""

    def __init__(self, records: GraphRecords) -> None:
        self.ids: dict[tuple[str, str], str] = {}
        scoped: list[tuple[str, Iterable[Mapping[str, Any]]]] = [
            ("graph", [records.graph]),
            ("node", map(itemgetter(1), records.nodes)),
            ("edge", map(itemgetter(3), records.edges)),
        ]
        for scope, scope_records in scoped:
            for names in dict.fromkeys(map(tuple, scope_records)):  # each set of names once, in order
                for name in names:
                    if (name, scope) not in self.ids:
                        self.ids[(name, scope)] = f"d{len(self.ids)}"

    def in_scope(self, scope: str) -> dict[str, str]:
        return {name: key for (name, where), key in self.ids.items() if where == scope}

    def declarations(self) -> Iterator[str]:
        """The ``<key>`` elements, newest first (networkx inserts each one at the top of the document)."""
        for (name, scope), key in reversed(self.ids.items()):
            yield f'  <key id="{key}" for="{scope}" attr.name="{_attrib(name)}" attr.type="string" />\n'


def _texts(record: Mapping[str, Any]) -> list[str]:
    """A record's values as escaped GraphML text. Tested for markup once per record (they seldom
    hold any), not value by value."""
    texts = [v if type(v) is str else _text(v) for v in record.values()]
    if _NOT_PLAIN.search("".join(texts)):
        return [_cdata(text) for text in texts]
    return texts


def _elements(records: GraphRecords, keys: _GraphMLKeys) -> Iterator[str]:
    """The ``<node>`` and ``<edge>`` elements, one after the other, each filled into its template."""
    nodes = _Templates(
        keys.in_scope("node"), '    <node id="%s">\n', "    </node>\n", '    <node id="%s" />\n', "      "
    )
    edge_tag = '    <edge source="%s" target="%s" id="%s"'
    edges = _Templates(keys.in_scope("edge"), edge_tag + ">\n", "    </edge>\n", edge_tag + " />\n", "      ")
    attribute = _AttributeText()
    for node, record in records.nodes:
        texts = _texts(record)
        yield nodes[tuple(record), tuple(map(bool, texts))] % (attribute[node], *texts)
    for source, target, key, record in records.edges:
        texts = _texts(record)
        template = edges[tuple(record), tuple(map(bool, texts))]
        yield template % (attribute[source], attribute[target], attribute[key], *texts)


def _graphml_parts(records: GraphRecords) -> Iterator[str]:
    """The GraphML document in parts: the lines before the elements, the elements a few thousand at
    a time, the lines after."""
    keys = _GraphMLKeys(records)
    yield "<?xml version='1.0' encoding='utf-8'?>\n"
    yield _GRAPHML_ROOT + "\n"
    yield from keys.declarations()
    if not (records.graph or records.nodes or records.edges):
        yield '  <graph edgedefault="directed" />\n'
        yield "</graphml>\n"
        return
    yield '  <graph edgedefault="directed">\n'
    yield from _chunks(_elements(records, keys))
    graph = _Templates(keys.in_scope("graph"), "", "", "", "    ")
    texts = _texts(records.graph)  # networkx puts the graph's data after the edges
    yield graph[tuple(records.graph), tuple(map(bool, texts))] % tuple(texts)
    yield "  </graph>\n"
    yield "</graphml>\n"


def write_graphml(records: GraphRecords, handle: TextIO) -> None:
    """GraphML 1.0, every attribute a string, laid out as networkx's pretty-printing writer lays it out.

    Written element by element from the records instead of building an ElementTree of the whole
    graph (the same document networkx's ``write_graphml`` writes for the flattened graph, several
    times faster, and never the whole text in memory at once); ``networkx.read_graphml`` reads it
    back. ``handle``: a text file encoding UTF-8 with ``errors="xmlcharrefreplace"`` (see
    :func:`open_graphml`).
    """
    for part in _graphml_parts(records):
        handle.write(part)


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


def _array(items: Iterable[str], size: int = 4096) -> Iterator[str]:
    """A JSON array of already encoded items, one per line at the second level of indentation, in
    parts of a few thousand items."""
    separator = "[\n    "
    for batch in _batches(items, size):
        yield separator + ",\n    ".join(batch)
        separator = ",\n    "
    yield "[]" if separator == "[\n    " else "\n  ]"


#: How a lone surrogate (no character, and no UTF-8 can hold it) is written in JSON: ``\\ud800``, the
#: JSON escape a reader turns back into the same string. Surrogates only occur inside strings.
JSON_ERRORS = "backslashreplace"


def open_json(path: Path) -> TextIO:
    """A file to write JSON into: UTF-8, a lone surrogate as its JSON escape (see JSON_ERRORS)."""
    return path.open("w", encoding="utf-8", errors=JSON_ERRORS, newline="")


def write_json(records: GraphRecords, handle: TextIO) -> None:
    """networkx node-link data (``edges="links"``), sorted keys; one node or link per line.

    The document is the one ``nx.node_link_data`` gives for the graph; each node and link is written
    by the C JSON encoder on a line of its own (the indenting encoder is pure Python, several times
    slower on a large graph), the rest of the document indented as usual. ``handle``: UTF-8 text
    written with JSON_ERRORS (see :func:`open_json`).
    """
    for part in _json_parts(records):
        handle.write(part)


def json_from_records(records: GraphRecords) -> bytes:
    buffer = io.StringIO()
    write_json(records, buffer)
    return buffer.getvalue().encode("utf-8", JSON_ERRORS)


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
_MFA_COLORS: Mapping[str, str] = {
    MfaStatus.ENFORCED: "darkgreen",
    MfaStatus.DELEGATED: "purple",
    MfaStatus.WEAK: "orange",
    MfaStatus.ABSENT: "red",
}


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


def _dot_lines(graph: GraphLike) -> Iterator[str]:
    g = _graph(graph)
    yield from ("digraph access {\n", '  graph [rankdir="LR"];\n', '  node [fontname="Helvetica"];\n')
    for node in sorted(g.nodes):
        data = g.nodes[node]
        kind = str(_plain(data.get("kind", "")))
        label = f"{data.get('label') or node}\n{kind}"
        pairs = [("label", label), ("shape", _SHAPES.get(kind, "box")), ("kind", kind)]
        yield f"  {_quote(node)} {_attrs(pairs)};\n"
    for u, v, key, record in _sorted_edges(g.edges(keys=True, data=True)):
        pairs = [("kind", str(record.get("kind", ""))), ("key", key), *_dot_edge_style(record)]
        yield f"  {_quote(u)} -> {_quote(v)} {_attrs(pairs)};\n"
    yield "}\n"


def write_dot(graph: GraphLike, handle: TextIO) -> None:
    """Graphviz DOT, a few thousand lines at a time (``handle``: UTF-8 text, see :func:`open_dot`)."""
    for part in _chunks(_dot_lines(graph)):
        handle.write(part)


def open_dot(path: Path) -> TextIO:
    """A file to write DOT into: UTF-8, a lone surrogate as a backslash escape."""
    return path.open("w", encoding="utf-8", errors="backslashreplace", newline="")


def to_dot_bytes(graph: GraphLike) -> bytes:
    return "".join(_dot_lines(graph)).encode("utf-8", "backslashreplace")


# ------------------------------------------------------------------------------------- whole files


def write_graph_file(graph: GraphLike, fmt: str, path: Path) -> None:
    """The whole graph (never cut) as ``fmt`` (graphml, json or dot) in ``path``, streamed."""
    if fmt == "dot":
        with open_dot(path) as handle:
            write_dot(graph, handle)
        return
    records = graph_records(graph)
    if fmt == "graphml":
        with open_graphml(path) as handle:
            write_graphml(records, handle)
    elif fmt == "json":
        with open_json(path) as handle:
            write_json(records, handle)
    else:
        raise ValueError(f"unknown graph format {fmt!r}")


GRAPH_FORMATS = ("dot", "graphml", "json")
