"""How :mod:`analyzer.rules.support.identity` reads a user's credentials, the policies it holds and whether a
policy stays within self-service (IDN-001, IDN-007 ... IDN-009 rest on it).

AWS semantics pinned here:

* The credential report has one row per user, identified by ``arn``; ``password_enabled`` is
  ``not_supported`` for the root user; each of the two access keys has its own ``active`` column.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html
* Self-service: the actions of AWS's example policies that let a user manage its own password, access keys,
  signing certificates, SSH keys, service-specific credentials and MFA device, on
  ``arn:aws:iam::*:user/${aws:username}`` (or ``arn:aws:iam::*:mfa/${aws:username}``), with account-level
  reads (``GetAccountPasswordPolicy``, ``GetAccountSummary``, ``ListVirtualMFADevices``) on ``*``, and
  ``CreateVirtualMFADevice`` on ``arn:aws:iam::*:mfa/*`` (a new device only needs a name).
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_my-sec-creds-self-manage.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_iam_credentials_console.html
* IAM user names are unique within an account whatever their path, so ``user/*/${aws:username}`` still names
  only the caller: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-friendly-names
* Group ARNs: ``arn:<partition>:iam::<account>:group/<name>``; inline policies are listed under
  ``UserPolicyList``/``GroupPolicyList``/``RolePolicyList`` of get-account-authorization-details.
  https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
"""

from __future__ import annotations

from typing import Any

import pytest

from analyzer.graph.gaps import UnreadablePolicies
from analyzer.model.entities import (
    AccessKeyInfo,
    AttachedPolicyRef,
    CredentialReport,
    CredentialReportRow,
    Group,
    Role,
    User,
)
from analyzer.model.evidence import EvidenceRef
from analyzer.model.policy import PolicySource, Statement, parse_policy
from analyzer.model.snapshot import AccountEvidence, Problem
from analyzer.rules.support import identity
from analyzer.rules.support.identity import Credentials, HeldPolicy

ACCOUNT = "111111111111"
GAAD = f"{ACCOUNT}/iam/get-account-authorization-details.json"
REPORT = f"{ACCOUNT}/iam/get-credential-report.json"
ALICE_ARN = f"arn:aws:iam::{ACCOUNT}:user/alice"
BOB_ARN = f"arn:aws:iam::{ACCOUNT}:user/bob"


def _doc(*statements: dict[str, Any]) -> Any:
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)})


def _statement(**fields: Any) -> Statement:
    statement: Statement = _doc({"Effect": "Allow", **fields}).statements[0]
    return statement


def _inline(name: str, pointer: str) -> PolicySource:
    document = _doc({"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"})
    return PolicySource("inline", name, document, EvidenceRef(GAAD, pointer))


def _managed_ref(name: str) -> EvidenceRef:
    return EvidenceRef(GAAD, f"/Policies/9/{name}")


def _attached(name: str, pointer: str, *, readable: bool = True) -> AttachedPolicyRef:
    arn = f"arn:aws:iam::aws:policy/{name}"
    document = _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    source = PolicySource("managed", name, document, _managed_ref(name), arn)
    return AttachedPolicyRef(arn=arn, name=name, ref=EvidenceRef(GAAD, pointer), policy=source if readable else None)


def _user(**fields: Any) -> User:
    return User(
        account_id=ACCOUNT,
        arn=ALICE_ARN,
        name="alice",
        user_id="AIDAALICE",
        path="/",
        ref=EvidenceRef(GAAD, "/UserDetailList/0"),
        **fields,
    )


def _row(arn: str, *, password: bool | None, keys: tuple[bool, ...] = ()) -> CredentialReportRow:
    return CredentialReportRow(
        account_id=ACCOUNT,
        user=arn.rsplit("/", 1)[-1],
        arn=arn,
        ref=EvidenceRef(REPORT, "/Content/1"),
        is_root=arn.endswith(":root"),
        created=None,
        password_enabled=password,
        password_last_used=None,
        password_last_changed=None,
        mfa_active=False,
        access_keys=tuple(
            AccessKeyInfo(slot=i + 1, active=a, last_rotated=None, last_used=None) for i, a in enumerate(keys)
        ),
    )


