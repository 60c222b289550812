"""A caller's ``sts:AssumeRole`` grant whose Resource holds a policy variable the evidence cannot know
(IAMUG reference_policies_variables.html: ``${aws:RequestTag/...}`` is replaced by each request's
value). Whether it covers a role is open, so the edge is conditional on that Resource, never absent:
an absent edge would hide a path, and IDN-003 could pass on it."""

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
TARGET = f"arn:aws:iam::{MEMBER}:role/Ops"


def _org(resource: str) -> Any:
    alice = user(IDENTITY, "alice", policies=[doc(allow_assume(resource))])
    target = role(MEMBER, "Ops", doc(trust_statement({"AWS": f"arn:aws:iam::{IDENTITY}:root"})))
    return snapshot({IDENTITY: evidence(IDENTITY, users=[alice]), MEMBER: evidence(MEMBER, roles=[target])})


def test_a_grant_resting_on_an_unknown_request_tag_is_a_conditional_edge() -> None:
    """Was: no edge (the Resource pattern was read as matching nothing)."""
    pattern = f"arn:aws:iam::{MEMBER}:role/${{aws:RequestTag/role}}"
    graph, _ = build(_org(pattern))
    edge = graph.edge(ALICE, TARGET)
    assert edge is not None
    assert len(edge.conditional) == 1 and pattern in edge.conditional[0] and '"Resource"' in edge.conditional[0]


def test_a_grant_on_a_known_variable_decides() -> None:
    """``${aws:username}`` is alice: role/alice is not role/Ops, so no edge at all."""
    graph, _ = build(_org(f"arn:aws:iam::{MEMBER}:role/${{aws:username}}"))
    assert graph.edge(ALICE, TARGET) is None
