"""The organization keys of an ``sts:AssumeRole`` request, exactly (analyzer/graph/request_keys.py).

IAM User Guide, "AWS global condition context keys"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html):

* ``aws:PrincipalOrgID``: "the identifier of the organization in AWS Organizations to which the requesting
  principal belongs"; "included in the request context only if the principal is a member of an
  organization". A caller of an account known to be outside ours has it absent or another organization's
  id: never ours. Membership not known: not known.
* ``aws:PrincipalOrgPaths``: the path "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/" of the
  principal's account (organization id, root, then each OU, ending in ``/``).
* ``aws:ResourceAccount``: the resource owner's account id; ``aws:ResourceOrgID`` and
  ``aws:ResourceOrgPaths``: the organization and path of the account that owns the resource, for a
  resource of a member account only.
* ``aws:ResourceTag/<key>``: the resource's tags.
"""

from __future__ import annotations

from analyzer.graph.access import MfaStatus
from analyzer.graph.request_keys import ROLE_TAG_PREFIXES, OrgContext
from analyzer.iam.context import NoneOf
from tests.graph.builders import (
    IDENTITY,
    MEMBER,
    MGMT,
    ORG_ID,
    OU_ID,
    ROOT_ID,
    allow_assume,
    build,
    doc,
    evidence,
    org_account,
    role,
    snapshot,
    trust_statement,
    user,
)

OUTSIDER = "555555555555"
PATHLESS = "444444444444"
PARENTS = {IDENTITY: (ROOT_ID,), MEMBER: (ROOT_ID, OU_ID, "ou-a1b2-nested01"), PATHLESS: ()}


def _role(account: str, tags: dict[str, str] | None = None) -> object:
    return role(account, "Target", doc(trust_statement("*")), tags=tags)


def test_paths_are_the_organization_id_then_root_then_each_ou_ending_in_a_slash() -> None:
    org = OrgContext.of(ORG_ID, PARENTS, complete=True)
    assert org.org_id == ORG_ID
    assert org.members == frozenset({IDENTITY, MEMBER, PATHLESS})
    assert dict(org.paths) == {
        IDENTITY: f"{ORG_ID}/{ROOT_ID}/",
        MEMBER: f"{ORG_ID}/{ROOT_ID}/{OU_ID}/ou-a1b2-nested01/",
    }
    assert org.complete
    assert dict(OrgContext.of(None, PARENTS, complete=True).paths) == {}  # no organization id: no path
    assert not OrgContext.of(ORG_ID, {}, complete=True).complete  # an empty list is not a complete one
    assert not OrgContext.of(ORG_ID, PARENTS, complete=False).complete


def test_a_member_callers_org_id_and_path() -> None:
    org = OrgContext.of(ORG_ID, PARENTS, complete=True)
    values = org.values(MEMBER, _role(IDENTITY))  # type: ignore[arg-type]
    assert values == {
        "aws:ResourceAccount": IDENTITY,
        "aws:ResourceOrgID": ORG_ID,
        "aws:ResourceOrgPaths": (f"{ORG_ID}/{ROOT_ID}/",),
        "aws:PrincipalOrgID": ORG_ID,
        "aws:PrincipalOrgPaths": (f"{ORG_ID}/{ROOT_ID}/{OU_ID}/ou-a1b2-nested01/",),
    }
    # a member whose Paths were not exported: its organization is known, its path is not
    assert org.values(PATHLESS, _role(PATHLESS)) == {  # type: ignore[arg-type]
        "aws:ResourceAccount": PATHLESS,
        "aws:ResourceOrgID": ORG_ID,
        "aws:PrincipalOrgID": ORG_ID,
    }


