"""Recorded failures of export calls: ``<name>.error.json`` or the AWS CLI's stderr in ``<name>.err``."""

from __future__ import annotations

import re
from typing import Any

from analyzer.model.evidence import EvidenceStatus
from analyzer.model.kinds import Kind

_CLI_ERROR = re.compile(r"An error occurred \(([A-Za-z0-9_.:-]+)\)(?: \(reached max retries: \d+\))? when calling")

_DENIED = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "AuthorizationError",
        "UnauthorizedException",
        "AccessDeniedForDependencyException",
        "ExpiredToken",
        "InvalidClientTokenId",
    }
)

#: (kind, code) pairs where AWS's error *is* the answer: nothing is configured.
_ABSENT: dict[Kind, frozenset[str]] = {
    Kind.IAM_PASSWORD_POLICY: frozenset({"NoSuchEntity"}),
    Kind.S3_BUCKET_POLICY: frozenset({"NoSuchBucketPolicy"}),
    Kind.ORG_DESCRIBE: frozenset({"AWSOrganizationsNotInUseException"}),
    Kind.ORG_ACCOUNTS: frozenset({"AWSOrganizationsNotInUseException"}),
    # Centralized root access never enabled, or the account is in no (all-features) organization.
    Kind.IAM_ORG_FEATURES: frozenset(
        {
            "ServiceAccessNotEnabledException",
            "OrganizationNotFoundException",
            "OrganizationNotInAllFeaturesModeException",
            "AWSOrganizationsNotInUseException",
        }
    ),
}


def code_from_record(document: Any) -> tuple[str, str] | None:
    """(code, message) from ``{"Error": {"Code": ..., "Message": ...}}`` (any key case)."""
    if not isinstance(document, dict):
        return None
    error = document.get("Error") or document.get("error")
    if not isinstance(error, dict):
        return None
    code = error.get("Code") or error.get("code")
    if not isinstance(code, str) or not code:
        return None
    message = error.get("Message") or error.get("message") or ""
    return code, str(message)


def code_from_stderr(text: str) -> tuple[str, str] | None:
    match = _CLI_ERROR.search(text)
    if not match:
        return None
    message = text[match.end() :].split(":", 1)[-1].strip()
    return match.group(1), message


def status_for(kind: Kind, code: str) -> EvidenceStatus:
    if code in _ABSENT.get(kind, frozenset()):
        return EvidenceStatus.ABSENT_IN_AWS
    if code in _DENIED or code.startswith("AccessDenied"):
        return EvidenceStatus.DENIED
    return EvidenceStatus.ERROR
