"""The organization's access graph and the questions asked of it.

Nodes and the ``member_of`` and ``trusts`` edges are a ``networkx.MultiDiGraph`` keyed by ARN
(external accounts by their root ARN, service principals by their name, ``*`` for anyone). Node
attributes: ``kind`` (:class:`NodeKind`), ``account`` and ``label``; edge attributes: ``kind``
(:class:`EdgeKind`) and what the builder says of it. The ``can_assume`` edges, which the builder
(``analyzer.graph.build``) adds only where the full evaluation allows them, are kept apart in
:class:`AssumeEdges` (``AccessGraph.assume``): 2,000 roles that may all assume each other make
4,000,000 of them, too many for networkx's per-edge dictionaries (issue 11 §4). There an edge is
one dictionary entry; its :class:`AssumeFacts` are shared with every edge decided alike, and the
:class:`AssumeEdge` (source, target, MFA, evidence, reason) is made when a query returns it.

The queries (:class:`AccessGraph`) keep the answers networkx's searches gave: breadth-first
searches take neighbours in the order a networkx graph of every edge holds them, so the same
shortest path is chosen among equals; each level is found from the cheaper side (a node's
neighbours, or the few nodes left to reach and their predecessors, see :func:`_search`), so a
search over a dense graph costs no step per edge, and :meth:`AccessGraph.reachable` makes paths
only to the roles asked for (``among``). :meth:`AccessGraph.open_path_gaps` walks the edges together
with what the evidence could not show (unreadable grants and trust policies on the caller nodes).
The graph files and the exports (``analyzer.graph.export``) write the ``can_assume`` edges as
networkx edges with their :class:`AssumeEdge` under ``info``, as before.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import pairwise
from types import MappingProxyType
from typing import Protocol

import networkx as nx

from analyzer.model.evidence import EvidenceRef


class NodeKind(enum.StrEnum):
    ACCOUNT = "account"
    USER = "user"
    GROUP = "group"
    ROLE = "role"
    SAML_PROVIDER = "saml_provider"
    OIDC_PROVIDER = "oidc_provider"
    EXTERNAL_ACCOUNT = "external_account"
    SERVICE = "service"
    ANYONE = "anyone"
    DELETED_PRINCIPAL = "deleted_principal"  # a bare unique id left in a trust policy


class EdgeKind(enum.StrEnum):
    MEMBER_OF = "member_of"  # user -> group
    CAN_ASSUME = "can_assume"  # principal -> role, where identity and trust policies both allow
    TRUSTS = "trusts"  # role -> what its trust policy names, as written


class MfaStatus(enum.StrEnum):
    """Where a hop (or a path) stands on MFA. The members are in order, the most protective first:
    :attr:`rank` (0 for ``enforced`` ... 3 for ``absent``) is the one ordering every query, table and
    drawing uses (:func:`worst_mfa`, :func:`path_mfa`).

    ``delegated``: a federation hop (``AssumeRoleWithSAML``, ``AssumeRoleWithWebIdentity``, IAM Identity
    Center). Such sessions carry no MFA context (IAMUG ``id_credentials_mfa_configure-api-require``:
    MFA-protected API access works only with ``AssumeRole``/``GetSessionToken`` and their MFA
    parameters); whether the identity provider demanded MFA is not in the evidence. Not ``enforced``:
    ``--without-mfa`` queries include it and IDN-003 never passes on it alone.
    """

    ENFORCED = "enforced"  # a Bool/age condition that long-term keys and non-MFA sessions fail
    DELEGATED = "delegated"  # federation: the identity provider's to require, not visible in the evidence
    WEAK = "weak"  # only ...IfExists-style conditions: long-term access keys pass
    ABSENT = "absent"  # a session without MFA is allowed

    @property
    def rank(self) -> int:
        """0 (``enforced``) to 3 (``absent``): a higher rank protects less."""
        return MFA_RANK[self]


#: Every MFA status, the most protective first (the order of :class:`MfaStatus`): the one table every
#: "worst" and "best" is read from. A new state is added to the enum in its place; nothing else changes.
MFA_ORDER: tuple[MfaStatus, ...] = tuple(MfaStatus)
#: A state's place in MFA_ORDER: the higher, the less it protects.
MFA_RANK: dict[MfaStatus, int] = {status: rank for rank, status in enumerate(MFA_ORDER)}


def worst_mfa(statuses: Iterable[MfaStatus]) -> MfaStatus:
    """The least protective of ``statuses`` (``enforced`` for none): what a set of paths risks at worst."""
    return max(statuses, key=MFA_RANK.__getitem__, default=MfaStatus.ENFORCED)


def path_mfa(hops: Iterable[MfaStatus]) -> MfaStatus:
    """The MFA of a path: its most protective hop (``absent`` for none). A session that proved MFA keeps
    that state down the chain, so one ``enforced`` hop protects the whole path."""
    return min(hops, key=MFA_RANK.__getitem__, default=MfaStatus.ABSENT)


@dataclass(frozen=True, slots=True, kw_only=True)
class AssumeEdge:
    """Why ``source`` can become ``target``: the MFA verdict, open conditions and deciding statements."""

    source: str
    target: str
    mfa: MfaStatus
    mfa_by: tuple[str, ...] = ()  # which side enforces it: "trust", "identity" (both: both)
    conditional: tuple[str, ...] = ()  # condition texts on keys the evidence cannot know
    evidence: tuple[EvidenceRef, ...] = ()  # deciding statements of identity and trust policies
    reason: str = ""
    via_saml: bool = False  # a SAML federation edge (IAM Identity Center included); its MFA is ``delegated``

    def edge(self, source: str, target: str) -> AssumeEdge:
        """This edge as the edge ``source`` -> ``target`` (an edge is its own :class:`AssumeFacts`)."""
        if source == self.source and target == self.target:
            return self
        return replace(self, source=source, target=target)


@dataclass(frozen=True, slots=True)
class AccessPath:
    principal: str
    role: str
    hops: tuple[AssumeEdge, ...]

    @property
    def mfa_enforced(self) -> bool:
        """True when at least one hop enforces MFA (a later hop cannot undo an MFA session)."""
        return any(h.mfa is MfaStatus.ENFORCED for h in self.hops)

    @property
    def mfa_needed(self) -> MfaStatus:
        """The MFA a caller must show to walk this path: its strongest hop (a session that proved MFA
        keeps that state when it chains, so one enforcing hop protects the whole path)."""
        return path_mfa(h.mfa for h in self.hops)

    @property
    def weakest_hop(self) -> MfaStatus:
        """The weakest hop: a summary of the path that is never better than a hop on it."""
        return worst_mfa(h.mfa for h in self.hops)


@dataclass(frozen=True, slots=True)
class OpenTrust:
    """A trust statement admitting any principal: where it is, its conditions as written, and whether
    it is an Allow with ``NotPrincipal`` (everyone but the principals it names)."""

    evidence: EvidenceRef
    conditions: tuple[str, ...]
    not_principal: bool


@dataclass(frozen=True, slots=True)
class SimplePaths:
    """Simple paths between two nodes, shortest first, as many as were asked for.

    ``complete``: these are all the simple paths within the hop limit; False when more exist (or the
    search stopped at its step budget before it could tell).
    """

    paths: tuple[AccessPath, ...]
    complete: bool


class AssumeFacts(Protocol):
    """What a ``can_assume`` edge says apart from its ends; one object may be shared by many edges.

    The queries read :attr:`mfa`; :meth:`edge` makes the :class:`AssumeEdge` itself, when a query
    returns it (an :class:`AssumeEdge` is the facts of its own edge).
    """

    @property
    def mfa(self) -> MfaStatus: ...

    def edge(self, source: str, target: str) -> AssumeEdge: ...


#: A node's ``can_assume`` edges: target -> facts, in the order the edges were added.
Targets = Mapping[str, AssumeFacts]
_NO_TARGETS: Targets = MappingProxyType({})


class AssumeEdges:
    """The ``can_assume`` edges, by caller: ``succ[source][target]`` is the edge's :class:`AssumeFacts`.

    Kept apart from the networkx graph, whose two dictionaries and adjacency entries cost about 450
    bytes per edge: 2,000 roles that may all assume each other make 4,000,000 edges (issue 11). Here
    an edge is one entry of its caller's dictionary, its facts shared with the edges that say the
    same (the builder interns them), and an :class:`AssumeEdge` is made only when a query returns it.
    A caller's targets are in the order the networkx graph would hold them (the builder keeps it).
    """

    def __init__(self) -> None:
        self.succ: dict[str, dict[str, AssumeFacts]] = {}

    def add(self, source: str, target: str, facts: AssumeFacts) -> None:
        """One edge; added again, its facts are replaced and its place kept (as networkx does)."""
        self.succ.setdefault(source, {})[target] = facts

    def add_from(self, source: str, targets: dict[str, AssumeFacts]) -> None:
        """Every edge of ``source`` at once: ``targets`` is kept, not copied."""
        if not targets:
            return
        known = self.succ.get(source)
        if known is None:
            self.succ[source] = targets
        else:
            known.update(targets)

    def __len__(self) -> int:
        return sum(map(len, self.succ.values()))


def as_access_graph(graph: AccessGraph | nx.MultiDiGraph[str]) -> AccessGraph:
    """``graph`` as an :class:`AccessGraph` (a networkx graph: its ``can_assume`` edges moved to the store)."""
    return graph if isinstance(graph, AccessGraph) else AccessGraph(graph)


def _split(graph: nx.MultiDiGraph[str]) -> tuple[nx.MultiDiGraph[str], AssumeEdges]:
    """A networkx graph holding ``can_assume`` edges (``info``: their :class:`AssumeEdge`) as the
    access graph keeps it: the other edges in a copy, the ``can_assume`` ones in the store."""
    assume = AssumeEdges()
    found: list[tuple[str, str, object]] = []
    for source, target, key, data in graph.edges(keys=True, data=True):
        if data.get("kind") == EdgeKind.CAN_ASSUME:
            assume.add(source, target, data["info"])
            found.append((source, target, key))
    if not found:
        return graph, assume
    rest = graph.copy()
    for source, target, key in found:
        rest.remove_edge(source, target, key)
    return rest, assume


#: How many edges :meth:`AccessGraph.edge` keeps once made (a few hundred bytes each).
EDGES_KEPT = 300_000


class AccessGraph:
    """A built graph plus queries. Construct with :func:`analyzer.graph.build.build_access_graph`.

    ``graph``: the nodes and the ``member_of`` and ``trusts`` edges; ``assume``: the ``can_assume``
    edges (without it, they are taken out of ``graph``, which is then copied, not changed).
    """

    def __init__(self, graph: nx.MultiDiGraph[str], assume: AssumeEdges | None = None) -> None:
        if assume is None:
            graph, assume = _split(graph)
        self.graph = graph
        self.assume = assume
        self._unenforced: dict[str, Targets] = {}
        self._made: dict[tuple[str, str], AssumeEdge] = {}
        self._outside: dict[str | None, frozenset[str]] = {}
        self._backs: dict[tuple[bool, bool], dict[str, tuple[str, ...]]] = {}

    @cached_property
    def _pred(self) -> dict[str, dict[str, AssumeFacts]]:
        """The edges by target: sources in the graph's node order (the order networkx gives them)."""
        pred: dict[str, dict[str, AssumeFacts]] = {}
        succ = self.assume.succ
        for source in self.graph:
            for target, facts in succ.get(source, _NO_TARGETS).items():
                found = pred.get(target)
                if found is None:
                    found = pred[target] = {}
                found[source] = facts
        return pred

    def assume_targets(self, node: str) -> Targets:
        """The roles ``node`` can assume directly, each with its edge's facts."""
        return self.assume.succ.get(node, _NO_TARGETS)

    def assume_sources(self, node: str) -> Targets:
        """Who can assume ``node`` directly, each with its edge's facts."""
        return self._pred.get(node, _NO_TARGETS)

    def _unenforced_targets(self, node: str) -> Targets:
        """The ``can_assume`` edges of ``node`` on which MFA is not enforced (``delegated`` ones included)."""
        found = self._unenforced.get(node)
        if found is None:
            targets = self.assume_targets(node)
            states = {facts.mfa for facts in set(targets.values())}
            if MfaStatus.ENFORCED not in states:
                found = targets
            elif len(states) == 1:
                found = _NO_TARGETS
            else:
                found = {t: facts for t, facts in targets.items() if facts.mfa is not MfaStatus.ENFORCED}
            self._unenforced[node] = found
        return found

    @cached_property
    def _targets_at_all(self) -> frozenset[str]:
        """Every node with an edge in: all that a forward search can reach besides its start."""
        return frozenset().union(*self.assume.succ.values())

    @cached_property
    def _sources_at_all(self) -> frozenset[str]:
        """Every node with an edge out: all that a backward search can reach besides its start."""
        return frozenset(source for source, targets in self.assume.succ.items() if targets)

    def _unenforced_sources(self, node: str) -> Targets:
        sources = self.assume_sources(node)
        return {s: facts for s, facts in sources.items() if facts.mfa is not MfaStatus.ENFORCED}

    def number_of_edges(self) -> int:
        """Every edge: ``member_of``, ``trusts`` and ``can_assume``."""
        return self.graph.number_of_edges() + len(self.assume)

    # ------------------------------------------------------------------ nodes
    def kind(self, node: str) -> NodeKind | None:
        data = self.graph.nodes.get(node)
        return NodeKind(data["kind"]) if data else None

    def account_of(self, node: str) -> str | None:
        data = self.graph.nodes.get(node)
        return data.get("account") if data else None

    def nodes_of(self, kind: NodeKind, account: str | None = None) -> list[str]:
        return sorted(
            n
            for n, d in self.graph.nodes(data=True)
            if d.get("kind") == kind and (account is None or d.get("account") == account)
        )

    # ------------------------------------------------------------------ edges
    def assume_edges(self) -> Iterator[AssumeEdge]:
        """Every ``can_assume`` edge, by source then target."""
        succ = self.assume.succ
        for source in sorted(succ):
            targets = succ[source]
            for target in sorted(targets):
                yield targets[target].edge(source, target)

    def edge(self, source: str, target: str) -> AssumeEdge | None:
        """The ``can_assume`` edge ``source`` -> ``target``, if there is one.

        Made from its facts, and kept for the next query (the paths of many principals share their
        hops), up to :data:`EDGES_KEPT` of them: then the kept ones are let go.
        """
        made = self._made.get((source, target))
        if made is not None:
            return made
        facts = self.assume_targets(source).get(target)
        if facts is None:
            return None
        if len(self._made) >= EDGES_KEPT:
            self._made.clear()
        made = self._made[(source, target)] = facts.edge(source, target)
        return made

    def _path(self, nodes: list[str]) -> AccessPath:
        hops = tuple(e for e in (self.edge(a, b) for a, b in pairwise(nodes)) if e)
        return AccessPath(nodes[0], nodes[-1], hops)

    # ------------------------------------------------------------------ queries
    def reachable(
        self, principal: str, *, without_mfa: bool = False, among: AbstractSet[str] | None = None
    ) -> dict[str, AccessPath]:
        """Every role ``principal`` can become (role chaining followed), with a shortest path each.

        ``without_mfa`` restricts to paths on which no hop enforces MFA; ``among``, to these roles (the
        paths of the others are not made; e.g. :meth:`outside_account`).
        """
        if principal not in self.graph:
            return {}
        adjacent = self._unenforced_targets if without_mfa else self.assume_targets
        parent = _search(adjacent, principal, self._targets_at_all, self._back(without_mfa=without_mfa, forward=True))
        reached = parent.keys() - {principal}
        if among is not None:
            reached &= among
        return {t: self._path(_path_to(parent, t)[::-1]) for t in sorted(reached)}

    def who_can_assume(self, role: str, *, without_mfa: bool = False) -> dict[str, AccessPath]:
        """Every node that can reach ``role``, with a shortest path from each."""
        if role not in self.graph:
            return {}
        adjacent = self._unenforced_sources if without_mfa else self.assume_sources
        parent = _search(adjacent, role, self._sources_at_all, self._back(without_mfa=without_mfa, forward=False))
        return {s: self._path(_path_to(parent, s)) for s in sorted(parent.keys() - {role})}

    def _back(self, *, without_mfa: bool, forward: bool) -> Back:
        """The predecessors of a node in the edges a search follows, each node's found once and kept.

        Forward (a search along the edges): the callers whose targets hold the node, one scan of the
        callers per node; backward: the node's own targets. ``without_mfa``: edges that do not enforce MFA.
        """
        known = self._backs.setdefault((without_mfa, forward), {})
        targets = self._unenforced_targets if without_mfa else self.assume_targets

        def back(node: str) -> tuple[str, ...]:
            found = known.get(node)
            if found is None:
                if forward:
                    found = tuple(source for source in self.assume.succ if node in targets(source))
                else:
                    found = tuple(targets(node))
                known[node] = found
            return found

        return back

    def outside_account(self, account: str | None) -> frozenset[str]:
        """The nodes of an account other than ``account`` (a node without one left out), kept per account."""
        found = self._outside.get(account)
        if found is None:
            found = self._outside[account] = frozenset(
                node for node, data in self.graph.nodes(data=True) if data.get("account") not in (account, None)
            )
        return found

    @cached_property
    def _may_hide_edges(self) -> bool:
        """Whether any node has unreadable grants or may pass an unreadable trust (else no path has a gap)."""
        return any(d.get("unknown_grants") or d.get("unreadable_trusts") for _, d in self.graph.nodes(data=True))

    def open_path_gaps(self, principal: str, home: str) -> tuple[str, ...]:
        """Why paths without MFA from ``principal`` to roles outside account ``home`` may be missing here.

        The graph draws an edge only where the evidence shows both sides allowing. Along every way
        ``principal`` can go without MFA (and every way it *might* go), two things hide edges: a caller
        whose grants are partly unreadable (``unknown_grants``: a managed policy without its document,
        a group not exported, an inline policy that could not be decoded), and a role whose trust
        policy could not be read that the caller's own side would let it assume (``unreadable_trusts``).
        Each is reported when, through it, a role outside ``home`` may be reached. Empty: no gap.
        """
        if principal not in self.graph or not self._may_hide_edges:
            return ()
        gaps: list[str] = []
        # node -> None when reached for sure, else the unknown hop it was (maybe) reached through
        doubt: dict[str, str | None] = {principal: None}
        queue = deque([principal])
        while queue:
            node = queue.popleft()
            data = self.graph.nodes[node]
            gaps.extend(
                f"{self._label(node)}: {item} cannot be read from the evidence (what it grants is unknown)"
                for item in data.get("unknown_grants", ())
            )
            steps = [(t, doubt[node], False) for t in self._unenforced_targets(node)]
            for target in data.get("unreadable_trusts", ()):
                steps.append(
                    (target, f"{self._label(node)} may assume {target}, whose trust policy could not be read", True)
                )
            for target, via, direct in steps:
                if via is not None and self.account_of(target) not in (home, None):
                    gaps.append(via if direct else f"{via}, and {target} is reachable from there without MFA")
                if target not in doubt or (doubt[target] is not None and via is None):  # new, or now for sure
                    doubt[target] = via
                    queue.append(target)
        return tuple(dict.fromkeys(gaps))

    def trusts_anyone(self, role: str) -> list[OpenTrust]:
        """The statements of ``role``'s trust policy that admit any AWS principal (``"*"``, or an Allow
        with ``NotPrincipal``), with their conditions as written: whoever meets them may assume the
        role, whether or not the evidence holds them."""
        found = [
            OpenTrust(data["evidence"], tuple(data["conditions"]), bool(data["not_principal"]))
            for _, target, data in self.graph.out_edges(role, data=True)
            if data["kind"] == EdgeKind.TRUSTS and self.kind(target) is NodeKind.ANYONE
        ]
        return sorted(found, key=lambda trust: (str(trust.evidence), trust.not_principal))

    def _label(self, node: str) -> str:
        """A node of the graph as ``kind label`` (every node the builder adds has a kind)."""
        data = self.graph.nodes[node]
        return f"{data['kind']} {data.get('label') or node}"

    # ------------------------------------------------------------------ the weakest way in
    def weakest_ways_from(self, principal: str, *, without_mfa: bool = False) -> dict[str, AccessPath]:
        """Every role ``principal`` can become, each with its weakest way in (see :meth:`_weakest_ways`)."""
        return self._weakest_ways(principal, forward=True, without_mfa=without_mfa)

    def weakest_ways_to(self, role: str, *, without_mfa: bool = False) -> dict[str, AccessPath]:
        """Every node that can become ``role``, each with its weakest way in (see :meth:`_weakest_ways`)."""
        return self._weakest_ways(role, forward=False, without_mfa=without_mfa)

    def _weakest_ways(self, start: str, *, forward: bool, without_mfa: bool) -> dict[str, AccessPath]:
        """For each node linked to ``start``, the path between them that asks the least MFA of a caller.

        A path asks as much MFA as its strongest hop (:attr:`AccessPath.mfa_needed`); the weakest way
        in is the path, among all the graph holds, whose strongest hop is weakest, not merely the
        shortest one. It is found one state at a time, from the weakest in MFA_ORDER: a
        breadth-first search over the hops at most as strong as that state reaches exactly the nodes
        with a way in that asks no more, each by a shortest such path. A node keeps the first (weakest)
        state it is reached at. ``without_mfa``: only ways in on which no hop enforces MFA.
        """
        if start not in self.graph:
            return {}
        adjacency = self.assume_targets if forward else self.assume_sources
        found: dict[str, list[str]] = {}
        for rank in sorted(MFA_RANK.values(), reverse=True):
            if without_mfa and rank <= MFA_RANK[MfaStatus.ENFORCED]:
                break
            parent: dict[str, str] = {}
            queue = deque([start])
            while queue:
                node = queue.popleft()
                for neighbour, facts in adjacency(node).items():
                    if MFA_RANK[facts.mfa] >= rank and neighbour not in parent and neighbour != start:
                        parent[neighbour] = node
                        queue.append(neighbour)
            for node in parent.keys() - found.keys():
                nodes = [node]
                while nodes[-1] != start:
                    nodes.append(parent[nodes[-1]])
                found[node] = nodes
        if forward:
            return {node: self._path(nodes[::-1]) for node, nodes in sorted(found.items())}
        return {node: self._path(nodes) for node, nodes in sorted(found.items())}

    def simple_paths(
        self, principal: str, role: str, *, cutoff: int, limit: int, budget: int = 2_000_000
    ) -> SimplePaths:
        """Simple paths from ``principal`` to ``role`` of at most ``cutoff`` hops: shortest first, then
        by the ARNs along them, at most ``limit`` of them.

        On a dense graph (roles that may all assume each other) the simple paths number in the
        billions, so they are never all listed: the search goes one length at a time, follows only
        nodes from which ``role`` is still reachable in the hops left, and stops at the ``limit``-th
        path, or after ``budget`` steps (a step: one successor of a node on the path looked at).
        :attr:`SimplePaths.complete` says whether more may exist. ``cutoff`` and ``limit`` are the
        caller's (``trustmap paths --max-hops/--max-paths``).
        """
        if principal not in self.graph or role not in self.graph or principal == role:
            return SimplePaths((), True)
        # hops from each node to ``role``: a branch that cannot arrive in time is not followed
        distance = _distances(self.assume_sources, role, cutoff)
        if principal not in distance:
            return SimplePaths((), True)
        search = _PathSearch(self.assume_targets, role, distance, budget)
        found: list[list[str]] = []
        try:
            for length in range(distance[principal], cutoff + 1):
                for nodes in search.of_length(principal, length):
                    if len(found) == limit:
                        return SimplePaths(tuple(map(self._path, found)), False)
                    found.append(nodes)
        except _BudgetSpent:
            return SimplePaths(tuple(map(self._path, found)), False)
        return SimplePaths(tuple(map(self._path, found)), True)


