"""The whole access graph of a small organization, pinned: every node and attribute, every edge, the notes.

analyzer/graph/build.py puts together what the other graph modules decide; here each of its jobs shows
in the graph an auditor reads (the JSON and GraphML files, the queries): account, user, group and role
nodes and their attributes, a group the evidence lacks, documents the loader could not read
(``unresolved``, ``unknown_grants``, the notes), a trust policy that cannot be read (no edge, and
``unreadable_trusts`` on whoever might pass it), ``trusts`` edges per principal as written (an
``Allow`` with ``NotPrincipal`` trusts ``*``; a CanonicalUser has no node; an invalid AWS principal is a
note), ``member_of`` edges, ``can_assume`` edges with their texts (roles sharing one trust document cite
their own statements), federation edges (IAM Identity Center, SAML, OIDC: MFA delegated to the
provider, IAMUG https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html),
a service-linked role (trust edges only), and each caller's targets in the order the searches take them.
"""

from __future__ import annotations

from typing import Any

from analyzer.graph.access import AccessGraph
from analyzer.model.entities import AttachedPolicyRef
from analyzer.model.evidence import EvidenceRef
from tests.graph.builders import (
    EXTERNAL,
    IDENTITY,
    MEMBER,
    MFA_TRUE,
    MGMT,
    allow_assume,
    build,
    doc,
    evidence,
    gaad,
    group,
    org_account,
    role,
    snapshot,
    trust_statement,
    user,
)

