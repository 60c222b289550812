"""Which SCP levels the graph applies to a caller's account (analyzer/graph/scp.py)."""

from __future__ import annotations

from analyzer.graph.scp import ScpResolver
from tests.graph.builders import (
    FULL_ACCESS,
    IDENTITY,
    MEMBER,
    MGMT,
    OU_ID,
    ROOT_ID,
    doc,
    evidence,
    org_account,
    scp,
    snapshot,
)

DENY = doc({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"})


def resolver(**kwargs: object) -> ScpResolver:
    accounts = [
        org_account(IDENTITY, "Identity", (ROOT_ID,)),
        org_account(MEMBER, "Development", (ROOT_ID, OU_ID)),
        org_account(MGMT, "Management", (ROOT_ID,)),
        org_account("444444444444", "NoPaths", ()),
    ]
    scps = [scp("p-FullAWSAccess", FULL_ACCESS, ROOT_ID, OU_ID, MEMBER), scp("p-deny", DENY, OU_ID)]
    snap = snapshot({IDENTITY: evidence(IDENTITY)}, org_accounts=accounts, scps=scps, **kwargs)  # type: ignore[arg-type]
    return ScpResolver.of(snap, MGMT)


def test_levels_run_root_ous_account_and_skip_levels_without_policies() -> None:
    levels = resolver().levels(MEMBER)
    assert levels is not None
    assert [(lv.target, [p.name for p in lv.policies]) for lv in levels] == [
        (ROOT_ID, ["p-FullAWSAccess"]),
        (OU_ID, ["p-FullAWSAccess", "p-deny"]),
        (MEMBER, ["p-FullAWSAccess"]),
    ]
    identity = resolver().levels(IDENTITY)
    assert identity is not None and [lv.target for lv in identity] == [ROOT_ID]  # no policy on the account itself


def test_management_account_and_accounts_outside_the_organization_have_no_scp_effect() -> None:
    r = resolver()
    assert r.levels(MGMT) is None
    assert r.levels("555555555555") is None


def test_account_without_paths_gets_the_root_level_and_a_note() -> None:
    r = resolver()
    levels = r.levels("444444444444")
    assert levels is not None and [lv.target for lv in levels] == [ROOT_ID]
    assert any("without Paths" in n for n in r.notes)


def test_no_scp_or_incomplete_scp_evidence_means_no_scp_effect() -> None:
    incomplete = resolver(scps_complete=False)
    assert incomplete.levels(MEMBER) is None and incomplete.notes
    empty = ScpResolver.of(snapshot({IDENTITY: evidence(IDENTITY)}), MGMT)
    assert empty.levels(IDENTITY) is None
    assert empty.notes == ["no SCP in the evidence: SCPs are not applied to any caller"]
