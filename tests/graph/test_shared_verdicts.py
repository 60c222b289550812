"""Verdicts shared between caller classes (analyzer/graph/assume.py, the second memo key).

The builder evaluates a (caller, role) decision once per *shape*: the same identity and boundary
documents by position, the same SCP documents per level, the same partition and organization
membership, and the caller's account only when something reads it. Each scenario below has callers
that share documents but must NOT share a verdict (a condition on ``aws:PrincipalAccount`` or
``aws:PrincipalOrgID``, a trust naming one account, a different SCP path, a user against a role, one
policy object listed twice against two objects with one document), next to callers that may. The
reference is a fresh evaluator per pair, so no memo at all: every edge of the built graph must be
exactly the edge it gives, evidence references and reason text included.
"""

from __future__ import annotations

from typing import Any

import pytest

from analyzer.audit.org_shape import resolve_shape
from analyzer.audit.settings import Settings
from analyzer.graph.access import AssumeEdge, MfaStatus
from analyzer.graph.assume import IF_MANAGEMENT, AssumeEvaluator, OrgContext
from analyzer.graph.build import _Builder
from analyzer.graph.index import TrustInfo
from analyzer.graph.scp import ScpResolver
from analyzer.model.kinds import Kind
from analyzer.model.snapshot import Snapshot
from tests.graph.builders import (
    FULL_ACCESS,
    IDENTITY,
    MGMT,
    ORG_ID,
    ROOT_ID,
    allow_assume,
    doc,
    evidence,
    gaad,
    group,
    managed,
    org_account,
    role,
    scp,
    snapshot,
    trust_statement,
    user,
)
from tests.graph.reference_edges import reason_of

A = "222222222222"
B = "444444444444"
LOCKED = "777777777777"  # same documents again, in an OU whose SCP denies every sts:AssumeRole
TARGET = "666666666666"
OUTSIDE = "555555555555"  # has evidence, is not in the organization
OU_OPEN = "ou-a1b2-open0001"
OU_GUARDED = "ou-a1b2-guarded1"
OU_LOCKED = "ou-a1b2-locked01"

