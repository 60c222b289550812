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
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from analyzer.audit.org_shape import OrgShape
from analyzer.graph.access import (
    MFA_ORDER,
    MFA_RANK,
    AccessGraph,
    AccessPath,
    AssumeEdge,
    EdgeKind,
    MfaStatus,
    NodeKind,
    worst_mfa,
)
from analyzer.graph.scope import member_paths, people_entries

#: Detailed drawing only while the picture stays legible.
DETAILED_MAX_SOURCES = 40
DETAILED_MAX_ROLES = 60
DETAILED_MAX_EDGES = 200
#: Aggregated drawing caps (rows per column).
AGGREGATE_MAX_BUCKETS = 30
AGGREGATE_MAX_ACCOUNTS = 40
#: Links drawn at most, whatever the size of the organization (the rest: listed, and in graph.json).
AGGREGATE_MAX_LINKS = 120
#: Problem paths listed under the map; undrawn group -> account links listed (problem links only).
PROBLEM_ROWS = 200
OVERFLOW_ROWS = 200

ROW = 24
NODE_H = 18
TOP = 40
WIDTH = 980
#: x range of each column; "w" is the aggregated map's wide column of principal groups
COLUMNS = {"a": (10, 210), "b": (300, 560), "c": (690, 970), "w": (10, 400)}
LABEL_CHARS = {"a": 27, "b": 35, "c": 38, "w": 54}  # what fits the column at 12px


@dataclass(frozen=True, slots=True)
class MapNode:
    key: str
    column: str
    y: int
    label: str
    title: str
    kind: str  # css class: user, group, role, account, bucket, external, anyone
    problem: bool = False
    href: str = ""  # aggregated: the node's accounts, listed under the map

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
    groups: tuple[AccountGroup, ...] = ()  # aggregated: the accounts behind each account node


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _curve(x1: int, y1: int, x2: int, y2: int) -> str:
    bend = (x2 - x1) // 2
    return f"M{x1} {y1} C{x1 + bend} {y1} {x2 - bend} {y2} {x2} {y2}"


def _path_edge(entry: str, role: str, path: AccessPath) -> AssumeEdge:
    """One people path as the map draws it: from its entry point to the member role, with the MFA
    a caller must show to walk it (its strongest hop) and, for a chain, each hop's reason."""
    hops = path.hops
    if len(hops) == 1:
        return replace(hops[0], source=entry, target=role)
    reason = "; ".join(
        f"{h.source.rsplit('/', 1)[-1]} → {h.target.rsplit('/', 1)[-1]}: MFA {h.mfa.value}"
        + (f" ({h.reason})" if h.reason else "")
        for h in hops
    )
    return AssumeEdge(
        source=entry,
        target=role,
        mfa=path.mfa_needed,
        conditional=tuple(dict.fromkeys(c for h in hops for c in h.conditional)),
        reason=reason,
        via_saml=hops[0].via_saml,
    )


def people_paths(access: AccessGraph, identity: str | None) -> list[AssumeEdge]:
    """The paths the map draws: from each of people's entry points (:func:`people_entries`, the
    definition IDN-003 and IDN-010 read) to each member-account role it can become. A role reached
    without MFA on some path is drawn by that path (what IDN-003 and IDN-010 judge), else by its
    shortest path, which enforces MFA somewhere."""
    out = []
    for entry in people_entries(access, identity):
        everywhere = member_paths(access, entry, identity)
        if not everywhere:
            continue
        open_paths = member_paths(access, entry, identity, without_mfa=True)
        for role, path in everywhere.items():
            out.append(_path_edge(entry.node, role, open_paths.get(role, path)))
    return sorted(out, key=lambda e: (e.source, e.target))


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
        self.edges: list[AssumeEdge] = people_paths(access, shape.identity_account)
        self.groups_of: dict[str, list[str]] = defaultdict(list)
        for u, v, data in g.edges(data=True):
            if data.get("kind") == EdgeKind.MEMBER_OF:
                self.groups_of[u].append(v)
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

    def account_name(self, account: str | None) -> str:
        if not account:
            return "an unknown account"
        info = self.shape.info(account)
        return info.name if info and info.name else account

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