#: About how many steps in C cost as much as one in Python: :func:`_search` takes the cheaper side.
_PYTHON_STEPS = 8
#: A level is searched from the nodes left to reach (bottom-up) when at most this many are left, and
#: they and their predecessors number at most _PYTHON_STEPS per node of the level.
_BOTTOM_UP_LEFT = 128

#: The predecessors of a node in the view a search follows (any order).
Back = Callable[[str], tuple[str, ...]]


def _search(adjacent: Callable[[str], Targets], start: str, reachable: frozenset[str], back: Back) -> dict[str, str]:
    """Breadth-first search from ``start``: each node it reaches -> the node it was reached from
    (``start`` -> itself). The very shortest paths ``networkx.single_source_shortest_path`` picks:
    level by level, a node's neighbours in their order.

    ``reachable``: every node the search could reach besides ``start``; the ones not reached yet are
    kept as a set (``left``), and the search stops once it is empty. A level's new nodes are found
    from the cheaper side. Top-down, each node of the level meets its neighbours with ``left``: in C,
    or, when only a few are left, those few looked up among its neighbours. Bottom-up, when few are
    left and the level is large, each node left finds, among its predecessors (``back``), the first
    of the level: the node that would have reached it top-down. On a dense graph (thousands of
    neighbours per node, a few nodes left to reach) no level costs a step per edge or per node.
    """
    parent: dict[str, str] = {start: start}
    left = set(reachable)
    left.discard(start)
    level = [start]
    while level and left:
        few = len(left) <= _BOTTOM_UP_LEFT and len(level) * _PYTHON_STEPS >= len(left)
        if few and sum(len(back(node)) for node in left) <= _PYTHON_STEPS * len(level):
            level = _bottom_up(level, left, parent, adjacent, back)
            continue
        following: list[str] = []
        for node in level:
            near = adjacent(node)
            if len(left) * _PYTHON_STEPS < len(near):  # a few left: look them up among the neighbours
                fresh = {step for step in left if step in near}
            else:  # in C, one step per neighbour
                fresh = left.intersection(near.keys())
            if not fresh:
                continue
            steps = list(fresh) if len(fresh) == 1 else [step for step in near if step in fresh]
            left -= fresh
            for step in steps:
                parent[step] = node
            following.extend(steps)
            if not left:
                break
        level = following
    return parent


