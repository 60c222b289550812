"""Serialize the access graph: GraphML (Gephi, Neo4j import), node-link JSON, Graphviz DOT.

All three are deterministic: nodes sorted by key, edges by (source, target, key), attributes by
name. An edge's :class:`~analyzer.graph.access.AssumeEdge` is flattened into ``mfa``, ``mfa_by``,
``conditional``, ``evidence``, ``reason`` and ``via_saml`` (:class:`GraphRecords`).

GraphML and JSON hold the same compact form (:func:`compact`, format ``trustmap-graph/2``): on an
account whose principals do not share policies an edge's reason and evidence pointers were most of
its 800 bytes, each repeated on hundreds of edges. So every text that repeats is written once, in
the graph attribute ``texts``, and referenced by number (``reason_ref``, ``evidence_ref`` ...); nodes
are numbered (``n0`` ..., the node's key in ``name``); empty values are left out where the
element's kind says what they are (graph attribute ``defaults``). :func:`resolve` (or
:func:`read_graph`) turns what networkx reads back into the graph as built. DOT is written here (no
pydot/pygraphviz).
"""

from __future__ import annotations

import copy
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

from analyzer.graph.access import AccessGraph, AssumeEdge, EdgeKind, MfaStatus, NodeKind, as_access_graph
from analyzer.graph.bounded import kept_edges, plan_cut
from analyzer.model.evidence import EvidenceRef
from analyzer.text import xml_safe

GraphLike = AccessGraph | nx.MultiDiGraph  # type: ignore[type-arg]


def _all_edges(graph: AccessGraph) -> Iterator[tuple[str, str, Any, dict[str, Any]]]:
    """Every edge as networkx gives them (source, target, key, attributes), the ``can_assume`` ones made
    from the store (``info``: the :class:`AssumeEdge`)."""
    yield from graph.graph.edges(keys=True, data=True)
    for source, targets in graph.assume.succ.items():
        for target, facts in targets.items():
            yield source, target, EdgeKind.CAN_ASSUME, {"kind": EdgeKind.CAN_ASSUME, "info": facts.edge(source, target)}


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
    access = as_access_graph(graph)
    g = access.graph
    cut = plan_cut(access) if bounded else None
    if cut is None:
        edges = _sorted_edges(_all_edges(access))
        lost: dict[str, int] = {}
        extra: dict[str, Any] = {}
    else:
        kept, lost = kept_edges(access, cut)
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


# ----------------------------------------------------------------------------------- compact form

#: The ``format`` graph attribute of graph.graphml and graph.json (see :func:`resolve`).
FORMAT = "trustmap-graph/2"

#: Text attributes written as references to their parts (``"; "``-separated), each part once in
#: the ``texts`` table: an edge's reason is its caller's grant, the trust statement and the MFA
#: verdict, each shared by many edges.
SPLIT_TEXT: Mapping[str, str] = {"reason": "; "}

#: The suffix of a reference attribute: ``reason_ref``, ``evidence_ref`` ...
REF = "_ref"
#: Attribute names the compact form gives a meaning of its own: a node's key, an edge's key.
_RESERVED = frozenset({"name", "key"})


def _is_empty(value: Any) -> bool:
    return value is False or value == "" or value == []


class _Texts(dict[str, int]):
    """The ``texts`` table: each distinct text once, numbered in order of first use."""

    def __missing__(self, text: str) -> int:
        number = self[text] = len(self)
        return number

    def refs(self, items: Iterable[Any]) -> list[int]:
        return [self[item if type(item) is str else str(item)] for item in items]


