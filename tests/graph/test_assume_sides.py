"""What each side of an AssumeRole decision contributes, as analyzer/graph/assume.py reports it.

Which side enforces MFA on an edge (``mfa_by``: the trust, the caller's identity policies, its permissions
boundary, its SCPs), what the caller's own side allows when the role's trust policy cannot be read
(``unreadable_trusts``), and that callers sharing policies but not boundaries, tags or accounts never
share a verdict. IAM User Guide: "Policy evaluation logic" (an explicit deny in any of them refuses;
a cross-account request needs both the identity side and the trust), "Permissions boundaries for IAM
entities", "AWS global condition context keys" (aws:MultiFactorAuthPresent, aws:PrincipalOrgID,
aws:ResourceOrgID, aws:ResourceAccount, aws:username); AWS Organizations User Guide "Service control
policies" (an SCP never grants, a Deny in any SCP of the path refuses).
"""

from __future__ import annotations

from typing import Any

from analyzer.graph.access import MfaStatus
from tests.graph.builders import (
    FULL_ACCESS,
    IDENTITY,
    MEMBER,
    MFA_TRUE,
    ORG_ID,
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

ROLE = f"arn:aws:iam::{MEMBER}:role/Admin"
ALICE = f"arn:aws:iam::{IDENTITY}:user/alice"
BOB = f"arn:aws:iam::{IDENTITY}:user/bob"
IDENTITY_ROOT = {"AWS": f"arn:aws:iam::{IDENTITY}:root"}
ASSUME = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ROLE}
NO_MFA_DENY = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
DENY_ASSUME_WITHOUT_MFA = doc({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*", "Condition": NO_MFA_DENY})


def _org(
    *,
    trust: dict[str, Any] | None = None,
    policies: tuple[dict[str, Any], ...] = (doc(ASSUME),),
    alice: dict[str, Any] | None = None,
    bob: dict[str, Any] | None = None,
    scps: tuple[Any, ...] = (),
) -> Any:
    """alice (and bob when given) in group Admins of the Identity account; the member role Admin."""
    admins = group(IDENTITY, "Admins", policies=policies)
    users = [user(IDENTITY, "alice", groups=["Admins"], **(alice or {}))]
    if bob is not None:
        users.append(user(IDENTITY, "bob", index=1, groups=["Admins"], **bob))
    admin = role(MEMBER, "Admin", doc(trust_statement(IDENTITY_ROOT)) if trust is None else trust)
    return snapshot(
        {IDENTITY: evidence(IDENTITY, users=users, groups=[admins]), MEMBER: evidence(MEMBER, roles=[admin])},
        scps=scps,
    )


def _edge(snap: Any, caller: str = ALICE) -> Any:
    return build(snap)[0].edge(caller, ROLE)


# ------------------------------------------------------------------------------------------- mfa_by


def test_a_boundary_that_requires_mfa_is_named_as_the_side_that_enforces_it() -> None:
    boundary = managed(IDENTITY, "MfaBoundary", doc({"Effect": "Allow", "Action": "*", "Resource": "*"}, {
        "Effect": "Deny", "Action": "*", "Resource": "*", "Condition": NO_MFA_DENY}))  # fmt: skip
    edge = _edge(_org(alice={"boundary": boundary}))
    assert edge is not None and edge.mfa is MfaStatus.ENFORCED and edge.mfa_by == ("boundary",)
    assert _edge(_org()).mfa is MfaStatus.ABSENT  # the boundary is what makes the difference


def test_an_scp_that_requires_mfa_is_named_as_the_side_that_enforces_it() -> None:
    scps = (scp("p-FullAWSAccess", FULL_ACCESS, ROOT_ID), scp("p-mfa", DENY_ASSUME_WITHOUT_MFA, ROOT_ID))
    edge = _edge(_org(scps=scps))
    assert edge is not None and edge.mfa is MfaStatus.ENFORCED and edge.mfa_by == ("scp",)


def test_an_scp_requiring_mfa_counts_whatever_policy_follows_it_at_its_level() -> None:
    """Every SCP of the path applies: the requiring one is named even when an allowing one comes after it."""
    scps = (scp("p-mfa", DENY_ASSUME_WITHOUT_MFA, ROOT_ID), scp("p-FullAWSAccess", FULL_ACCESS, ROOT_ID))
    edge = _edge(_org(scps=scps))
    assert edge is not None and edge.mfa is MfaStatus.ENFORCED and edge.mfa_by == ("scp",)


def test_identity_boundary_scp_and_trust_all_requiring_mfa_are_all_named() -> None:
    boundary = managed(IDENTITY, "MfaBoundary", doc({"Effect": "Allow", "Action": "*", "Resource": "*"}, {
        "Effect": "Deny", "Action": "*", "Resource": "*", "Condition": NO_MFA_DENY}))  # fmt: skip
    scps = (scp("p-FullAWSAccess", FULL_ACCESS, ROOT_ID), scp("p-mfa", DENY_ASSUME_WITHOUT_MFA, ROOT_ID))
    snap = _org(
        trust=doc(trust_statement(IDENTITY_ROOT, MFA_TRUE)),
        policies=(doc(dict(ASSUME, Condition=MFA_TRUE)),),
        alice={"boundary": boundary},
        scps=scps,
    )
    edge = _edge(snap)
    assert edge is not None and edge.mfa_by == ("boundary", "identity", "scp", "trust")


def test_the_trust_is_read_for_this_caller_only() -> None:
    """A trust statement for bob without MFA does not make the trust lax for alice, who needs the MFA
    statement: the trust's Principal is matched (it is a resource policy), so the trust enforces MFA for her."""
    trust = doc(trust_statement(IDENTITY_ROOT, MFA_TRUE), trust_statement({"AWS": BOB}))
    edge = _edge(_org(trust=trust, bob={}))
    assert edge is not None and edge.mfa is MfaStatus.ENFORCED and edge.mfa_by == ("trust",)
    bobs = _edge(_org(trust=trust, bob={}), BOB)
    assert bobs is not None and bobs.mfa is MfaStatus.ABSENT and bobs.mfa_by == ()


def test_a_side_that_refuses_mfa_sessions_too_is_no_mfa_requirement() -> None:
    """A trust admitting only sessions without MFA refuses the MFA session: it requires no MFA of anyone."""
    trust = doc(trust_statement(IDENTITY_ROOT, {"Bool": {"aws:MultiFactorAuthPresent": "false"}}))
    edge = _edge(_org(trust=trust))
    assert edge is not None and edge.mfa is MfaStatus.ABSENT and edge.mfa_by == ()


def test_mfa_age_bound_is_an_mfa_requirement_not_a_condition_left_open() -> None:
    trust = doc(trust_statement(IDENTITY_ROOT, {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}))
    edge = _edge(_org(trust=trust))
    assert edge is not None and edge.mfa is MfaStatus.ENFORCED and edge.mfa_by == ("trust",)
    assert edge.conditional == ()


# ------------------------------------------------------------------------ callers that must not share


def test_callers_with_the_same_groups_but_different_boundaries_get_their_own_verdicts() -> None:
    boundary = managed(IDENTITY, "MfaBoundary", doc({"Effect": "Allow", "Action": "*", "Resource": "*"}, {
        "Effect": "Deny", "Action": "*", "Resource": "*", "Condition": NO_MFA_DENY}))  # fmt: skip
    s3_only = managed(IDENTITY, "S3Only", doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}), index=1)
    graph, _ = build(_org(alice={"boundary": boundary}, bob={"boundary": s3_only}))
    alices, bobs = graph.edge(ALICE, ROLE), graph.edge(BOB, ROLE)
    assert alices is not None and alices.mfa_by == ("boundary",)
    assert bobs is None  # bob's boundary does not allow sts:AssumeRole at all
    graph, _ = build(_org(bob={"boundary": boundary}))  # bob bounded, alice not
    alices, bobs = graph.edge(ALICE, ROLE), graph.edge(BOB, ROLE)
    assert alices is not None and alices.mfa is MfaStatus.ABSENT
    assert bobs is not None and bobs.mfa is MfaStatus.ENFORCED


