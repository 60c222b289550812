"""The organization's access graph and the questions asked of it.

A ``networkx.MultiDiGraph`` keyed by ARN (external accounts by their root ARN, service
principals by their name, ``*`` for anyone). Node attributes: ``kind`` (:class:`NodeKind`),
``account`` and ``label``. Edge attributes: ``kind`` (:class:`EdgeKind`) and, for ``can_assume``,
the :class:`AssumeEdge` under ``info``. The builder (``analyzer.graph.build``) adds a
``can_assume`` edge only where the full evaluation allows it. The path queries are networkx
algorithms over the ``can_assume`` edges (copied once into a plain graph: a filtered view re-tests
every edge at every step); :meth:`AccessGraph.open_path_gaps` walks them together with what the
evidence could not show (unreadable grants and trust policies on the caller nodes).
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise

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
        return _MFA_RANK[self]


#: Every MFA status, the most protective first (the order of :class:`MfaStatus`).
MFA_ORDER: tuple[MfaStatus, ...] = tuple(MfaStatus)
_MFA_RANK: dict[MfaStatus, int] = {status: rank for rank, status in enumerate(MFA_ORDER)}


def worst_mfa(statuses: Iterable[MfaStatus]) -> MfaStatus:
    """The least protective of ``statuses`` (``enforced`` for none): what a set of paths risks at worst."""
    return max(statuses, key=_MFA_RANK.__getitem__, default=MfaStatus.ENFORCED)


def path_mfa(hops: Iterable[MfaStatus]) -> MfaStatus:
    """The MFA of a path: its most protective hop (``absent`` for none). A session that proved MFA keeps
    that state down the chain, so one ``enforced`` hop protects the whole path."""
    return min(hops, key=_MFA_RANK.__getitem__, default=MfaStatus.ABSENT)


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
    def weakest(self) -> MfaStatus:
        """The path's MFA (:func:`path_mfa`): ``enforced`` if any hop enforces it, else ``delegated`` if it
        enters through an identity provider, else ``weak`` or ``absent``."""
        return path_mfa(h.mfa for h in self.hops)


class AccessGraph:
    """A built graph plus queries. Construct with :func:`analyzer.graph.build.build_access_graph`."""

    def __init__(self, graph: nx.MultiDiGraph[str]) -> None:
        self.graph = graph

    @cached_property
    def _assume(self) -> nx.DiGraph[str]:
        """The ``can_assume`` edges alone (every node kept), built once on first use.

        A filtered view would re-test every edge of a node each time a search looks at it; the graph
        is complete once built, so the queries run on plain copies of the edges they follow.
        """
        return self._edges_where(lambda info: True)

    @cached_property
    def _assume_no_mfa(self) -> nx.DiGraph[str]:
        """The ``can_assume`` edges on which MFA is not enforced (``delegated`` federation hops included)."""
        return self._edges_where(lambda info: info.mfa is not MfaStatus.ENFORCED)

    def _edges_where(self, keep: Callable[[AssumeEdge], bool]) -> nx.DiGraph[str]:
        found: nx.DiGraph[str] = nx.DiGraph()
        found.add_nodes_from(self.graph)
        found.add_edges_from(  # in one call: adding edge by edge costs a method call and checks per edge
            (u, v, {"info": data["info"]})
            for u, v, data in self.graph.edges(data=True)
            if data["kind"] == EdgeKind.CAN_ASSUME and keep(data["info"])
        )
        return found

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
        for _, _, data in sorted(self._assume.edges(data=True), key=lambda e: (e[0], e[1])):
            yield data["info"]

    def edge(self, source: str, target: str) -> AssumeEdge | None:
        for data in (self.graph.get_edge_data(source, target) or {}).values():
            if data["kind"] == EdgeKind.CAN_ASSUME:
                info: AssumeEdge = data["info"]
                return info
        return None

    def _path(self, nodes: list[str]) -> AccessPath:
        hops = tuple(e for e in (self.edge(a, b) for a, b in pairwise(nodes)) if e)
        return AccessPath(nodes[0], nodes[-1], hops)

    # ------------------------------------------------------------------ queries
    def reachable(self, principal: str, *, without_mfa: bool = False) -> dict[str, AccessPath]:
        """Every role ``principal`` can become (role chaining followed), with a shortest path each.

        ``without_mfa`` restricts to paths on which no hop enforces MFA.
        """
        view = self._assume_no_mfa if without_mfa else self._assume
        if principal not in view:
            return {}
        paths = nx.single_source_shortest_path(view, principal)
        return {t: self._path(p) for t, p in sorted(paths.items()) if t != principal}

    def who_can_assume(self, role: str, *, without_mfa: bool = False) -> dict[str, AccessPath]:
        """Every node that can reach ``role``, with a shortest path from each."""
        view = self._assume_no_mfa if without_mfa else self._assume
        if role not in view:
            return {}
        reverse = nx.single_source_shortest_path(view.reverse(copy=False), role)
        return {s: self._path(list(reversed(p))) for s, p in sorted(reverse.items()) if s != role}

    def open_path_gaps(self, principal: str, home: str) -> tuple[str, ...]:
        """Why paths without MFA from ``principal`` to roles outside account ``home`` may be missing here.

        The graph draws an edge only where the evidence shows both sides allowing. Along every way
        ``principal`` can go without MFA (and every way it *might* go), two things hide edges: a caller
        whose grants are partly unreadable (``unknown_grants``: a managed policy without its document,
        a group not exported, an inline policy that could not be decoded), and a role whose trust
        policy could not be read that the caller's own side would let it assume (``unreadable_trusts``).
        Each is reported when, through it, a role outside ``home`` may be reached. Empty: no gap.
        """
        if principal not in self.graph:
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
            steps = [(t, doubt[node], False) for t in self._assume_no_mfa.successors(node)]
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

    def _label(self, node: str) -> str:
        data = self.graph.nodes.get(node) or {}
        return f"{data.get('kind', 'node')} {data.get('label') or node}"

    def all_paths(self, principal: str, role: str, cutoff: int = 6) -> list[AccessPath]:
        if principal not in self._assume or role not in self._assume:
            return []
        simple = nx.all_simple_paths(self._assume, principal, role, cutoff=cutoff)
        return [self._path(p) for p in sorted(simple, key=lambda p: (len(p), p))]
