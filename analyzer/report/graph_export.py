"""``graph.graphml`` and ``graph.json``: the access graph for Gephi, yEd, Neo4j or a script.

The serializers belong to the graph package (:mod:`analyzer.graph.export`, deterministic: nodes
and edges sorted, attributes flattened); this module only registers them as a report format.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analyzer.graph.export import to_graphml_bytes, to_json_bytes

if TYPE_CHECKING:
    from analyzer.pipeline import ScanResult


def render(result: ScanResult) -> dict[str, bytes]:
    return {"graph.graphml": to_graphml_bytes(result.graph), "graph.json": to_json_bytes(result.graph)}


FORMATS = {"graph": render}