def _kind_defaults(records: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """By record kind: the attributes every record of that kind has, with the empty value (``""``,
    ``[]``, ``false``) that some of them hold. Records holding it leave it out of the files."""
    present: dict[str, set[str]] = {}
    empty: dict[str, dict[str, Any]] = {}
    for record in records:
        kind = record.get("kind")
        if type(kind) is not str or not kind:
            continue
        names = present.setdefault(kind, set(record))
        names.intersection_update(record)
        seen = empty.setdefault(kind, {})
        for name, value in record.items():
            if name not in seen and _is_empty(value):
                seen[name] = value
    defaults: dict[str, dict[str, Any]] = {}
    for kind in sorted(present):
        chosen = {name: value for name, value in sorted(empty[kind].items()) if name in present[kind]}
        if chosen:
            defaults[kind] = chosen
    return defaults


def _is_default(value: Any, default: Any) -> bool:
    return type(value) is type(default) and value == default


@dataclass(frozen=True, slots=True)
class CompactGraph:
    """The records as the files hold them: nodes numbered (``n0`` ... in the records' order, the
    node's key in attribute ``name``), list attributes and :data:`SPLIT_TEXT` attributes as
    ``<name>_ref`` lists of numbers into the graph attribute ``texts``, values equal to their kind's
    default left out (graph attribute ``defaults``), an edge's key left out where it is its kind.
    ``graph``: the graph's attributes, ``format``, ``texts`` and ``defaults`` first."""

    graph: dict[str, Any]
    nodes: list[tuple[str, dict[str, Any]]]
    edges: list[tuple[str, str, dict[str, Any]]]


def compact(records: GraphRecords) -> CompactGraph:
    texts = _Texts()
    defaults = {
        "edge": _kind_defaults(map(itemgetter(3), records.edges)),
        "node": _kind_defaults(map(itemgetter(1), records.nodes)),
    }

    def encoded(record: Mapping[str, Any], omitted: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in record.items():
            if name in _RESERVED or name.endswith(REF):
                raise ValueError(f"attribute {name!r}: the name is the compact form's own (see resolve)")
            if name in omitted and _is_default(value, omitted[name]):
                continue
            if type(value) is list:
                out[name + REF] = texts.refs(value)
            elif name in SPLIT_TEXT and type(value) is str:
                out[name + REF] = texts.refs(value.split(SPLIT_TEXT[name])) if value else []
            else:
                out[name] = value
        return out

    def omitted(scope: str, record: Mapping[str, Any]) -> Mapping[str, Any]:
        kind = record.get("kind")
        return defaults[scope].get(kind, {}) if type(kind) is str else {}

    graph = encoded(records.graph, {})
    ids = {node: f"n{number}" for number, (node, _) in enumerate(records.nodes)}
    nodes = [(ids[node], {"name": node, **encoded(record, omitted("node", record))}) for node, record in records.nodes]
    edges = []
    for source, target, key, record in records.edges:
        data = encoded(record, omitted("edge", record))
        if key != record.get("kind"):
            data["key"] = key
        edges.append((ids[source], ids[target], dict(sorted(data.items()))))
    head = {"defaults": defaults, "format": FORMAT, "texts": list(texts)}
    return CompactGraph({**head, **graph}, nodes, edges)


# -------------------------------------------------------------------------------------------- GraphML

_GRAPHML_ROOT = (
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">'
)

#: GraphML ``attr.type`` of a value's Python type (anything else, and a key whose values differ in
#: type, is ``string``).
_GRAPHML_TYPES: Mapping[type, str] = {bool: "boolean", int: "long", float: "double", str: "string"}


def _text(name: str, value: Any) -> str:
    """A compact value as GraphML text: references as numbers separated by spaces, booleans as
    ``true``/``false``, the tables (``texts``, ``defaults``) as ASCII JSON (every character kept,
    even one XML cannot hold). Text is written as it is (see :func:`_texts`): never passed here."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if name.endswith(REF):
        return " ".join(map(str, value))
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
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
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    if "\t" in text:
        text = text.replace("\t", "&#09;")
    return text


class _GraphMLKeys:
    """GraphML ``<key>`` ids (``d0``, ``d1`` ...) for the edges' attributes first (the most
    written: the shortest ids), then the nodes', then the graph's, each in order of first use, with
    the ``attr.type`` all of its values share."""

    def __init__(self, data: CompactGraph) -> None:
        self.ids: dict[tuple[str, str], str] = {}
        self.types: dict[tuple[str, str], str] = {}
        scoped: list[tuple[str, Iterable[Mapping[str, Any]]]] = [
            ("edge", map(itemgetter(2), data.edges)),
            ("node", map(itemgetter(1), data.nodes)),
            ("graph", [data.graph]),
        ]
        for scope, records in scoped:
            for record in records:
                for name, value in record.items():
                    where = (name, scope)
                    kind = _GRAPHML_TYPES.get(type(value), "string")
                    if where not in self.ids:
                        self.ids[where] = f"d{len(self.ids)}"
                        self.types[where] = kind
                    elif self.types[where] != kind:
                        self.types[where] = "string"

    def in_scope(self, scope: str) -> dict[str, str]:
        return {name: key for (name, where), key in self.ids.items() if where == scope}

    def declarations(self) -> Iterator[str]:
        for (name, scope), key in self.ids.items():
            kind = self.types[(name, scope)]
            yield f'<key id="{key}" for="{scope}" attr.name="{_attrib(name)}" attr.type="{kind}"/>\n'


class _Templates(dict[tuple[tuple[str, ...], tuple[bool, ...]], str]):
    """``%``-templates of one kind of element, one per shape (the record's attribute names and
    which of its values are not empty): the opening tag, one ``<data key="d3">text</data>`` per
    attribute (``<data key="d3"/>`` for an empty text, where ``%.0s`` writes nothing), the closing
    tag; one line per element. Every element has an attribute: the graph its ``format``, a node its
    ``name``, an edge its ``kind`` or else its ``key`` (see :func:`compact`)."""

    def __init__(self, ids: Mapping[str, str], opening: str, closing: str) -> None:
        super().__init__()
        self.ids, self.opening, self.closing = ids, opening, closing

    def __missing__(self, shape: tuple[tuple[str, ...], tuple[bool, ...]]) -> str:
        names, filled = shape
        data = "".join(
            f'<data key="{self.ids[name]}">%s</data>' if full else f'%.0s<data key="{self.ids[name]}"/>'
            for name, full in zip(names, filled, strict=True)
        )
        template = self[shape] = self.opening + data + self.closing
        return template


def _texts(record: Mapping[str, Any]) -> list[str]:
    """A record's values as escaped GraphML text. Tested for markup once per record (they seldom
    hold any), not value by value."""
    texts = [v if type(v) is str else _text(k, v) for k, v in record.items()]
    if _NOT_PLAIN.search("".join(texts)):
        return [_cdata(text) for text in texts]
    return texts


def _elements(data: CompactGraph, keys: _GraphMLKeys) -> Iterator[str]:
    """The graph's ``<data>``, then the ``<node>`` and ``<edge>`` elements, one per line."""
    graph = _Templates(keys.in_scope("graph"), "", "\n")
    texts = _texts(data.graph)
    yield graph[tuple(data.graph), tuple(map(bool, texts))] % tuple(texts)
    nodes = _Templates(keys.in_scope("node"), '<node id="%s">', "</node>\n")
    for node, record in data.nodes:
        texts = _texts(record)
        yield nodes[tuple(record), tuple(map(bool, texts))] % (node, *texts)
    edge_tag = '<edge source="%s" target="%s"'
    edges = _Templates(keys.in_scope("edge"), edge_tag + ">", "</edge>\n")
    for source, target, record in data.edges:
        texts = _texts(record)
        yield edges[tuple(record), tuple(map(bool, texts))] % (source, target, *texts)


