"""What the evidence could not show: unreadable grants and trusts are gaps on a path, never "no access".

Identity 111111111111 (alice in Admins), Development 222222222222 (roles). A missing document must
not make an edge silently disappear: the caller node says which grants are unknown
(``unknown_grants``) and which unreadable trusts it might pass (``unreadable_trusts``), and
:meth:`AccessGraph.open_path_gaps` turns them into reasons along the paths without MFA.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from analyzer.model.entities import AttachedPolicyRef
from analyzer.model.evidence import EvidenceRef
from analyzer.model.kinds import Kind
from analyzer.model.snapshot import FileStatus, InventoryRow, Problem
from tests.graph.builders import (
    IDENTITY,
    MEMBER,
    MFA_TRUE,
    build,
    doc,
    evidence,
    gaad,
    group,
    managed,
    role,
    snapshot,
    trust_statement,
    user,
)

ALICE = f"arn:aws:iam::{IDENTITY}:user/alice"
DEV = f"arn:aws:iam::{MEMBER}:role/Dev"
JUMP = f"arn:aws:iam::{IDENTITY}:role/Jump"
IDENTITY_ROOT = {"AWS": f"arn:aws:iam::{IDENTITY}:root"}
ASSUME_ANY = doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})


def _org(*, group_policies: tuple[dict[str, Any], ...] = (ASSUME_ANY,), dev_trust: Any = None, **extra: Any) -> Any:
    admins = group(IDENTITY, "Admins", policies=group_policies)
    alice = user(IDENTITY, "alice", groups=["Admins"], **extra)
    dev = role(MEMBER, "Dev", dev_trust)
    return snapshot(
        {IDENTITY: evidence(IDENTITY, users=[alice], groups=[admins]), MEMBER: evidence(MEMBER, roles=[dev])}
    )


def _missing(arn: str) -> AttachedPolicyRef:
    return AttachedPolicyRef(arn=arn, name=arn.rsplit("/", 1)[-1], ref=EvidenceRef(gaad(IDENTITY), "/x"), policy=None)


def test_a_missing_managed_policy_is_an_unknown_grant_and_a_gap() -> None:
    graph, _ = build(
        _org(
            group_policies=(),
            dev_trust=doc(trust_statement(IDENTITY_ROOT)),
            attached=[_missing("arn:aws:iam::111111111111:policy/X")],
        )
    )
    assert graph.edge(ALICE, DEV) is None
    assert graph.graph.nodes[ALICE]["unknown_grants"] == ("arn:aws:iam::111111111111:policy/X",)
    gaps = graph.open_path_gaps(ALICE, IDENTITY)
    assert len(gaps) == 1 and "policy/X" in gaps[0]


def test_a_missing_boundary_is_no_gap_it_only_limits() -> None:
    boundary = _missing("arn:aws:iam::111111111111:policy/Boundary")
    graph, _ = build(_org(dev_trust=doc(trust_statement(IDENTITY_ROOT, MFA_TRUE)), boundary=boundary))
    assert graph.graph.nodes[ALICE]["unresolved"] == ("boundary arn:aws:iam::111111111111:policy/Boundary",)
    assert "unknown_grants" not in graph.graph.nodes[ALICE]
    assert graph.open_path_gaps(ALICE, IDENTITY) == ()


def test_an_inline_policy_the_loader_could_not_read_is_an_unknown_grant() -> None:
    snap = _org(group_policies=(), dev_trust=doc(trust_statement(IDENTITY_ROOT)))
    problem = Problem(
        "/GroupDetailList/0/GroupPolicyList/1/PolicyDocument/Statement/0/Condition/Bool",
        "inline policy 'AssumeStageRoles': a condition operator must map keys to values",
    )
    row = InventoryRow(
        path=gaad(IDENTITY), kind=Kind.IAM_AUTH_DETAILS.value, account_id=IDENTITY, region=None, size=1,
        sha256="0" * 64, status=FileStatus.LOADED, reason=problem.message, problems=(problem,),
    )  # fmt: skip
    graph, _ = build(replace(snap, inventory=(row,)))
    assert graph.graph.nodes[ALICE]["unknown_grants"] == ("inline policy AssumeStageRoles of group Admins",)
    assert "AssumeStageRoles" in graph.open_path_gaps(ALICE, IDENTITY)[0]


def test_an_unreadable_member_trust_the_caller_may_pass_is_a_gap() -> None:
    graph, _ = build(_org(dev_trust=None))
    assert graph.graph.nodes[ALICE]["unreadable_trusts"] == (DEV,)
    assert graph.open_path_gaps(ALICE, IDENTITY) == (
        f"user alice may assume {DEV}, whose trust policy could not be read",
    )


def test_an_unreadable_cross_account_trust_the_identity_side_refuses_is_no_gap() -> None:
    only_s3 = doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    graph, _ = build(_org(group_policies=(only_s3,), dev_trust=None))
    assert "unreadable_trusts" not in graph.graph.nodes[ALICE]
    assert graph.open_path_gaps(ALICE, IDENTITY) == ()


def test_an_unreadable_trust_in_the_callers_own_account_may_name_it_directly() -> None:
    """Jump (Identity, trust unreadable) reaches Dev without MFA: alice might reach Dev through it."""
    admins = group(IDENTITY, "Admins")
    alice = user(IDENTITY, "alice", groups=["Admins"])
    jump = role(IDENTITY, "Jump", None, policies=(ASSUME_ANY,))
    dev = role(MEMBER, "Dev", doc(trust_statement({"AWS": JUMP})))
    snap = snapshot(
        {
            IDENTITY: evidence(IDENTITY, users=[alice], groups=[admins], roles=[jump]),
            MEMBER: evidence(MEMBER, roles=[dev]),
        }
    )
    graph, _ = build(snap)
    assert graph.edge(JUMP, DEV) is not None and graph.edge(ALICE, JUMP) is None
    assert graph.graph.nodes[ALICE]["unreadable_trusts"] == (JUMP,)
    gaps = graph.open_path_gaps(ALICE, IDENTITY)
    assert gaps == (
        f"user alice may assume {JUMP}, whose trust policy could not be read, and {DEV} is reachable from there "
        "without MFA",
    )


def test_gaps_behind_an_mfa_hop_do_not_count() -> None:
    """Dev's trust requires MFA; what Dev could do next (an unknown grant) is behind that hop."""
    dev_policy = _missing("arn:aws:iam::222222222222:policy/DevExtra")
    admins = group(IDENTITY, "Admins", policies=(ASSUME_ANY,))
    alice = user(IDENTITY, "alice", groups=["Admins"])
    dev = role(MEMBER, "Dev", doc(trust_statement(IDENTITY_ROOT, MFA_TRUE)), attached=[dev_policy])
    graph, _ = build(
        snapshot({IDENTITY: evidence(IDENTITY, users=[alice], groups=[admins]), MEMBER: evidence(MEMBER, roles=[dev])})
    )
    assert graph.graph.nodes[DEV]["unknown_grants"] == (dev_policy.arn,)
    assert graph.open_path_gaps(ALICE, IDENTITY) == ()


def test_unknown_grants_of_a_role_reached_without_mfa_count() -> None:
    admins = group(IDENTITY, "Admins", policies=(ASSUME_ANY,))
    alice = user(IDENTITY, "alice", groups=["Admins"])
    jump = role(
        IDENTITY,
        "Jump",
        doc(trust_statement(IDENTITY_ROOT)),
        attached=[
            managed(IDENTITY, "Nothing", doc({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"})),
            _missing("arn:aws:iam::111111111111:policy/JumpMore"),
        ],
    )
    graph, _ = build(snapshot({IDENTITY: evidence(IDENTITY, users=[alice], groups=[admins], roles=[jump])}))
    assert graph.edge(ALICE, JUMP) is not None
    gaps = graph.open_path_gaps(ALICE, IDENTITY)
    assert gaps == (
        "role Jump: arn:aws:iam::111111111111:policy/JumpMore cannot be read from the evidence "
        "(what it grants is unknown)",
    )
