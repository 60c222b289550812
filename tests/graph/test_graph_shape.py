"""Nodes, trust edges, role chaining, federation, service-linked roles and deleted principals."""

from __future__ import annotations

from analyzer.graph.access import EdgeKind, MfaStatus, NodeKind
from tests.graph.builders import (
    EXTERNAL,
    IDENTITY,
    MEMBER,
    MFA_TRUE,
    build,
    doc,
    evidence,
    group,
    role,
    snapshot,
    trust_statement,
    unique_id,
    user,
)

ALICE = f"arn:aws:iam::{IDENTITY}:user/alice"
ASSUME_ANY = doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
SAML_PROVIDER = f"arn:aws:iam::{MEMBER}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"
SSO_PATH = "/aws-reserved/sso.amazonaws.com/"


def trusts_of(graph: object, role_arn: str) -> dict[str, dict[str, object]]:
    g = graph.graph  # type: ignore[attr-defined]
    return {v: d for _, v, d in g.out_edges(role_arn, data=True) if d["kind"] == EdgeKind.TRUSTS}


def chain_org(second_trust_condition: dict[str, object] | None) -> object:
    """alice -> Jump (MFA required) -> Target (trusting Jump by ARN, optionally with a condition)."""
    admins = group(IDENTITY, "Admins", policies=[ASSUME_ANY])
    jump = role(MEMBER, "Jump", doc(trust_statement({"AWS": IDENTITY}, MFA_TRUE)), policies=[ASSUME_ANY])
    target = role(MEMBER, "Target", doc(trust_statement({"AWS": jump.arn}, second_trust_condition)), index=1)
    return snapshot(
        {
            IDENTITY: evidence(IDENTITY, users=[user(IDENTITY, "alice", groups=["Admins"])], groups=[admins]),
            MEMBER: evidence(MEMBER, roles=[jump, target]),
        }
    )


def test_role_chaining_path_is_followed() -> None:
    graph, _ = build(chain_org(None))
    jump, target = f"arn:aws:iam::{MEMBER}:role/Jump", f"arn:aws:iam::{MEMBER}:role/Target"
    hop = graph.edge(jump, target)
    assert hop is not None and hop.mfa is MfaStatus.ABSENT and "role chaining" in hop.reason
    assert graph.edge(ALICE, target) is None  # the trust names Jump only
    reach = graph.reachable(ALICE)
    assert [h.target for h in reach[target].hops] == [jump, target]
    assert reach[target].mfa_enforced  # the first hop required MFA
    assert set(graph.who_can_assume(target)) == {ALICE, jump}
    assert graph.reachable(ALICE, without_mfa=True) == {}


def test_a_chained_hop_is_never_weak_a_role_session_always_carries_the_mfa_key() -> None:
    graph, _ = build(chain_org({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}))
    hop = graph.edge(f"arn:aws:iam::{MEMBER}:role/Jump", f"arn:aws:iam::{MEMBER}:role/Target")
    assert hop is not None and hop.mfa is MfaStatus.ENFORCED and hop.mfa_by == ("trust",)


def test_sso_role_is_reached_through_its_accounts_saml_provider() -> None:
    sso_trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"Federated": SAML_PROVIDER},
            "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
        }
    )
    sso = role(MEMBER, "AWSReservedSSO_Admin_0123456789abcdef", sso_trust, path=SSO_PATH)
    graph, _ = build(snapshot({MEMBER: evidence(MEMBER, roles=[sso])}))
    assert graph.kind(SAML_PROVIDER) is NodeKind.SAML_PROVIDER
    assert graph.graph.nodes[sso.arn]["sso"] is True
    edge = graph.edge(SAML_PROVIDER, sso.arn)
    assert edge is not None and edge.via_saml
    # IAMUG id_credentials_mfa_configure-api-require: MFA reaches STS only through AssumeRole /
    # GetSessionToken; a SAML session carries no MFA context. The IdP's MFA is delegated, not enforced.
    assert edge.mfa is MfaStatus.DELEGATED and edge.mfa_by == ("identity-provider",)
    assert "IAM Identity Center" in edge.reason and "not in the evidence" in edge.reason
    # a --without-mfa query includes the hop: nothing in the evidence shows MFA on it
    assert set(graph.reachable(SAML_PROVIDER, without_mfa=True)) == {sso.arn}
    assert graph.reachable(SAML_PROVIDER)[sso.arn].mfa_needed is MfaStatus.DELEGATED
    assert edge.conditional == ('{"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}',)


def test_plain_saml_and_oidc_federation_delegate_mfa_to_the_provider() -> None:
    github = f"arn:aws:iam::{MEMBER}:oidc-provider/token.actions.githubusercontent.com"
    saml_role = role(
        MEMBER,
        "Okta",
        doc({"Effect": "Allow", "Principal": {"Federated": SAML_PROVIDER}, "Action": "sts:AssumeRoleWithSAML"}),
    )
    ci = role(
        MEMBER,
        "Deploy",
        doc(
            {
                "Effect": "Allow",
                "Principal": {"Federated": github},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}},
            }
        ),
        index=1,
    )
    graph, _ = build(snapshot({MEMBER: evidence(MEMBER, roles=[saml_role, ci])}))
    saml_edge = graph.edge(SAML_PROVIDER, saml_role.arn)
    assert saml_edge is not None and saml_edge.via_saml and saml_edge.mfa is MfaStatus.DELEGATED
    oidc_edge = graph.edge(github, ci.arn)
    assert graph.kind(github) is NodeKind.OIDC_PROVIDER
    assert oidc_edge is not None and not oidc_edge.via_saml and oidc_edge.mfa is MfaStatus.DELEGATED
    assert oidc_edge.mfa_by == ("identity-provider",)
    assert oidc_edge.conditional == ('{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}}',)