def _with_report(*rows: CredentialReportRow) -> AccountEvidence:
    report = CredentialReport(account_id=ACCOUNT, ref=EvidenceRef(REPORT), generated=None, rows=rows)
    return AccountEvidence(account_id=ACCOUNT, credential_report=report)


def _unreadable(*pointers: str, message: str = "inline policy 'Broken' is not valid JSON") -> UnreadablePolicies:
    return UnreadablePolicies({GAAD: tuple(Problem(p, message) for p in pointers)})


# ------------------------------------------------------------------------------ credentials


@pytest.mark.parametrize(
    ("credentials", "text"),
    [
        (Credentials(True, 0, None), "console password enabled, 0 active access keys"),
        (Credentials(False, 1, None), "no console password, 1 active access key"),
        (Credentials(True, 2, None), "console password enabled, 2 active access keys"),
        (
            Credentials(None, None, None, "the report was denied"),
            "console password and access keys unknown (the report was denied)",
        ),
        # either half unknown makes the whole unknown: the report cannot say what the user signs in with
        (Credentials(True, None, None, "no keys column"), "console password and access keys unknown (no keys column)"),
        (
            Credentials(None, 0, None, "no password column"),
            "console password and access keys unknown (no password column)",
        ),
    ],
)
def test_credentials_describe(credentials: Credentials, text: str) -> None:
    assert credentials.describe() == text


def test_credentials_of_an_unusable_report_says_why() -> None:
    account = _with_report(_row(ALICE_ARN, password=True, keys=(True,)))
    assert identity.credentials_of(account, _user(), "the credential report was denied") == Credentials(
        None, None, None, "the credential report was denied"
    )


def test_credentials_of_the_users_own_row() -> None:
    """The row is the one with the user's ARN, not the first; inactive keys are not counted."""
    bob = _row(BOB_ARN, password=False, keys=(True, True))
    alice = _row(ALICE_ARN, password=True, keys=(True, False))
    found = identity.credentials_of(_with_report(bob, alice), _user(), "")
    assert found == Credentials(True, 1, alice)
    assert found.describe() == "console password enabled, 1 active access key"
    both = identity.credentials_of(_with_report(_row(ALICE_ARN, password=False, keys=(True, True))), _user(), "")
    assert both == Credentials(False, 2, both.row)
    assert both.describe() == "no console password, 2 active access keys"


def test_credentials_of_a_row_without_password_column_is_no_password() -> None:
    """``not_supported`` (None) is no console password (the root user's row)."""
    row = _row(ALICE_ARN, password=None)
    found = identity.credentials_of(_with_report(row), _user(), "")
    assert found.console_password is False
    assert found.active_keys == 0


NO_ROW = "the user has no row in the credential report (created after it?)"


@pytest.mark.parametrize(
    "account",
    [
        None,
        AccountEvidence(account_id=ACCOUNT),  # no credential report in the evidence
        _with_report(_row(BOB_ARN, password=True)),  # a report without the user's row
    ],
)
def test_credentials_of_without_a_row(account: AccountEvidence | None) -> None:
    found = identity.credentials_of(account, _user(), "")
    assert found == Credentials(None, None, None, NO_ROW)
    assert found.describe() == f"console password and access keys unknown ({NO_ROW})"


# ------------------------------------------------------------------------------ policies a user holds


@pytest.mark.parametrize(
    ("form", "gap"),
    [
        ("group", "group Admins (not in the evidence)"),
        ("inline", "inline policy Admins (could not be read)"),
        ("managed", "attached policy Admins (document not in the evidence)"),
    ],
)
def test_held_policy_gap(form: str, gap: str) -> None:
    held = HeldPolicy("user", "r", "Admins", None, EvidenceRef(GAAD), form)
    assert held.gap == gap


def test_held_policy_is_managed_unless_said() -> None:
    held = HeldPolicy("user", "r", "ReadOnly", None, EvidenceRef(GAAD))
    assert held.form == "managed"
    assert held.gap == "attached policy ReadOnly (document not in the evidence)"