SSO_PROVIDER = f"arn:aws:iam::{MEMBER}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"
OKTA = f"arn:aws:iam::{IDENTITY}:saml-provider/Okta"
GITHUB = f"arn:aws:iam::{MEMBER}:oidc-provider/token.actions.githubusercontent.com"
ASSUME_MEMBER_ROLES = doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{MEMBER}:role/*"})


def _missing(account: str, name: str) -> AttachedPolicyRef:
    """A managed policy attached but not in the evidence (its document could not be read)."""
    ref = EvidenceRef(gaad(account), "/Policies/9/PolicyVersionList/0/Document")
    return AttachedPolicyRef(arn=f"arn:aws:iam::{account}:policy/{name}", name=name, ref=ref, policy=None)


def organization() -> Any:
    admins = group(IDENTITY, "Admins", policies=[ASSUME_MEMBER_ROLES])
    alice = user(IDENTITY, "alice", groups=["Admins", "Ghost"])
    bob = user(IDENTITY, "bob", index=1, attached=[_missing(IDENTITY, "Gone")], boundary=_missing(IDENTITY, "Edge"))
    admin_trust = doc(trust_statement({"AWS": f"arn:aws:iam::{IDENTITY}:root"}, MFA_TRUE))
    roles = [
        role(MEMBER, "Admin", admin_trust),
        role(MEMBER, "Admin2", admin_trust, index=1),  # the same trust document: its own statements cited
        role(MEMBER, "Blind", None, index=2),
        role(
            MEMBER,
            "Open",
            doc(
                {
                    "Effect": "Allow",
                    "NotPrincipal": {"AWS": f"arn:aws:iam::{EXTERNAL}:root"},
                    "Action": "sts:AssumeRole",
                }
            ),
            index=3,
        ),
        role(
            MEMBER,
            "Odd",
            doc(
                trust_statement({"AWS": "not-an-arn"}),
                trust_statement({"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}),
                trust_statement({"Service": "ec2.amazonaws.com"}, Sid="Ec2"),
            ),
            index=4,
        ),
        role(
            MEMBER,
            "AWSReservedSSO_Admin_0123456789abcdef",
            doc({"Effect": "Allow", "Principal": {"Federated": SSO_PROVIDER}, "Action": "sts:AssumeRoleWithSAML"}),
            index=5,
            path="/aws-reserved/sso.amazonaws.com/",
        ),
        role(
            MEMBER,
            "Okta",
            doc({"Effect": "Allow", "Principal": {"Federated": OKTA}, "Action": "sts:AssumeRoleWithSAML"}),
            index=6,
        ),
        role(
            MEMBER,
            "CI",
            doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": GITHUB},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}},
                }
            ),
            index=7,
        ),
        # Pivot's trust names Open, which it may also assume: Open comes first among its targets
        role(
            MEMBER,
            "Pivot",
            doc(trust_statement({"AWS": f"arn:aws:iam::{MEMBER}:role/Open"})),
            index=9,
            policies=[ASSUME_MEMBER_ROLES],
        ),
        role(MEMBER, "Mirror", doc(trust_statement({"AWS": MEMBER})), index=10),
        role(
            MEMBER,
            "AWSServiceRoleForSupport",
            doc(trust_statement({"Service": "support.amazonaws.com"})),
            index=8,
            path="/aws-service-role/support.amazonaws.com/",
        ),
    ]
    return snapshot(
        {
            IDENTITY: evidence(IDENTITY, users=[alice, bob], groups=[admins]),
            MEMBER: evidence(MEMBER, roles=roles),
        }
    )


def _short(text: str) -> str:
    return text.replace("arn:aws:iam::", "").replace(GAAD_MEMBER, "M").replace(GAAD_IDENTITY, "I")


GAAD_MEMBER, GAAD_IDENTITY = gaad(MEMBER), gaad(IDENTITY)


def _value(value: Any) -> Any:
    if isinstance(value, EvidenceRef):
        return _short(f"{value.file}#{value.pointer}")
    if isinstance(value, tuple):
        return tuple(_value(v) for v in value)
    if isinstance(value, str):
        return _short(value)
    return getattr(value, "value", value)


def _dump(graph: AccessGraph) -> dict[str, Any]:
    """The graph in short: ARNs without ``arn:aws:iam::``, evidence as ``I``/``M`` (the two accounts'
    authorization details) ``#pointer``, enums by value."""
    g = graph.graph
    return {
        "graph": {k: _value(v) for k, v in g.graph.items()},
        "nodes": [(_short(n), {k: _value(v) for k, v in sorted(d.items())}) for n, d in g.nodes(data=True)],
        "edges": [
            (_short(u), _short(v), _short(k), {n: _value(x) for n, x in sorted(d.items()) if n != "kind"})
            for u, v, k, d in g.edges(keys=True, data=True)
        ],
        "can_assume": [(_short(s), [_short(t) for t in targets]) for s, targets in graph.assume.succ.items()],
        "assume_edges": [
            (
                _short(e.source),
                _short(e.target),
                e.mfa.value,
                e.mfa_by,
                _value(e.conditional),
                _value(e.evidence),
                _short(e.reason),
                e.via_saml,
            )
            for e in graph.assume_edges()
        ],
    }


EXPECTED: dict[str, Any] = {
    "graph": {
        "partition": "aws",
        "notes": (
            "111111111111:user/alice: group Ghost not readable from the evidence; what it grants is not counted",
            "111111111111:user/bob: 111111111111:policy/Gone, boundary 111111111111:policy/Edge not readable "
            "from the evidence; what it grants is not counted",
            "222222222222:role/Blind: trust policy not readable; nobody is shown able to assume it",
            "222222222222:role/Odd: trust names 'not-an-arn', which is not a valid AWS principal",
            "no SCP in the evidence: SCPs are not applied to any caller",
        ),
    },
    "nodes": [
        (
            "111111111111:root",
            {
                "account": "111111111111",
                "in_evidence": True,
                "kind": "account",
                "label": "Identity (111111111111)",
                "role": "identity",
            },
        ),
        (
            "222222222222:root",
            {
                "account": "222222222222",
                "in_evidence": True,
                "kind": "account",
                "label": "Development (222222222222)",
                "role": "member",
            },
        ),
        (
            "333333333333:root",
            {
                "account": "333333333333",
                "in_evidence": True,
                "kind": "account",
                "label": "Management (333333333333)",
                "role": "management",
            },
        ),
        (
            "111111111111:group/Admins",
            {"account": "111111111111", "in_evidence": True, "kind": "group", "label": "Admins"},
        ),
        (
            "111111111111:user/alice",
            {
                "account": "111111111111",
                "in_evidence": True,
                "kind": "user",
                "label": "alice",
                "unknown_grants": ("group Ghost",),
                "unreadable_trusts": ("222222222222:role/Blind",),
                "unresolved": ("group Ghost",),
            },
        ),
        (
            "111111111111:user/bob",
            {
                "account": "111111111111",
                "in_evidence": True,
                "kind": "user",
                "label": "bob",
                "unknown_grants": ("111111111111:policy/Gone",),
                "unresolved": ("111111111111:policy/Gone", "boundary 111111111111:policy/Edge"),
            },
        ),
        (
            "222222222222:role/Admin",
            {
                "account": "222222222222",
                "in_evidence": True,
                "kind": "role",
                "label": "Admin",
                "path": "/",
                "service_linked": False,
                "sso": False,
                "trust_readable": True,
                "unreadable_trusts": ("222222222222:role/Blind",),
            },
        ),
        (
            "222222222222:role/Admin2",
            {
                "account": "222222222222",
                "in_evidence": True,
                "kind": "role",
                "label": "Admin2",
                "path": "/",
                "service_linked": False,
                "sso": False,
                "trust_readable": True,
                "unreadable_trusts": ("222222222222:role/Blind",),
            },
        ),
        (
            "222222222222:role/Blind",
            {
                "account": "222222222222",
                "in_evidence": True,
                "kind": "role",
                "label": "Blind",
                "path": "/",
                "service_linked": False,
                "sso": False,
                "trust_readable": False,
            },
        ),
        (
            "222222222222:role/Open",
            {
                "account": "222222222222",
                "in_evidence": True,
                "kind": "role",
                "label": "Open",
                "path": "/",
                "service_linked": False,
                "sso": False,
                "trust_readable": True,
                "unreadable_trusts": ("222222222222:role/Blind",),
            },
        ),
        (
            "222222222222:role/Odd",
            {
                "account": "222222222222",
                "in_evidence": True,
                "kind": "role",
                "label": "Odd",
                "path": "/",
                "service_linked": False,
                "sso": False,
                "trust_readable": True,
                "unreadable_trusts": ("222222222222:role/Blind",),
            },
        ),
        (
            "222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef",
            {
                "account": "222222222222",
                "in_evidence": True,
                "kind": "role",
                "label": "AWSReservedSSO_Admin_0123456789abcdef",
                "path": "/aws-reserved/sso.amazonaws.com/",
                "service_linked": False,
                "sso": True,
                "trust_readable": True,
                "unreadable_trusts": ("222222222222:role/Blind",),
            },
        ),
        (
            "222222222222:role/Okta",
            {
                "account": "222222222222",
                "in_evidence": True,
                "kind": "role",
                "label": "Okta",
                "path": "/",
                "service_linked": False,
                "sso": False,
                "trust_readable": True,
                "unreadable_trusts": ("222222222222:role/Blind",),
            },
        ),
        (
            "222222222222:role/CI",
            {
                "account": "222222222222",
                "in_evidence": True,
                "kind": "role",
                "label": "CI",
                "path": "/",
                "service_linked": False,
                "sso": False,
                "trust_readable": True,
                "unreadable_trusts": ("222222222222:role/Blind",),
            },
        ),
        (
            "222222222222:role/Pivot",
            {
                "account": "222222222222",
                "in_evidence": True,
                "kind": "role",
                "label": "Pivot",
                "path": "/",
                "service_linked": False,
                "sso": False,
                "trust_readable": True,
                "unreadable_trusts": ("222222222222:role/Blind",),
            },
        ),
        (
            "222222222222:role/Mirror",
            {
                "account": "222222222222",
                "in_evidence": True,
                "kind": "role",
                "label": "Mirror",
                "path": "/",
                "service_linked": False,
                "sso": False,
                "trust_readable": True,
                "unreadable_trusts": ("222222222222:role/Blind",),
            },
        ),
        (
            "222222222222:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport",
            {
                "account": "222222222222",
                "in_evidence": True,
                "kind": "role",
                "label": "AWSServiceRoleForSupport",
                "path": "/aws-service-role/support.amazonaws.com/",
                "service_linked": True,
                "sso": False,
                "trust_readable": True,
            },
        ),
        ("*", {"account": "", "in_evidence": False, "kind": "anyone", "label": "anyone (*)"}),
        ("ec2.amazonaws.com", {"account": "", "in_evidence": False, "kind": "service", "label": "ec2.amazonaws.com"}),
        (
            "222222222222:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE",
            {
                "account": "222222222222",
                "in_evidence": False,
                "kind": "saml_provider",
                "label": "AWSSSO_0123456789abcdef_DO_NOT_DELETE",
            },
        ),
        (
            "111111111111:saml-provider/Okta",
            {"account": "111111111111", "in_evidence": False, "kind": "saml_provider", "label": "Okta"},
        ),
        (
            "222222222222:oidc-provider/token.actions.githubusercontent.com",
            {
                "account": "222222222222",
                "in_evidence": False,
                "kind": "oidc_provider",
                "label": "token.actions.githubusercontent.com",
            },
        ),
        (
            "support.amazonaws.com",
            {"account": "", "in_evidence": False, "kind": "service", "label": "support.amazonaws.com"},
        ),
        (
            "111111111111:group/Ghost",
            {"account": "111111111111", "in_evidence": False, "kind": "group", "label": "Ghost"},
        ),
    ],
    "edges": [
        ("111111111111:user/alice", "111111111111:group/Admins", "member_of", {}),
        ("111111111111:user/alice", "111111111111:group/Ghost", "member_of", {}),
        (
            "222222222222:role/Admin",
            "111111111111:root",
            "trusts/Statement/0:AWS:111111111111:root",
            {
                "conditions": ('{"Bool": {"aws:MultiFactorAuthPresent": "true"}}',),
                "evidence": "M#/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0",
                "not_principal": False,
                "principal_type": "AWS",
                "sid": "",
                "written": "111111111111:root",
            },
        ),
        (
            "222222222222:role/Admin2",
            "111111111111:root",
            "trusts/Statement/0:AWS:111111111111:root",
            {
                "conditions": ('{"Bool": {"aws:MultiFactorAuthPresent": "true"}}',),
                "evidence": "M#/RoleDetailList/1/AssumeRolePolicyDocument/Statement/0",
                "not_principal": False,
                "principal_type": "AWS",
                "sid": "",
                "written": "111111111111:root",
            },
        ),
        (
            "222222222222:role/Open",
            "*",
            "trusts/Statement/0:NotPrincipal",
            {
                "conditions": (),
                "evidence": "M#/RoleDetailList/3/AssumeRolePolicyDocument/Statement/0",
                "not_principal": True,
                "principal_type": "NotPrincipal",
                "sid": "",
                "written": "",
            },
        ),
        (
            "222222222222:role/Odd",
            "ec2.amazonaws.com",
            "trusts/Statement/2:Service:ec2.amazonaws.com",
            {
                "conditions": (),
                "evidence": "M#/RoleDetailList/4/AssumeRolePolicyDocument/Statement/2",
                "not_principal": False,
                "principal_type": "Service",
                "sid": "Ec2",
                "written": "ec2.amazonaws.com",
            },
        ),
        (
            "222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef",
            "222222222222:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE",
            "trusts/Statement/0:Federated:222222222222:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE",
            {
                "conditions": (),
                "evidence": "M#/RoleDetailList/5/AssumeRolePolicyDocument/Statement/0",
                "not_principal": False,
                "principal_type": "Federated",
                "sid": "",
                "written": "222222222222:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE",
            },
        ),
        (
            "222222222222:role/Okta",
            "111111111111:saml-provider/Okta",
            "trusts/Statement/0:Federated:111111111111:saml-provider/Okta",
            {
                "conditions": (),
                "evidence": "M#/RoleDetailList/6/AssumeRolePolicyDocument/Statement/0",
                "not_principal": False,
                "principal_type": "Federated",
                "sid": "",
                "written": "111111111111:saml-provider/Okta",
            },
        ),
        (
            "222222222222:role/CI",
            "222222222222:oidc-provider/token.actions.githubusercontent.com",
            "trusts/Statement/0:Federated:222222222222:oidc-provider/token.actions.githubusercontent.com",
            {
                "conditions": ('{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}}',),
                "evidence": "M#/RoleDetailList/7/AssumeRolePolicyDocument/Statement/0",
                "not_principal": False,
                "principal_type": "Federated",
                "sid": "",
                "written": "222222222222:oidc-provider/token.actions.githubusercontent.com",
            },
        ),
        (
            "222222222222:role/Pivot",
            "222222222222:role/Open",
            "trusts/Statement/0:AWS:222222222222:role/Open",
            {
                "conditions": (),
                "evidence": "M#/RoleDetailList/9/AssumeRolePolicyDocument/Statement/0",
                "not_principal": False,
                "principal_type": "AWS",
                "sid": "",
                "written": "222222222222:role/Open",
            },
        ),
        (
            "222222222222:role/Mirror",
            "222222222222:root",
            "trusts/Statement/0:AWS:222222222222",
            {
                "conditions": (),
                "evidence": "M#/RoleDetailList/10/AssumeRolePolicyDocument/Statement/0",
                "not_principal": False,
                "principal_type": "AWS",
                "sid": "",
                "written": "222222222222",
            },
        ),
        (
            "222222222222:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport",
            "support.amazonaws.com",
            "trusts/Statement/0:Service:support.amazonaws.com",
            {
                "conditions": (),
                "evidence": "M#/RoleDetailList/8/AssumeRolePolicyDocument/Statement/0",
                "not_principal": False,
                "principal_type": "Service",
                "sid": "",
                "written": "support.amazonaws.com",
            },
        ),
    ],
    "can_assume": [
        ("111111111111:user/alice", ["222222222222:role/Admin", "222222222222:role/Admin2", "222222222222:role/Open"]),
        ("222222222222:role/Admin", ["222222222222:role/Open"]),
        ("222222222222:role/Admin2", ["222222222222:role/Open"]),
        ("222222222222:role/Blind", ["222222222222:role/Open"]),
        ("222222222222:role/CI", ["222222222222:role/Open"]),
        ("222222222222:role/Mirror", ["222222222222:role/Open"]),
        ("222222222222:role/Odd", ["222222222222:role/Open"]),
        ("222222222222:role/Okta", ["222222222222:role/Open"]),
        ("222222222222:role/Open", ["222222222222:role/Pivot"]),
        ("222222222222:role/Pivot", ["222222222222:role/Open", "222222222222:role/Mirror"]),
        (
            "222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef",
            ["222222222222:role/Open"],
        ),
        (
            "222222222222:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE",
            ["222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef"],
        ),
        ("111111111111:saml-provider/Okta", ["222222222222:role/Okta"]),
        ("222222222222:oidc-provider/token.actions.githubusercontent.com", ["222222222222:role/CI"]),
    ],
    "assume_edges": [
        (
            "111111111111:saml-provider/Okta",
            "222222222222:role/Okta",
            "delegated",
            ("identity-provider",),
            (),
            ("M#/RoleDetailList/6/AssumeRolePolicyDocument/Statement/0",),
            "SAML federation (sts:AssumeRoleWithSAML) allowed by the trust policy: MFA is delegated to the "
            "identity provider. A federated session carries no MFA context, so whether the provider required "
            "MFA is not in the evidence",
            True,
        ),
        (
            "111111111111:user/alice",
            "222222222222:role/Admin",
            "enforced",
            ("trust",),
            (),
            (
                "I#/GroupDetailList/0/GroupPolicyList/0/PolicyDocument/Statement/0",
                "M#/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0",
            ),
            "allowed by inline policy Admins-inline-0 statement /Statement/0; trust policy Admin statement "
            "/Statement/0; MFA enforced by the trust policy",
            False,
        ),
        (
            "111111111111:user/alice",
            "222222222222:role/Admin2",
            "enforced",
            ("trust",),
            (),
            (
                "I#/GroupDetailList/0/GroupPolicyList/0/PolicyDocument/Statement/0",
                "M#/RoleDetailList/1/AssumeRolePolicyDocument/Statement/0",
            ),
            "allowed by inline policy Admins-inline-0 statement /Statement/0; trust policy Admin2 statement "
            "/Statement/0; MFA enforced by the trust policy",
            False,
        ),
        (
            "111111111111:user/alice",
            "222222222222:role/Open",
            "absent",
            (),
            (),
            (
                "I#/GroupDetailList/0/GroupPolicyList/0/PolicyDocument/Statement/0",
                "M#/RoleDetailList/3/AssumeRolePolicyDocument/Statement/0",
            ),
            "allowed by inline policy Admins-inline-0 statement /Statement/0; trust policy Open statement "
            "/Statement/0; no MFA required",
            False,
        ),
        (
            "222222222222:oidc-provider/token.actions.githubusercontent.com",
            "222222222222:role/CI",
            "delegated",
            ("identity-provider",),
            ('{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}}',),
            ("M#/RoleDetailList/7/AssumeRolePolicyDocument/Statement/0",),
            "web identity federation (sts:AssumeRoleWithWebIdentity) allowed by the trust policy: MFA is "
            "delegated to the identity provider. A federated session carries no MFA context, so whether the "
            "provider required MFA is not in the evidence",
            False,
        ),
        (
            "222222222222:role/Admin",
            "222222222222:role/Open",
            "absent",
            (),
            (),
            ("M#/RoleDetailList/3/AssumeRolePolicyDocument/Statement/0",),
            "allowed by trust policy Open statement /Statement/0; no MFA required (role chaining: the calling "
            "session keeps the MFA state it was assumed with)",
            False,
        ),
        (
            "222222222222:role/Admin2",
            "222222222222:role/Open",
            "absent",
            (),
            (),
            ("M#/RoleDetailList/3/AssumeRolePolicyDocument/Statement/0",),
            "allowed by trust policy Open statement /Statement/0; no MFA required (role chaining: the calling "
            "session keeps the MFA state it was assumed with)",
            False,
        ),
        (
            "222222222222:role/Blind",
            "222222222222:role/Open",
            "absent",
            (),
            (),
            ("M#/RoleDetailList/3/AssumeRolePolicyDocument/Statement/0",),
            "allowed by trust policy Open statement /Statement/0; no MFA required (role chaining: the calling "
            "session keeps the MFA state it was assumed with)",
            False,
        ),
        (
            "222222222222:role/CI",
            "222222222222:role/Open",
            "absent",
            (),
            (),
            ("M#/RoleDetailList/3/AssumeRolePolicyDocument/Statement/0",),
            "allowed by trust policy Open statement /Statement/0; no MFA required (role chaining: the calling "
            "session keeps the MFA state it was assumed with)",
            False,
        ),
        (
            "222222222222:role/Mirror",
            "222222222222:role/Open",
            "absent",
            (),
            (),
            ("M#/RoleDetailList/3/AssumeRolePolicyDocument/Statement/0",),
            "allowed by trust policy Open statement /Statement/0; no MFA required (role chaining: the calling "
            "session keeps the MFA state it was assumed with)",
            False,
        ),
        (
            "222222222222:role/Odd",
            "222222222222:role/Open",
            "absent",
            (),
            (),
            ("M#/RoleDetailList/3/AssumeRolePolicyDocument/Statement/0",),
            "allowed by trust policy Open statement /Statement/0; no MFA required (role chaining: the calling "
            "session keeps the MFA state it was assumed with)",
            False,
        ),
        (
            "222222222222:role/Okta",
            "222222222222:role/Open",
            "absent",
            (),
            (),
            ("M#/RoleDetailList/3/AssumeRolePolicyDocument/Statement/0",),
            "allowed by trust policy Open statement /Statement/0; no MFA required (role chaining: the calling "
            "session keeps the MFA state it was assumed with)",
            False,
        ),
        (
            "222222222222:role/Open",
            "222222222222:role/Pivot",
            "absent",
            (),
            (),
            ("M#/RoleDetailList/9/AssumeRolePolicyDocument/Statement/0",),
            "allowed by trust policy Pivot statement /Statement/0; no MFA required (role chaining: the calling "
            "session keeps the MFA state it was assumed with)",
            False,
        ),
        (
            "222222222222:role/Pivot",
            "222222222222:role/Mirror",
            "absent",
            (),
            (),
            (
                "M#/RoleDetailList/9/RolePolicyList/0/PolicyDocument/Statement/0",
                "M#/RoleDetailList/10/AssumeRolePolicyDocument/Statement/0",
            ),
            "allowed by inline policy Pivot-inline-0 statement /Statement/0; trust policy Mirror statement "
            "/Statement/0; no MFA required (role chaining: the calling session keeps the MFA state it was "
            "assumed with)",
            False,
        ),
        (
            "222222222222:role/Pivot",
            "222222222222:role/Open",
            "absent",
            (),
            (),
            ("M#/RoleDetailList/3/AssumeRolePolicyDocument/Statement/0",),
            "allowed by trust policy Open statement /Statement/0; no MFA required (role chaining: the calling "
            "session keeps the MFA state it was assumed with)",
            False,
        ),
        (
            "222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef",
            "222222222222:role/Open",
            "absent",
            (),
            (),
            ("M#/RoleDetailList/3/AssumeRolePolicyDocument/Statement/0",),
            "allowed by trust policy Open statement /Statement/0; no MFA required (role chaining: the calling "
            "session keeps the MFA state it was assumed with)",
            False,
        ),
        (
            "222222222222:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE",
            "222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef",
            "delegated",
            ("identity-provider",),
            (),
            ("M#/RoleDetailList/5/AssumeRolePolicyDocument/Statement/0",),
            "IAM Identity Center (SAML) federation (sts:AssumeRoleWithSAML) allowed by the trust policy: MFA is "
            "delegated to the identity provider. A federated session carries no MFA context, so whether the "
            "provider required MFA is not in the evidence",
            True,
        ),
    ],
}


def test_the_whole_graph_of_a_small_organization() -> None:
    """Read against the organization above: alice reaches the member roles her group's policy allows
    (Admin and Admin2 only with MFA, which their trust requires; Open, whose trust admits everyone but one
    outside account, without); bob's grants are unknown (a managed policy and his boundary unreadable),
    so he gets no edge and the notes say why; every caller that might pass Blind's unreadable trust lists
    it (alice by her group's grant, every member role by being in its account); within the account every
    role reaches Open (its trust alone is enough there); Pivot reaches Mirror (its own grant and Mirror's
    trust of the account) and Open, listed first because Pivot's trust names Open; each provider reaches
    its role, MFA delegated; the service-linked role has its trust edge only."""
    assert _dump(build(organization())[0]) == EXPECTED


def _federated(provider: str, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithSAML", **extra}


def test_a_federation_decision_is_the_roles_own_whatever_its_trust_shares() -> None:
    """The federation decision is memoized per trust document and role account; it must still read each
    role's own tags (aws:ResourceTag, IAMUG "Controlling access to IAM roles using tags",
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_iam-tags.html), its own ARN when a statement
    has a Resource (invalid in a trust, so hostile evidence; matched per role all the same), and never the
    decision of another trust document in the account. A role sharing another's decision cites its own trust."""
    ops_only = doc(_federated(OKTA, Condition={"StringEquals": {"aws:ResourceTag/team": "ops"}}))
    first_only = doc(_federated(OKTA, Resource=f"arn:aws:iam::{MEMBER}:role/First"))
    audience = {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}
    roles = [
        role(MEMBER, "Ops", ops_only, tags={"team": "ops"}),
        role(MEMBER, "Dev", ops_only, index=1, tags={"team": "dev"}),
        role(MEMBER, "First", first_only, index=2),
        role(MEMBER, "Second", first_only, index=3),
        role(MEMBER, "Audience", doc(_federated(OKTA, Condition=audience)), index=4),
        role(MEMBER, "Plain", doc(_federated(OKTA)), index=5),
        role(MEMBER, "Plain2", doc(_federated(OKTA)), index=6),  # Plain's decision, its own statement cited
        role(MEMBER, "Untagged", ops_only, index=7),  # no team tag: the condition is false, not unknown
        # an Identity Center path, but the provider is another account's: plain SAML federation
        role(
            MEMBER, "AWSReservedSSO_Elsewhere", doc(_federated(OKTA)), index=8, path="/aws-reserved/sso.amazonaws.com/"
        ),
    ]
    graph, _ = build(snapshot({MEMBER: evidence(MEMBER, roles=roles)}))
    edges = {e.target.rsplit("/", 1)[-1]: e for e in graph.assume_edges() if e.source == OKTA}
    assert sorted(edges) == ["AWSReservedSSO_Elsewhere", "Audience", "First", "Ops", "Plain", "Plain2"]
    assert edges["AWSReservedSSO_Elsewhere"].reason.startswith("SAML federation (sts:AssumeRoleWithSAML) allowed")
    assert edges["Ops"].conditional == () and edges["Plain"].conditional == () and edges["Plain2"].conditional == ()
    assert edges["Audience"].conditional == ('{"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}',)
    for name, index in (("Ops", 0), ("First", 2), ("Audience", 4), ("Plain", 5), ("Plain2", 6)):
        pointer = f"/RoleDetailList/{index}/AssumeRolePolicyDocument/Statement/0"
        assert edges[name].evidence == (EvidenceRef(GAAD_MEMBER, pointer),), name


def test_roles_with_one_trust_document_are_told_apart_by_what_the_decision_reads_of_each() -> None:
    """A caller's verdict is shared between roles alike (one trust document, one account) only when nothing
    else of the role is read: here alice's grant names roles by her user name (a policy variable, IAMUG
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html), so only
    alice-admin is hers; and a trust with a Resource (refused by IAM, so only in hostile evidence) names
    only First, so Second, whose trust is the same document, is not reached by carol, whose grant covers
    every role alike."""
    own = doc(allow_assume(f"arn:aws:iam::{MEMBER}:role/${{aws:username}}-*"))
    trust = doc(trust_statement({"AWS": f"arn:aws:iam::{IDENTITY}:root"}))
    first_only = doc(
        trust_statement({"AWS": f"arn:aws:iam::{IDENTITY}:root"}, Resource=f"arn:aws:iam::{MEMBER}:role/First")
    )
    people = [
        user(IDENTITY, "alice", policies=[own]),
        user(IDENTITY, "carol", index=1, policies=[doc(allow_assume("*"))]),
    ]
    roles = [
        role(MEMBER, "alice-admin", trust),
        role(MEMBER, "bob-admin", trust, index=1),
        role(MEMBER, "First", first_only, index=2),
        role(MEMBER, "Second", first_only, index=3),
    ]
    graph, _ = build(snapshot({IDENTITY: evidence(IDENTITY, users=people), MEMBER: evidence(MEMBER, roles=roles)}))
    reach = {(e.source.rsplit("/", 1)[-1], e.target.rsplit("/", 1)[-1]) for e in graph.assume_edges()}
    assert reach == {("alice", "alice-admin"), ("carol", "alice-admin"), ("carol", "bob-admin"), ("carol", "First")}


def test_group_mates_named_by_a_trust_each_get_their_own_verdict() -> None:
    """alice, bob and carol hold the same policies (their group's), so they share verdicts, but not those of
    a trust that names one of them: Target's trust admits alice from the office and carol from a VPC, and
    bob not at all."""
    office = {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
    vpc = {"StringEquals": {"aws:SourceVpc": "vpc-0a1b2c3d"}}
    admins = group(IDENTITY, "Admins", policies=[ASSUME_MEMBER_ROLES])
    people = [user(IDENTITY, name, index=i, groups=["Admins"]) for i, name in enumerate(("alice", "bob", "carol"))]
    trust = doc(
        trust_statement({"AWS": f"arn:aws:iam::{IDENTITY}:user/alice"}, office),
        trust_statement({"AWS": f"arn:aws:iam::{IDENTITY}:user/carol"}, vpc),
    )
    snap = snapshot(
        {
            IDENTITY: evidence(IDENTITY, users=people, groups=[admins]),
            MEMBER: evidence(MEMBER, roles=[role(MEMBER, "Target", trust)]),
        }
    )
    edges = {e.source.rsplit("/", 1)[-1]: e for e in build(snap)[0].assume_edges()}
    assert sorted(edges) == ["alice", "carol"]
    assert edges["alice"].conditional == ('{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}',)
    assert edges["carol"].conditional == ('{"StringEquals": {"aws:SourceVpc": "vpc-0a1b2c3d"}}',)
    assert edges["carol"].evidence[-1] == EvidenceRef(
        GAAD_MEMBER, "/RoleDetailList/0/AssumeRolePolicyDocument/Statement/1"
    )


def test_a_principal_without_a_node_does_not_hide_the_next_one() -> None:
    """An invalid AWS principal (a note) and a CanonicalUser (S3 only, no node) listed before valid ones in
    the same statement: the statement still trusts the outside account and the service after them."""
    trust = doc(
        trust_statement(
            {
                "AWS": ["not-an-arn", f"arn:aws:iam::{EXTERNAL}:root"],
                "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
                "Service": "ec2.amazonaws.com",
            }
        )
    )
    graph, _ = build(snapshot({MEMBER: evidence(MEMBER, roles=[role(MEMBER, "Odd", trust)])}))
    trusted = [
        (v, d["principal_type"]) for _, v, d in graph.graph.out_edges(f"arn:aws:iam::{MEMBER}:role/Odd", data=True)
    ]
    assert sorted(trusted) == [(f"arn:aws:iam::{EXTERNAL}:root", "AWS"), ("ec2.amazonaws.com", "Service")]
    assert (
        f"arn:aws:iam::{MEMBER}:role/Odd: trust names 'not-an-arn', which is not a valid AWS principal"
        in (graph.graph.graph["notes"])
    )


def test_what_a_caller_holds_that_the_evidence_cannot_show_is_listed_on_its_node() -> None:
    """dana (a user) in two groups the evidence lacks, listed by name whatever their case, and with an inline
    policy the loader could not read; Runner (a role) with an unreadable inline policy and a boundary whose
    document is missing. Each is on the node (``unresolved``; what may grant, ``unknown_grants``) and in the
    notes. Runner is also named by its unique id in Target's trust (the form IAM shows for a principal),
    which admits it."""
    from dataclasses import replace

    from analyzer.model.kinds import Kind
    from analyzer.model.snapshot import FileStatus, InventoryRow, Problem

    dana = user(MEMBER, "dana", groups=["Beta", "alpha"])
    runner = role(
        MEMBER, "Runner", doc(trust_statement({"Service": "ec2.amazonaws.com"})), boundary=_missing(MEMBER, "Edge")
    )
    runner = replace(runner, inline_policies=())
    target = role(MEMBER, "Target", doc(trust_statement({"AWS": runner.role_id})), index=1)
    problems = (
        Problem("/UserDetailList/0/UserPolicyList/0/PolicyDocument", "inline policy 'Mine': not JSON"),
        Problem("/RoleDetailList/0/RolePolicyList/0/PolicyDocument", "inline policy 'Ours': not JSON"),
    )
    row = InventoryRow(
        path=GAAD_MEMBER,
        kind=Kind.IAM_AUTH_DETAILS.value,
        account_id=MEMBER,
        region=None,
        size=1,
        sha256="0" * 64,
        status=FileStatus.LOADED,
        problems=problems,
    )
    snap = replace(snapshot({MEMBER: evidence(MEMBER, users=[dana], roles=[runner, target])}), inventory=(row,))
    graph, _ = build(snap)
    nodes = graph.graph.nodes
    assert nodes[dana.arn]["unresolved"] == ("inline policy Mine of user dana", "group alpha", "group Beta")
    assert nodes[dana.arn]["unknown_grants"] == nodes[dana.arn]["unresolved"]
    assert [v for _, v, k in graph.graph.out_edges(dana.arn, keys=True) if k == "member_of"] == [
        f"arn:aws:iam::{MEMBER}:group/alpha",
        f"arn:aws:iam::{MEMBER}:group/Beta",
    ]
    assert nodes[runner.arn]["unresolved"] == (
        "inline policy Ours of role Runner",
        f"boundary arn:aws:iam::{MEMBER}:policy/Edge",
    )
    assert nodes[runner.arn]["unknown_grants"] == ("inline policy Ours of role Runner",)
    note = (
        f"{runner.arn}: inline policy Ours of role Runner, boundary arn:aws:iam::{MEMBER}:policy/Edge not readable "
        "from the evidence; what it grants is not counted"
    )
    assert note in graph.graph.graph["notes"]
    assert graph.edge(runner.arn, target.arn) is not None


def test_a_users_tags_and_unique_id_are_read_from_the_evidence() -> None:
    """erin is tagged team=ops (aws:PrincipalTag, IAMUG "Controlling access for IAM principals",
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_iam-tags.html) and named by her unique id in
    ById's trust: both edges are decided, neither left open."""
    from dataclasses import replace

    erin = replace(user(MEMBER, "erin", policies=[doc(allow_assume("*"))]), tags=(("team", "ops"),))
    ops = doc(trust_statement({"AWS": MEMBER}, {"StringEquals": {"aws:PrincipalTag/team": "ops"}}))
    roles = [role(MEMBER, "OpsOnly", ops), role(MEMBER, "ById", doc(trust_statement({"AWS": erin.user_id})), index=1)]
    graph, _ = build(snapshot({MEMBER: evidence(MEMBER, users=[erin], roles=roles)}))
    for target in roles:
        edge = graph.edge(erin.arn, target.arn)
        assert edge is not None and edge.conditional == (), target.name


def test_an_account_without_a_name_and_a_groups_missing_policy() -> None:
    """An account only the evidence knows (not in the organization's account list) is labelled by its id; a
    managed policy attached to a group but missing from the evidence is listed on each member."""
    ops = group(MEMBER, "Ops", attached=[_missing(MEMBER, "GroupGone")])
    frank = user(MEMBER, "frank", groups=["Ops"])
    snap = snapshot(
        {MEMBER: evidence(MEMBER, users=[frank], groups=[ops])},
        org_accounts=[org_account(MGMT, "Management")],
    )
    graph, _ = build(snap)
    assert graph.graph.nodes[f"arn:aws:iam::{MEMBER}:root"]["label"] == MEMBER
    assert graph.graph.nodes[f"arn:aws:iam::{MGMT}:root"]["label"] == f"Management ({MGMT})"
    assert graph.graph.nodes[frank.arn]["unresolved"] == (f"arn:aws:iam::{MEMBER}:policy/GroupGone",)


def test_the_partition_and_why_the_management_account_is_unknown() -> None:
    """The manifest's partition names the account nodes (aws-cn here); without describe-organization and with
    list-accounts entries lacking their Arn, the management account is unknown, and the SCP note says why in
    the words of the organization's shape."""
    from dataclasses import replace

    from tests.graph.builders import FULL_ACCESS, ROOT_ID, scp

    accounts = [org_account(a, n, management=None) for a, n in ((IDENTITY, "Identity"), (MEMBER, "Dev"))]
    snap = snapshot(
        {MEMBER: evidence(MEMBER)},
        org_accounts=accounts,
        scps=[scp("p-FullAWSAccess", FULL_ACCESS, ROOT_ID)],
        described=False,
    )
    snap = replace(snap, manifest=replace(snap.manifest, partition="aws-cn"))
    graph, shape = build(snap)
    assert shape.management_account is None and shape.management.reason
    assert graph.graph.graph["partition"] == "aws-cn"
    assert f"arn:aws-cn:iam::{MEMBER}:root" in graph.graph.nodes
    assert any(
        f"the management account is not known ({shape.management.reason})" in n for n in graph.graph.graph["notes"]
    )


def test_a_manifest_without_a_partition_means_aws() -> None:
    snap = snapshot({MEMBER: evidence(MEMBER)})
    from dataclasses import replace

    graph, _ = build(replace(snap, manifest=replace(snap.manifest, partition="")))
    assert graph.graph.graph["partition"] == "aws" and f"arn:aws:iam::{MEMBER}:root" in graph.graph.nodes