ASSUME_ANY = doc(allow_assume("*"))
ASSUME_FROM_A_ONLY = doc(allow_assume("*", condition={"StringEquals": {"aws:PrincipalAccount": A}}))
ASSUME_FROM_OFFICE = doc(allow_assume("*", condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
ASSUME_OPS_ROLES = doc(allow_assume("*", condition={"StringEquals": {"aws:ResourceTag/team": "ops"}}))


def _arn(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def _targets() -> list[Any]:
    trusts = {
        "Anyone": doc(trust_statement("*")),
        "NamesA": doc(trust_statement({"AWS": f"arn:aws:iam::{A}:root"})),
        "NamesAOrAnyoneFromOffice": doc(
            trust_statement({"AWS": f"arn:aws:iam::{A}:root"}),
            trust_statement("*", {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
        ),
        "ReadsPrincipalAccount": doc(trust_statement("*", {"StringEquals": {"aws:PrincipalAccount": A}})),
        "OrgOnly": doc(trust_statement("*", {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}})),
        "MfaIfExists": doc(trust_statement("*", {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}})),
        "Guarded": doc(trust_statement("*")),
        # the same document for two roles that differ only in their tags
        "TaggedOps": doc(trust_statement("*", {"StringEquals": {"aws:ResourceTag/team": "ops"}})),
        "TaggedDev": doc(trust_statement("*", {"StringEquals": {"aws:ResourceTag/team": "ops"}})),
        "OpenOuOnly": doc(
            trust_statement(
                "*", {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": f"{ORG_ID}/{ROOT_ID}/{OU_OPEN}/*"}}
            )
        ),
        # a session of A's Ops role: B's Ops, with the same documents and name, is not it
        "SessionOfAOps": doc(trust_statement({"AWS": f"arn:aws:sts::{A}:assumed-role/Ops/deploy"})),
        "DenyOutsiders": doc(
            trust_statement("*"),
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sts:AssumeRole",
                "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG_ID}},
            },
        ),
        # invalid in a trust, but evaluated: the role named after the caller's account (only A's callers)
        A: doc(trust_statement("*", Resource="arn:aws:iam::*:role/${aws:PrincipalAccount}")),
    }
    tags = {"TaggedOps": {"team": "ops"}, "TaggedDev": {"team": "dev"}, "Anyone": {"team": "ops"}}
    return [role(TARGET, name, trust, index=i, tags=tags.get(name)) for i, (name, trust) in enumerate(trusts.items())]


def _caller_role(account: str, name: str, document: dict[str, Any], index: int) -> Any:
    """A role in ``account`` whose one managed policy has ``document`` (one document object, its own source)."""
    ec2 = doc(trust_statement({"Service": "ec2.amazonaws.com"}))
    return role(account, name, ec2, index=index, attached=[managed(account, f"{name}Policy", document, index)])


_CALLERS = (("Ops", ASSUME_ANY, 0), ("Picky", ASSUME_FROM_A_ONLY, 1), ("TagReader", ASSUME_OPS_ROLES, 2))


def _organization(*, with_scps: bool, management_known: bool = True, listed: bool = True) -> Snapshot:
    """A, B and LOCKED hold the same documents in three OUs; B's SCP denies the Guarded role, LOCKED's all roles.

    ``management_known=False``: no describe-organization and no account ARN in list-accounts, so any
    account may be the management account, which SCPs do not restrict. ``listed=False``: list-accounts
    is not usable, so OUTSIDE is not known to be outside the organization.
    """
    deny_guarded = doc({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": _arn(TARGET, "Guarded")})
    scps = [
        scp("p-FullAWSAccess", FULL_ACCESS, ROOT_ID, OU_OPEN, OU_GUARDED, A, B, TARGET, IDENTITY),
        scp("p-deny-guarded", deny_guarded, OU_GUARDED),
        scp("p-deny-assume", doc({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}), OU_LOCKED),
    ]
    accounts = {
        A: evidence(A, roles=[_caller_role(A, *r) for r in _CALLERS]),
        B: evidence(B, roles=[_caller_role(B, *r) for r in _CALLERS]),
        LOCKED: evidence(LOCKED, roles=[_caller_role(LOCKED, "Ops", ASSUME_ANY, 0)]),
        OUTSIDE: evidence(OUTSIDE, roles=[_caller_role(OUTSIDE, "Ops", ASSUME_ANY, 0)]),
        IDENTITY: evidence(
            IDENTITY,
            users=[user(IDENTITY, "alice", attached=[managed(IDENTITY, "AliceAssume", ASSUME_ANY, 0)])],
            roles=[_caller_role(IDENTITY, "Automation", ASSUME_ANY, 1)],
        ),
        TARGET: evidence(TARGET, roles=_targets()),
    }
    named = MGMT if management_known else None
    org = [
        org_account(IDENTITY, "Identity", (ROOT_ID, OU_OPEN), management=named),
        org_account(A, "A", (ROOT_ID, OU_OPEN), management=named),
        org_account(B, "B", (ROOT_ID, OU_GUARDED), management=named),
        org_account(LOCKED, "Locked", (ROOT_ID, OU_LOCKED), management=named),
        org_account(TARGET, "Target", (ROOT_ID, OU_OPEN), management=named),
        org_account(MGMT, "Management", (ROOT_ID,), management=named),
    ]
    return snapshot(
        accounts, org_accounts=org, scps=scps if with_scps else (), described=management_known, listed=listed
    )


def _aliased_users() -> Snapshot:
    """carol lists one policy object twice (directly and through her group); dave two objects, one document."""
    shared = managed(IDENTITY, "OfficeAssume", ASSUME_FROM_OFFICE, 0)
    twin_a = managed(IDENTITY, "OfficeAssumeA", ASSUME_FROM_OFFICE, 1)
    twin_b = managed(IDENTITY, "OfficeAssumeB", ASSUME_FROM_OFFICE, 2)
    groups = [
        group(IDENTITY, "office", index=0, attached=[shared]),
        group(IDENTITY, "office-b", index=1, attached=[twin_b]),
    ]
    users = [
        user(IDENTITY, "carol", index=0, groups=["office"], attached=[shared]),
        user(IDENTITY, "dave", index=1, groups=["office-b"], attached=[twin_a]),
    ]
    accounts = {IDENTITY: evidence(IDENTITY, users=users, groups=groups), TARGET: evidence(TARGET, roles=_targets())}
    return snapshot(accounts)


def _built(snap: Snapshot) -> tuple[dict[tuple[str, str], AssumeEdge], _Builder]:
    builder = _Builder(snap, resolve_shape(snap, Settings()))
    graph = builder.build()
    edges = {(e.source, e.target): e for e in graph.assume_edges() if not e.via_saml}
    return edges, builder


def _fresh(snap: Snapshot) -> dict[tuple[str, str], AssumeEdge]:
    """Every (caller, role) pair decided by its own new evaluator: nothing memoized, nothing pruned."""
    builder = _Builder(snap, resolve_shape(snap, Settings()))
    shape = builder.shape
    listed = snap.state(Kind.ORG_ACCOUNTS).status.usable
    org = OrgContext.of(shape.organization_id, {a.id: a.parent_path for a in snap.org_accounts}, complete=listed)
    roles = [r for a in snap.accounts.values() for r in a.roles if r.trust_policy and not r.is_service_linked]
    edges: dict[tuple[str, str], AssumeEdge] = {}
    for caller in builder._callers():
        for target in (r for r in roles if r.arn != caller.arn):  # no self-loops (see the builder)
            assert target.trust_policy is not None
            evaluator = AssumeEvaluator(ScpResolver.of(snap, shape.management_account), org)
            verdict = evaluator.verdict(caller, target, target.trust_policy, TrustInfo.of(target.trust_policy.document))
            if verdict is None:
                continue
            edges[(caller.arn, target.arn)] = AssumeEdge(
                source=caller.arn,
                target=target.arn,
                mfa=verdict.mfa,
                mfa_by=verdict.mfa_by,
                conditional=verdict.conditional,
                evidence=tuple(dict.fromkeys(d.ref for d in verdict.deciding)),
                reason=reason_of(caller.kind, verdict.deciding, verdict),
            )
    return edges


@pytest.mark.parametrize("listed", [True, False], ids=["listed", "unlisted"])
@pytest.mark.parametrize("management_known", [True, False], ids=["management-known", "management-unknown"])
@pytest.mark.parametrize("with_scps", [True, False], ids=["scps", "no-scps"])
def test_shared_verdicts_equal_a_fresh_evaluation_of_every_pair(
    with_scps: bool, management_known: bool, listed: bool
) -> None:
    snap = _organization(with_scps=with_scps, management_known=management_known, listed=listed)
    built, builder = _built(snap)
    assert built == _fresh(snap)
    assert builder.evaluator.full_evaluations < len(builder.evaluator._verdicts), (
        "callers of different accounts should share evaluations"
    )


def test_what_tells_two_accounts_apart_is_kept() -> None:
    built, _ = _built(_organization(with_scps=True))
    reach = {(u.split(":")[4], u.rsplit("/", 1)[-1], v.rsplit("/", 1)[-1]) for u, v in built}
    assert (A, "Ops", "NamesA") in reach and (B, "Ops", "NamesA") not in reach  # the trust names A's account
    office = _arn(TARGET, "NamesAOrAnyoneFromOffice")  # A by its account; anyone else only from the office
    assert built[(_arn(A, "Ops"), office)].conditional == () and built[(_arn(B, "Ops"), office)].conditional != ()
    assert not any(u == _arn(LOCKED, "Ops") for u, _ in built)  # its OU's SCP denies every sts:AssumeRole
    assert (A, "Ops", "ReadsPrincipalAccount") in reach and (B, "Ops", "ReadsPrincipalAccount") not in reach
    assert (A, "Picky", "Anyone") in reach and (B, "Picky", "Anyone") not in reach  # identity reads the account
    assert (A, "Ops", A) in reach and (B, "Ops", A) not in reach  # a variable in the trust reads the account
    # an account known to be outside the organization has no aws:PrincipalOrgID, or another organization's:
    # never ours (IAMUG "AWS global condition context keys"), so a trust requiring ours gives it no edge
    assert built[(_arn(A, "Ops"), _arn(TARGET, "OrgOnly"))].conditional == ()
    assert (_arn(OUTSIDE, "Ops"), _arn(TARGET, "OrgOnly")) not in built
    assert (A, "Ops", "Guarded") in reach and (B, "Ops", "Guarded") not in reach  # B's OU denies it by SCP
    # the role's tags (aws:ResourceTag/*) tell two roles with one trust document apart, in the trust and in
    # the caller's identity policy; a tag the role does not have is absent, not unknown
    assert built[(_arn(A, "Ops"), _arn(TARGET, "TaggedOps"))].conditional == ()
    assert (A, "Ops", "TaggedDev") not in reach
    assert {v for a, c, v in reach if (a, c) == (A, "TagReader")} == {"TaggedOps", "Anyone"}
    # the caller account's OU path (aws:PrincipalOrgPaths): A is in the open OU, B is not, OUTSIDE in none
    assert (A, "Ops", "OpenOuOnly") in reach and (B, "Ops", "OpenOuOnly") not in reach
    assert built[(_arn(A, "Ops"), _arn(TARGET, "OpenOuOnly"))].conditional == ()
    assert (OUTSIDE, "Ops", "OpenOuOnly") not in reach
    assert (A, "Ops", "SessionOfAOps") in reach and (B, "Ops", "SessionOfAOps") not in reach
    assert (A, "Picky", "SessionOfAOps") not in reach
    # a trust that denies principals outside the organization gives no edge from an account known outside it
    assert (A, "Ops", "DenyOutsiders") in reach and (OUTSIDE, "Ops", "DenyOutsiders") not in reach
    # a user reaches the IfExists trust with long-term keys (weak); a role's session always has the key
    assert built[(f"arn:aws:iam::{IDENTITY}:user/alice", _arn(TARGET, "MfaIfExists"))].mfa is MfaStatus.WEAK
    assert built[(_arn(IDENTITY, "Automation"), _arn(TARGET, "MfaIfExists"))].mfa is MfaStatus.ENFORCED


def test_an_unknown_management_account_keeps_what_only_scps_deny_for_every_account() -> None:
    built, _ = _built(_organization(with_scps=True, management_known=False))
    guarded = built[(_arn(B, "Ops"), _arn(TARGET, "Guarded"))]  # B's OU denies it, unless B is the management
    assert guarded.conditional == (IF_MANAGEMENT,)
    assert built[(_arn(A, "Ops"), _arn(TARGET, "Guarded"))].conditional == ()  # A: no SCP denies it
    assert all(IF_MANAGEMENT in e.conditional for (u, _), e in built.items() if u == _arn(LOCKED, "Ops"))


def test_membership_alone_tells_callers_apart_when_no_scp_applies() -> None:
    built, _ = _built(_organization(with_scps=False))
    assert built[(_arn(A, "Ops"), _arn(TARGET, "OrgOnly"))].conditional == ()
    assert (_arn(OUTSIDE, "Ops"), _arn(TARGET, "OrgOnly")) not in built
    assert built[(_arn(OUTSIDE, "Ops"), _arn(TARGET, "Anyone"))].conditional == ()


def test_without_the_account_list_an_unlisted_account_is_not_known_to_be_outside() -> None:
    built, _ = _built(_organization(with_scps=False, listed=False))
    assert "aws:PrincipalOrgID" in " ".join(built[(_arn(OUTSIDE, "Ops"), _arn(TARGET, "OrgOnly"))].conditional)
    assert "aws:PrincipalOrgID" in " ".join(built[(_arn(OUTSIDE, "Ops"), _arn(TARGET, "DenyOutsiders"))].conditional)


def test_a_shared_verdict_cites_each_callers_own_policy_and_account_level() -> None:
    built, _ = _built(_organization(with_scps=True))
    for account in (A, B):
        edge = built[(_arn(account, "Ops"), _arn(TARGET, "Anyone"))]
        files = {ref.file for ref in edge.evidence}
        assert gaad(account) in files, edge.evidence  # its own managed policy, not the other account's
        assert gaad(A if account == B else B) not in files
        assert f"at level {account}" in edge.reason and f"at level {A if account == B else B}" not in edge.reason


def test_one_policy_listed_twice_is_not_two_policies_with_one_document() -> None:
    snap = _aliased_users()
    built, _ = _built(snap)
    assert built == _fresh(snap)
    carol = built[(f"arn:aws:iam::{IDENTITY}:user/carol", _arn(TARGET, "Anyone"))]
    dave = built[(f"arn:aws:iam::{IDENTITY}:user/dave", _arn(TARGET, "Anyone"))]
    assert len({r.pointer for r in carol.evidence if r.pointer.startswith("/Policies/")}) == 1
    assert len({r.pointer for r in dave.evidence if r.pointer.startswith("/Policies/")}) == 2


def test_same_document_different_sources_share_one_evaluation() -> None:
    """Two accounts' roles with one document and the same SCP path: one full evaluation per target."""
    snap = _organization(with_scps=False)
    _, builder = _built(snap)
    ops = [c for c in builder._callers() if c.arn.endswith(":role/Ops") and c.account in (A, B)]
    assert len(ops) == 2 and ops[0].shape_key == ops[1].shape_key
    assert ops[0].class_key != ops[1].class_key


def test_a_user_and_a_role_with_one_verdict_keep_their_own_reason() -> None:
    """A same-account "*" trust decides alone, so a user and a role get equal verdicts (one object)."""
    grant = [doc(allow_assume("*"))]
    ec2 = doc(trust_statement({"Service": "ec2.amazonaws.com"}))
    roles = [role(A, "App", ec2, index=0, policies=grant), role(A, "Open", doc(trust_statement("*")), index=1)]
    snap = snapshot({A: evidence(A, users=[user(A, "erin", policies=grant)], roles=roles)})
    built, _ = _built(snap)
    from_role = built[(_arn(A, "App"), _arn(A, "Open"))]
    from_user = built[(f"arn:aws:iam::{A}:user/erin", _arn(A, "Open"))]
    assert from_role.evidence == from_user.evidence
    assert "role chaining" in from_role.reason and "role chaining" not in from_user.reason