#: What the aggregated map calls the principals of a node kind.
_KIND_WORDS = {
    NodeKind.USER: "users",
    NodeKind.ROLE: "roles",
    NodeKind.GROUP: "groups",
    NodeKind.SAML_PROVIDER: "SAML providers",
    NodeKind.OIDC_PROVIDER: "OIDC providers",
    NodeKind.ACCOUNT: "account roots",
    NodeKind.DELETED_PRINCIPAL: "deleted principals",
}


def _origin(view: _Graph, e: AssumeEdge) -> str:
    """The principal group a path starts from on the aggregated map: its kind and account of origin.

    A path that stays inside one account (an account's SAML provider into its own SSO roles) is
    grouped as "within the account itself", so a thousand accounts set up alike read as one group."""
    kind = view.kinds.get(e.source)
    if kind is NodeKind.EXTERNAL_ACCOUNT:
        return "accounts outside the organization"
    if kind is NodeKind.ANYONE:
        return "anyone (*)"
    words = _KIND_WORDS.get(kind, "other principals") if kind else "other principals"
    origin = view.account_of(e.source)
    if origin is not None and origin == view.account_of(e.target) and origin != view.shape.identity_account:
        return f"{words} within the account itself"
    return f"{words} in {view.account_name(origin)}"


@dataclass(frozen=True, slots=True)
class AccountGroup:
    """Target accounts reached the same way (the same principal groups, each at the same worst MFA
    state): one node of the aggregated map, listed account by account below it (the drill-down)."""

    key: str  # its anchor on the page
    accounts: tuple[tuple[str, str], ...]  # (account id, label), by label
    worst: str  # the worst MFA state of any path into these accounts
    paths: int
    by_state: dict[str, int]  # paths by MFA state
    reached_by: tuple[tuple[str, str], ...]  # (principal group, worst MFA state), worst first

    @property
    def label(self) -> str:
        if len(self.accounts) == 1:
            return self.accounts[0][1]
        return f"{len(self.accounts)} accounts reached alike"


def _account_groups(view: _Graph, origin_of: dict[AssumeEdge, str]) -> list[AccountGroup]:
    into: dict[str, list[AssumeEdge]] = defaultdict(list)
    for e in view.edges:
        into[view.account_of(e.target) or ""].append(e)
    alike: dict[tuple[tuple[str, str], ...], list[str]] = defaultdict(list)
    for account, edges in into.items():
        per_origin: dict[str, list[AssumeEdge]] = defaultdict(list)
        for e in edges:
            per_origin[origin_of[e]].append(e)
        profile = tuple(sorted((origin, _worst(items).value) for origin, items in per_origin.items()))
        alike[profile].append(account)
    groups = []
    for profile, accounts in alike.items():
        edges = [e for a in accounts for e in into[a]]
        labelled = sorted(((a, view.account_label(a)) for a in accounts), key=lambda p: (p[1].casefold(), p[0]))
        reached = tuple(sorted(profile, key=lambda p: (-MFA_RANK[MfaStatus(p[1])], p[0])))
        groups.append(AccountGroup("", tuple(labelled), _worst(edges).value, len(edges), _counts(edges), reached))
    groups.sort(key=lambda g: (-MFA_RANK[MfaStatus(g.worst)], -len(g.accounts), g.accounts[0][1].casefold()))
    return [replace(g, key=f"reach-{i + 1}") for i, g in enumerate(groups)]


