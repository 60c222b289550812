"""Every real shape of a failed export call is read as an error record with its code (issue 13 §2).

Sources of the shapes: AWS CLI v2 prints botocore's ``ClientError`` text ("An error occurred (Code)
when calling the Op operation: message", botocore ``exceptions.py``); AWS CLI v1 before 1.10 printed
"A client error (Code) occurred when calling the Op operation: message"; boto3 exporters dump
``ClientError.response`` (``{"Error": {...}, "ResponseMetadata": {...}}``), the bare ``Error`` object, or
the JSON-protocol body ``{"__type": "...#Code"}`` (botocore ``parsers.py``); AWS Tools for PowerShell
prints the cmdlet's error record, whose ``FullyQualifiedErrorId`` names the .NET SDK exception class.
"""

from __future__ import annotations

from typing import Any

import pytest

from analyzer.evidence import load_bundle
from analyzer.model.evidence import EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.model.snapshot import FileStatus, Snapshot
from tests.evidence.conftest import IDENTITY, REGION, BundleBuilder

SUMMARY_ERR = f"{IDENTITY}/iam/get-account-summary.err"
SUMMARY_ERROR_JSON = f"{IDENTITY}/iam/get-account-summary.error.json"
POLICY_ERR = f"{IDENTITY}/iam/get-account-password-policy.err"

POWERSHELL_NO_POLICY = "\n".join(
    (
        "Get-IAMAccountPasswordPolicy : The Password Policy with domain name 111111111111 cannot be found.",
        "At line:1 char:1",
        "+ Get-IAMAccountPasswordPolicy",
        "+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~",
        "    + CategoryInfo          : InvalidOperation: (Amazon.PowerShe...PolicyCmdlet:GetIAMAcco"
        "untPasswordPolicyCmdlet) [Get-IAMAccountPasswordPolicy], InvalidOperationException",
        "    + FullyQualifiedErrorId : Amazon.IdentityManagement.Model.NoSuchEntityException,Amazon"
        ".PowerShell.Cmdlets.IAM.GetIAMAccountPasswordPolicyCmdlet",
        "",
    )
)

POWERSHELL_ORG_NOT_IN_USE = "\n".join(
    (
        "Get-ORGOrganization : Your account is not a member of an organization.",
        "At line:1 char:1",
        "+ Get-ORGOrganization",
        "    + CategoryInfo          : InvalidOperation: (Amazon.PowerShe...nizationCmdlet:GetORGOr"
        "ganizationCmdlet) [Get-ORGOrganization], InvalidOperationException",
        "    + FullyQualifiedErrorId : Amazon.Organizations.Model.AWSOrganizationsNotInUseException"
        ",Amazon.PowerShell.Cmdlets.ORG.GetORGOrganizationCmdlet",
        "",
    )
)


def _load(builder: BundleBuilder, rel: str, content: Any) -> Snapshot:
    builder.write(rel, content)
    return load_bundle(builder.root)


