"""Session tags (IAMUG "Passing session tags in AWS STS"): when a role's trust allows sts:TagSession, whoever
assumes the role passes session tags, and "if a session tag has the same key as a role tag, the session tag
value overrides the role tag". So the sessions' aws:PrincipalTag/* are not the role's IAM tags: a condition
on them downstream is unknown (a conditional edge), never false."""

from __future__ import annotations

from typing import Any

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
DEPLOYER = f"arn:aws:iam::{IDENTITY}:role/Deployer"
TARGET = f"arn:aws:iam::{MEMBER}:role/OpsOnly"
OPS_TAG = {"StringEquals": {"aws:PrincipalTag/team": "ops"}}


def _org(actions: list[str]) -> Any:
    trust = doc({"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": actions})
    deployer = role(IDENTITY, "Deployer", trust, policies=[doc(allow_assume("*"))], tags={"team": "web"})
    target = role(MEMBER, "OpsOnly", doc(trust_statement({"AWS": f"arn:aws:iam::{IDENTITY}:root"}, OPS_TAG)))
    return snapshot(
        {
            IDENTITY: evidence(IDENTITY, users=[user(IDENTITY, "alice")], roles=[deployer]),
            MEMBER: evidence(MEMBER, roles=[target]),
        }
    )


def test_tags_a_sessions_assumer_may_pass_make_a_principal_tag_condition_unknown() -> None:
    """Was: Deployer's IAM tag team=web read as its sessions' tag, so no edge, and IDN-003 passed."""
    graph, _ = build(_org(["sts:AssumeRole", "sts:TagSession"]))
    edge = graph.edge(DEPLOYER, TARGET)
    assert edge is not None and edge.conditional == ('{"StringEquals": {"aws:PrincipalTag/team": "ops"}}',)
    assert ALICE in graph.who_can_assume(TARGET)


def test_without_sts_tag_session_the_roles_own_tags_decide() -> None:
    graph, _ = build(_org(["sts:AssumeRole"]))
    assert graph.edge(DEPLOYER, TARGET) is None