def _aggregated(view: _Graph) -> tuple[list[MapNode], list[MapEdge], list[AccountGroup], list[_Link], int]:
    """Principal groups (kind and account of origin) -> target accounts grouped by how they are
    reached, one link per pair coloured by its worst MFA state and labelled with its path count.
    Nodes and links are capped (worst first): the drawing stays the same size at any scale."""
    origin_of = {e: _origin(view, e) for e in view.edges}
    groups = _account_groups(view, origin_of)
    group_of = {a: g for g in groups for a, _ in g.accounts}
    pairs: dict[tuple[str, str], list[AssumeEdge]] = defaultdict(list)
    for e in view.edges:
        pairs[(origin_of[e], group_of[view.account_of(e.target) or ""].key)].append(e)
    origin_edges: dict[str, list[AssumeEdge]] = defaultdict(list)
    for e in view.edges:
        origin_edges[origin_of[e]].append(e)
    origins = sorted(origin_edges, key=lambda o: (-MFA_RANK[_worst(origin_edges[o])], -len(origin_edges[o]), o))
    origins = origins[:AGGREGATE_MAX_BUCKETS]
    shown = groups[:AGGREGATE_MAX_ACCOUNTS]
    origin_y = {o: TOP + i * ROW for i, o in enumerate(origins)}
    group_y = {g.key: TOP + i * ROW for i, g in enumerate(shown)}
    nodes = [_origin_node(view, o, origin_y[o], origin_edges[o]) for o in origins] + [
        MapNode(
            g.key,
            "c",
            group_y[g.key],
            _short(g.label, LABEL_CHARS["c"]),
            f"{g.label}: {g.paths} paths; worst MFA state {g.worst}"
            + ("" if len(g.accounts) == 1 else " (" + ", ".join(label for _, label in g.accounts[:5]) + " …)"),
            "account",
            g.worst != MfaStatus.ENFORCED.value,
            href=f"#{g.key}",
        )
        for g in shown
    ]
    ranked = sorted(pairs.items(), key=lambda p: (-MFA_RANK[_worst(p[1])], -len(p[1]), p[0]))
    drawable = [(k, v) for k, v in ranked if k[0] in origin_y and k[1] in group_y]
    drawn, undrawn_pairs = drawable[:AGGREGATE_MAX_LINKS], drawable[AGGREGATE_MAX_LINKS:]
    labels = {g.key: g.label for g in groups}
    edges = []
    for (origin, key), items in drawn:
        y1, y2 = origin_y[origin] + NODE_H // 2, group_y[key] + NODE_H // 2
        summary = ", ".join(f"{n} {k}" for k, n in _counts(items).items() if n)
        edges.append(
            MapEdge(
                _curve(COLUMNS["w"][1], y1, COLUMNS["c"][0], y2),
                _worst(items).value,
                f"{origin} → {labels[key]}: {len(items)} paths ({summary})",
                str(len(items)),
                COLUMNS["c"][0] - 8,
                y2 - 3,
            )
        )
    edges.sort(key=lambda e: MFA_RANK[MfaStatus(e.mfa)])  # the worst drawn last, on top
    undrawn = [
        _Link(origin, labels[key], len(items), _worst(items))
        for (origin, key), items in ranked
        if origin not in origin_y or key not in group_y or ((origin, key), items) in undrawn_pairs
    ]
    # one label per row on the account side: the worst link's count, others in the tooltip
    seen: set[int] = set()
    for i in range(len(edges) - 1, -1, -1):
        if edges[i].label_y in seen:
            edges[i] = replace(edges[i], label="")
        seen.add(edges[i].label_y)
    return nodes, edges, groups, undrawn, TOP + max(len(origins), len(shown)) * ROW


class _Link(NamedTuple):
    """A principal group -> account group link of the aggregated map: its paths and their worst MFA state."""

    bucket: str
    account: str
    paths: int
    worst: MfaStatus


def _origin_node(view: _Graph, origin: str, y: int, items: list[AssumeEdge]) -> MapNode:
    principals = len({e.source for e in items})
    accounts = len({view.account_of(e.target) for e in items})
    return MapNode(
        origin,
        "w",
        y,
        _short(f"{origin} ({principals})", LABEL_CHARS["w"]),
        f"{origin}: {principals} principals reaching roles in {accounts} accounts",
        "bucket",
        _worst(items) is not MfaStatus.ENFORCED,
    )


def _overflow(links: list[_Link]) -> tuple[tuple[OverflowRow, ...], str]:
    """The undrawn links worth a row (no enforced MFA), capped; the rest summed up in words."""
    if not links:
        return (), ""
    problems = [link for link in links if link.worst is not MfaStatus.ENFORCED]
    listed = tuple(
        OverflowRow(link.bucket, link.account, link.paths, link.worst.value) for link in problems[:OVERFLOW_ROWS]
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
    nodes, edges, groups, overflow, bottom = _aggregated(view)
    headers = (
        (COLUMNS["w"][0], "Principals, by account of origin"),
        (COLUMNS["c"][0], "Accounts they reach, grouped alike"),
    )
    note = (
        f"{len(sources)} principals reach {len(targets)} roles in {sum(len(g.accounts) for g in groups)} "
        f"accounts over {len(view.edges)} paths: drawn per principal group and group of accounts reached alike, "
        "worst first; each link carries its worst MFA state and its number of paths"
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
        *_overflow(overflow),
        note,
        tuple(groups),
    )
