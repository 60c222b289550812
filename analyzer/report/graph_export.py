"""``graph.graphml`` and ``graph.json``: the access graph for Gephi, yEd, Neo4j or a script.

The serializers belong to the graph package (:mod:`analyzer.graph.export`, deterministic: nodes
and edges sorted, attributes flattened, repeated texts written once); this module only registers
them as a report format. On a dense graph the report's files are cut to a size a reader can use
(:mod:`analyzer.graph.bounded`, saying what was left out); ``trustmap graph`` writes the whole graph.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from analyzer.graph.export import (
    compact,
    graph_records,
    graphml_from_records,
    json_from_records,
    open_graphml,
    open_json,
    write_graphml,
    write_json,
)

if TYPE_CHECKING:
    from analyzer.graph.access import AccessGraph
    from analyzer.pipeline import ScanResult


def render_graph(graph: AccessGraph) -> dict[str, bytes]:
    """Both files from the graph alone: they can be written before the rules have run."""
    records = compact(graph_records(graph, bounded=True))  # flattened, sorted, compacted once for both
    return {"graph.graphml": graphml_from_records(records), "graph.json": json_from_records(records)}


def render(result: ScanResult) -> dict[str, bytes]:
    return render_graph(result.graph)


def write_graph_files(graph: AccessGraph, folder: Path) -> list[str]:
    """The same two files as :func:`render_graph`, streamed to ``folder`` one after the other (at
    5,000 accounts each is hundreds of megabytes: never held in memory whole)."""
    records = compact(graph_records(graph, bounded=True))
    with open_graphml(folder / "graph.graphml") as handle:
        write_graphml(records, handle)
    with open_json(folder / "graph.json") as handle:
        write_json(records, handle)
    return ["graph.graphml", "graph.json"]


FORMATS = {"graph": render}
