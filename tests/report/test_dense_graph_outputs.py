"""On a dense access graph the report's graph files stay proportional to the evidence, and say what they leave out.

n roles that may all assume each other make n**2 can_assume edges: graph.json and graph.graphml grew
with the square of the roles (1,000 roles: 2 GB). Measured here in bytes at small n, then with the
budget lowered so that the same small graphs are cut.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.cli.graph import _load_graph
from analyzer.graph import bounded
from analyzer.graph.access import AccessGraph, AssumeEdge, EdgeKind, MfaStatus, NodeKind
from analyzer.graph.bounded import _water_level, plan_cut
from analyzer.graph.export import resolve, to_graphml_bytes, to_json_bytes
from analyzer.report.graph_export import render_graph
from tests.graph.disk_bundles import DEV, dense_bundle
from tests.rule_cases import BASE


def _load(bundle: Path) -> AccessGraph:
    return _load_graph(bundle, 2**31, 2**30, None)


def _assume_links(document: dict[str, object]) -> list[dict[str, object]]:
    return [link for link in document["links"] if link["kind"] == "can_assume"]  # type: ignore[attr-defined,index]


@pytest.fixture(scope="module")
def dense(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    root = tmp_path_factory.mktemp("dense")
    return {n: dense_bundle(root / f"d{n}", n) for n in (10, 20, 40)}


def test_the_whole_graph_grows_with_the_square_of_the_roles(dense: dict[int, Path]) -> None:
    edges, sizes = {}, {}
    for n, bundle in dense.items():
        document = to_json_bytes(_load(bundle))
        edges[n] = len(_assume_links(json.loads(document)))
        sizes[n] = len(document)
    # every role to every other, Dev-Admin-Role to each, alice to Dev-Admin-Role
    assert edges == {n: n * (n - 1) + n + 1 for n in dense}
    assert sizes[40] / sizes[20] > 3.3 and sizes[20] / sizes[10] > 2.8  # quadratic: 2 GB at 1,000 roles


@pytest.fixture
def small_budget(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(bounded, "MIN_ASSUME_EDGES", 150)
    monkeypatch.setattr(bounded, "ASSUME_EDGES_PER_NODE", 3)
    return 150


def test_the_report_files_are_cut_proportional_to_the_nodes(dense: dict[int, Path], small_budget: int) -> None:
    sizes = {}
    for n, bundle in dense.items():
        graph = _load(bundle)
        files = render_graph(graph)
        document = json.loads(files["graph.json"])
        budget = max(small_budget, 3 * graph.graph.number_of_nodes())
        links = _assume_links(document)
        assert len(links) <= budget
        total = n * (n - 1) + n + 1
        if total > budget:
            cut = plan_cut(graph)
            assert cut is not None and (cut.total, cut.written) == (total, len(links))
            assert document["graph"]["can_assume_edges"] == total
            assert document["graph"]["can_assume_edges_written"] == len(links)
            assert "trustmap graph BUNDLE --out FILE" in document["graph"]["can_assume_edges_note"]
            lost = sum(node.get("can_assume_not_written", 0) for node in document["nodes"])
            assert lost == total - len(links)
        back = resolve(nx.read_graphml(io.BytesIO(files["graph.graphml"]), force_multigraph=True))
        lost_nodes = sum(node.get("can_assume_not_written", 0) for node in document["nodes"])
        assert sum(n for _, n in back.nodes(data="can_assume_not_written", default=0)) == lost_nodes
        assert sum(1 for *_, d in back.edges(data=True) if d["kind"] == "can_assume") == len(links)
        sizes[n] = len(files["graph.json"])
    assert sizes[40] / sizes[20] < 2.4  # linear in the nodes once cut


def test_analyze_says_what_the_graph_files_leave_out_on_the_terminal_and_the_page(
    dense: dict[int, Path], small_budget: int, tmp_path: Path
) -> None:
    bundle = dense[40]
    out = tmp_path / "report"
    args = ["analyze", str(bundle), "--out", str(out), "--format", "graph", "--format", "html"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "graph.graphml and graph.json: " in result.output
    assert "of 1,601 can_assume edges written" in result.output
    assert f"`trustmap graph {bundle} --out FILE` writes every edge" in result.output
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "graph.graphml and graph.json are cut to a size a graph tool can open" in page
    ET.parse(out / "graph.graphml")


def test_trustmap_graph_writes_every_edge(dense: dict[int, Path], small_budget: int, tmp_path: Path) -> None:
    for fmt in ("json", "graphml", "dot"):
        out = tmp_path / f"whole.{fmt}"
        result = CliRunner().invoke(main, ["graph", str(dense[40]), "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
        if fmt == "json":
            assert len(_assume_links(json.loads(out.read_bytes()))) == 40 * 39 + 41
        elif fmt == "graphml":
            assert out.read_bytes() == to_graphml_bytes(_load(dense[40]))
        else:
            assert out.read_text(encoding="utf-8").count('[kind="can_assume"') == 40 * 39 + 41


def test_each_cut_caller_keeps_its_weakest_edges() -> None:
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    states = [MfaStatus.ENFORCED, MfaStatus.ABSENT, MfaStatus.WEAK, MfaStatus.ENFORCED, MfaStatus.ABSENT]
    g.add_node("caller", kind=NodeKind.ROLE)
    for i, state in enumerate(states):
        target = f"role-{i}"
        g.add_node(target, kind=NodeKind.ROLE)
        info = AssumeEdge(source="caller", target=target, mfa=state)
        g.add_edge("caller", target, key="can_assume", kind=EdgeKind.CAN_ASSUME, info=info)
    for i in range(3):  # small callers keep everything
        g.add_node(f"user-{i}", kind=NodeKind.USER)
        g.add_edge(
            f"user-{i}",
            "role-0",
            key="can_assume",
            kind=EdgeKind.CAN_ASSUME,
            info=AssumeEdge(source=f"user-{i}", target="role-0", mfa=MfaStatus.ENFORCED),
        )
    cut = bounded.GraphCut(total=8, written=6, per_caller=3, callers_cut=1)
    kept, lost = bounded.kept_edges(g, cut)
    assert sorted((u, v) for u, v, _, _ in kept if u == "caller") == [
        ("caller", "role-1"),
        ("caller", "role-2"),
        ("caller", "role-4"),
    ]  # absent, absent, weak
    assert lost == {"caller": 2} and sum(1 for u, *_ in kept if u.startswith("user-")) == 3


@pytest.mark.parametrize(
    ("degrees", "budget", "level"),
    [([1, 1, 100], 10, 8), ([5, 5, 5], 15, 5), ([5, 5, 5], 14, 4), ([50] * 10, 5, 1), ([], 10, 1)],
)
def test_the_cap_per_caller_is_the_highest_that_fits(degrees: list[int], budget: int, level: int) -> None:
    assert _water_level(degrees, budget) == level


def test_an_ordinary_graph_is_not_cut_and_its_files_are_the_whole_graph() -> None:
    graph = _load(BASE)
    assert plan_cut(graph) is None
    files = render_graph(graph)
    assert files["graph.graphml"] == to_graphml_bytes(graph) and files["graph.json"] == to_json_bytes(graph)
    assert f"arn:aws:iam::{DEV}:role/Dev-Admin-Role" in files["graph.json"].decode()
    assert set(resolve(nx.node_link_graph(json.loads(files["graph.json"]), edges="links"))) == set(graph.graph)
