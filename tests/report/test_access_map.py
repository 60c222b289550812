"""The access map's layout: detailed for a small organization, aggregated and capped for a big one."""

from __future__ import annotations

import networkx as nx

from analyzer.findings.org_shape import AccountInfo, OrgShape, Resolved
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
    provider = f"arn:aws:iam::{IDENTITY}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"
    sso = f"arn:aws:iam::{IDENTITY}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef"
    alice, member = f"arn:aws:iam::{IDENTITY}:user/alice", "arn:aws:iam::500000000000:role/Admin"
    g.add_node(provider, kind=NodeKind.SAML_PROVIDER, account=IDENTITY, label="AWSSSO")
    for node, kind, account in ((sso, NodeKind.ROLE, IDENTITY), (alice, NodeKind.USER, IDENTITY)):
        g.add_node(node, kind=kind, account=account, label=node.rsplit("/", 1)[-1])
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


def test_big_organizations_are_aggregated_and_only_problem_links_drawn() -> None:
    graph, shape = _big_graph(users=60, groups=6, accounts=120, absent=((0, 119), (1, 7), (0, 7)))
    amap = build_access_map(graph, shape)
    assert amap.mode == "aggregated"
    buckets = [n for n in amap.nodes if n.column == "a"]
    accounts = [n for n in amap.nodes if n.column == "c"]
    assert [n.label for n in buckets][:2] == ["users in G0 (10)", "users in G1 (10)"]  # problems first
    assert buckets[0].problem and not buckets[2].problem
    assert [n.title.split(":")[0] for n in accounts] == ["acct-7 (500000000007)", "acct-119 (500000000119)"]
    assert sorted((e.mfa, e.label) for e in amap.edges) == [("absent", "10")] * 3
    assert amap.overflow == ()  # every link not drawn enforces MFA: summed up, not listed
    assert amap.overflow_note.startswith(f"{6 * 120 - 3} principal group → account links not drawn: 0 with")
    assert amap.problem_total == 3 and {p.source_label for p in amap.problems} == {"u0", "u1"}


def test_a_big_healthy_organization_draws_its_links_up_to_the_cap() -> None:
    graph, shape = _big_graph(users=60, groups=6, accounts=120, absent=())
    amap = build_access_map(graph, shape)
    accounts = [n for n in amap.nodes if n.column == "c"]
    assert len(accounts) == access_map.AGGREGATE_MAX_ACCOUNTS
    assert len(amap.edges) == 6 * access_map.AGGREGATE_MAX_ACCOUNTS and {e.mfa for e in amap.edges} == {"enforced"}
    assert all(e.label == "" for e in amap.edges)  # too many to label legibly
    assert amap.problems == () and amap.counts["enforced"] == 60 * 120


def test_an_empty_graph_says_so() -> None:
    graph, shape = _big_graph(users=0, groups=1, accounts=2)
    amap = build_access_map(graph, shape)
    assert amap.mode == "empty" and amap.nodes == () and amap.note
