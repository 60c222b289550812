"""A deterministic synthetic organization, in memory, for the graph benchmark and a scale test.

Shape (all counts parameters): an Identity account with ``users`` IAM users in ``groups`` groups,
and ``accounts`` member accounts under ``accounts // 100 + 1`` OUs, each with ``roles`` roles:

* 5 human roles (Admin, ReadOnly, PowerUser, Billing, Deploy) trusting the Identity account with
  ``Bool aws:MultiFactorAuthPresent``; a Vendor role trusting an external account with ``sts:ExternalId``;
  a Chain role trusting the account's Admin role by ARN (role chaining); 3 IAM Identity Center roles
  trusting the account's SAML provider; 2 service-linked roles; the rest service roles (Lambda/EC2).
* Group ``g`` may assume the role ``Admin`` (even ``g``) or ``ReadOnly`` (odd ``g``) in a block of 50
  accounts by explicit ARN; groups 0 and 1 may also assume ``ReadOnly`` in every account by a
  wildcard ARN. Every group carries a managed "deny without MFA" guard (``BoolIfExists``).
* User ``j`` is in group ``j % groups``, and every seventh user also in group ``(j + 3) % groups``.
* SCPs: FullAWSAccess at the root, and a root-level deny of ``sts:AssumeRole`` on roles outside the
  organization (``aws:ResourceOrgID``).
"""

from __future__ import annotations

from typing import Any

from analyzer.model.entities import OrgAccount
from analyzer.model.snapshot import AccountEvidence, Snapshot
from tests.graph.builders import (
    EXTERNAL,
    FULL_ACCESS,
    IDENTITY,
    MFA_TRUE,
    MGMT,
    ORG_ID,
    ROOT_ID,
    allow_assume,
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

HUMAN_ROLES = ("Admin", "ReadOnly", "PowerUser", "Billing", "Deploy")
ADMIN = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
READ_ONLY = doc({"Effect": "Allow", "Action": ["s3:Get*", "ec2:Describe*"], "Resource": "*"})
LAMBDA_BASIC = doc({"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"})
DENY_WITHOUT_MFA = doc(
    {
        "Sid": "DenyAllExceptListedIfNoMFA",
        "Effect": "Deny",
        "NotAction": ["iam:ChangePassword", "iam:GetUser", "iam:ListMFADevices", "iam:EnableMFADevice"],
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    }
)
DENY_OUTSIDE_ORG = doc(
    {
        "Sid": "DenyAssumeOutsideOrg",
        "Effect": "Deny",
        "Action": "sts:AssumeRole",
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:ResourceOrgID": ORG_ID}},
    }
)


DENY_BREAK_GLASS = doc(
    {
        "Sid": "OnlyAdminsAssumeBreakGlass",
        "Effect": "Deny",
        "Action": "sts:AssumeRole",
        "Resource": "arn:aws:iam::*:role/BreakGlass",
        "Condition": {"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{IDENTITY}:user/admin-*"}},
    }
)
#: the first member account's Chain role only (the others keep their chained hop without MFA)
DENY_CHAIN_WITHOUT_MFA = doc(
    {
        "Sid": "ChainOnlyWithMFA",
        "Effect": "Deny",
        "Action": "sts:AssumeRole",
        "Resource": "arn:aws:iam::200000000000:role/Chain",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    }
)


def member_ids(accounts: int) -> list[str]:
    return [str(200000000000 + i) for i in range(accounts)]


