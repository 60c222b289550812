"""The access graph's store and queries, answer by answer (analyzer/graph/access.py).

Small hand-made graphs whose every answer is known: the ``can_assume`` store (an edge's facts shared
by several edges, merged callers), the queries' edges (a caller absent, a role reached for sure and
through an unreadable trust, trusts open to anyone), and the simple-path search's step budget (a
branch that cannot arrive in the hops left costs nothing; the paths found before the budget runs
out are kept and said to be incomplete).
"""

from __future__ import annotations

from itertools import pairwise

import networkx as nx
import pytest

from analyzer.graph import access
from analyzer.graph.access import (
    AccessGraph,
    AccessPath,
    AssumeEdge,
    AssumeEdges,
    EdgeKind,
    MfaStatus,
    NodeKind,
    OpenTrust,
    path_mfa,
    worst_mfa,
)
from analyzer.model.evidence import EvidenceRef

HOME = "111111111111"
OTHER = "222222222222"
P = f"arn:aws:iam::{HOME}:user/p"


def arn(name: str, account: str = HOME) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def _graph(edges: list[tuple[str, str, MfaStatus]], **node_data: dict[str, object]) -> AccessGraph:
    """Nodes named by the edges (roles, or the user ``P``), each in the account of its ARN."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for source, target, _ in edges:
        for node in (source, target):
            kind = NodeKind.USER if ":user/" in node else NodeKind.ROLE
            g.add_node(node, kind=kind, account=node.split(":")[4], label=node.rsplit("/", 1)[1])
    for node, data in node_data.items():
        g.nodes[node].update(data)
    for source, target, mfa in edges:
        info = AssumeEdge(source=source, target=target, mfa=mfa, reason=f"{source} -> {target}")
        g.add_edge(source, target, key=EdgeKind.CAN_ASSUME, kind=EdgeKind.CAN_ASSUME, info=info)
    return AccessGraph(g)


def _nodes(path: AccessPath) -> list[str]:
    return [path.principal, *(hop.target for hop in path.hops)]


# ------------------------------------------------------------------------------------- the store


def test_an_edge_whose_facts_serve_other_edges_is_made_with_each_edge_s_own_ends() -> None:
    """An :class:`AssumeEdge` is the facts of its own edge; shared (as the builder shares one verdict
    between many edges), each edge it serves is made with its own source and target."""
    a, b, c, d = arn("A"), arn("B"), arn("C"), arn("D")
    ref = EvidenceRef(f"{HOME}/iam/get-account-authorization-details.json", "/RoleDetailList/0")
    facts = AssumeEdge(
        source=a,
        target=b,
        mfa=MfaStatus.WEAK,
        mfa_by=("trust",),
        conditional=("aws:SourceIp",),
        evidence=(ref,),
        reason="shared",
        via_saml=True,
    )
    store = AssumeEdges()
    for source, target in ((a, b), (a, c), (d, b)):
        store.add(source, target, facts)
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.add_nodes_from((n, {"kind": NodeKind.ROLE, "account": HOME}) for n in (a, b, c, d))
    graph = AccessGraph(g, store)
    common = {"mfa": MfaStatus.WEAK, "mfa_by": ("trust",), "conditional": ("aws:SourceIp",), "evidence": (ref,)}
    expected = [
        AssumeEdge(source=source, target=target, reason="shared", via_saml=True, **common)  # type: ignore[arg-type]
        for source, target in ((a, b), (a, c), (d, b))
    ]
    assert [graph.edge(e.source, e.target) for e in expected] == expected
    assert list(graph.assume_edges()) == expected  # by source, then target
    assert graph.edge(b, a) is None


def test_a_caller_s_edges_added_at_once_join_those_it_has_in_their_order() -> None:
    a, b, c = arn("A"), arn("B"), arn("C")
    first, second, third = (
        AssumeEdge(source=a, target=t, mfa=MfaStatus.ABSENT, reason=r) for t, r in ((b, "1"), (c, "2"), (b, "3"))
    )
    store = AssumeEdges()
    store.add(a, b, first)
    store.add_from(a, {c: second, b: third})  # B again: its facts replaced, its place kept
    store.add_from(c, {})  # no edges: no caller
    assert store.succ == {a: {b: third, c: second}}
    assert list(store.succ[a]) == [b, c] and len(store) == 2
    targets = {a: first}
    store.add_from(b, targets)
    assert store.succ[b] is targets and len(store) == 3  # kept, not copied


def test_the_other_edges_between_two_nodes_stay_when_the_can_assume_one_moves_to_the_store() -> None:
    """The ``can_assume`` edge added first, a ``trusts`` edge after it between the same nodes: only the
    ``can_assume`` one leaves the networkx graph (the caller's graph itself is left as it was)."""
    a, b = arn("A"), arn("B")
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.add_node(a, kind=NodeKind.ROLE, account=HOME)
    g.add_node(b, kind=NodeKind.ROLE, account=HOME)
    info = AssumeEdge(source=a, target=b, mfa=MfaStatus.ABSENT)
    g.add_edge(a, b, key=EdgeKind.CAN_ASSUME, kind=EdgeKind.CAN_ASSUME, info=info)
    g.add_edge(a, b, key="trusts/Statement/0:AWS:x", kind=EdgeKind.TRUSTS)
    graph = AccessGraph(g)
    assert list(graph.graph.edges(keys=True)) == [(a, b, "trusts/Statement/0:AWS:x")]
    assert graph.edge(a, b) == info and graph.number_of_edges() == 2
    assert g.number_of_edges() == 2


def test_edges_made_are_let_go_before_more_than_the_bound_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(access, "EDGES_KEPT", 2)
    targets = [arn(f"T{i}") for i in range(5)]
    graph = _graph([(P, t, MfaStatus.ABSENT) for t in targets])
    for target in targets:
        made = graph.edge(P, target)
        assert made is not None and made.target == target
        assert len(graph._made) <= 2


# ---------------------------------------------------------------------------------------- nodes


def test_a_node_not_in_the_graph_has_no_kind_no_account_and_no_way_in_or_out() -> None:
    graph = _graph([(P, arn("A"), MfaStatus.ABSENT)])
    missing = arn("Nobody")
    assert graph.kind(missing) is None and graph.account_of(missing) is None
    assert graph.kind(arn("A")) is NodeKind.ROLE and graph.account_of(arn("A")) == HOME
    assert graph.reachable(missing) == {} and graph.who_can_assume(missing) == {}
    assert graph.weakest_ways_from(missing) == {} and graph.weakest_ways_to(missing) == {}
    assert graph.open_path_gaps(missing, HOME) == ()


def test_the_mfa_of_no_hop() -> None:
    """A path asks the MFA of its strongest hop (none: ``absent``); the worst of no statuses is ``enforced``."""
    assert path_mfa(()) is MfaStatus.ABSENT and worst_mfa(()) is MfaStatus.ENFORCED
    empty = AccessPath(P, P, ())
    assert (empty.mfa_needed, empty.weakest_hop, empty.mfa_enforced) == (MfaStatus.ABSENT, MfaStatus.ENFORCED, False)


# -------------------------------------------------------------------------------------- queries


def test_without_mfa_is_passed_on_and_who_can_become_a_role_counts_every_way_in_by_default() -> None:
    role = arn("Admin", OTHER)
    graph = _graph([(P, role, MfaStatus.ENFORCED)])
    assert list(graph.weakest_ways_from(P)) == [role]
    assert graph.weakest_ways_from(P, without_mfa=True) == {}
    assert list(graph.weakest_ways_to(role)) == [P]
    assert graph.weakest_ways_to(role, without_mfa=True) == {}
    assert graph.weakest_ways_to(role)[P].hops == (graph.edge(P, role),)


def test_a_role_reached_for_sure_is_no_gap_though_first_found_behind_an_unreadable_trust() -> None:
    """p may assume X, whose trust policy could not be read (``unreadable_trusts``), and X may assume
    Y; p also reaches Y for sure, by a longer way (A, B). Y is found behind X first (breadth first),
    then for sure: what Y reaches (Z in another account) is no gap. A and B may assume each other."""
    a, b, x, y, z = arn("A"), arn("B"), arn("X"), arn("Y"), arn("Z", OTHER)
    edges = [(P, a, MfaStatus.ABSENT), (a, b, MfaStatus.ABSENT), (b, a, MfaStatus.ABSENT)]
    edges += [(b, y, MfaStatus.ABSENT), (x, y, MfaStatus.ABSENT), (y, z, MfaStatus.ABSENT)]
    graph = _graph(edges, **{P: {"unreadable_trusts": (x,)}})
    assert graph.open_path_gaps(P, HOME) == ()
    # and behind X only (no way through A and B), what Y reaches is a gap
    graph = _graph([e for e in edges if e[:2] != (b, y)], **{P: {"unreadable_trusts": (x,)}})
    assert graph.open_path_gaps(P, HOME) == (
        f"user p may assume {x}, whose trust policy could not be read, and {z} is reachable from there without MFA",
    )


def test_a_trust_open_to_anyone_is_listed_for_its_own_role_only_by_its_statement() -> None:
    """Statements in the evidence's order (by their reference), the NotPrincipal one said as such; the
    other role's open trust and the role's trust naming an account are not listed."""
    role, other = arn("Open"), arn("AlsoOpen")
    trust = f"{HOME}/iam/get-account-authorization-details.json"
    first, second = (EvidenceRef(trust, f"/RoleDetailList/0/AssumeRolePolicyDocument/Statement/{i}") for i in (0, 1))
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for node, kind in ((role, NodeKind.ROLE), (other, NodeKind.ROLE), ("*", NodeKind.ANYONE)):
        g.add_node(node, kind=kind)
    g.add_node(f"arn:aws:iam::{OTHER}:root", kind=NodeKind.EXTERNAL_ACCOUNT)
    common = {"kind": EdgeKind.TRUSTS}
    g.add_edge(role, "*", key="t1", evidence=second, conditions=["aws:PrincipalOrgID"], not_principal=False, **common)
    account = f"arn:aws:iam::{OTHER}:root"
    g.add_edge(role, account, key="t2", evidence=first, conditions=[], not_principal=False, **common)
    g.add_edge(role, "*", key="t0", evidence=first, conditions=[], not_principal=True, **common)
    g.add_edge(other, "*", key="t3", evidence=first, conditions=[], not_principal=False, **common)
    graph = AccessGraph(g)
    assert graph.trusts_anyone(role) == [
        OpenTrust(first, (), True),
        OpenTrust(second, ("aws:PrincipalOrgID",), False),
    ]
    assert graph.trusts_anyone(f"arn:aws:iam::{OTHER}:root") == []


# ---------------------------------------------------------------------------------- simple paths


def test_no_simple_path_from_a_role_to_itself_or_between_nodes_not_in_the_graph() -> None:
    """A role that may assume itself, or come back to itself through another, has no path to itself."""
    a, b = arn("A"), arn("B")
    graph = _graph([(a, a, MfaStatus.ABSENT), (a, b, MfaStatus.ABSENT), (b, a, MfaStatus.ABSENT)])
    for source, target in ((a, a), (a, arn("Nobody")), (arn("Nobody"), a), (arn("Nobody"), arn("Nobody"))):
        found = graph.simple_paths(source, target, cutoff=4, limit=10)
        assert (found.paths, found.complete) == ((), True)
    unreachable = _graph([(a, b, MfaStatus.ABSENT), (arn("C"), a, MfaStatus.ABSENT)])
    found = unreachable.simple_paths(b, a, cutoff=4, limit=10)
    assert (found.paths, found.complete) == ((), True)


K, M = 3, 4  # roles on a long way to R, dead ends


def _budget_graph() -> tuple[AccessGraph, list[list[str]]]:
    """p -> A -> R, and p -> Ci -> Xi -> Yi -> R (i < K), and p -> Di, dead ends (i < M)."""
    r = arn("R")
    edges = [(P, arn("A"), MfaStatus.ABSENT), (arn("A"), r, MfaStatus.ABSENT)]
    expected = [[P, arn("A"), r]]
    for i in range(K):
        chain = [P, arn(f"C{i}"), arn(f"X{i}"), arn(f"Y{i}"), r]
        edges += [(u, v, MfaStatus.ABSENT) for u, v in pairwise(chain)]
        expected.append(chain)
    edges += [(P, arn(f"D{i}"), MfaStatus.ABSENT) for i in range(M)]
    return _graph(edges), expected


#: The steps the search needs (a step: one successor looked at), at each length from 2 (p's
#: distance to R) to the cutoff, 4: p's 1 + K + M successors, at every length; A's one successor (R
#: itself) at lengths 3 and 4; at length 4, Ci's and Xi's one successor each. A Ci is not entered
#: before length 4 (it is 3 hops from R) nor a Di ever (it cannot reach R), so they cost nothing more.
STEPS = 3 * (1 + K + M) + 2 + 2 * K


def test_the_search_needs_no_step_for_a_branch_that_cannot_arrive_in_the_hops_left() -> None:
    graph, expected = _budget_graph()
    found = graph.simple_paths(P, arn("R"), cutoff=4, limit=10, budget=STEPS)
    assert found.complete and [_nodes(p) for p in found.paths] == expected
    assert found.paths[1].hops == tuple(graph.edge(u, v) for u, v in pairwise(expected[1]))


def test_the_paths_found_before_the_budget_runs_out_are_kept_and_said_incomplete() -> None:
    graph, expected = _budget_graph()
    # the last step looks at the last dead end: every path is found, but the search cannot tell
    found = graph.simple_paths(P, arn("R"), cutoff=4, limit=10, budget=STEPS - 1)
    assert not found.complete and [_nodes(p) for p in found.paths] == expected
    # p's successors in ARN order (A, the Ci, the Di): the steps before the Di end at the last Yi
    found = graph.simple_paths(P, arn("R"), cutoff=4, limit=10, budget=STEPS - M - 1)
    assert not found.complete and [_nodes(p) for p in found.paths] == expected[:-1]
    found = graph.simple_paths(P, arn("R"), cutoff=4, limit=10, budget=0)
    assert (found.paths, found.complete) == ((), False)


def test_the_limit_th_path_ends_the_search_only_when_another_exists() -> None:
    graph, expected = _budget_graph()
    found = graph.simple_paths(P, arn("R"), cutoff=4, limit=len(expected))
    assert found.complete and len(found.paths) == len(expected)
    found = graph.simple_paths(P, arn("R"), cutoff=4, limit=2)
    assert not found.complete and [_nodes(p) for p in found.paths] == expected[:2]