def _graphml_parts(data: CompactGraph) -> Iterator[str]:
    """The GraphML document in parts: the lines before the elements, the elements a few thousand at
    a time, the lines after."""
    keys = _GraphMLKeys(data)
    yield "<?xml version='1.0' encoding='utf-8'?>\n"
    yield _GRAPHML_ROOT + "\n"
    yield from keys.declarations()
    yield '<graph edgedefault="directed">\n'
    yield from _chunks(_elements(data, keys))
    yield "</graph>\n"
    yield "</graphml>\n"


def _compact(data: GraphRecords | CompactGraph) -> CompactGraph:
    return data if isinstance(data, CompactGraph) else compact(data)


def write_graphml(records: GraphRecords | CompactGraph, handle: TextIO) -> None:
    """GraphML 1.0 of the compact form (:func:`compact`; read back with :func:`read_graph`), one
    element per line, written element by element (never the whole text in memory at once).
    ``handle``: a text file encoding UTF-8 with ``errors="xmlcharrefreplace"`` (see
    :func:`open_graphml`)."""
    for part in _graphml_parts(_compact(records)):
        handle.write(part)


def open_graphml(path: Path) -> TextIO:
    """A file to write GraphML into: UTF-8, characters UTF-8 cannot hold as XML references."""
    return path.open("w", encoding="utf-8", errors="xmlcharrefreplace", newline="")


