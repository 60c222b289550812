"""The ``can_assume`` edges live in a compact store (issue 11 §4): the dense graph within 10 s and 1 GiB.

2,000 roles of one account that may all assume each other make 4,000,000 ``can_assume`` edges. Held
as networkx edges, each with its own :class:`AssumeEdge`, they cost about 0.9 KiB and 4 µs each (about
3.8 GB and 16 s); the store keeps one dictionary entry per edge and one facts object per verdict,
and makes an edge only when a query returns it. The queries must answer exactly as the networkx
searches did (same shortest path among equals, same order), checked here against networkx itself.
"""

from __future__ import annotations

import random
import tracemalloc

import networkx as nx
import pytest

from analyzer.audit.org_shape import resolve_shape
from analyzer.audit.settings import Settings
from analyzer.cli.graph import _load_graph
from analyzer.evidence import Limits, load_bundle
from analyzer.graph import access
from analyzer.graph.access import MFA_ORDER, AccessGraph, AssumeEdge, EdgeKind, MfaStatus, NodeKind
from analyzer.graph.build import build_access_graph
from tests.graph.builders import IDENTITY, allow_assume, build, doc, evidence, role, snapshot, trust_statement
from tests.graph.disk_bundles import DEV, dense_bundle


def _random_graph(seed: int, nodes: int, density: float) -> nx.MultiDiGraph[str]:
    """Roles with ``trusts`` and ``can_assume`` edges added in a random order, both kinds between the
    same nodes at times (networkx places a neighbour at its first edge of any kind)."""
    rng = random.Random(seed)
    names = [f"arn:aws:iam::{IDENTITY}:role/r{i:02d}" for i in rng.sample(range(100), nodes)]
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for name in names:
        g.add_node(name, kind=NodeKind.ROLE, account=IDENTITY, label=name.rsplit("/", 1)[1])
    pairs = [(u, v) for u in names for v in names if u != v and rng.random() < density]
    rng.shuffle(pairs)
    for u, v in pairs:
        if rng.random() < 0.2:
            g.add_edge(u, v, key=f"trusts/{v}", kind=EdgeKind.TRUSTS, evidence="e", conditions=(), not_principal=False)
        if rng.random() < 0.8:
            info = AssumeEdge(source=u, target=v, mfa=rng.choice(MFA_ORDER), reason=f"{u}->{v}")
            g.add_edge(u, v, key=EdgeKind.CAN_ASSUME, kind=EdgeKind.CAN_ASSUME, info=info)
    return g


def _networkx_view(g: nx.MultiDiGraph[str], *, without_mfa: bool) -> nx.DiGraph[str]:
    """The can_assume edges as the queries used to copy them (every node kept, edges in graph order)."""
    view: nx.DiGraph[str] = nx.DiGraph()
    view.add_nodes_from(g)
    view.add_edges_from(
        (u, v)
        for u, v, d in g.edges(data=True)
        if d["kind"] == EdgeKind.CAN_ASSUME and not (without_mfa and d["info"].mfa is MfaStatus.ENFORCED)
    )
    return view


def _nodes(path: access.AccessPath) -> list[str]:
    return [path.principal, *(hop.target for hop in path.hops)]


@pytest.fixture(params=["as measured", "always bottom-up", "always top-down"])
def search_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The searches' choice between their two ways of finding a level, forced either way."""
    if request.param == "always bottom-up":
        monkeypatch.setattr(access, "_BOTTOM_UP_LEFT", 10**9)
        monkeypatch.setattr(access, "_PYTHON_STEPS", 10**9)
    elif request.param == "always top-down":
        monkeypatch.setattr(access, "_BOTTOM_UP_LEFT", -1)
    return str(request.param)


@pytest.mark.parametrize("seed", range(12))
def test_the_queries_pick_the_paths_networkx_picks(seed: int, search_mode: str) -> None:
    g = _random_graph(seed, nodes=12 + seed, density=0.1 + 0.07 * seed)
    graph = AccessGraph(g)
    assert g.number_of_edges() == graph.number_of_edges()  # the caller's graph is left as it was
    for without_mfa in (False, True):
        view = _networkx_view(g, without_mfa=without_mfa)
        for node in g:
            forward = nx.single_source_shortest_path(view, node)
            got = {t: _nodes(p) for t, p in graph.reachable(node, without_mfa=without_mfa).items()}
            assert got == {t: p for t, p in forward.items() if t != node}
            odd = {t for t in g if t[-1] in "13579"}
            found = graph.reachable(node, without_mfa=without_mfa, among=odd)
            assert {t: _nodes(p) for t, p in found.items()} == {t: p for t, p in got.items() if t in odd}
            backward = nx.single_source_shortest_path(view.reverse(copy=False), node)
            got = {s: _nodes(p) for s, p in graph.who_can_assume(node, without_mfa=without_mfa).items()}
            assert got == {s: p[::-1] for s, p in backward.items() if s != node}