def test_direct_policies_inline_then_unreadable_then_attached() -> None:
    own = _inline("Own", "/UserDetailList/0/UserPolicyList/0/PolicyDocument")
    readable = _attached("ReadOnlyAccess", "/UserDetailList/0/AttachedManagedPolicies/0")
    missing = _attached("Billing", "/UserDetailList/0/AttachedManagedPolicies/1", readable=False)
    user = _user(inline_policies=(own,), attached_policies=(readable, missing))
    unreadable = _unreadable("/UserDetailList/0/UserPolicyList/1/PolicyDocument")
    assert identity.direct_policies(user, unreadable) == [
        HeldPolicy("user", f"{ALICE_ARN}/inline/Own", "Own", own, own.ref, "inline"),
        HeldPolicy("user", f"{ALICE_ARN}/inline/Broken", "Broken", None, user.ref, "inline"),
        HeldPolicy("user", readable.arn, "ReadOnlyAccess", readable.policy, _managed_ref("ReadOnlyAccess")),
        HeldPolicy("user", missing.arn, "Billing", None, missing.ref),
    ]
    # without the index of unreadable policies, only what the model holds
    assert [h.name for h in identity.direct_policies(user)] == ["Own", "ReadOnlyAccess", "Billing"]


def test_direct_policies_reads_unreadable_inline_of_users_only() -> None:
    """A problem under the user's pointer but in the group list, or another user's, is not this user's."""
    user = _user()
    elsewhere = _unreadable(
        "/UserDetailList/0/GroupPolicyList/0/PolicyDocument", "/UserDetailList/1/UserPolicyList/0/PolicyDocument"
    )
    assert identity.direct_policies(user, elsewhere) == []


def _group(name: str, index: int, **fields: Any) -> Group:
    return Group(
        account_id=ACCOUNT,
        arn=f"arn:aws:iam::{ACCOUNT}:group/{name}",
        name=name,
        group_id=f"AGPA{name.upper()}",
        path="/",
        ref=EvidenceRef(GAAD, f"/GroupDetailList/{index}"),
        **fields,
    )


def test_group_policies_of_each_group_in_order() -> None:
    """A group the export lacks stands for its unknown policies; the next groups are still read."""
    staff_inline = _inline("StaffInline", "/GroupDetailList/0/GroupPolicyList/0/PolicyDocument")
    staff_attached = _attached("ReadOnlyAccess", "/GroupDetailList/0/AttachedManagedPolicies/0")
    ops_attached = _attached("Billing", "/GroupDetailList/1/AttachedManagedPolicies/0", readable=False)
    staff = _group("Staff", 0, inline_policies=(staff_inline,), attached_policies=(staff_attached,))
    ops = _group("Ops", 1, attached_policies=(ops_attached,))
    account = AccountEvidence(account_id=ACCOUNT, groups=(staff, ops))
    user = _user(group_names=("Staff", "Gone", "ops"))  # group names are case-insensitive in IAM
    unreadable = _unreadable("/GroupDetailList/0/GroupPolicyList/1/PolicyDocument")
    gone = f"arn:aws:iam::{ACCOUNT}:group/Gone"
    assert identity.group_policies(account, user, unreadable) == [
        HeldPolicy(
            staff.arn, f"{staff.arn}/inline/StaffInline", "StaffInline", staff_inline, staff_inline.ref, "inline"
        ),
        HeldPolicy(staff.arn, f"{staff.arn}/inline/Broken", "Broken", None, staff.ref, "inline"),
        HeldPolicy(
            staff.arn, staff_attached.arn, "ReadOnlyAccess", staff_attached.policy, _managed_ref("ReadOnlyAccess")
        ),
        HeldPolicy(gone, gone, "Gone", None, EvidenceRef(GAAD, "/UserDetailList/0/GroupList"), "group"),
        HeldPolicy(ops.arn, ops_attached.arn, "Billing", None, ops_attached.ref),
    ]


def test_group_policies_missing_group_in_another_partition() -> None:
    account = AccountEvidence(account_id=ACCOUNT)
    user = _user(group_names=("Admins",))
    arn = f"arn:aws-cn:iam::{ACCOUNT}:group/Admins"
    assert identity.group_policies(account, user, None, "aws-cn") == [
        HeldPolicy(arn, arn, "Admins", None, EvidenceRef(GAAD, "/UserDetailList/0/GroupList"), "group")
    ]
    assert identity.group_policies(account, user)[0].resource == f"arn:aws:iam::{ACCOUNT}:group/Admins"