def test_a_condition_on_the_callers_name_is_decided_per_caller() -> None:
    policy = doc(dict(ASSUME, Condition={"StringEquals": {"aws:username": "bob"}}))
    graph, _ = build(_org(policies=(policy,), bob={}))
    assert graph.edge(ALICE, ROLE) is None
    assert graph.edge(BOB, ROLE) is not None


def test_a_resource_pattern_with_the_callers_name_is_matched_per_caller() -> None:
    """``${aws:username}`` in the Resource: each caller reaches the role of its own name only."""
    policy = doc(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{MEMBER}:role/${{aws:username}}"}
    )
    admins = group(IDENTITY, "Admins", policies=(policy,))
    users = [user(IDENTITY, "alice", groups=["Admins"]), user(IDENTITY, "bob", index=1, groups=["Admins"])]
    roles = [
        role(MEMBER, name, doc(trust_statement(IDENTITY_ROOT)), index=i) for i, name in enumerate(["alice", "bob"])
    ]
    graph, _ = build(
        snapshot({IDENTITY: evidence(IDENTITY, users=users, groups=[admins]), MEMBER: evidence(MEMBER, roles=roles)})
    )
    assert graph.edge(ALICE, f"arn:aws:iam::{MEMBER}:role/alice") is not None
    assert graph.edge(ALICE, f"arn:aws:iam::{MEMBER}:role/bob") is None
    assert graph.edge(BOB, f"arn:aws:iam::{MEMBER}:role/bob") is not None
    assert graph.edge(BOB, f"arn:aws:iam::{MEMBER}:role/alice") is None