def test_an_outsider_callers_org_id_is_never_ours_and_its_path_never_starts_with_our_id() -> None:
    org = OrgContext.of(ORG_ID, PARENTS, complete=True)
    assert org.outside(OUTSIDER) and not org.outside(MEMBER)
    values = org.values(OUTSIDER, _role(MEMBER))  # type: ignore[arg-type]
    assert values["aws:PrincipalOrgID"] == NoneOf(frozenset({ORG_ID}))
    assert values["aws:PrincipalOrgPaths"] == NoneOf(frozenset(), (f"{ORG_ID}/",))
    assert values["aws:ResourceOrgPaths"] == (f"{ORG_ID}/{ROOT_ID}/{OU_ID}/ou-a1b2-nested01/",)


def test_membership_unknown_leaves_the_callers_organization_keys_unknown() -> None:
    partial = OrgContext.of(ORG_ID, PARENTS, complete=False)  # list-accounts not loaded in full
    assert not partial.outside(OUTSIDER)
    assert partial.values(OUTSIDER, _role(OUTSIDER)) == {"aws:ResourceAccount": OUTSIDER}  # type: ignore[arg-type]
    no_org = OrgContext.of(None, PARENTS, complete=True)  # no organization id in the evidence
    assert no_org.values(MEMBER, _role(MEMBER)) == {"aws:ResourceAccount": MEMBER}  # type: ignore[arg-type]
    assert no_org.values(OUTSIDER, _role(MEMBER)) == {"aws:ResourceAccount": MEMBER}  # type: ignore[arg-type]


def test_the_roles_tags_are_its_resource_tags_and_no_other_tag_is_present() -> None:
    org = OrgContext.of(ORG_ID, PARENTS, complete=True)
    values = org.role_values(_role(OUTSIDER, {"team": "ops", "env": "prod"}))  # type: ignore[arg-type]
    assert values == {"aws:ResourceAccount": OUTSIDER, "aws:ResourceTag/env": "prod", "aws:ResourceTag/team": "ops"}
    assert ROLE_TAG_PREFIXES == ("aws:resourcetag/",)


# The same keys deciding edges: a trust that admits only our organization, or one OU of it.


def _edge(trust: dict[str, object], caller_account: str, *, listed: bool = True) -> object:
    target = f"arn:aws:iam::{MEMBER}:role/Target"
    accounts = {
        caller_account: evidence(
            caller_account, users=[user(caller_account, "alice", policies=[doc(allow_assume("*"))])]
        ),
        MEMBER: evidence(MEMBER, roles=[role(MEMBER, "Target", trust)]),
    }
    org = [
        org_account(IDENTITY, "Identity", (ROOT_ID, OU_ID)),
        org_account(MEMBER, "Development", (ROOT_ID,)),
        org_account(MGMT, "Management", (ROOT_ID,)),
    ]
    graph, _ = build(snapshot(accounts, org_accounts=org, listed=listed))
    edge = graph.edge(f"arn:aws:iam::{caller_account}:user/alice", target)
    return None if edge is None else [(edge.mfa, edge.conditional)]


ORG_ONLY = doc(trust_statement("*", {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}))
OU_ONLY = doc(
    trust_statement("*", {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": f"{ORG_ID}/{ROOT_ID}/{OU_ID}/*"}})
)


def test_a_trust_admitting_only_our_organization_admits_a_member_and_refuses_an_outsider() -> None:
    assert _edge(ORG_ONLY, IDENTITY) == [(MfaStatus.ABSENT, ())]
    assert _edge(ORG_ONLY, OUTSIDER) is None
    # list-accounts not usable: whether the outsider is one is not known, so the edge stays, conditional
    assert _edge(ORG_ONLY, OUTSIDER, listed=False) == [
        (MfaStatus.ABSENT, (f'{{"StringEquals": {{"aws:PrincipalOrgID": "{ORG_ID}"}}}}',))
    ]


def test_a_trust_admitting_one_ou_admits_its_member_and_refuses_an_outsider() -> None:
    assert _edge(OU_ONLY, IDENTITY) == [(MfaStatus.ABSENT, ())]
    assert _edge(OU_ONLY, OUTSIDER) is None
