"""The SCP levels of each account, and the graph's notes about them, exactly (analyzer/graph/scp.py).

AWS Organizations User Guide, "SCP evaluation"
(https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html):
an action is allowed only when an SCP allows it at *every* level from the root, through each OU, down to
the account; a Deny at any level wins. "Service control policies (SCPs)"
(https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html): "SCPs don't
affect users or roles in the management account". So the resolver must hand the engine one level per
target of the account's path, in that order, with every policy of each level; none for the management
account; and nothing (no SCP effect, access over-approximated and said so in a note) when the SCP
evidence is missing or incomplete: applying part of the SCPs could invent a denial the organization
does not make (the missing policy may be the level's only Allow).
"""

from __future__ import annotations

from analyzer.graph.access import AssumeEdge, MfaStatus
from analyzer.graph.scp import ScpResolver
from analyzer.model.entities import OrgAccount
from tests.graph.builders import (
    FULL_ACCESS,
    IDENTITY,
    MEMBER,
    MGMT,
    OU_ID,
    ROOT_ID,
    allow_assume,
    build,
    doc,
    evidence,
    org_account,
    role,
    scp,
    snapshot,
    trust_statement,
    user,
)

DENY = doc({"Effect": "Deny", "Action": "sTs:AssumeRole", "Resource": "*"})
ALLOW_S3_ONLY = doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
NESTED_OU = "ou-a1b2-nested01"
NOTE_NONE = "no SCP in the evidence: SCPs are not applied to any caller"
NOTE_INCOMPLETE = (
    "the SCP evidence is incomplete (a policy or its targets were not exported): SCPs are not "
    "applied, so access that an SCP may deny is still shown"
)


def _note_unknown(why: str) -> str:
    return (
        f"the management account is not known ({why}): SCPs are applied to every organization account, and "
        "access that only an SCP denies (or only an SCP makes require MFA) is shown, conditional on the "
        "caller's account being the management account, which SCPs do not restrict"
    )


def _accounts(*pathless: str) -> list[OrgAccount]:
    return [
        org_account(IDENTITY, "Identity", (ROOT_ID,)),
        org_account(MEMBER, "Development", (ROOT_ID, OU_ID, NESTED_OU)),
        org_account(MGMT, "Management", (ROOT_ID,)),
        *(org_account(a, a, ()) for a in pathless),
    ]


def _resolver(
    *pathless: str, management: str | None = MGMT, why: str = "", complete: bool | None = None
) -> ScpResolver:
    # listed out of name order: each level's policies come sorted by name, whatever the export's order
    scps = [
        scp("p-zeta", FULL_ACCESS, NESTED_OU),
        scp("p-FullAWSAccess", FULL_ACCESS, ROOT_ID, OU_ID, NESTED_OU, MEMBER, MGMT),
        scp("p-alpha", ALLOW_S3_ONLY, NESTED_OU),
    ]
    snap = snapshot(
        {IDENTITY: evidence(IDENTITY)}, org_accounts=_accounts(*pathless), scps=scps, scps_complete=complete
    )
    return ScpResolver.of(snap, management, why) if why else ScpResolver.of(snap, management)


def _shape(levels: object) -> object:
    if levels is None:
        return None
    return [(lv.target, [p.name for p in lv.policies]) for lv in levels]  # type: ignore[attr-defined]


def test_every_level_from_the_root_down_to_the_account_each_with_all_its_policies_sorted_by_name() -> None:
    resolver = _resolver()
    expected = [
        (ROOT_ID, ["p-FullAWSAccess"]),
        (OU_ID, ["p-FullAWSAccess"]),
        (NESTED_OU, ["p-FullAWSAccess", "p-alpha", "p-zeta"]),
        (MEMBER, ["p-FullAWSAccess"]),
    ]
    assert _shape(resolver.levels(MEMBER)) == expected
    assert _shape(resolver.levels(MEMBER)) == expected  # asked again (the per-account memo): the same levels
    assert resolver.roots == (ROOT_ID,)
    assert resolver.notes == []
    assert resolver.active and not resolver.management_unknown


def test_the_management_account_has_no_scp_level_even_with_policies_attached_to_it() -> None:
    resolver = _resolver()
    assert resolver.levels(MGMT) is None
    assert resolver.levels(MGMT) is None
    assert _shape(resolver.levels(IDENTITY)) == [(ROOT_ID, ["p-FullAWSAccess"])]


def test_an_account_outside_the_organization_list_has_no_scp_level() -> None:
    assert _resolver().levels("555555555555") is None


def test_management_unknown_every_account_gets_its_levels_and_the_note_says_why() -> None:
    resolver = _resolver(management=None, why="describe-organization was refused")
    assert resolver.management_unknown
    assert _shape(resolver.levels(MGMT)) == [(ROOT_ID, ["p-FullAWSAccess"]), (MGMT, ["p-FullAWSAccess"])]
    assert resolver.notes == [_note_unknown("describe-organization was refused")]
    assert _resolver(management=None).notes == [_note_unknown("no organization evidence")]