def test_resource_org_and_account_conditions_are_known_for_roles_of_the_organization() -> None:
    """aws:ResourceOrgID is the organization's for a role in a member account, aws:ResourceAccount the role's
    account: identity policies confined by them reach the member role."""
    for condition in (
        {"StringEquals": {"aws:ResourceOrgID": ORG_ID}},
        {"StringEquals": {"aws:ResourceAccount": MEMBER}},
        {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}},
    ):
        policy = doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*", "Condition": condition})
        edge = _edge(_org(policies=(policy,)))
        assert edge is not None and edge.conditional == (), condition
    outside = doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*",
                   "Condition": {"StringEquals": {"aws:ResourceAccount": IDENTITY}}})  # fmt: skip
    assert _edge(_org(policies=(outside,))) is None


def test_aws_principal_org_id_is_ours_only_for_callers_in_the_organization() -> None:
    """An account the organization's complete account list does not name is outside it: its
    aws:PrincipalOrgID is absent or another organization's id, never ours (IAM User Guide, "AWS global
    condition context keys": aws:PrincipalOrgID is present only when the principal is a member of an
    organization), so a grant conditioned on our id gives it no edge; a member's is decided true."""
    policy = doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*",
                  "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}})  # fmt: skip
    snap = _org(policies=(policy,))
    outside = snapshot(dict(snap.accounts), org_accounts=[org_account(MEMBER, "Development")])
    assert build(outside)[0].edge(ALICE, ROLE) is None
    inside = build(snap)[0].edge(ALICE, ROLE)
    assert inside is not None and inside.conditional == ()


# ------------------------------------------------------------------- roles whose trust cannot be read


def _blind(**kwargs: Any) -> tuple[str, ...]:
    snap = _org(trust=None, **kwargs)
    admin = role(MEMBER, "Admin", None)
    snap = snapshot({**snap.accounts, MEMBER: evidence(MEMBER, roles=[admin])}, scps=snap.scps)
    graph, _ = build(snap)
    return tuple(graph.graph.nodes[ALICE].get("unreadable_trusts", ()))


def test_an_unreadable_trust_is_a_gap_only_where_the_callers_side_allows_the_role() -> None:
    assert _blind() == (ROLE,)
    boundary = managed(IDENTITY, "S3Only", doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
    assert _blind(alice={"boundary": boundary}) == ()
    deny = (
        scp("p-FullAWSAccess", FULL_ACCESS, ROOT_ID),
        scp("p-no", doc({"Effect": "Deny", "Action": "sts:*", "Resource": "*"}), ROOT_ID),
    )
    assert _blind(scps=deny) == ()


def test_an_unreadable_trust_behind_an_mfa_only_grant_is_still_a_gap() -> None:
    """The caller's side allows the role only with MFA: in that state it may, so the gap stays."""
    assert _blind(policies=(doc(dict(ASSUME, Condition=MFA_TRUE)),)) == (ROLE,)


def test_an_unreadable_trust_behind_an_organization_condition_is_a_gap() -> None:
    for condition in (
        {"StringEquals": {"aws:ResourceOrgID": ORG_ID}},
        {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}},
    ):
        policy = doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*", "Condition": condition})
        assert _blind(policies=(policy,)) == (ROLE,), condition


