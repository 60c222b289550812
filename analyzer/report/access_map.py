"""The access map: who in the Identity account can become which member-account role, laid out in Python.

The layout is computed here from the networkx graph and drawn by the template as inline SVG (no
JavaScript graph library; works with scripts off and in print). Two modes:

* detailed (small organizations): groups | people and other principals | roles, grouped by
  account; membership edges on the left, ``can_assume`` edges on the right styled by MFA status
  (``delegated``, a federation hop whose MFA is the identity provider's, has its own colour and
  is listed with the paths that lack enforced MFA).
* aggregated (large organizations): principals bucketed by their group set (or kind), one edge
  per bucket -> account carrying the worst MFA status and the path counts; buckets and accounts
  with problem paths are drawn first and the drawing is capped; what is not drawn is listed.

Every string here is evidence (names, ARNs) and is escaped by the template, never marked safe.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from analyzer.findings.org_shape import OrgShape
from analyzer.graph.access import MFA_ORDER, MFA_RANK, AccessGraph, AssumeEdge, EdgeKind, MfaStatus, NodeKind, worst_mfa

#: Detailed drawing only while the picture stays legible.
DETAILED_MAX_SOURCES = 40
DETAILED_MAX_ROLES = 60
DETAILED_MAX_EDGES = 200
#: Aggregated drawing caps (rows per column).
AGGREGATE_MAX_BUCKETS = 30
AGGREGATE_MAX_ACCOUNTS = 40
#: Problem paths listed under the map; undrawn group -> account links listed (problem links only).
PROBLEM_ROWS = 200
OVERFLOW_ROWS = 200

ROW = 24
NODE_H = 18
TOP = 40
WIDTH = 980
COLUMNS = {"a": (10, 210), "b": (300, 560), "c": (690, 970)}  # x range of each column
LABEL_CHARS = {"a": 27, "b": 35, "c": 38}  # what fits the column at 12px


@dataclass(frozen=True, slots=True)
class MapNode:
    key: str
    column: str
    y: int
    label: str
    title: str
    kind: str  # css class: user, group, role, account, bucket, external, anyone
    problem: bool = False

    @property
    def x(self) -> int:
        return COLUMNS[self.column][0]

    @property
    def width(self) -> int:
        return COLUMNS[self.column][1] - COLUMNS[self.column][0]

    @property
    def text_x(self) -> int:
        return self.x + 8

    @property
    def text_y(self) -> int:
        return self.y + 13


@dataclass(frozen=True, slots=True)
class MapEdge:
    d: str  # SVG path data
    mfa: str  # enforced | delegated | weak | absent | member
    title: str
    label: str = ""
    label_x: int = 0
    label_y: int = 0


@dataclass(frozen=True, slots=True)
class MapBand:
    """An account's frame around its roles (detailed mode)."""

    label: str
    title: str
    y: int
    height: int
    problem: bool


@dataclass(frozen=True, slots=True)
class ProblemPath:
    source: str
    source_label: str
    target: str
    target_label: str
    account: str
    mfa: str
    reason: str
    conditional: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OverflowRow:
    bucket: str
    account: str
    paths: int
    worst: str


@dataclass(frozen=True, slots=True)
class AccessMap:
    mode: str  # detailed | aggregated | empty
    width: int
    height: int
    headers: tuple[tuple[int, str], ...]
    nodes: tuple[MapNode, ...]
    edges: tuple[MapEdge, ...]
    bands: tuple[MapBand, ...]
    problems: tuple[ProblemPath, ...]
    problem_total: int
    counts: dict[str, int] = field(default_factory=dict)  # edges by MFA status
    overflow: tuple[OverflowRow, ...] = ()  # undrawn links without enforced MFA, worst first (capped)
    overflow_note: str = ""  # what else was not drawn
    note: str = ""


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _curve(x1: int, y1: int, x2: int, y2: int) -> str:
    bend = (x2 - x1) // 2
    return f"M{x1} {y1} C{x1 + bend} {y1} {x2 - bend} {y2} {x2} {y2}"