@pytest.mark.parametrize(
    ("rel", "content", "kind", "scope", "status", "code"),
    [
        pytest.param(
            SUMMARY_ERR,
            "A client error (AccessDenied) occurred when calling the GetAccountSummary operation: "
            f"User: arn:aws:iam::{IDENTITY}:user/audit is not authorized to perform: iam:GetAccountSummary\n",
            Kind.IAM_SUMMARY,
            (IDENTITY,),
            EvidenceStatus.DENIED,
            "AccessDenied",
            id="aws-cli-v1",
        ),
        pytest.param(
            POLICY_ERR,
            "\nAn error occurred (NoSuchEntity) when calling the GetAccountPasswordPolicy operation: "
            "The Password Policy with domain name 111111111111 cannot be found.\n",
            Kind.IAM_PASSWORD_POLICY,
            (IDENTITY,),
            EvidenceStatus.ABSENT_IN_AWS,
            "NoSuchEntity",
            id="aws-cli-v2",
        ),
        pytest.param(
            SUMMARY_ERROR_JSON,
            {
                "Error": {"Type": "Sender", "Code": "AccessDenied", "Message": "not authorized"},
                "ResponseMetadata": {"RequestId": "5f3c-1", "HTTPStatusCode": 403, "RetryAttempts": 0},
            },
            Kind.IAM_SUMMARY,
            (IDENTITY,),
            EvidenceStatus.DENIED,
            "AccessDenied",
            id="boto3-client-error-response",
        ),
        pytest.param(
            SUMMARY_ERROR_JSON,
            {"Code": "AccessDenied", "Message": "not authorized"},
            Kind.IAM_SUMMARY,
            (IDENTITY,),
            EvidenceStatus.DENIED,
            "AccessDenied",
            id="boto3-bare-error-object",
        ),
        pytest.param(
            f"{IDENTITY}/{REGION}/config/describe-configuration-recorders.error.json",
            {"__type": "com.amazonaws.starling.dove#AccessDeniedException", "message": "denied"},
            Kind.CONFIG_RECORDERS,
            (IDENTITY, REGION),
            EvidenceStatus.DENIED,
            "AccessDeniedException",
            id="json-protocol-wire-body",
        ),
        pytest.param(
            POLICY_ERR,
            POWERSHELL_NO_POLICY,
            Kind.IAM_PASSWORD_POLICY,
            (IDENTITY,),
            EvidenceStatus.ABSENT_IN_AWS,
            "NoSuchEntity",
            id="powershell-iam",
        ),
        pytest.param(
            "organization/describe-organization.err",
            POWERSHELL_ORG_NOT_IN_USE,
            Kind.ORG_DESCRIBE,
            (),
            EvidenceStatus.ABSENT_IN_AWS,
            "AWSOrganizationsNotInUseException",
            id="powershell-organizations",
        ),
    ],
)
def test_every_real_shape_is_read_with_its_code(
    builder: BundleBuilder,
    rel: str,
    content: Any,
    kind: Kind,
    scope: tuple[str, ...],
    status: EvidenceStatus,
    code: str,
) -> None:
    snapshot = _load(builder, rel, content)
    row = next(r for r in snapshot.inventory if r.path == rel)
    assert row.status is FileStatus.ERROR_RECORD
    state = snapshot.state(kind, *scope)
    assert (state.status, state.error_code, state.files) == (status, code, (rel,))


def test_powershell_message_is_kept(builder: BundleBuilder) -> None:
    snapshot = _load(builder, POLICY_ERR, POWERSHELL_NO_POLICY)
    assert snapshot.accounts[IDENTITY].password_policy is not None  # NoSuchEntity: AWS's default policy
    assert "NoSuchEntity" in snapshot.state(Kind.IAM_PASSWORD_POLICY, IDENTITY).reason


@pytest.mark.parametrize(
    ("rel", "content", "quoted"),
    [
        pytest.param(
            SUMMARY_ERR,
            'Could not connect to the endpoint URL: "https://iam.amazonaws.com/"\n',
            "Could not connect",
            id="cli-network",
        ),
        pytest.param(
            SUMMARY_ERR,
            '\n\nUnable to locate credentials. You can configure credentials by running "aws configure".\n',
            "Unable to locate credentials",
            id="cli-no-credentials",
        ),
        pytest.param(SUMMARY_ERROR_JSON, {"Error": {"Message": "x"}}, "{", id="json-without-code"),
        pytest.param(SUMMARY_ERROR_JSON, {"Oops": 1}, "Oops", id="json-not-an-error"),
        pytest.param(SUMMARY_ERROR_JSON, "{oops", "{oops", id="not-json"),
        pytest.param(SUMMARY_ERR, "  \n", "empty", id="empty"),
    ],
)
def test_an_error_text_without_a_readable_code_is_a_failed_call_not_invalid_evidence(
    builder: BundleBuilder, rel: str, content: Any, quoted: str
) -> None:
    """Checks are not evaluated quoting the first line; never 'invalid, re-export'."""
    snapshot = _load(builder, rel, content)
    row = next(r for r in snapshot.inventory if r.path == rel)
    assert row.status is FileStatus.ERROR_RECORD
    state = snapshot.state(Kind.IAM_SUMMARY, IDENTITY)
    assert (state.status, state.error_code) == (EvidenceStatus.ERROR, None)
    assert quoted in state.reason
    assert "re-export" not in state.reason and "invalid" not in state.reason


def test_an_error_record_with_a_repeated_key_is_still_invalid(builder: BundleBuilder) -> None:
    """Integrity first: two readings of one record (AccessDenied, then NoSuchEntity) are not chosen between."""
    text = '{"Error": {"Code": "AccessDenied", "Code": "NoSuchEntity"}}'
    snapshot = _load(builder, f"{IDENTITY}/iam/get-account-password-policy.error.json", text)
    state = snapshot.state(Kind.IAM_PASSWORD_POLICY, IDENTITY)
    assert state.status is EvidenceStatus.INVALID
    assert snapshot.accounts.get(IDENTITY) is None or snapshot.accounts[IDENTITY].password_policy is None