@pytest.mark.parametrize("seed", range(6))
def test_simple_paths_are_every_simple_path_shortest_first(seed: int) -> None:
    g = _random_graph(100 + seed, nodes=7, density=0.5)
    graph = AccessGraph(g)
    view = _networkx_view(g, without_mfa=False)
    for source in g:
        for target in g:
            if source == target:
                continue
            found = graph.simple_paths(source, target, cutoff=4, limit=10_000)
            expected = sorted(nx.all_simple_paths(view, source, target, cutoff=4), key=lambda p: (len(p), p))
            assert found.complete and [_nodes(p) for p in found.paths] == expected
            for path in found.paths:
                assert all(hop == g.edges[hop.source, hop.target, EdgeKind.CAN_ASSUME]["info"] for hop in path.hops)


def test_a_role_named_in_its_callers_trust_keeps_its_place_first() -> None:
    """Jump's trust names Zed (a ``trusts`` edge first, as networkx holds it), then Jump may assume both:
    Zed stays first among Jump's targets, as in one networkx graph of every edge."""
    jump_arn = f"arn:aws:iam::{IDENTITY}:role/Jump"
    trust = doc(trust_statement({"AWS": f"arn:aws:iam::{IDENTITY}:role/Zed"}), trust_statement({"AWS": IDENTITY}))
    jump = role(IDENTITY, "Jump", trust, policies=[doc(allow_assume("*"))])
    zed = role(IDENTITY, "Zed", doc(trust_statement({"AWS": jump_arn})), index=1, policies=[doc(allow_assume("*"))])
    alpha = role(IDENTITY, "Alpha", doc(trust_statement({"AWS": jump_arn})), index=2)
    graph, _ = build(snapshot({IDENTITY: evidence(IDENTITY, roles=[jump, zed, alpha])}))
    assert list(graph.assume_targets(jump_arn)) == [zed.arn, alpha.arn]


@pytest.fixture(scope="module")
def dense40(tmp_path_factory: pytest.TempPathFactory) -> AccessGraph:
    return _load_graph(dense_bundle(tmp_path_factory.mktemp("dense") / "d40", 40), 2**31, 2**30, None)


def test_a_dense_graph_holds_one_facts_object_per_caller_and_no_edge(dense40: AccessGraph) -> None:
    """Was: a networkx edge with its own AssumeEdge and evidence tuple per pair (0.9 KiB each)."""
    dense = [t for t in dense40.assume.succ if t.startswith(f"arn:aws:iam::{DEV}:role/Dense-")]
    assert len(dense) == 40
    assert not any(d["kind"] == EdgeKind.CAN_ASSUME for *_, d in dense40.graph.edges(data=True))
    for caller in dense:
        targets = dense40.assume_targets(caller)
        assert len(targets) == 39  # every other dense role
        assert len({id(facts) for facts in targets.values()}) == 1
        assert not any(isinstance(facts, AssumeEdge) for facts in targets.values())
    assert len({id(f) for c in dense for f in dense40.assume_targets(c).values()}) == 40


def test_an_edge_is_made_with_its_own_target_s_evidence(dense40: AccessGraph) -> None:
    one, other = (f"arn:aws:iam::{DEV}:role/Dense-{i:04d}" for i in (1, 2))
    to_other, to_one = dense40.edge(one, other), dense40.edge(other, one)
    assert to_other is not None and to_one is not None
    assert (to_other.source, to_other.target) == (one, other)
    assert to_other.reason != to_one.reason and set(to_other.evidence) != set(to_one.evidence)
    assert any("RoleDetailList" in str(e) and "AssumeRolePolicyDocument" in str(e) for e in to_other.evidence)


def test_edges_made_are_kept_up_to_a_bound(dense40: AccessGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(access, "EDGES_KEPT", 5)
    first = dense40.edge(*(f"arn:aws:iam::{DEV}:role/Dense-{i:04d}" for i in (1, 2)))
    reached = dense40.reachable(f"arn:aws:iam::{DEV}:role/Dense-0003")
    assert len(reached) == 39 and len(dense40._made) <= 5
    assert dense40.edge(*(f"arn:aws:iam::{DEV}:role/Dense-{i:04d}" for i in (1, 2))) == first


def test_the_reverse_edges_are_built_once_on_the_first_backwards_query(dense40: AccessGraph) -> None:
    target = f"arn:aws:iam::{DEV}:role/Dense-0000"
    assert len(dense40.who_can_assume(target)) == 39 + 1 + 1  # the other dense roles, Dev-Admin-Role, alice
    assert set(dense40.assume_sources(target)) == {s for s, targets in dense40.assume.succ.items() if target in targets}


def test_a_dense_graph_costs_a_few_dozen_bytes_per_edge(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Was 624 bytes of live objects per edge (tracemalloc, 300 roles): 3.8 GB at 2,000 roles."""
    bundle = dense_bundle(tmp_path_factory.mktemp("dense") / "d150", 150)
    snapshot_ = load_bundle(bundle, Limits())
    shape = resolve_shape(snapshot_, Settings())
    tracemalloc.start()
    try:
        graph = build_access_graph(snapshot_, shape)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    edges = len(graph.assume)
    assert edges == 150 * 149 + 150 + 1
    assert held / edges < 120  # a dictionary entry per edge, and what every role costs anyway