def graphml_from_records(records: GraphRecords | CompactGraph) -> bytes:
    buffer = io.StringIO()
    write_graphml(records, buffer)
    return buffer.getvalue().encode("utf-8", "xmlcharrefreplace")


def to_graphml_bytes(graph: GraphLike) -> bytes:
    return graphml_from_records(graph_records(graph))


# ----------------------------------------------------------------------------------------------- JSON


def _json_parts(data: CompactGraph) -> Iterator[str]:
    encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode
    head = json.dumps(data.graph, indent=1, sort_keys=True, ensure_ascii=False).replace("\n", "\n ")
    yield f'{{\n "directed": true,\n "graph": {head},\n "links": '
    yield from _array(encode({**record, "source": u, "target": v}) for u, v, record in data.edges)
    yield ',\n "multigraph": true,\n "nodes": '
    yield from _array(encode({**record, "id": node}) for node, record in data.nodes)
    yield "\n}\n"


def _array(items: Iterable[str], size: int = 4096) -> Iterator[str]:
    """A JSON array of already encoded items, one per line, in parts of a few thousand items."""
    separator = "[\n"
    for batch in _batches(items, size):
        yield separator + ",\n".join(batch)
        separator = ",\n"
    yield "[]" if separator == "[\n" else "\n ]"


#: How a lone surrogate (no character, and no UTF-8 can hold it) is written in JSON: ``\\ud800``, the
#: JSON escape a reader turns back into the same string. Surrogates only occur inside strings.
JSON_ERRORS = "backslashreplace"


def open_json(path: Path) -> TextIO:
    """A file to write JSON into: UTF-8, a lone surrogate as its JSON escape (see JSON_ERRORS)."""
    return path.open("w", encoding="utf-8", errors=JSON_ERRORS, newline="")


def write_json(records: GraphRecords | CompactGraph, handle: TextIO) -> None:
    """networkx node-link data (``edges="links"``) of the compact form (:func:`compact`; read back
    with :func:`read_graph`), sorted keys; one node or link per line, each written by the C JSON
    encoder. ``handle``: UTF-8 text written with JSON_ERRORS (see :func:`open_json`)."""
    for part in _json_parts(_compact(records)):
        handle.write(part)


def json_from_records(records: GraphRecords | CompactGraph) -> bytes:
    buffer = io.StringIO()
    write_json(records, buffer)
    return buffer.getvalue().encode("utf-8", JSON_ERRORS)


def to_json_bytes(graph: GraphLike) -> bytes:
    return json_from_records(graph_records(graph))


# -------------------------------------------------------------------------------------- reading back


def _table(value: Any) -> Any:
    """``texts`` or ``defaults`` as networkx read it: JSON text from GraphML, a value from JSON."""
    return json.loads(value) if isinstance(value, str) else value


def _numbers(value: Any) -> list[int]:
    return [int(n) for n in value.split()] if isinstance(value, str) else list(value)


