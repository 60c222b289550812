"""Each can_assume edge present or absent for the right reason, with the right MFA attribute.

Tiny in-memory organizations: Identity 111111111111 (users, groups), Development 222222222222
(roles), Management 333333333333. IAMUG ``reference_policies_evaluation-logic`` (cross-account needs
both sides), ``reference_policies_condition-keys`` (MFA keys), ``access_policies_boundaries``;
ORGUG ``orgs_manage_policies_scps``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from analyzer.graph.access import EdgeKind, MfaStatus
from analyzer.model.entities import AttachedPolicyRef
from analyzer.model.evidence import EvidenceRef
from analyzer.model.policy import parse_policy
from tests.graph.builders import (
    FULL_ACCESS,
    IDENTITY,
    MEMBER,
    MFA_TRUE,
    MGMT,
    OU_ID,
    ROOT_ID,
    build,
    doc,
    evidence,
    group,
    managed,
    org_account,
    role,
    scp,
    snapshot,
    trust_statement,
    user,
)

ROLE_ARN = f"arn:aws:iam::{MEMBER}:role/Admin"
ALICE = f"arn:aws:iam::{IDENTITY}:user/alice"
IDENTITY_ROOT = {"AWS": f"arn:aws:iam::{IDENTITY}:root"}
ASSUME_ADMIN = doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ROLE_ARN})


def member_role(trust: dict[str, Any], name: str = "Admin") -> Any:
    return role(MEMBER, name, trust)


def org(
    *,
    trust: dict[str, Any] | None = None,
    group_policies: tuple[dict[str, Any], ...] = (ASSUME_ADMIN,),
    user_policies: tuple[dict[str, Any], ...] = (),
    roles: tuple[Any, ...] = (),
    **user_extra: Any,
) -> Any:
    admins = group(IDENTITY, "Admins", policies=group_policies)
    alice = user(IDENTITY, "alice", groups=["Admins"], policies=user_policies, **user_extra)
    member_roles = roles or (member_role(trust or doc(trust_statement(IDENTITY_ROOT, MFA_TRUE))),)
    return snapshot(
        {
            IDENTITY: evidence(IDENTITY, users=[alice], groups=[admins]),
            MEMBER: evidence(MEMBER, roles=member_roles),
        }
    )


def test_cross_account_root_trust_and_identity_allow_make_an_edge() -> None:
    graph, _ = build(org())
    edge = graph.edge(ALICE, ROLE_ARN)
    assert edge is not None
    assert edge.mfa is MfaStatus.ENFORCED and edge.mfa_by == ("trust",)
    files = {ref.file for ref in edge.evidence}
    assert files == {
        f"{IDENTITY}/iam/get-account-authorization-details.json",
        f"{MEMBER}/iam/get-account-authorization-details.json",
    }


def test_root_trust_without_identity_allow_makes_no_edge() -> None:
    graph, _ = build(org(group_policies=()))
    assert graph.edge(ALICE, ROLE_ARN) is None
    # the role still trusts the Identity account: the trust edge is there, as written
    trusts = [d for _, v, d in graph.graph.out_edges(ROLE_ARN, data=True) if d["kind"] == EdgeKind.TRUSTS]
    assert [d["written"] for d in trusts] == [f"arn:aws:iam::{IDENTITY}:root"]


def test_same_account_trust_naming_the_user_needs_no_identity_policy() -> None:
    carol_arn = f"arn:aws:iam::{MEMBER}:user/carol"
    carol = user(MEMBER, "carol")
    ops = role(MEMBER, "Ops", doc(trust_statement({"AWS": carol_arn})))
    by_account = role(MEMBER, "ByAccount", doc(trust_statement({"AWS": MEMBER})), index=1)
    graph, _ = build(snapshot({MEMBER: evidence(MEMBER, users=[carol], roles=[ops, by_account])}))
    edge = graph.edge(carol_arn, ops.arn)
    assert edge is not None and edge.mfa is MfaStatus.ABSENT
    # naming the account only delegates to identity policies, which carol does not have
    assert graph.edge(carol_arn, by_account.arn) is None


def test_cross_account_trust_naming_the_user_still_needs_the_identity_allow() -> None:
    trust = doc(trust_statement({"AWS": ALICE}))
    assert build(org(trust=trust, group_policies=()))[0].edge(ALICE, ROLE_ARN) is None
    assert build(org(trust=trust))[0].edge(ALICE, ROLE_ARN) is not None


def test_explicit_deny_in_a_group_policy_removes_the_edge() -> None:
    deny = doc({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{MEMBER}:role/*"})
    graph, _ = build(org(group_policies=(ASSUME_ADMIN, deny)))
    assert graph.edge(ALICE, ROLE_ARN) is None


def test_boundary_without_sts_assume_role_removes_the_edge() -> None:
    boundary = managed(IDENTITY, "S3Only", doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
    assert build(org(boundary=boundary))[0].edge(ALICE, ROLE_ARN) is None
    wide = managed(IDENTITY, "Wide", doc({"Effect": "Allow", "Action": "sts:*", "Resource": "*"}))
    assert build(org(boundary=wide))[0].edge(ALICE, ROLE_ARN) is not None


def test_trust_bool_mfa_true_is_enforced_by_the_trust() -> None:
    edge = build(org(trust=doc(trust_statement(IDENTITY_ROOT, MFA_TRUE))))[0].edge(ALICE, ROLE_ARN)
    assert edge is not None and edge.mfa is MfaStatus.ENFORCED and edge.mfa_by == ("trust",)
    assert "MFA enforced by the trust policy" in edge.reason


def test_trust_bool_if_exists_is_weak() -> None:
    condition = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}
    edge = build(org(trust=doc(trust_statement(IDENTITY_ROOT, condition))))[0].edge(ALICE, ROLE_ARN)
    assert edge is not None and edge.mfa is MfaStatus.WEAK and edge.mfa_by == ("trust",)
    assert "long-term access keys pass" in edge.reason


def test_identity_deny_bool_if_exists_false_is_enforced_by_identity() -> None:
    guard = doc(
        {
            "Effect": "Deny",
            "NotAction": ["iam:ChangePassword", "iam:ListMFADevices"],
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        }
    )
    graph, _ = build(org(trust=doc(trust_statement(IDENTITY_ROOT)), group_policies=(ASSUME_ADMIN, guard)))
    edge = graph.edge(ALICE, ROLE_ARN)
    assert edge is not None and edge.mfa is MfaStatus.ENFORCED and edge.mfa_by == ("identity",)


def test_both_sides_enforcing_mfa_are_both_named() -> None:
    guarded = doc(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ROLE_ARN, "Condition": MFA_TRUE},
    )
    edge = build(org(group_policies=(guarded,)))[0].edge(ALICE, ROLE_ARN)
    assert edge is not None and edge.mfa is MfaStatus.ENFORCED and edge.mfa_by == ("identity", "trust")


def test_a_second_allow_statement_without_mfa_makes_mfa_absent() -> None:
    trust = doc(trust_statement(IDENTITY_ROOT, MFA_TRUE), trust_statement({"AWS": IDENTITY}))
    edge = build(org(trust=trust))[0].edge(ALICE, ROLE_ARN)
    assert edge is not None and edge.mfa is MfaStatus.ABSENT and edge.mfa_by == ()
    assert "no MFA required" in edge.reason


@pytest.mark.parametrize(
    ("condition", "mfa"),
    [
        ({"Bool": {"aws:MultiFactorAuthPresent": "false"}}, MfaStatus.ABSENT),  # sessions without MFA only
        ({"Null": {"aws:MultiFactorAuthPresent": "true"}}, MfaStatus.WEAK),  # long-term access keys only
    ],
    ids=["sessions-without-mfa-only", "access-keys-only"],
)
def test_a_trust_that_refuses_mfa_sessions_still_lets_the_others_in(condition: dict[str, Any], mfa: MfaStatus) -> None:
    """A trust (or a backdoor) admitting callers only *without* MFA is still a way in: the graph must not
    drop the edge because the MFA session is refused, or IDN-003 would see no path at all."""
    edge = build(org(trust=doc(trust_statement(IDENTITY_ROOT, condition))))[0].edge(ALICE, ROLE_ARN)
    assert edge is not None and edge.mfa is mfa


def test_external_id_trust_is_kept_as_conditional() -> None:
    condition = {"StringEquals": {"sts:ExternalId": "tenant-42"}, **MFA_TRUE}
    edge = build(org(trust=doc(trust_statement(IDENTITY_ROOT, condition))))[0].edge(ALICE, ROLE_ARN)
    assert edge is not None and edge.mfa is MfaStatus.ENFORCED
    assert edge.conditional == ('{"StringEquals": {"sts:ExternalId": "tenant-42"}}',)
    assert "only if" in edge.reason


def test_scp_deny_at_an_ou_blocks_member_callers_but_not_the_management_account() -> None:
    deny_assume = doc({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"})
    caller_policy = doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
    target_trust = doc(trust_statement({"AWS": [f"arn:aws:iam::{MEMBER}:root", f"arn:aws:iam::{MGMT}:root"]}))
    target = role(IDENTITY, "Target", target_trust)
    member_caller = role(
        MEMBER, "Worker", doc(trust_statement({"Service": "ec2.amazonaws.com"})), policies=[caller_policy]
    )
    mgmt_caller = role(MGMT, "Worker", doc(trust_statement({"Service": "ec2.amazonaws.com"})), policies=[caller_policy])
    accounts = [
        org_account(IDENTITY, "Identity"),
        org_account(MEMBER, "Development", (ROOT_ID, OU_ID)),
        org_account(MGMT, "Management", (ROOT_ID, OU_ID)),
    ]
    snap = snapshot(
        {
            IDENTITY: evidence(IDENTITY, roles=[target]),
            MEMBER: evidence(MEMBER, roles=[member_caller]),
            MGMT: evidence(MGMT, roles=[mgmt_caller]),
        },
        org_accounts=accounts,
        scps=[
            scp("p-FullAWSAccess", FULL_ACCESS, ROOT_ID, OU_ID, MEMBER, MGMT),
            scp("p-no-assume", deny_assume, OU_ID),
        ],
    )
    graph, _ = build(snap)
    assert graph.edge(member_caller.arn, target.arn) is None
    edge = graph.edge(mgmt_caller.arn, target.arn)
    assert edge is not None and edge.mfa is MfaStatus.ABSENT
    # the OU's deny is the reason: without it the member caller gets its edge
    without_deny = snapshot(dict(snap.accounts), org_accounts=accounts, scps=[snap.scps[0]])
    assert build(without_deny)[0].edge(member_caller.arn, target.arn) is not None


def test_incomplete_scp_evidence_is_not_applied_and_says_so() -> None:
    deny_assume = doc({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"})
    base = org()
    scps = [scp("p-FullAWSAccess", FULL_ACCESS, ROOT_ID), scp("p-no-assume", deny_assume, ROOT_ID)]
    complete = snapshot(dict(base.accounts), scps=scps)
    incomplete = snapshot(dict(base.accounts), scps=scps, scps_complete=False)
    assert build(complete)[0].edge(ALICE, ROLE_ARN) is None
    graph, _ = build(incomplete)
    assert graph.edge(ALICE, ROLE_ARN) is not None
    assert any("SCP evidence is incomplete" in n for n in graph.graph.graph["notes"])


def test_user_named_directly_does_not_share_a_verdict_with_its_group_mates() -> None:
    bob_arn = f"arn:aws:iam::{IDENTITY}:user/bob"
    trust = doc(trust_statement(IDENTITY_ROOT, MFA_TRUE), trust_statement({"AWS": bob_arn}))
    admins = group(IDENTITY, "Admins", policies=[ASSUME_ADMIN])
    users = [user(IDENTITY, n, index=i, groups=["Admins"]) for i, n in enumerate(("alice", "bob", "carol"))]
    snap = snapshot(
        {
            IDENTITY: evidence(IDENTITY, users=users, groups=[admins]),
            MEMBER: evidence(MEMBER, roles=[member_role(trust)]),
        }
    )
    graph, _ = build(snap)
    mfa = {u.arn: graph.edge(u.arn, ROLE_ARN).mfa for u in users}  # type: ignore[union-attr]
    assert mfa == {
        ALICE: MfaStatus.ENFORCED,
        bob_arn: MfaStatus.ABSENT,
        f"arn:aws:iam::{IDENTITY}:user/carol": MfaStatus.ENFORCED,
    }


def test_principal_arn_condition_is_evaluated_per_caller() -> None:
    condition = {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{IDENTITY}:user/a*"}}
    admins = group(IDENTITY, "Admins", policies=[ASSUME_ADMIN])
    users = [user(IDENTITY, n, index=i, groups=["Admins"]) for i, n in enumerate(("alice", "bob"))]
    snap = snapshot(
        {
            IDENTITY: evidence(IDENTITY, users=users, groups=[admins]),
            MEMBER: evidence(MEMBER, roles=[member_role(doc(trust_statement(IDENTITY_ROOT, condition)))]),
        }
    )
    graph, _ = build(snap)
    assert graph.edge(ALICE, ROLE_ARN) is not None
    assert graph.edge(f"arn:aws:iam::{IDENTITY}:user/bob", ROLE_ARN) is None


def test_identical_trusts_in_two_accounts_point_at_their_own_evidence() -> None:
    other = "444444444444"
    trust = doc(trust_statement(IDENTITY_ROOT, MFA_TRUE))
    wide = doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/Admin"})
    admins = group(IDENTITY, "Admins", policies=[wide])
    snap = snapshot(
        {
            IDENTITY: evidence(IDENTITY, users=[user(IDENTITY, "alice", groups=["Admins"])], groups=[admins]),
            MEMBER: evidence(MEMBER, roles=[role(MEMBER, "Admin", trust)]),
            other: evidence(other, roles=[role(other, "Admin", trust)]),
        }
    )
    graph, _ = build(snap)
    for account in (MEMBER, other):
        edge = graph.edge(ALICE, f"arn:aws:iam::{account}:role/Admin")
        assert edge is not None
        trust_refs = [r for r in edge.evidence if "AssumeRolePolicyDocument" in r.pointer]
        assert [r.file for r in trust_refs] == [f"{account}/iam/get-account-authorization-details.json"]
        assert "trust policy Admin statement" in edge.reason


def test_missing_managed_policy_is_reported_not_guessed() -> None:
    missing = AttachedPolicyRef(
        arn="arn:aws:iam::aws:policy/AdministratorAccess",
        name="AdministratorAccess",
        ref=EvidenceRef("x.json", "/UserDetailList/0/AttachedManagedPolicies/0"),
        policy=None,
    )
    graph, _ = build(org(group_policies=(), attached=[missing]))
    assert graph.edge(ALICE, ROLE_ARN) is None
    assert graph.graph.nodes[ALICE]["unresolved"] == ("arn:aws:iam::aws:policy/AdministratorAccess",)
    assert any(n.startswith(ALICE) for n in graph.graph.graph["notes"])


@pytest.mark.parametrize("wildcard", ["arn:aws:iam::*:role/Admin", "arn:aws:iam::222222222222:role/*", "*"])
def test_wildcard_resource_patterns_find_the_role(wildcard: str) -> None:
    policy = doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": wildcard})
    assert build(org(group_policies=(policy,)))[0].edge(ALICE, ROLE_ARN) is not None


def test_a_pattern_for_another_role_does_not_reach_this_one() -> None:
    policy = doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{MEMBER}:role/Other*"})
    assert build(org(group_policies=(policy,)))[0].edge(ALICE, ROLE_ARN) is None


def test_not_action_grant_reaches_the_role() -> None:
    power_user = doc({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"})
    edge = build(org(group_policies=(power_user,)))[0].edge(ALICE, ROLE_ARN)
    assert edge is not None and edge.mfa is MfaStatus.ENFORCED


def test_roles_sharing_a_trust_document_are_told_apart_by_the_identity_statements_that_cover_them() -> None:
    trust = doc(trust_statement(IDENTITY_ROOT))
    names = ("Guarded", "Open", "Denied")
    arns = {n: f"arn:aws:iam::{MEMBER}:role/{n}" for n in names}
    policy = doc(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arns["Guarded"], "Condition": MFA_TRUE},
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": [arns["Open"], arns["Denied"]]},
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": arns["Denied"]},
    )
    roles = tuple(role(MEMBER, n, trust, index=i) for i, n in enumerate(names))
    graph, _ = build(org(group_policies=(policy,), roles=roles))
    guarded, open_ = graph.edge(ALICE, arns["Guarded"]), graph.edge(ALICE, arns["Open"])
    assert guarded is not None and guarded.mfa is MfaStatus.ENFORCED and guarded.mfa_by == ("identity",)
    assert open_ is not None and open_.mfa is MfaStatus.ABSENT
    assert graph.edge(ALICE, arns["Denied"]) is None


def test_equal_documents_parsed_apart_give_the_same_graph() -> None:
    """Two loads of one bundle hold equal but distinct document objects; the engine caches compiled
    documents by value, so nothing may pair statements by object identity."""
    raw = doc(trust_statement(IDENTITY_ROOT, MFA_TRUE))
    for _ in range(2):
        fresh = member_role(raw)
        assert fresh.trust_policy is not None
        fresh = replace(fresh, trust_policy=replace(fresh.trust_policy, document=parse_policy(raw)))
        edge = build(org(roles=(fresh,)))[0].edge(ALICE, ROLE_ARN)
        assert edge is not None and edge.mfa is MfaStatus.ENFORCED


# --------------------------------------------------------------------------- trusts open to anyone
# IAMUG reference_policies_evaluation-logic (requests within a single account): a trust statement
# whose Principal is "*" names every caller directly, so within the role's account it allows a
# caller whose identity policies grant nothing; across accounts the identity grant is still needed.

OPEN_ARN = f"arn:aws:iam::{MEMBER}:role/Open"
WORKER_ARN = f"arn:aws:iam::{MEMBER}:role/Worker"
DENY_ASSUME = doc({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"})


def open_org(*, worker_policies: tuple[dict[str, Any], ...] = ()) -> Any:
    open_role = role(MEMBER, "Open", doc(trust_statement({"AWS": "*"})))
    worker = role(
        MEMBER, "Worker", doc(trust_statement({"Service": "ec2.amazonaws.com"})), index=1, policies=worker_policies
    )
    return snapshot(
        {
            IDENTITY: evidence(IDENTITY, users=[user(IDENTITY, "alice")]),
            MEMBER: evidence(MEMBER, roles=[open_role, worker]),
        }
    )


def test_a_same_account_trust_open_to_anyone_is_enough_without_an_identity_grant() -> None:
    graph, _ = build(open_org())
    edge = graph.edge(WORKER_ARN, OPEN_ARN)
    assert edge is not None and edge.mfa is MfaStatus.ABSENT


def test_an_open_trust_still_needs_the_identity_grant_across_accounts() -> None:
    graph, _ = build(open_org())
    assert graph.edge(ALICE, OPEN_ARN) is None


def test_an_explicit_deny_in_the_callers_policy_still_blocks_an_open_trust() -> None:
    graph, _ = build(open_org(worker_policies=(DENY_ASSUME,)))
    assert graph.edge(WORKER_ARN, OPEN_ARN) is None


def test_a_role_that_may_assume_itself_gets_no_loop() -> None:
    """Re-assuming one's own role (AWS allows it when the trust names the role, or anyone) reaches
    nothing new: the graph has no self-loop, so paths and the access map stay about other roles."""
    graph, _ = build(open_org())
    assert graph.edge(OPEN_ARN, OPEN_ARN) is None
    assert graph.edge(WORKER_ARN, OPEN_ARN) is not None