def test_identity_policies_of_a_role() -> None:
    role_ref = EvidenceRef(GAAD, "/RoleDetailList/3")
    inline = _inline("Assume", "/RoleDetailList/3/RolePolicyList/0/PolicyDocument")
    attached = _attached("PowerUserAccess", "/RoleDetailList/3/AttachedManagedPolicies/0")
    arn = f"arn:aws:iam::{ACCOUNT}:role/Deploy"
    role = Role(
        account_id=ACCOUNT,
        arn=arn,
        name="Deploy",
        role_id="AROADEPLOY",
        path="/",
        ref=role_ref,
        trust_policy=None,
        inline_policies=(inline,),
        attached_policies=(attached,),
    )
    unreadable = _unreadable("/RoleDetailList/3/RolePolicyList/1/PolicyDocument", message="not JSON")
    assert identity.identity_policies(role, "role", unreadable) == [
        HeldPolicy(arn, f"{arn}/inline/Assume", "Assume", inline, inline.ref, "inline"),
        HeldPolicy(arn, f"{arn}/inline/#1", "#1", None, role_ref, "inline"),  # no name in the problem: its index
        HeldPolicy(arn, attached.arn, "PowerUserAccess", attached.policy, _managed_ref("PowerUserAccess")),
    ]
    assert identity.identity_policies(role, "role") == identity.identity_policies(role, "role", None)
    assert len(identity.identity_policies(role, "role")) == 2
    # the entity kind picks the list: a role's problems are not a user's
    assert [h.name for h in identity.identity_policies(role, "user", unreadable)] == ["Assume", "PowerUserAccess"]


def test_inline_resource() -> None:
    assert identity.inline_resource(ALICE_ARN, "Own") == f"{ALICE_ARN}/inline/Own"


# ------------------------------------------------------------------------------ self-service content


OWN_USER = "arn:aws:iam::*:user/${aws:username}"
OWN_MFA = "arn:aws:iam::*:mfa/${aws:username}"