def test_management_unknown_without_any_organization_account_says_nothing_about_it() -> None:
    snap = snapshot(
        {IDENTITY: evidence(IDENTITY)}, org_accounts=[], scps=[scp("p-FullAWSAccess", FULL_ACCESS, ROOT_ID)]
    )
    resolver = ScpResolver.of(snap, None)
    assert resolver.notes == []
    assert resolver.management_unknown  # SCPs are active, the exempt account is not known
    assert resolver.levels(IDENTITY) is None  # not in the organization's list


def test_incomplete_scp_evidence_applies_no_scp_at_all_and_says_so() -> None:
    resolver = _resolver("444444444444", management=None, complete=False)
    assert not resolver.active
    assert not resolver.management_unknown  # nothing applied, so no account's exemption matters
    assert resolver.levels(MEMBER) is None
    assert resolver.levels(IDENTITY) is None
    assert resolver.notes == [NOTE_INCOMPLETE]  # neither the unknown management account nor the pathless one


def test_no_scp_in_the_evidence_applies_none_and_says_so() -> None:
    resolver = ScpResolver.of(snapshot({IDENTITY: evidence(IDENTITY)}, org_accounts=_accounts("444444444444")), None)
    assert not resolver.active and not resolver.management_unknown
    assert resolver.levels(MEMBER) is None
    assert resolver.notes == [NOTE_NONE]


def test_accounts_without_paths_get_the_root_and_their_own_level_and_are_named_in_a_note() -> None:
    resolver = _resolver("444444444444", "555555555555", MGMT)  # the management account is exempt anyway
    assert _shape(resolver.levels("444444444444")) == [(ROOT_ID, ["p-FullAWSAccess"])]
    assert resolver.notes == [
        "2 account(s) without Paths in list-accounts (444444444444, 555555555555): only root and "
        "account-level SCPs are applied to them"
    ]


def test_more_than_five_accounts_without_paths_name_the_first_five() -> None:
    pathless = [f"44444444444{i}" for i in range(6)]
    resolver = _resolver(*pathless)
    assert resolver.notes == [
        "6 account(s) without Paths in list-accounts (444444444440, 444444444441, 444444444442, 444444444443, "
        "444444444444 ...): only root and account-level SCPs are applied to them"
    ]
    five = _resolver(*pathless[:5])
    assert five.notes == [
        "5 account(s) without Paths in list-accounts (444444444440, 444444444441, 444444444442, 444444444443, "
        "444444444444): only root and account-level SCPs are applied to them"
    ]


# The same decisions seen in the graph: an edge exists only if every level allows.

TARGET = f"arn:aws:iam::{MEMBER}:role/Target"


def _graph_edge(scps: list[object], *, management: str = MGMT, caller_account: str = IDENTITY) -> AssumeEdge | None:
    trust = doc(trust_statement({"AWS": f"arn:aws:iam::{caller_account}:root"}))
    caller = user(caller_account, "alice", policies=[doc(allow_assume(TARGET))])
    accounts = {
        caller_account: evidence(caller_account, users=[caller]),
        MEMBER: evidence(MEMBER, roles=[role(MEMBER, "Target", trust)]),
    }
    org = [
        org_account(IDENTITY, "Identity", (ROOT_ID, OU_ID)),
        org_account(MEMBER, "Development", (ROOT_ID,)),
        org_account(MGMT, "Management", (ROOT_ID,)),
    ]
    graph, _ = build(snapshot(accounts, org_accounts=org, scps=scps, management=management))  # type: ignore[arg-type]
    source = f"arn:aws:iam::{caller_account}:user/alice"
    return graph.edge(source, TARGET)


def test_a_level_whose_policies_do_not_allow_the_action_denies_it_though_every_other_level_allows() -> None:
    allowed = _graph_edge([scp("p-FullAWSAccess", FULL_ACCESS, ROOT_ID, OU_ID, IDENTITY)])
    assert allowed is not None
    assert allowed.mfa is MfaStatus.ABSENT
    # the OU's only policy allows s3:* alone: no sts:AssumeRole at that level, so no edge
    assert (
        _graph_edge([scp("p-FullAWSAccess", FULL_ACCESS, ROOT_ID, IDENTITY), scp("p-s3", ALLOW_S3_ONLY, OU_ID)]) is None
    )
    # the account's own level likewise
    assert (
        _graph_edge([scp("p-FullAWSAccess", FULL_ACCESS, ROOT_ID, OU_ID), scp("p-s3", ALLOW_S3_ONLY, IDENTITY)]) is None
    )
    # a Deny at the root reaches every account below it
    assert (
        _graph_edge([scp("p-FullAWSAccess", FULL_ACCESS, ROOT_ID, OU_ID, IDENTITY), scp("p-deny", DENY, ROOT_ID)])
        is None
    )


def test_the_management_accounts_callers_are_not_limited_by_a_root_deny() -> None:
    scps = [scp("p-FullAWSAccess", FULL_ACCESS, ROOT_ID, OU_ID, IDENTITY), scp("p-deny", DENY, ROOT_ID)]
    assert _graph_edge(scps, caller_account=MGMT) is not None
