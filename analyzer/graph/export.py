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
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from analyzer.graph.access import AccessGraph, AssumeEdge, EdgeKind, MfaStatus, NodeKind
from analyzer.model.evidence import EvidenceRef

JOIN = " | "

GraphLike = AccessGraph | nx.MultiDiGraph  # type: ignore[type-arg]


def _graph(graph: GraphLike) -> nx.MultiDiGraph[str]:
    return graph.graph if isinstance(graph, AccessGraph) else graph


def _plain(value: Any) -> Any:
    """A JSON-friendly value: enums by value, refs as text, tuples as lists."""
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


def _sorted_edges(graph: nx.MultiDiGraph[str]) -> list[tuple[str, str, str, dict[str, Any]]]:
    edges = [(u, v, str(k), _edge_record(d)) for u, v, k, d in graph.edges(keys=True, data=True)]
    return sorted(edges, key=lambda e: (e[0], e[1], e[2]))


def _flat(graph: nx.MultiDiGraph[str], scalar: bool) -> nx.MultiDiGraph[str]:
    def convert(record: Mapping[str, Any]) -> dict[str, Any]:
        return {k: _string(v) for k, v in record.items()} if scalar else dict(record)

    flat: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    flat.graph.update(convert({k: _plain(v) for k, v in sorted(graph.graph.items())}))
    for node in sorted(graph.nodes):
        flat.add_node(node, **convert(_node_record(graph.nodes[node])))
    for u, v, key, record in _sorted_edges(graph):
        flat.add_edge(u, v, key=key, **convert(record))
    return flat


def _string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return JOIN.join(_string(v) for v in value)
    return "" if value is None else str(value)


def to_graphml_bytes(graph: GraphLike) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(_flat(_graph(graph), scalar=True), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def to_json_bytes(graph: GraphLike) -> bytes:
    data = nx.node_link_data(_flat(_graph(graph), scalar=False), edges="links")
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


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