class _Graph:
    """The slice of the access graph the map shows, with each node's kind, account and label looked up
    once (tens of thousands of edges ask for them)."""

    def __init__(self, access: AccessGraph, shape: OrgShape) -> None:
        g = access.graph
        self.access = access
        self.shape = shape
        self.kinds: dict[str, NodeKind | None] = {node: access.kind(node) for node in g}
        self.accounts: dict[str, str | None] = {}
        self.labels: dict[str, str] = {}
        for node, data in g.nodes(data=True):
            self.accounts[node] = data.get("account") if data else None
            self.labels[node] = str(data.get("label") or node.rsplit("/", 1)[-1])
        self.edges: list[AssumeEdge] = []
        self.groups_of: dict[str, list[str]] = defaultdict(list)
        kinds = self.kinds
        for u, v, data in g.edges(data=True):
            kind = data.get("kind")
            if kind == EdgeKind.CAN_ASSUME:
                # AWS services assuming service roles are not people
                if kinds.get(v) is NodeKind.ROLE and kinds.get(u) is not NodeKind.SERVICE:
                    self.edges.append(data["info"])
            elif kind == EdgeKind.MEMBER_OF:
                self.groups_of[u].append(v)
        self.edges.sort(key=lambda e: (e.source, e.target))
        for members in self.groups_of.values():
            members.sort()

    def label(self, node: str) -> str:
        known = self.labels.get(node)
        return known if known is not None else node.rsplit("/", 1)[-1]

    def account_of(self, node: str) -> str | None:
        return self.accounts.get(node)

    def source_label(self, node: str) -> str:
        """A principal's name, with its account's name when it is not in the Identity account."""
        account = self.account_of(node)
        if account is None or account == self.shape.identity_account:
            return self.label(node)
        info = self.shape.info(account)
        return f"{self.label(node)} · {info.name if info and info.name else account}"

    def account_label(self, account: str | None) -> str:
        if not account:
            return "outside the organization"
        info = self.shape.info(account)
        return f"{info.name} ({account})" if info and info.name else account

    def node_kind(self, node: str) -> str:
        kind = self.kinds.get(node)
        return _KIND_CLASS.get(kind, "other") if kind else "other"


#: CSS class of a node kind drawn on the map; every other kind is "other".
_KIND_CLASS: dict[NodeKind, str] = {
    NodeKind.USER: "user",
    NodeKind.GROUP: "group",
    NodeKind.ROLE: "role",
    NodeKind.EXTERNAL_ACCOUNT: "external",
    NodeKind.ANYONE: "anyone",
}


def _worst(edges: Iterable[AssumeEdge]) -> MfaStatus:
    return worst_mfa(e.mfa for e in edges)


def _problems(view: _Graph) -> tuple[list[ProblemPath], int]:
    """Edges without enforced MFA, worst first: absent, weak, then delegated (federation: the identity
    provider's MFA, not in the evidence, so never shown as enforced)."""
    bad = [e for e in view.edges if e.mfa is not MfaStatus.ENFORCED]
    bad.sort(key=lambda e: (-MFA_RANK[e.mfa], e.target, e.source))
    rows = [
        ProblemPath(
            source=e.source,
            source_label=view.source_label(e.source),
            target=e.target,
            target_label=view.label(e.target),
            account=view.account_label(view.account_of(e.target)),
            mfa=e.mfa.value,
            reason=e.reason,
            conditional=e.conditional,
        )
        for e in bad[:PROBLEM_ROWS]
    ]
    return rows, len(bad)


def _counts(edges: Iterable[AssumeEdge]) -> dict[str, int]:
    found = Counter(e.mfa for e in edges)
    return {m.value: found[m] for m in MFA_ORDER}