def _bottom_up(
    level: list[str], left: set[str], parent: dict[str, str], adjacent: Callable[[str], Targets], back: Back
) -> list[str]:
    """The next level, found from the nodes ``left`` (see :func:`_search`), in the order top-down gives."""
    position = {node: index for index, node in enumerate(level)}
    found: dict[int, list[str]] = {}
    for node in left:
        first = min((position[p] for p in back(node) if p in position), default=-1)
        if first >= 0:
            found.setdefault(first, []).append(node)
    following: list[str] = []
    for index in sorted(found):
        source, steps = level[index], found[index]
        if len(steps) > 1:  # in the order of the source's neighbours
            chosen = set(steps)
            steps = [step for step in adjacent(source) if step in chosen]
        for step in steps:
            parent[step] = source
        following.extend(steps)
        left.difference_update(steps)
    return following


def _path_to(parent: dict[str, str], node: str) -> list[str]:
    """The nodes from ``node`` back to the search's start (see :func:`_search`)."""
    path = [node]
    while parent[path[-1]] != path[-1]:
        path.append(parent[path[-1]])
    return path


def _distances(adjacent: Callable[[str], Targets], start: str, cutoff: int) -> dict[str, int]:
    """Hops from ``start`` to each node it reaches in at most ``cutoff`` hops (itself: 0)."""
    distance = {start: 0}
    level = [start]
    hops = 0
    while level and hops < cutoff:
        hops += 1
        following: list[str] = []
        for node in level:
            for step in adjacent(node).keys() - distance.keys():
                distance[step] = hops
                following.append(step)
        level = following
    return distance


