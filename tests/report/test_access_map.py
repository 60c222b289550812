"""The access map's layout: detailed for a small organization, aggregated and capped for a big one."""

from __future__ import annotations

import networkx as nx

from analyzer.audit.org_shape import AccountInfo, OrgShape, Resolved
from analyzer.graph.access import AccessGraph, AssumeEdge, EdgeKind, MfaStatus, NodeKind
from analyzer.pipeline import ScanResult
from analyzer.report import access_map
from analyzer.report.access_map import build_access_map
from tests.report.support import DEV

IDENTITY = "111111111111"


def test_small_organizations_get_groups_people_and_roles_by_account(defective: ScanResult) -> None:
    amap = build_access_map(defective.graph, defective.shape)
    assert amap.mode == "detailed"
    columns = {n.column: [] for n in amap.nodes}
    for n in amap.nodes:
        columns[n.column].append(n.label)
    assert columns == {"a": ["Staff"], "b": ["alice"], "c": ["Dev-Admin-Role", "Ops-Role"]}
    assert sorted(e.mfa for e in amap.edges) == ["absent", "member", "weak"]
    assert amap.edges[-1].mfa == "absent"  # the worst path is drawn last, on top
    assert [b.title for b in amap.bands] == [f"{defective.shape.info(DEV).name} ({DEV})"]
    assert amap.bands[0].problem
    assert [(p.target_label, p.mfa) for p in amap.problems] == [("Ops-Role", "absent"), ("Dev-Admin-Role", "weak")]
    assert amap.counts == {"enforced": 0, "delegated": 0, "weak": 1, "absent": 1}
    ys = [n.y for n in amap.nodes if n.column == "c"]
    assert len(set(ys)) == len(ys) and max(ys) < amap.height


def test_a_federation_hop_is_drawn_delegated_and_listed_after_the_known_gaps() -> None:
    """SAML (IAM Identity Center) sessions carry no MFA context (IAMUG id_credentials_mfa_configure-api-require):
    the hop is neither a solid 'enforced' line nor hidden from the paths lacking enforced MFA."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    # IAM Identity Center provisions its SAML provider and AWSReservedSSO_* roles in each member account
    provider = "arn:aws:iam::500000000000:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"
    sso = "arn:aws:iam::500000000000:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef"
    alice, member = f"arn:aws:iam::{IDENTITY}:user/alice", "arn:aws:iam::500000000000:role/Admin"
    g.add_node(provider, kind=NodeKind.SAML_PROVIDER, account="500000000000", label="AWSSSO")
    g.add_node(sso, kind=NodeKind.ROLE, account="500000000000", label=sso.rsplit("/", 1)[-1], sso=True)
    g.add_node(alice, kind=NodeKind.USER, account=IDENTITY, label="alice")
    g.add_node(member, kind=NodeKind.ROLE, account="500000000000", label="Admin")
    hops = ((provider, sso, MfaStatus.DELEGATED), (alice, member, MfaStatus.ABSENT))
    for source, target, mfa in hops:
        info = AssumeEdge(source=source, target=target, mfa=mfa, reason="test", via_saml=source == provider)
        g.add_edge(source, target, key=EdgeKind.CAN_ASSUME, kind=EdgeKind.CAN_ASSUME, info=info)
    infos = (AccountInfo(IDENTITY, "Identity", "identity", "ACTIVE", True),)
    shape = OrgShape(Resolved(IDENTITY, "config", "test"), Resolved("logs", "config", "test"), None, infos)
    amap = build_access_map(AccessGraph(g), shape)
    assert sorted(e.mfa for e in amap.edges if e.mfa != "member") == ["absent", "delegated"]
    assert [(p.source, p.mfa) for p in amap.problems] == [(alice, "absent"), (provider, "delegated")]
    assert amap.counts == {"enforced": 0, "delegated": 1, "weak": 0, "absent": 1}


def test_the_map_draws_the_people_paths_the_rules_read() -> None:
    """The map draws what IDN-003 and IDN-010 read (analyzer.graph.scope): each path from a person's
    entry point to a member-account role, a chain as one line with the MFA needed to walk it; a
    member-account role assuming another is no one's way in. Before, the map drew every can_assume
    hop: alice -> Hub and Hub -> Admin, and the workload's hop, but not alice's way to Admin."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    alice, hub = f"arn:aws:iam::{IDENTITY}:user/alice", f"arn:aws:iam::{IDENTITY}:role/Hub"
    admin, worker = "arn:aws:iam::500000000000:role/Admin", "arn:aws:iam::500000000000:role/Worker"
    for node, kind in ((alice, NodeKind.USER), (hub, NodeKind.ROLE), (admin, NodeKind.ROLE), (worker, NodeKind.ROLE)):
        account = IDENTITY if ":" + IDENTITY + ":" in node else "500000000000"
        g.add_node(node, kind=kind, account=account, label=node.rsplit("/", 1)[-1])
    hops = ((alice, hub, MfaStatus.ENFORCED), (hub, admin, MfaStatus.ABSENT), (worker, admin, MfaStatus.ABSENT))
    for source, target, mfa in hops:
        info = AssumeEdge(source=source, target=target, mfa=mfa, reason="test")
        g.add_edge(source, target, key=EdgeKind.CAN_ASSUME, kind=EdgeKind.CAN_ASSUME, info=info)
    infos = (AccountInfo(IDENTITY, "Identity", "identity", "ACTIVE", True),)
    shape = OrgShape(Resolved(IDENTITY, "config", "test"), Resolved("logs", "config", "test"), None, infos)
    amap = build_access_map(AccessGraph(g), shape)
    drawn = sorted((e.title.split(":")[0], e.mfa) for e in amap.edges)
    # alice's chain needs MFA (her first hop enforces it); Hub, an Identity-account role, enters without
    assert drawn == [("Hub → Admin", "absent"), ("alice → Admin", "enforced")]
    assert [(p.source_label, p.target_label, p.mfa) for p in amap.problems] == [("Hub", "Admin", "absent")]