@pytest.mark.parametrize(
    ("actions", "resources"),
    [
        # AWS's example policy, statement by statement
        (["iam:GetAccountPasswordPolicy", "iam:GetAccountSummary", "iam:ListVirtualMFADevices"], ["*"]),
        (["iam:ChangePassword", "iam:GetUser"], [OWN_USER]),
        (["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey"], [OWN_USER]),
        (["iam:CreateVirtualMFADevice"], ["arn:aws:iam::*:mfa/*"]),
        (["iam:DeactivateMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "iam:ResyncMFADevice"], [OWN_USER]),
        (["iam:DeleteVirtualMFADevice"], [OWN_MFA]),
        # the caller's own user however its account and path are written, in any partition, any case of action
        (["IAM:changepassword"], [f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"]),
        (["iam:GetUser"], ["arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}"]),
        (["iam:GetUser"], ["arn:aws:iam::*:user/*/${aws:username}", "arn:aws:iam::*:user/staff/${aws:username}"]),
        (["iam:GetUser"], ["arn:aws-us-gov:iam::*:user/${aws:username}"]),
        # a device named after the caller, with a suffix, under a path
        (
            ["iam:DeleteVirtualMFADevice"],
            ["arn:aws:iam::*:mfa/${aws:username}*", "arn:aws:iam::*:mfa/dev/${aws:username}"],
        ),
        (["iam:CreateVirtualMFADevice"], ["arn:aws:iam::*:mfa/dev/*", OWN_MFA]),
    ],
)
def test_self_service_statements(actions: list[str], resources: list[str]) -> None:
    assert identity.statement_beyond_self_service(_statement(Action=actions, Resource=resources)) is None


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"NotAction": "iam:DeleteUser", "Resource": "*"}, "grants with NotAction"),
        ({"Action": "iam:ChangePassword", "NotResource": "arn:aws:iam::*:user/root"}, "grants with NotResource"),
        ({"Action": "iam:CreateUser", "Resource": "*"}, "grants iam:CreateUser"),
        ({"Action": "iam:*AccessKey*", "Resource": OWN_USER}, "grants iam:*AccessKey*"),
        # the first action beyond self-service is named, after those within it
        ({"Action": ["iam:GetUser", "s3:GetObject", "iam:CreateUser"], "Resource": OWN_USER}, "grants s3:GetObject"),
        (
            {"Action": ["iam:ChangePassword"], "Resource": ["arn:aws:iam::*:user/*", OWN_USER]},
            "grants iam:ChangePassword on arn:aws:iam::*:user/*, arn:aws:iam::*:user/${aws:username}, "
            "not only the user's own",
        ),
        (
            {"Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/${aws:username}/x"},
            "grants iam:GetUser on arn:aws:iam::*:user/${aws:username}/x, not only the user's own",
        ),
        (
            {"Action": "iam:GetUser", "Resource": "arn:aws:iam::12345:user/${aws:username}"},
            "grants iam:GetUser on arn:aws:iam::12345:user/${aws:username}, not only the user's own",
        ),
        (
            {"Action": "iam:GetUser", "Resource": "arn:aws:s3:::user/${aws:username}"},
            "grants iam:GetUser on arn:aws:s3:::user/${aws:username}, not only the user's own",
        ),
        (
            {"Action": "iam:GetUser", "Resource": "*"},
            "grants iam:GetUser on *, not only the user's own",
        ),
        # an MFA action on a user's ARN, or a user action on a device's ARN
        (
            {"Action": "iam:DeleteVirtualMFADevice", "Resource": OWN_USER},
            "grants iam:DeleteVirtualMFADevice on arn:aws:iam::*:user/${aws:username}, not only the user's own",
        ),
        (
            {"Action": "iam:EnableMFADevice", "Resource": OWN_MFA},
            "grants iam:EnableMFADevice on arn:aws:iam::*:mfa/${aws:username}, not only the user's own",
        ),
        # deleting any device (mfa/*) is not self-service; creating one is
        (
            {
                "Action": ["iam:CreateVirtualMFADevice", "iam:DeleteVirtualMFADevice"],
                "Resource": "arn:aws:iam::*:mfa/*",
            },
            "grants iam:DeleteVirtualMFADevice on arn:aws:iam::*:mfa/*, not only the user's own",
        ),
        (
            {"Action": "iam:DeleteVirtualMFADevice", "Resource": [OWN_MFA, "arn:aws:iam::*:mfa/dev/*"]},
            f"grants iam:DeleteVirtualMFADevice on {OWN_MFA}, arn:aws:iam::*:mfa/dev/*, not only the user's own",
        ),
        (
            {"Action": "iam:CreateVirtualMFADevice", "Resource": [OWN_MFA, "arn:aws:iam::*:mfa/a*b"]},
            f"grants iam:CreateVirtualMFADevice on {OWN_MFA}, arn:aws:iam::*:mfa/a*b, not only the user's own",
        ),
        (
            {"Action": "iam:CreateVirtualMFADevice", "Resource": "arn:aws:iam::*:mfa/*/${aws:username}"},
            "grants iam:CreateVirtualMFADevice on arn:aws:iam::*:mfa/*/${aws:username}, not only the user's own",
        ),
    ],
)
def test_statements_beyond_self_service(fields: dict[str, Any], why: str) -> None:
    assert identity.statement_beyond_self_service(_statement(**fields)) == why


def test_a_deny_never_goes_beyond_self_service() -> None:
    deny = _doc({"Effect": "Deny", "NotAction": "iam:ChangePassword", "NotResource": "*"}).statements[0]
    assert identity.statement_beyond_self_service(deny) is None


def test_beyond_self_service_lists_every_statement_in_order() -> None:
    document = _doc(
        {"Effect": "Allow", "Action": "iam:ChangePassword", "Resource": OWN_USER},
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "*", "Resource": "*"},
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
    )
    source = PolicySource("inline", "Mixed", document, EvidenceRef(GAAD, "/UserDetailList/0/UserPolicyList/0"))
    assert identity.beyond_self_service(source) == [
        (document.statements[1], "grants s3:*"),
        (document.statements[3], "grants with NotAction"),
    ]
    within = _doc({"Effect": "Allow", "Action": "iam:GetUser", "Resource": OWN_USER})
    assert identity.beyond_self_service(PolicySource("inline", "Own", within, EvidenceRef(GAAD))) == []
