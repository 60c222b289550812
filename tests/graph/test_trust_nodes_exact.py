"""The node a name written in a trust policy stands for (analyzer/graph/nodes.py).

IAM User Guide, "AWS JSON policy elements: Principal"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html): an account
id or its ``:root`` ARN is the account; a user or role ARN one principal; an ``assumed-role`` ARN a
session of a role; ``"*"`` anyone; a bare unique id (``AIDA...``/``AROA...``) is what IAM shows in place of
a principal that was deleted ("If you delete the role or user ... the principal ARN is replaced by the
unique ID"); ``Federated`` names a SAML or OIDC identity provider, ``Service`` an AWS service.
"""

from __future__ import annotations

from analyzer.graph.access import NodeKind
from analyzer.graph.nodes import (
    KnownPrincipals,
    NodeSpec,
    account_node,
    aws_principal_node,
    federated_node,
    is_saml_provider,
    service_node,
)
from tests.graph.builders import IDENTITY, MEMBER

ALICE = f"arn:aws:iam::{IDENTITY}:user/alice"
ADMIN = f"arn:aws:iam::{MEMBER}:role/ops/Admin"
ALICE_ID = "AIDAJQABLZS4A3QDU576Q"


def _known() -> KnownPrincipals:
    alice = NodeSpec(ALICE, NodeKind.USER, IDENTITY, "alice", True)
    admin = NodeSpec(ADMIN, NodeKind.ROLE, MEMBER, "Admin", True)
    return KnownPrincipals(
        partition="aws-cn",
        accounts={IDENTITY: "Identity (111111111111)"},
        principals={ALICE: alice, ADMIN: admin},
        unique_ids={ALICE_ID: alice},
        roles_by_name={(MEMBER, "Admin"): ADMIN},
    )


def test_an_account_of_the_evidence_and_an_external_one() -> None:
    known = _known()
    assert account_node(IDENTITY, known) == NodeSpec(
        "arn:aws-cn:iam::111111111111:root", NodeKind.ACCOUNT, IDENTITY, "Identity (111111111111)", True
    )
    assert account_node("999999999999", known, "aws") == NodeSpec(
        "arn:aws:iam::999999999999:root", NodeKind.EXTERNAL_ACCOUNT, "999999999999", "external account 999999999999"
    )


def test_each_kind_of_aws_principal_value() -> None:
    known = _known()
    assert aws_principal_node("*", known) == NodeSpec("*", NodeKind.ANYONE, "", "anyone (*)")
    assert aws_principal_node(IDENTITY, known) == account_node(IDENTITY, known)  # bare id: the known partition
    assert aws_principal_node(f"arn:aws:iam::{IDENTITY}:root", known) == NodeSpec(
        f"arn:aws:iam::{IDENTITY}:root", NodeKind.ACCOUNT, IDENTITY, "Identity (111111111111)", True
    )
    assert aws_principal_node(ALICE, known) is known.principals[ALICE]
    assert aws_principal_node(ALICE_ID, known) is known.principals[ALICE]  # a unique id of the evidence
    assert aws_principal_node("AROAJQABLZS4A3QDU576Q", known) == NodeSpec(
        "AROAJQABLZS4A3QDU576Q", NodeKind.DELETED_PRINCIPAL, "", "deleted principal AROAJQABLZS4A3QDU576Q"
    )
    # a session of a known role is that role (the path is not part of a session ARN)
    assert aws_principal_node(f"arn:aws:sts::{MEMBER}:assumed-role/Admin/deploy", known) is known.principals[ADMIN]
    session = f"arn:aws:sts::{MEMBER}:assumed-role/Gone/deploy"
    assert aws_principal_node(session, known) == NodeSpec(session, NodeKind.ROLE, MEMBER, f"session {session}")
    bob = f"arn:aws:iam::{MEMBER}:user/team/bob"
    assert aws_principal_node(bob, known) == NodeSpec(bob, NodeKind.USER, MEMBER, "bob")
    other = f"arn:aws:iam::{MEMBER}:role/Other"
    assert aws_principal_node(other, known) == NodeSpec(other, NodeKind.ROLE, MEMBER, "Other")
    federated_user = f"arn:aws:sts::{MEMBER}:federated-user/carol"
    assert aws_principal_node(federated_user, known) == NodeSpec(federated_user, NodeKind.USER, MEMBER, "carol")


def test_values_that_are_no_valid_aws_principal() -> None:
    known = _known()
    assert aws_principal_node("alice", known) is None
    assert aws_principal_node(f"arn:aws:iam::{MEMBER}:group/admins", known) is None
    assert aws_principal_node(f"arn:aws:s3:::{MEMBER}-bucket", known) is None
    assert aws_principal_node(f"arn:aws:sts::{MEMBER}:user/alice", known) is None


def test_identity_providers_and_services() -> None:
    saml = f"arn:aws:iam::{IDENTITY}:saml-provider/Okta"
    oidc = f"arn:aws:iam::{IDENTITY}:oidc-provider/token.actions.githubusercontent.com/org"
    assert federated_node(saml) == NodeSpec(saml, NodeKind.SAML_PROVIDER, IDENTITY, "Okta")
    assert federated_node(oidc) == NodeSpec(
        oidc, NodeKind.OIDC_PROVIDER, IDENTITY, "token.actions.githubusercontent.com/org"
    )
    assert federated_node("cognito-identity.amazonaws.com") == NodeSpec(
        "cognito-identity.amazonaws.com", NodeKind.OIDC_PROVIDER, "", "cognito-identity.amazonaws.com"
    )
    # evidence is hostile: a Federated ARN of no known provider shape is still a node, never a crash
    odd = f"arn:aws:iam::{IDENTITY}:provider"
    assert federated_node(odd) == NodeSpec(odd, NodeKind.OIDC_PROVIDER, IDENTITY, "provider")
    assert service_node("ec2.amazonaws.com") == NodeSpec("ec2.amazonaws.com", NodeKind.SERVICE, "", "ec2.amazonaws.com")
    assert is_saml_provider(saml)
    assert not is_saml_provider(oidc)
    assert not is_saml_provider("accounts.google.com")
    assert not is_saml_provider(f"arn:aws:sso::{IDENTITY}:saml-provider/x")
