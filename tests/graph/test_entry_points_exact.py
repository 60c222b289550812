"""Every way a person enters the organization, each classified exactly (analyzer/graph/scope.py).

The model (docs: the Identity account holds the people): an IAM user or a (non service-linked) role of
the Identity account, or its identity providers, are the ``identity`` entries; the SAML provider IAM
Identity Center creates for its permission-set roles (path ``/aws-reserved/sso.amazonaws.com/``, IAM
Identity Center User Guide, "Service-linked roles" and "IAM roles created by IAM Identity Center":
https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpowerusers.html) is
``identity-center`` wherever it lives; an IAM user or a SAML provider of any other account is
``outside`` (it bypasses the Identity account). Service-linked roles (path ``/aws-service-role/``,
IAM User Guide "Using service-linked roles") and workload OIDC providers of other accounts are no
person's way in.
"""

from __future__ import annotations

from analyzer.graph.scope import Entry, EntryKind, member_paths, people_entries
from tests.graph.builders import IDENTITY, MEMBER, MFA_TRUE, build, doc, evidence, role, snapshot, trust_statement, user

OKTA = f"arn:aws:iam::{IDENTITY}:saml-provider/Okta"
IDENTITY_OIDC = f"arn:aws:iam::{IDENTITY}:oidc-provider/login.example.com"
SSO = f"arn:aws:iam::{MEMBER}:saml-provider/AWSSSO_5c1a9f3e2b7d4a60_DO_NOT_DELETE"
PARTNER = f"arn:aws:iam::{MEMBER}:saml-provider/Partner"
GITHUB = f"arn:aws:iam::{MEMBER}:oidc-provider/token.actions.githubusercontent.com"
ALICE = f"arn:aws:iam::{IDENTITY}:user/alice"
BOB = f"arn:aws:iam::{MEMBER}:user/bob"
JUMP = f"arn:aws:iam::{IDENTITY}:role/Jump"
WEB = f"arn:aws:iam::{IDENTITY}:role/Web"
APP = f"arn:aws:iam::{IDENTITY}:role/App"
SUPPORT = f"arn:aws:iam::{IDENTITY}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport"
SSO_ADMIN = f"arn:aws:iam::{MEMBER}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef"
DEV = f"arn:aws:iam::{MEMBER}:role/Dev"
SECURE = f"arn:aws:iam::{MEMBER}:role/Secure"


def _saml(provider: str) -> dict[str, object]:
    return doc({"Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithSAML"})


def _oidc(provider: str) -> dict[str, object]:
    return doc({"Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity"})


def _graph() -> object:
    assume = [doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})]
    identity_roles = [
        role(
            IDENTITY, "Jump", doc(trust_statement({"AWS": f"arn:aws:iam::{IDENTITY}:root"})), index=0, policies=assume
        ),
        role(IDENTITY, "Web", _saml(OKTA), index=1),
        role(IDENTITY, "App", _oidc(IDENTITY_OIDC), index=2),
        role(
            IDENTITY,
            "AWSServiceRoleForSupport",
            doc(trust_statement({"Service": "support.amazonaws.com"})),
            index=3,
            path="/aws-service-role/support.amazonaws.com/",
        ),
    ]
    member_roles = [
        role(
            MEMBER,
            "AWSReservedSSO_Admin_0123456789abcdef",
            _saml(SSO),
            index=0,
            path="/aws-reserved/sso.amazonaws.com/",
        ),
        role(MEMBER, "Partner", _saml(PARTNER), index=1),
        role(MEMBER, "CI", _oidc(GITHUB), index=2),
        role(MEMBER, "Dev", doc(trust_statement({"AWS": f"arn:aws:iam::{IDENTITY}:root"})), index=3),
        role(MEMBER, "Secure", doc(trust_statement({"AWS": f"arn:aws:iam::{IDENTITY}:root"}, MFA_TRUE)), index=4),
    ]
    accounts = {
        IDENTITY: evidence(IDENTITY, users=[user(IDENTITY, "alice", policies=assume)], roles=identity_roles),
        MEMBER: evidence(MEMBER, users=[user(MEMBER, "bob")], roles=member_roles),
    }
    graph, _ = build(snapshot(accounts))
    return graph


def test_every_entry_of_people_with_its_account_and_kind() -> None:
    graph = _graph()
    assert people_entries(graph, IDENTITY) == [  # type: ignore[arg-type]
        Entry(IDENTITY_OIDC, IDENTITY, EntryKind.IDENTITY),
        Entry(APP, IDENTITY, EntryKind.IDENTITY),
        Entry(JUMP, IDENTITY, EntryKind.IDENTITY),
        Entry(WEB, IDENTITY, EntryKind.IDENTITY),
        Entry(OKTA, IDENTITY, EntryKind.IDENTITY),
        Entry(ALICE, IDENTITY, EntryKind.IDENTITY),
        Entry(SSO, MEMBER, EntryKind.IDENTITY_CENTER),
        Entry(PARTNER, MEMBER, EntryKind.OUTSIDE),
        Entry(BOB, MEMBER, EntryKind.OUTSIDE),
    ]


def test_without_the_identity_account_only_identity_center_is_an_entry() -> None:
    assert people_entries(_graph(), None) == [Entry(SSO, MEMBER, EntryKind.IDENTITY_CENTER)]  # type: ignore[arg-type]


def test_member_paths_are_the_roles_outside_the_identity_account() -> None:
    graph = _graph()
    alice = Entry(ALICE, IDENTITY, EntryKind.IDENTITY)
    assert sorted(member_paths(graph, alice, IDENTITY)) == [DEV, SECURE]  # type: ignore[arg-type]
    # only the ways in without MFA: the role whose trust requires MFA is left out
    assert sorted(member_paths(graph, alice, IDENTITY, without_mfa=True)) == [DEV]  # type: ignore[arg-type]
    assert [h.target for h in member_paths(graph, alice, IDENTITY)[DEV].hops] == [DEV]  # type: ignore[arg-type]
    # with no Identity account named, every role alice reaches counts; naming another leaves that one out
    assert sorted(member_paths(graph, alice, None)) == [JUMP, DEV, SECURE]  # type: ignore[arg-type]
    assert sorted(member_paths(graph, alice, MEMBER)) == [JUMP]  # type: ignore[arg-type]