def test_deleted_principal_in_a_trust_is_a_node_without_can_assume() -> None:
    gone = unique_id("AIDA", "deleted-user")
    admins = group(IDENTITY, "Admins", policies=[ASSUME_ANY])
    stale = role(MEMBER, "Stale", doc(trust_statement({"AWS": gone})))
    graph, _ = build(
        snapshot(
            {
                IDENTITY: evidence(IDENTITY, users=[user(IDENTITY, "alice", groups=["Admins"])], groups=[admins]),
                MEMBER: evidence(MEMBER, roles=[stale]),
            }
        )
    )
    assert graph.kind(gone) is NodeKind.DELETED_PRINCIPAL
    assert gone in trusts_of(graph, stale.arn)
    assert graph.who_can_assume(stale.arn) == {}


def test_service_linked_roles_have_trust_edges_only() -> None:
    linked = role(
        MEMBER,
        "AWSServiceRoleForSupport",
        doc(trust_statement({"Service": "support.amazonaws.com"})),
        path="/aws-service-role/support.amazonaws.com/",
        policies=[ASSUME_ANY],
    )
    target = role(MEMBER, "Target", doc(trust_statement({"AWS": MEMBER})), index=1)
    graph, _ = build(snapshot({MEMBER: evidence(MEMBER, roles=[linked, target])}))
    assert graph.kind("support.amazonaws.com") is NodeKind.SERVICE
    assert list(trusts_of(graph, linked.arn)) == ["support.amazonaws.com"]
    assert graph.edge(linked.arn, target.arn) is None
    assert graph.graph.nodes[linked.arn]["service_linked"] is True


def test_trust_principals_become_typed_nodes() -> None:
    trust = doc(
        trust_statement(
            {
                "AWS": [
                    f"arn:aws:iam::{EXTERNAL}:root",
                    IDENTITY,
                    ALICE,
                    f"arn:aws:iam::{EXTERNAL}:role/Auditor",
                    f"arn:aws:sts::{MEMBER}:assumed-role/Peer/session-1",
                ],
                "Service": "ec2.amazonaws.com",
            }
        ),
        {"Effect": "Allow", "NotPrincipal": {"AWS": ALICE}, "Action": "sts:AssumeRole"},
        {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::555555555555:root"}, "Action": "sts:AssumeRole"},
    )
    wide = role(MEMBER, "Wide", trust)
    peer = role(MEMBER, "Peer", doc(trust_statement({"AWS": MEMBER})), index=1)
    graph, _ = build(
        snapshot(
            {
                IDENTITY: evidence(IDENTITY, users=[user(IDENTITY, "alice")]),
                MEMBER: evidence(MEMBER, roles=[wide, peer]),
            }
        )
    )
    trusts = trusts_of(graph, wide.arn)
    assert graph.kind(f"arn:aws:iam::{EXTERNAL}:root") is NodeKind.EXTERNAL_ACCOUNT
    assert graph.kind(f"arn:aws:iam::{IDENTITY}:root") is NodeKind.ACCOUNT
    assert graph.kind(f"arn:aws:iam::{EXTERNAL}:role/Auditor") is NodeKind.ROLE
    assert graph.graph.nodes[f"arn:aws:iam::{EXTERNAL}:role/Auditor"]["in_evidence"] is False
    assert graph.graph.nodes[ALICE]["in_evidence"] is True
    assert trusts["*"]["not_principal"] is True
    # an assumed-role session names its role; the Deny statement's principal is not "trusted"
    assert peer.arn in trusts
    assert trusts[peer.arn]["written"] == f"arn:aws:sts::{MEMBER}:assumed-role/Peer/session-1"
    assert "arn:aws:iam::555555555555:root" not in graph.graph
    assert trusts["ec2.amazonaws.com"]["evidence"].pointer.endswith("AssumeRolePolicyDocument/Statement/0")


def test_member_of_edges_and_missing_groups() -> None:
    admins = group(IDENTITY, "Admins")
    alice = user(IDENTITY, "alice", groups=["Admins", "Ghosts"])
    graph, _ = build(snapshot({IDENTITY: evidence(IDENTITY, users=[alice], groups=[admins])}))
    member_of = sorted(v for _, v, d in graph.graph.out_edges(ALICE, data=True) if d["kind"] == EdgeKind.MEMBER_OF)
    ghosts = f"arn:aws:iam::{IDENTITY}:group/Ghosts"
    assert member_of == [admins.arn, ghosts]
    assert graph.graph.nodes[ghosts]["in_evidence"] is False
    assert graph.graph.nodes[ALICE]["unresolved"] == ("group Ghosts",)


def test_accounts_are_nodes_with_their_role_in_the_organization() -> None:
    graph, shape = build(snapshot({IDENTITY: evidence(IDENTITY), MEMBER: evidence(MEMBER)}))
    accounts = graph.nodes_of(NodeKind.ACCOUNT)
    assert accounts == sorted(f"arn:aws:iam::{a.id}:root" for a in shape.accounts)
    roles = {graph.account_of(a): graph.graph.nodes[a]["role"] for a in accounts}
    assert roles == {IDENTITY: "identity", MEMBER: "member", "333333333333": "management"}