def _resolved(data: Mapping[str, Any], texts: list[str], defaults: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name.endswith(REF):
            base = name[: -len(REF)]
            parts = [texts[n] for n in _numbers(value)]
            out[base] = SPLIT_TEXT[base].join(parts) if base in SPLIT_TEXT else parts
        else:
            out[name] = value
    kind = out.get("kind")
    for name, value in defaults.get(kind, {}).items() if isinstance(kind, str) else ():
        out.setdefault(name, copy.copy(value))
    return out


def resolve(graph: nx.Graph[Any]) -> nx.MultiDiGraph[str]:
    """The access graph as trustmap wrote it, from graph.graphml or graph.json as networkx reads
    them (``nx.read_graphml``, ``nx.node_link_graph(data, edges="links")``): nodes named by their
    ``name``, every ``<name>_ref`` replaced by its texts (``texts[n]`` for each number ``n``; a
    reason's parts joined with ``"; "``), the values left out restored from ``defaults`` by the
    element's kind, each edge keyed by its ``key`` or else its kind."""
    attributes = dict(graph.graph)
    if attributes.pop("format", None) != FORMAT:
        raise ValueError(f"not a {FORMAT} graph (no graph attribute format={FORMAT!r})")
    texts: list[str] = _table(attributes.pop("texts", "[]"))
    defaults: dict[str, dict[str, dict[str, Any]]] = _table(attributes.pop("defaults", "{}"))
    for added in ("node_default", "edge_default"):  # what networkx's GraphML reader adds
        if attributes.get(added) == {}:
            del attributes[added]
    out: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    out.graph.update(_resolved(attributes, texts, {}))
    names: dict[Any, str] = {}
    for node, data in graph.nodes(data=True):
        record = _resolved(data, texts, defaults.get("node", {}))
        names[node] = record.pop("name", node)
        out.add_node(names[node], **record)
    multi: nx.MultiDiGraph[Any] = graph if isinstance(graph, nx.MultiDiGraph) else nx.MultiDiGraph(graph)
    for source, target, key, data in multi.edges(keys=True, data=True):
        record = _resolved(data, texts, defaults.get("edge", {}))
        edge_key = record.pop("key", key if isinstance(key, str) else record.get("kind"))
        out.add_edge(names[source], names[target], key=edge_key, **record)
    return out


def read_graph(path: Path) -> nx.MultiDiGraph[str]:
    """graph.graphml or graph.json (by the file's suffix), resolved (see :func:`resolve`)."""
    if path.suffix == ".graphml":
        return resolve(nx.read_graphml(path, force_multigraph=True))
    data = json.loads(path.read_bytes())
    return resolve(nx.node_link_graph(data, edges="links"))


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
    if kind == EdgeKind.CAN_ASSUME:  # made from its AssumeEdge (assume_record): it has every field
        mfa = record["mfa"]
        label = mfa + (" (SAML)" if record["via_saml"] else "")
        return [("label", label), ("color", _MFA_COLORS[mfa])]
    if kind == EdgeKind.TRUSTS:
        return [("style", "dotted"), ("color", "steelblue")]
    return [("style", "dashed"), ("color", "gray40")]


def _dot_lines(graph: GraphLike) -> Iterator[str]:
    access = as_access_graph(graph)
    g = access.graph
    yield from ("digraph access {\n", '  graph [rankdir="LR"];\n', '  node [fontname="Helvetica"];\n')
    for node in sorted(g.nodes):
        data = g.nodes[node]
        kind = str(_plain(data.get("kind", "")))
        label = f"{data.get('label') or node}\n{kind}"
        pairs = [("label", label), ("shape", _SHAPES.get(kind, "box")), ("kind", kind)]
        yield f"  {_quote(node)} {_attrs(pairs)};\n"
    for u, v, key, record in _sorted_edges(_all_edges(access)):
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
    records = compact(graph_records(graph))
    if fmt == "graphml":
        with open_graphml(path) as handle:
            write_graphml(records, handle)
    elif fmt == "json":
        with open_json(path) as handle:
            write_json(records, handle)
    else:
        raise ValueError(f"unknown graph format {fmt!r}")


GRAPH_FORMATS = ("dot", "graphml", "json")
