"""The management account when describe-organization is missing or refused.

AWS Organizations User Guide, "Service control policies (SCPs)": "SCPs don't affect users or roles in
the management account." Which account that is must therefore be known before any SCP is applied.
Every account ARN that ``list-accounts`` returns names it (Organizations API reference, ``Account``:
``arn:aws:organizations::<management account>:account/<organization id>/<account id>``), so it is
derived from there and recorded as derived; when not even that is in the evidence, access that only an
SCP takes away is kept as conditional on the caller's account being the management account.
"""

from __future__ import annotations

from typing import Any

from analyzer.audit.org_shape import resolve_shape
from analyzer.audit.settings import Settings
from analyzer.graph.access import MfaStatus
from analyzer.graph.assume import IF_MANAGEMENT
from analyzer.model.snapshot import Snapshot
from tests.graph.builders import (
    FULL_ACCESS,
    IDENTITY,
    MEMBER,
    MGMT,
    ORG_ID,
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
)

EC2 = doc(trust_statement({"Service": "ec2.amazonaws.com"}))
DENY_ASSUME = doc({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"})
DENY_ASSUME_WITHOUT_MFA = doc(
    {
        "Effect": "Deny",
        "Action": "sts:AssumeRole",
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    }
)
TARGET = f"arn:aws:iam::{MEMBER}:role/Target"
OPS = f"arn:aws:iam::{MGMT}:role/OrgOps"
WORKER = f"arn:aws:iam::{IDENTITY}:role/Worker"


def _organization(guard: dict[str, Any], *, described: bool, arns: bool) -> Snapshot:
    """A management role and an Identity role, both allowed sts:AssumeRole on a member role trusting both
    accounts; a root SCP ``guard``. ``arns=False``: list-accounts entries without their Arn."""
    trust = doc(trust_statement({"AWS": [f"arn:aws:iam::{MGMT}:root", f"arn:aws:iam::{IDENTITY}:root"]}))
    grant = [doc(allow_assume("*"))]
    management = MGMT if arns else None
    accounts = [
        org_account(IDENTITY, "Identity", management=management),
        org_account(MEMBER, "Development", management=management),
        org_account(MGMT, "Management", management=management),
    ]
    return snapshot(
        {
            MGMT: evidence(MGMT, roles=[role(MGMT, "OrgOps", EC2, policies=grant)]),
            IDENTITY: evidence(IDENTITY, roles=[role(IDENTITY, "Worker", EC2, policies=grant)]),
            MEMBER: evidence(MEMBER, roles=[role(MEMBER, "Target", trust)]),
        },
        org_accounts=accounts,
        scps=[scp("p-FullAWSAccess", FULL_ACCESS, ROOT_ID), scp("p-guard", guard, ROOT_ID)],
        described=described,
    )


def test_the_management_account_is_derived_from_the_list_accounts_arns() -> None:
    snap = _organization(DENY_ASSUME, described=False, arns=True)
    shape = resolve_shape(snap, Settings())
    assert shape.management_account == MGMT
    assert shape.management.source == "derived" and "list-accounts" in shape.management.reason
    assert shape.organization_id == ORG_ID
    assert shape.info(MGMT) is not None and shape.info(MGMT).role == "management"  # type: ignore[union-attr]


def test_describe_organization_wins_when_present() -> None:
    shape = resolve_shape(_organization(DENY_ASSUME, described=True, arns=True), Settings())
    assert (shape.management_account, shape.management.source) == (MGMT, "describe-organization")


def test_scps_do_not_restrict_a_derived_management_account() -> None:
    """Before: describe-organization missing made the management account a member, and the root SCP's
    deny removed its edge ('cannot assume'), without a note."""
    graph, _ = build(_organization(DENY_ASSUME, described=False, arns=True))
    edge = graph.edge(OPS, TARGET)
    assert edge is not None and edge.conditional == ()
    assert graph.edge(WORKER, TARGET) is None  # a member account is still restricted
    assert any("derived from the account ARNs" in n for n in graph.graph.graph["notes"])


def test_an_unknown_management_account_makes_what_only_an_scp_denies_conditional() -> None:
    graph, shape = build(_organization(DENY_ASSUME, described=False, arns=False))
    assert shape.management_account is None and shape.management.source == "unknown"
    for caller in (OPS, WORKER):  # either account may be the management account
        edge = graph.edge(caller, TARGET)
        assert edge is not None and edge.conditional == (IF_MANAGEMENT,), caller
        assert "management account" in edge.reason
    assert any("management account is not known" in n for n in graph.graph.graph["notes"])


def test_an_unknown_management_account_keeps_the_mfa_an_scp_alone_demands_conditional() -> None:
    graph, _ = build(_organization(DENY_ASSUME_WITHOUT_MFA, described=False, arns=False))
    edge = graph.edge(WORKER, TARGET)
    assert edge is not None and edge.mfa is MfaStatus.ABSENT and edge.conditional == (IF_MANAGEMENT,)
    # known management account: the member is held to the SCP's MFA, the management account is not
    known, _ = build(_organization(DENY_ASSUME_WITHOUT_MFA, described=False, arns=True))
    member_edge, mgmt_edge = known.edge(WORKER, TARGET), known.edge(OPS, TARGET)
    assert member_edge is not None and member_edge.mfa is MfaStatus.ENFORCED and member_edge.mfa_by == ("scp",)
    assert mgmt_edge is not None and mgmt_edge.mfa is MfaStatus.ABSENT and mgmt_edge.conditional == ()


def test_an_unknown_management_account_changes_nothing_an_scp_does_not_decide() -> None:
    allow_all = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    graph, _ = build(_organization(allow_all, described=False, arns=False))
    edge = graph.edge(WORKER, TARGET)
    assert edge is not None and edge.conditional == () and edge.mfa is MfaStatus.ABSENT