def test_an_unreadable_trust_is_judged_per_caller_when_the_grant_reads_the_callers_name() -> None:
    policy = doc(dict(ASSUME, Condition={"StringEquals": {"aws:username": "bob"}}))
    snap = _org(trust=None, policies=(policy,), bob={})
    snap = snapshot({**snap.accounts, MEMBER: evidence(MEMBER, roles=[role(MEMBER, "Admin", None)])})
    nodes = build(snap)[0].graph.nodes
    assert "unreadable_trusts" not in nodes[ALICE]
    assert nodes[BOB]["unreadable_trusts"] == (ROLE,)


def test_a_not_principal_deny_reaches_a_bounded_caller_it_names() -> None:
    """Deny + NotPrincipal naming alice exempts her, unless she has a permissions boundary (IAM User Guide,
    "AWS JSON policy elements: NotPrincipal": with a boundary the Deny applies to the user or role it names):
    then the trust's Deny without MFA is what requires MFA of her."""
    trust = doc(
        trust_statement(IDENTITY_ROOT),
        {"Effect": "Deny", "NotPrincipal": {"AWS": [ALICE, f"arn:aws:iam::{IDENTITY}:root"]},
         "Action": "sts:AssumeRole", "Condition": NO_MFA_DENY},
    )  # fmt: skip
    free = _edge(_org(trust=trust))
    assert free is not None and free.mfa is MfaStatus.ABSENT
    wide = managed(IDENTITY, "Wide", doc({"Effect": "Allow", "Action": "*", "Resource": "*"}))
    bounded = _edge(_org(trust=trust, alice={"boundary": wide}))
    assert bounded is not None and bounded.mfa is MfaStatus.ENFORCED and bounded.mfa_by == ("trust",)


def test_an_scp_requiring_mfa_is_named_whatever_the_levels_below_it_allow() -> None:
    scps = (
        scp("p-FullAWSAccess", FULL_ACCESS, ROOT_ID, IDENTITY),
        scp("p-mfa", DENY_ASSUME_WITHOUT_MFA, ROOT_ID),
    )
    edge = _edge(_org(scps=scps))
    assert edge is not None and edge.mfa is MfaStatus.ENFORCED and edge.mfa_by == ("scp",)


def test_an_identity_grant_only_without_mfa_requires_no_mfa() -> None:
    """alice's policy allows the role only to sessions without MFA: it refuses the MFA session itself, so it
    is no MFA requirement, though it refuses her long-term keys too."""
    policy = doc(dict(ASSUME, Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}}))
    edge = _edge(_org(policies=(policy,)))
    assert edge is not None and edge.mfa is MfaStatus.ABSENT and edge.mfa_by == ()


def test_an_unreadable_trust_is_no_gap_where_the_organization_keys_refuse_the_grant() -> None:
    """The organization's keys are known (the role's account and the caller's are in it): a grant confined
    to another organization allows nothing, so the caller cannot reach the role whatever its trust says."""
    for condition in (
        {"StringEquals": {"aws:ResourceOrgID": "o-other1234"}},
        {"StringEquals": {"aws:PrincipalOrgID": "o-other1234"}},
        {"StringEquals": {"aws:ResourceAccount": IDENTITY}},
    ):
        policy = doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*", "Condition": condition})
        assert _blind(policies=(policy,)) == (), condition


def test_an_unreadable_trust_is_no_gap_where_no_mfa_state_satisfies_the_grant() -> None:
    """A grant that wants the MFA key both present and absent is met in no MFA state."""
    impossible = {"Bool": {"aws:MultiFactorAuthPresent": "true"}, "Null": {"aws:MultiFactorAuthPresent": "true"}}
    assert _blind(policies=(doc(dict(ASSUME, Condition=impossible)),)) == ()


def test_an_unreadable_trust_behind_a_grant_only_without_mfa_is_a_gap() -> None:
    """Every MFA state the caller can be in is asked: a grant for sessions without MFA still lets it try."""
    policy = doc(dict(ASSUME, Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}}))
    assert _blind(policies=(policy,)) == (ROLE,)