def _big_graph(
    users: int, groups: int, accounts: int, absent: tuple[tuple[int, int], ...] = ()
) -> tuple[AccessGraph, OrgShape]:
    """``absent``: (user, account) pairs whose path lacks MFA."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    infos = [AccountInfo(IDENTITY, "Identity", "identity", "ACTIVE", True)]
    for gi in range(groups):
        g.add_node(f"arn:aws:iam::{IDENTITY}:group/G{gi}", kind=NodeKind.GROUP, account=IDENTITY, label=f"G{gi}")
    for a in range(accounts):
        aid = f"{500000000000 + a:012d}"
        infos.append(AccountInfo(aid, f"acct-{a}", "member", "ACTIVE", True))
        g.add_node(f"arn:aws:iam::{aid}:role/Admin", kind=NodeKind.ROLE, account=aid, label="Admin")
    for u in range(users):
        user = f"arn:aws:iam::{IDENTITY}:user/u{u}"
        group = f"arn:aws:iam::{IDENTITY}:group/G{u % groups}"
        g.add_node(user, kind=NodeKind.USER, account=IDENTITY, label=f"u{u}")
        g.add_edge(user, group, key=EdgeKind.MEMBER_OF, kind=EdgeKind.MEMBER_OF)
        for a in range(accounts):
            role = f"arn:aws:iam::{500000000000 + a:012d}:role/Admin"
            mfa = MfaStatus.ABSENT if (u, a) in absent else MfaStatus.ENFORCED
            g.add_edge(
                user,
                role,
                key=EdgeKind.CAN_ASSUME,
                kind=EdgeKind.CAN_ASSUME,
                info=AssumeEdge(source=user, target=role, mfa=mfa, reason="test"),
            )
    shape = OrgShape(Resolved(IDENTITY, "config", "test"), Resolved("logs", "config", "test"), None, tuple(infos))
    return AccessGraph(g), shape


def test_big_organizations_are_drawn_per_principal_group_and_accounts_reached_alike() -> None:
    """Issue 15 §2: at scale, one node per principal group (kind and account of origin), one per set of
    accounts reached the same way, one link per pair carrying its worst MFA state and its path count."""
    graph, shape = _big_graph(users=60, groups=6, accounts=120, absent=((0, 119), (1, 7), (0, 7)))
    amap = build_access_map(graph, shape)
    assert amap.mode == "aggregated"
    assert [n.label for n in amap.nodes if n.column == "w"] == ["users in Identity (60)"]
    right = [n.label for n in amap.nodes if n.column == "c"]
    assert right == ["2 accounts reached alike", "118 accounts reached alike"]
    assert [(e.mfa, e.label) for e in amap.edges] == [("enforced", str(60 * 118)), ("absent", "120")]  # worst on top
    first = amap.groups[0]
    assert [label for _, label in first.accounts] == ["acct-119 (500000000119)", "acct-7 (500000000007)"]
    assert first.worst == "absent" and first.by_state["absent"] == 3 and first.paths == 120
    assert first.reached_by == (("users in Identity", "absent"),)
    assert amap.nodes[1].href == f"#{first.key}"  # the node drills down to its accounts
    every = sorted(f"{500000000000 + a:012d}" for a in range(120))
    assert sorted(a for g in amap.groups for a, _ in g.accounts) == every
    assert amap.overflow == () and amap.overflow_note == ""
    assert amap.problem_total == 3 and {p.source_label for p in amap.problems} == {"u0", "u1"}


def test_the_aggregated_map_never_draws_more_than_its_bounds() -> None:
    """Every account reached differently (a user of each account may assume the next account's role,
    a way in that bypasses the Identity account): the drawing stays within its node and link caps,
    and every undrawn link without MFA is listed."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    infos = [AccountInfo(IDENTITY, "Identity", "identity", "ACTIVE", True)]
    accounts = [f"{500000000000 + a:012d}" for a in range(300)]
    for a, aid in enumerate(accounts):
        infos.append(AccountInfo(aid, f"acct-{a}", "member", "ACTIVE", True))
        g.add_node(f"arn:aws:iam::{aid}:role/Admin", kind=NodeKind.ROLE, account=aid, label="Admin")
        g.add_node(f"arn:aws:iam::{aid}:user/ops", kind=NodeKind.USER, account=aid, label="ops")
    for a, aid in enumerate(accounts[1:], start=1):
        source, target = f"arn:aws:iam::{accounts[a - 1]}:user/ops", f"arn:aws:iam::{aid}:role/Admin"
        mfa = MfaStatus.ABSENT if a % 2 else MfaStatus.ENFORCED
        info = AssumeEdge(source=source, target=target, mfa=mfa, reason="test")
        g.add_edge(source, target, key=EdgeKind.CAN_ASSUME, kind=EdgeKind.CAN_ASSUME, info=info)
    shape = OrgShape(Resolved(IDENTITY, "config", "test"), Resolved("logs", "config", "test"), None, tuple(infos))
    amap = build_access_map(AccessGraph(g), shape)
    assert len(amap.groups) == 299  # each account reached its own way: nothing to merge
    assert len([n for n in amap.nodes if n.column == "w"]) == access_map.AGGREGATE_MAX_BUCKETS
    assert len([n for n in amap.nodes if n.column == "c"]) == access_map.AGGREGATE_MAX_ACCOUNTS
    assert 0 < len(amap.edges) <= access_map.AGGREGATE_MAX_LINKS
    assert {e.mfa for e in amap.edges} == {"absent"}  # the worst drawn first
    assert amap.height < 30 + ROWS_AT_MOST * access_map.ROW
    absent_links = 150
    assert len(amap.overflow) == absent_links - len(amap.edges)
    assert amap.overflow_note.startswith(f"{299 - len(amap.edges)} principal group → account links not drawn")


ROWS_AT_MOST = max(access_map.AGGREGATE_MAX_BUCKETS, access_map.AGGREGATE_MAX_ACCOUNTS) + 2


def test_an_empty_graph_says_so() -> None:
    graph, shape = _big_graph(users=0, groups=1, accounts=2)
    amap = build_access_map(graph, shape)
    assert amap.mode == "empty" and amap.nodes == () and amap.note