class _BudgetSpent(Exception):
    """The path search took as many steps as it was allowed."""


class _PathSearch:
    """Depth-first search for the simple paths of one exact length to ``role``, in ARN order."""

    def __init__(self, targets: Callable[[str], Targets], role: str, distance: dict[str, int], budget: int) -> None:
        self.targets, self.role, self.distance, self.budget = targets, role, distance, budget
        self.successors: dict[str, list[str]] = {}

    def _sorted_successors(self, node: str) -> list[str]:
        known = self.successors.get(node)
        if known is None:
            known = self.successors[node] = sorted(self.targets(node))
        return known

    def of_length(self, start: str, length: int) -> Iterator[list[str]]:
        path = [start]
        yield from self._extend(path, set(path), length)

    def _extend(self, path: list[str], on_path: set[str], remaining: int) -> Iterator[list[str]]:
        node = path[-1]
        if remaining == 1:
            if self.role in self.targets(node):
                yield [*path, self.role]
            return
        for step in self._sorted_successors(node):
            self.budget -= 1
            if self.budget < 0:
                raise _BudgetSpent
            if step == self.role or step in on_path or self.distance.get(step, remaining) > remaining - 1:
                continue
            path.append(step)
            on_path.add(step)
            yield from self._extend(path, on_path, remaining - 1)
            path.pop()
            on_path.discard(step)