def _member_roles(account: str, count: int) -> list[Any]:
    identity_trust = doc(trust_statement({"AWS": f"arn:aws:iam::{IDENTITY}:root"}, MFA_TRUE))
    admin_policy = managed("aws", "AdministratorAccess", ADMIN)
    read_policy = managed("aws", "ReadOnlyAccess", READ_ONLY)
    lambda_policy = managed("aws", "AWSLambdaBasicExecutionRole", LAMBDA_BASIC)
    out = []
    for i, name in enumerate(HUMAN_ROLES):
        attached = [admin_policy] if name in ("Admin", "PowerUser", "Deploy") else [read_policy]
        out.append(role(account, name, identity_trust, index=i, attached=attached))
    vendor = doc(
        trust_statement({"AWS": f"arn:aws:iam::{EXTERNAL}:root"}, {"StringEquals": {"sts:ExternalId": "vendor-7f3a"}})
    )
    out.append(role(account, "Vendor", vendor, index=5, attached=[read_policy]))
    chain = doc(trust_statement({"AWS": f"arn:aws:iam::{account}:role/Admin"}))
    out.append(role(account, "Chain", chain, index=6, attached=[read_policy]))
    provider = f"arn:aws:iam::{account}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"
    sso_trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"Federated": provider},
            "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
        }
    )
    for j, permission_set in enumerate(("AdministratorAccess", "ReadOnly", "Billing")):
        out.append(
            role(
                account,
                f"AWSReservedSSO_{permission_set}_0123456789abcdef",
                sso_trust,
                index=7 + j,
                path="/aws-reserved/sso.amazonaws.com/",
                attached=[admin_policy],
            )
        )
    linked = doc({"Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "sts:AssumeRole"})
    for j, service in enumerate(("AWSServiceRoleForConfig", "AWSServiceRoleForSupport")):
        out.append(role(account, service, linked, index=10 + j, path="/aws-service-role/config.amazonaws.com/"))
    service_trust = doc(trust_statement({"Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]}))
    for j in range(len(out), count):
        out.append(role(account, f"app-{j:03d}", service_trust, index=j, attached=[lambda_policy]))
    return out[:count]


#: AWS Knowledge Center's guard: MFA or nothing, except where a service acts for the user (aws:ViaAWSService)
DENY_WITHOUT_MFA_UNLESS_VIA_SERVICE = doc(
    {
        "Sid": "BlockMostAccessUnlessSignedInWithMFA",
        "Effect": "Deny",
        "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "sts:GetSessionToken"],
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false", "aws:ViaAWSService": "false"}},
    }
)
OUTSIDER = "888888888888"  # evidence, but not in the organization's account list


def _settled_roles(account: str) -> list[Any]:
    """Roles whose trusts read keys the evidence settles: the role's tags, the caller's organization and OU."""
    admin = managed("aws", "AdministratorAccess", ADMIN)
    tagged = doc(trust_statement({"AWS": f"arn:aws:iam::{IDENTITY}:root"}))
    deny_outsiders = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "sts:AssumeRole",
        "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG_ID}},
    }
    fenced = doc(trust_statement("*"), deny_outsiders)
    first_ou = {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": f"{ORG_ID}/{ROOT_ID}/ou-a1b2-00000000/*"}}
    pinned = doc(
        trust_statement(
            {"AWS": f"arn:aws:iam::{IDENTITY}:root"}, {"StringEquals": {"sts:RoleSessionName": "${aws:username}"}}
        )
    )

    tag_session = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{IDENTITY}:root"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
        }
    )
    ops_team_only = doc(
        trust_statement({"AWS": f"arn:aws:iam::{account}:root"}, {"StringEquals": {"aws:PrincipalTag/team": "ops"}})
    )

    def session_of(role_name: str, session: str) -> Any:
        return doc(trust_statement({"AWS": f"arn:aws:sts::{account}:assumed-role/{role_name}/{session}"}))

    return [
        role(account, "Platform", tagged, index=90, attached=[admin], tags={"team": "platform"}),
        role(account, "Finance", tagged, index=91, attached=[admin], tags={"team": "finance"}),
        role(account, "Fenced", fenced, index=92, attached=[admin]),
        role(account, "FirstOuOnly", doc(trust_statement("*", first_ou)), index=93, attached=[admin]),
        # role-session principals: a session of Admin (whoever assumes Admin names it) and of Pinned
        role(account, "AdminSessionOnly", session_of("Admin", "ops"), index=94),
        role(account, "Pinned", pinned, index=95, attached=[admin]),
        role(account, "PinnedSessionOnly", session_of("Pinned", "user-0000"), index=96),
        # session tags: TeamWeb's sessions may carry any team tag (its trust allows sts:TagSession)
        role(account, "TeamWeb", tag_session, index=97, attached=[admin], tags={"team": "web"}),
        role(account, "OpsTeamOnly", ops_team_only, index=98),
    ]


def _identity(users: int, groups: int, members: list[str], *, settled: bool = False) -> AccountEvidence:
    guard = managed(IDENTITY, "ForceMFA", DENY_WITHOUT_MFA, 0)
    service_guard = managed(IDENTITY, "ForceMFAUnlessViaService", DENY_WITHOUT_MFA_UNLESS_VIA_SERVICE, 90)
    group_list = []
    for g in range(groups):
        target = "Admin" if g % 2 == 0 else "ReadOnly"
        block = members[(g * 50) % max(len(members), 1) :][:50]
        statements = [allow_assume(*[f"arn:aws:iam::{a}:role/{target}" for a in block])]
        if g < 2:
            statements.append(allow_assume("arn:aws:iam::*:role/ReadOnly"))
        if settled and g == 0:  # by the role's tag
            statements.append(allow_assume("*", condition={"StringEquals": {"aws:ResourceTag/team": "platform"}}))
        assume = managed(IDENTITY, f"Assume-{g:02d}", doc(*statements), g + 1)
        chosen = service_guard if settled and g % 2 else guard
        group_list.append(group(IDENTITY, f"team-{g:02d}", index=g, attached=[chosen, assume]))
    user_list = []
    for j in range(users):
        names = [f"team-{j % groups:02d}"]
        if j % 7 == 0:
            names.append(f"team-{(j + 3) % groups:02d}")
        user_list.append(user(IDENTITY, f"user-{j:04d}", index=j, groups=names))
    return evidence(IDENTITY, users=user_list, groups=group_list)


def synthetic_snapshot(
    accounts: int = 20,
    roles: int = 20,
    users: int = 30,
    groups: int = 4,
    *,
    per_principal_scp: bool = False,
    management: str = "described",
    mfa_scp: bool = False,
    settled: bool = False,
) -> Snapshot:
    """The organization described in the module docstring; ``per_principal_scp`` adds a root SCP that
    reads ``aws:PrincipalArn``, so no two callers can share an evaluation (the worst case).

    ``management``: ``described`` (describe-organization exported), ``derived`` (missing; the account
    ARNs of list-accounts name it) or ``unknown`` (missing, and list-accounts without ARNs).
    ``mfa_scp`` adds a root SCP that denies assuming the first member's Chain role without MFA (so a
    caller's verdict depends on whether its account is the management account, which SCPs do not restrict).
    ``settled`` adds conditions on keys the evidence settles: roles told apart by their tags, trusts that
    deny callers outside the organization or outside the first OU, an account with evidence outside the
    organization (OUTSIDER), the Knowledge Center MFA guard (``aws:ViaAWSService``) on odd groups, and
    trusts naming a role's session (one whose name its assumer chooses, one its trust constrains), and a
    role whose trust allows session tags against a trust that reads aws:PrincipalTag.
    """
    members = member_ids(accounts)
    evidence_by_account = {IDENTITY: _identity(users, groups, members, settled=settled)}
    if settled:
        ops = doc(trust_statement({"Service": "ec2.amazonaws.com"}))
        outsider = role(OUTSIDER, "Ops", ops, attached=[managed(OUTSIDER, "AssumeAny", doc(allow_assume("*")))])
        evidence_by_account[OUTSIDER] = evidence(OUTSIDER, roles=[outsider])
    named = MGMT if management != "unknown" else None
    org: list[OrgAccount] = [
        org_account(IDENTITY, "Identity", management=named),
        org_account(MGMT, "Management", management=named),
    ]
    for i, account in enumerate(members):
        extra = _settled_roles(account) if settled else []
        evidence_by_account[account] = evidence(account, roles=[*_member_roles(account, roles), *extra])
        org.append(org_account(account, f"member-{i:04d}", (ROOT_ID, f"ou-a1b2-{i // 100:08d}"), management=named))
    scps = [scp("p-FullAWSAccess", FULL_ACCESS, ROOT_ID), scp("p-deny-outside-org", DENY_OUTSIDE_ORG, ROOT_ID)]
    if per_principal_scp:
        scps.append(scp("p-break-glass", DENY_BREAK_GLASS, ROOT_ID))
    if mfa_scp:
        scps.append(scp("p-chain-needs-mfa", DENY_CHAIN_WITHOUT_MFA, ROOT_ID))
    return snapshot(evidence_by_account, org_accounts=org, scps=scps, described=management == "described")
