"""Role-session principals in trust policies (IAMUG "IAM JSON policy elements: Principal", role session
principals): ``arn:aws:sts::<acct>:assumed-role/<role>/<session>`` admits that session of the role. The
session name is the ``RoleSessionName`` whoever assumes the role chose, unless the role's own trust
constrains ``sts:RoleSessionName`` (or SAML sets it from the assertion): then the edge is conditional."""

from __future__ import annotations

from typing import Any

from analyzer.graph.access import MfaStatus
from tests.graph.builders import (
    IDENTITY,
    MEMBER,
    allow_assume,
    build,
    doc,
    evidence,
    role,
    snapshot,
    trust_statement,
    user,
)

ALICE = f"arn:aws:iam::{IDENTITY}:user/alice"
JUMP = f"arn:aws:iam::{IDENTITY}:role/Jump"
TARGET = f"arn:aws:iam::{MEMBER}:role/Target"
DEPLOY_SESSION = f"arn:aws:sts::{IDENTITY}:assumed-role/Jump/deploy"


def _org(jump_trust: dict[str, Any], *, target_account: str = MEMBER, jump_grant: bool = True) -> Any:
    grant = [doc(allow_assume("*"))] if jump_grant else []
    jump = role(IDENTITY, "Jump", jump_trust, policies=grant)
    target = role(target_account, "Target", doc(trust_statement({"AWS": DEPLOY_SESSION})), index=1)
    alice = user(IDENTITY, "alice")
    accounts = {
        IDENTITY: evidence(IDENTITY, users=[alice], roles=[jump] + ([target] if target_account == IDENTITY else []))
    }
    if target_account != IDENTITY:
        accounts[target_account] = evidence(target_account, roles=[target])
    return snapshot(accounts)


def test_a_trust_naming_a_session_admits_whoever_reaches_the_role() -> None:
    """Was: 'nobody in the evidence can assume' Target, and IDN-003 passed."""
    graph, _ = build(_org(doc(trust_statement({"AWS": ALICE}))))
    hop = graph.edge(JUMP, TARGET)
    assert hop is not None and hop.conditional == () and hop.mfa is MfaStatus.ABSENT
    assert "session 'deploy', which the trust names" in hop.reason
    assert set(graph.who_can_assume(TARGET)) == {ALICE, JUMP}
    assert [h.target for h in graph.reachable(ALICE, without_mfa=True)[TARGET].hops] == [JUMP, TARGET]


def test_a_constrained_session_name_makes_the_edge_conditional() -> None:
    trust = doc(trust_statement({"AWS": ALICE}, {"StringEquals": {"sts:RoleSessionName": "${aws:username}"}}))
    hop = build(_org(trust))[0].edge(JUMP, TARGET)
    assert hop is not None
    assert f"the session of {JUMP} is named 'deploy' (its trust constrains sts:RoleSessionName)" in hop.conditional


def test_a_saml_role_has_its_session_name_set_by_the_identity_provider() -> None:
    provider = f"arn:aws:iam::{IDENTITY}:saml-provider/Okta"
    trust = doc({"Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithSAML"})
    hop = build(_org(trust))[0].edge(JUMP, TARGET)
    assert hop is not None and any("SAML identity provider sets the session name" in c for c in hop.conditional)


def test_within_one_account_a_trust_naming_the_session_needs_no_identity_grant() -> None:
    """IAMUG "Policy evaluation logic": in one account a resource-based policy naming the session is enough."""
    graph, _ = build(_org(doc(trust_statement({"AWS": ALICE})), target_account=IDENTITY, jump_grant=False))
    assert graph.edge(JUMP, f"arn:aws:iam::{IDENTITY}:role/Target") is not None
    # across accounts the session's role still needs its own identity grant
    assert build(_org(doc(trust_statement({"AWS": ALICE})), jump_grant=False))[0].edge(JUMP, TARGET) is None


def test_a_session_of_a_same_named_role_in_another_account_is_not_this_one() -> None:
    other = role(
        MEMBER, "Jump", doc(trust_statement({"Service": "ec2.amazonaws.com"})), policies=[doc(allow_assume("*"))]
    )
    snap = _org(doc(trust_statement({"AWS": ALICE})))
    accounts = dict(snap.accounts)
    accounts[MEMBER] = evidence(MEMBER, roles=[*snap.accounts[MEMBER].roles, other])
    graph, _ = build(snapshot(accounts))
    assert graph.edge(f"arn:aws:iam::{MEMBER}:role/Jump", TARGET) is None
    assert graph.edge(JUMP, TARGET) is not None