def _detailed(view: _Graph) -> tuple[list[MapNode], list[MapEdge], list[MapBand], int]:
    sources = sorted({e.source for e in view.edges})
    by_source: dict[str, list[AssumeEdge]] = defaultdict(list)
    for e in view.edges:
        by_source[e.source].append(e)
    groups = sorted({g for s in sources for g in view.groups_of.get(s, [])})
    group_rank = {g: i for i, g in enumerate(groups)}

    def source_order(s: str) -> tuple[int, int, str]:
        first = min((group_rank[g] for g in view.groups_of.get(s, [])), default=len(groups))
        return (first, 0 if view.node_kind(s) == "user" else 1, view.label(s).lower())

    sources.sort(key=source_order)
    y_of: dict[str, int] = {s: TOP + i * ROW for i, s in enumerate(sources)}
    nodes: list[MapNode] = []
    edges: list[MapEdge] = []
    for _i, s in enumerate(sources):
        worst = _worst(by_source[s])
        account = view.account_of(s)
        title = s if account == view.shape.identity_account else f"{s} ({view.account_label(account)})"
        nodes.append(
            MapNode(
                s,
                "b",
                y_of[s],
                _short(view.source_label(s), LABEL_CHARS["b"]),
                title,
                view.node_kind(s),
                worst is not MfaStatus.ENFORCED,
            )
        )
    # groups: centred on their members
    for g in groups:
        members = [y_of[s] for s in sources if g in view.groups_of.get(s, [])]
        y = sum(members) // len(members)
        nodes.append(MapNode(g, "a", y, _short(view.label(g), LABEL_CHARS["a"]), g, "group"))
    _spread(nodes, "a")
    gy = {n.key: n.y for n in nodes if n.column == "a"}
    for s in sources:
        for g in view.groups_of.get(s, []):
            edges.append(
                MapEdge(
                    _curve(COLUMNS["a"][1], gy[g] + NODE_H // 2, COLUMNS["b"][0], y_of[s] + NODE_H // 2),
                    "member",
                    f"{view.label(s)} is a member of {view.label(g)}",
                )
            )
    # roles grouped by account, ordered by the mean position of whoever reaches them
    reach: dict[str, list[int]] = defaultdict(list)
    for e in view.edges:
        reach[e.target].append(y_of[e.source])
    by_account: dict[str, list[str]] = defaultdict(list)
    for role in reach:
        by_account[view.account_of(role) or ""].append(role)
    bands: list[MapBand] = []
    y = TOP
    role_y: dict[str, int] = {}
    incoming: dict[str, list[AssumeEdge]] = defaultdict(list)
    for e in view.edges:
        incoming[e.target].append(e)
    for account in sorted(by_account, key=lambda a: (sum(min(reach[r]) for r in by_account[a]), a)):
        roles = sorted(by_account[account], key=lambda r: (sum(reach[r]) / len(reach[r]), r))
        top = y
        y += 16  # the account's caption
        for role in roles:
            role_y[role] = y
            worst = _worst(incoming[role])
            nodes.append(
                MapNode(
                    role,
                    "c",
                    y,
                    _short(view.label(role), LABEL_CHARS["c"]),
                    role,
                    "role",
                    worst is not MfaStatus.ENFORCED,
                )
            )
            y += ROW
        problem = any(_worst(incoming[r]) is not MfaStatus.ENFORCED for r in roles)
        bands.append(
            MapBand(_short(view.account_label(account), 42), view.account_label(account), top, y - top, problem)
        )
        y += 10
    ordered = sorted(view.edges, key=lambda e: (MFA_RANK[e.mfa], e.source, e.target))  # problems drawn on top
    for e in ordered:
        edges.append(
            MapEdge(
                _curve(COLUMNS["b"][1], y_of[e.source] + NODE_H // 2, COLUMNS["c"][0], role_y[e.target] + NODE_H // 2),
                e.mfa.value,
                f"{view.label(e.source)} → {view.label(e.target)}: MFA {e.mfa.value}"
                + (f" ({e.reason})" if e.reason else ""),
            )
        )
    bottom = max([y, *(n.y + ROW for n in nodes)], default=TOP)
    return nodes, edges, bands, bottom


def _spread(nodes: list[MapNode], column: str) -> None:
    """Push nodes of a column apart so none overlaps the one above (keeps their order)."""
    placed = sorted((n for n in nodes if n.column == column), key=lambda n: (n.y, n.key))
    last = TOP - ROW
    moved: dict[str, MapNode] = {}
    for n in placed:
        y = max(n.y, last + ROW)
        moved[n.key] = MapNode(n.key, n.column, y, n.label, n.title, n.kind, n.problem)
        last = y
    nodes[:] = [moved.get(n.key, n) if n.column == column else n for n in nodes]


def _bucket(view: _Graph, source: str) -> str:
    kind = view.node_kind(source)
    if kind == "user":
        groups = view.groups_of.get(source, [])
        return "users in " + " + ".join(view.label(g) for g in groups) if groups else "users in no group"
    if kind == "role":
        return f"roles in {view.account_label(view.account_of(source))}"
    return {"external": "external accounts", "anyone": "anyone (*)"}.get(kind, "other principals")


def _aggregated(view: _Graph) -> tuple[list[MapNode], list[MapEdge], list[_Link], int]:
    """Buckets of principals -> accounts. Only links with a path lacking enforced MFA are drawn when
    there are any (at scale, a line for every healthy link is a solid wall); else the healthy ones."""
    bucket_of = {source: _bucket(view, source) for source in {e.source for e in view.edges}}
    pairs: dict[tuple[str, str], list[AssumeEdge]] = defaultdict(list)
    for e in view.edges:
        pairs[(bucket_of[e.source], view.account_of(e.target) or "")].append(e)
    worst_of = {key: _worst(items) for key, items in pairs.items()}
    problem_pairs = {k: v for k, v in pairs.items() if worst_of[k] is not MfaStatus.ENFORCED}
    drawable = problem_pairs or pairs

    def weight(items: list[AssumeEdge]) -> tuple[int, int]:
        return (-MFA_RANK[_worst(items)], -len(items))

    bucket_edges: dict[str, list[AssumeEdge]] = defaultdict(list)
    account_edges: dict[str, list[AssumeEdge]] = defaultdict(list)
    for (bucket, account), items in pairs.items():
        bucket_edges[bucket].extend(items)
        account_edges[account].extend(items)
    drawn_accounts = {account for _, account in drawable}
    buckets = sorted(bucket_edges, key=lambda b: (*weight(bucket_edges[b]), b))[:AGGREGATE_MAX_BUCKETS]
    accounts = sorted(drawn_accounts, key=lambda a: (*weight(account_edges[a]), a))[:AGGREGATE_MAX_ACCOUNTS]
    bucket_y = {b: TOP + i * ROW for i, b in enumerate(buckets)}
    account_y = {a: TOP + i * ROW for i, a in enumerate(accounts)}
    nodes = [_bucket_node(view, b, bucket_y[b], bucket_edges[b]) for b in buckets] + [
        MapNode(
            a or "-",
            "c",
            account_y[a],
            _short(view.account_label(a), LABEL_CHARS["c"]),
            f"{view.account_label(a)}: {len({e.target for e in account_edges[a]})} roles reached",
            "account",
            _worst(account_edges[a]) is not MfaStatus.ENFORCED,
        )
        for a in accounts
    ]
    drawn = [(k, v) for k, v in drawable.items() if k[0] in bucket_y and k[1] in account_y]
    labelled = len(drawn) <= 40
    edges = []
    for (bucket, account), items in sorted(drawn, key=lambda p: (-weight(p[1])[0], p[0])):
        y1, y2 = bucket_y[bucket] + NODE_H // 2, account_y[account] + NODE_H // 2
        summary = ", ".join(f"{n} {k}" for k, n in _counts(items).items() if n)
        edges.append(
            MapEdge(
                _curve(COLUMNS["a"][1], y1, COLUMNS["c"][0], y2),
                _worst(items).value,
                f"{bucket} → {view.account_label(account)}: {len(items)} paths ({summary})",
                str(len(items)) if labelled else "",
                COLUMNS["c"][0] - 8,  # beside the account it reaches: one label per row, no pile-up
                y2 - 3,
            )
        )
    edges.sort(key=lambda e: MFA_RANK[MfaStatus(e.mfa)])  # problems drawn on top
    undrawn = [
        _Link(bucket, account, len(items), worst_of[(bucket, account)])
        for (bucket, account), items in sorted(
            pairs.items(), key=lambda p: (-MFA_RANK[worst_of[p[0]]], -len(p[1]), p[0])
        )
        if bucket not in bucket_y or account not in account_y or (bucket, account) not in drawable
    ]
    return nodes, edges, undrawn, TOP + max(len(buckets), len(accounts)) * ROW


class _Link(NamedTuple):
    """A principal group -> account link of the aggregated map: its paths and their worst MFA status."""

    bucket: str
    account: str
    paths: int
    worst: MfaStatus


def _bucket_node(view: _Graph, bucket: str, y: int, items: list[AssumeEdge]) -> MapNode:
    principals = len({e.source for e in items})
    accounts = len({view.account_of(e.target) for e in items})
    return MapNode(
        bucket,
        "a",
        y,
        _short(f"{bucket} ({principals})", LABEL_CHARS["a"]),
        f"{bucket}: {principals} principals reaching roles in {accounts} accounts",
        "bucket",
        _worst(items) is not MfaStatus.ENFORCED,
    )


def _overflow(view: _Graph, links: list[_Link]) -> tuple[tuple[OverflowRow, ...], str]:
    """The undrawn links worth a row (no enforced MFA), capped; the rest summed up in words."""
    if not links:
        return (), ""
    problems = [link for link in links if link.worst is not MfaStatus.ENFORCED]
    listed = tuple(
        OverflowRow(link.bucket, view.account_label(link.account), link.paths, link.worst.value)
        for link in problems[:OVERFLOW_ROWS]
    )
    fine = len(links) - len(problems)
    note = (
        f"{len(links)} principal group → account links not drawn: {len(problems)} with a path that lacks "
        f"enforced MFA{f' ({len(listed)} listed below)' if problems else ''}, {fine} where every path "
        f"enforces MFA ({sum(link.paths for link in links if link.worst is MfaStatus.ENFORCED)} paths, in graph.json)"
    )
    return listed, note


def build_access_map(access: AccessGraph, shape: OrgShape) -> AccessMap:
    view = _Graph(access, shape)
    problems, problem_total = _problems(view)
    counts = _counts(view.edges)
    if not view.edges:
        return AccessMap(
            "empty",
            WIDTH,
            0,
            (),
            (),
            (),
            (),
            (),
            0,
            counts,
            note="The access graph holds no path from a principal to a role.",
        )
    sources = {e.source for e in view.edges}
    targets = {e.target for e in view.edges}
    detailed = (
        len(sources) <= DETAILED_MAX_SOURCES
        and len(targets) <= DETAILED_MAX_ROLES
        and len(view.edges) <= DETAILED_MAX_EDGES
    )
    if detailed:
        nodes, edges, bands, bottom = _detailed(view)
        headers: tuple[tuple[int, str], ...] = (
            (COLUMNS["a"][0], "Groups"),
            (COLUMNS["b"][0], "People and other principals"),
            (COLUMNS["c"][0], "Roles they can assume, by account"),
        )
        return AccessMap(
            "detailed",
            WIDTH,
            bottom + 10,
            headers,
            tuple(nodes),
            tuple(edges),
            tuple(bands),
            tuple(problems),
            problem_total,
            counts,
        )
    nodes, edges, overflow, bottom = _aggregated(view)
    headers = ((COLUMNS["a"][0], "Principals, by group"), (COLUMNS["c"][0], "Accounts whose roles they reach"))
    note = (
        f"{len(sources)} principals reach {len(targets)} roles over {len(view.edges)} paths: drawn per group "
        "and account; where any path lacks enforced MFA, only those links are drawn, worst first"
    )
    return AccessMap(
        "aggregated",
        WIDTH,
        bottom + 10,
        headers,
        tuple(nodes),
        tuple(edges),
        (),
        tuple(problems),
        problem_total,
        counts,
        *_overflow(view, overflow),
        note,
    )
