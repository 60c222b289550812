"""Recorded failures of export calls: ``<name>.error.json`` or the text a tool printed in ``<name>.err``.

Every real shape of a failed call is read for its AWS error code (:data:`TEXT_SHAPES`,
:func:`code_from_record`):

- AWS CLI v2 (and botocore's ``ClientError`` text): ``An error occurred (Code) when calling the Op
  operation: message`` (awscli ``clidriver.py``; botocore ``exceptions.py`` ``ClientError.MSG_TEMPLATE``);
- AWS CLI v1 before 1.10: ``A client error (Code) occurred when calling the Op operation: message``;
- AWS Tools for PowerShell: the cmdlet's error record, whose ``FullyQualifiedErrorId`` names the SDK's
  exception class ``Amazon.<Service>.Model.<Code>Exception`` (AWS Tools for PowerShell user guide,
  "Handling errors");
- boto3 / botocore JSON: ``{"Error": {"Code", "Message"}, "ResponseMetadata": ...}`` (``ClientError.response``),
  the bare ``Error`` object, or a JSON-protocol body ``{"__type": "...#Code", "message": ...}``
  (botocore ``parsers.py``, ``BaseJSONParser._do_error_parse``).

A record whose code cannot be read is still a failed call: its checks are not evaluated, quoting the
record's first line; it is never read as evidence of anything.
"""

from __future__ import annotations

import re
from typing import Any

from analyzer.model.evidence import EvidenceStatus
from analyzer.model.kinds import Kind

_CODE = r"([A-Za-z0-9_.:-]+)"
_RETRIES = r"(?: \(reached max retries: \d+\))?"

#: The text shapes, as (producer, pattern whose first group is the code); the message follows ``: ``.
TEXT_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("AWS CLI v2", re.compile(rf"An error occurred \({_CODE}\){_RETRIES} when calling the \w+ operation")),
    ("AWS CLI v1", re.compile(rf"A client error \({_CODE}\){_RETRIES} occurred when calling the \w+ operation")),
)

#: AWS Tools for PowerShell: ``FullyQualifiedErrorId : Amazon.IdentityManagement.Model.NoSuchEntityException,...``.
_POWERSHELL = re.compile(r"FullyQualifiedErrorId\s*:\s*Amazon\.[A-Za-z0-9.]*?\.Model\.([A-Za-z0-9_]+),")
_POWERSHELL_MESSAGE = re.compile(r"^[A-Z][A-Za-z0-9]+-[A-Za-z0-9]+ : (.+)$", re.MULTILINE)

#: Services whose protocol (query, rest-xml) sends codes without the ``Exception`` suffix the .NET SDK
#: adds to its class names (``NoSuchEntity`` -> ``NoSuchEntityException``); JSON-protocol services
#: (Organizations, CloudTrail, Config) name the class as the code (``AWSOrganizationsNotInUseException``).
_SUFFIXED_BY_SDK = frozenset({"iam", "s3", "ec2"})

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
    """(code, message) of a JSON error record: ``{"Error": {"Code", "Message"}}`` (any key case, with or
    without ``ResponseMetadata``), the bare ``{"Code", "Message"}``, or ``{"__type", "message"}``."""
    if not isinstance(document, dict):
        return None
    error = document.get("Error") or document.get("error")
    body = error if isinstance(error, dict) else document
    code = body.get("Code") or body.get("code")
    if not isinstance(code, str) or not code:
        wire = document.get("__type")
        code = wire.rsplit("#", 1)[-1] if isinstance(wire, str) else None
    if not code or not re.fullmatch(_CODE, code):
        return None
    message = body.get("Message") or body.get("message") or document.get("message") or ""
    return code, str(message)


def code_from_stderr(text: str, kind: Kind | None = None) -> tuple[str, str] | None:
    """(code, message) of an error text printed by the AWS CLI (v1, v2) or AWS Tools for PowerShell."""
    for _, pattern in TEXT_SHAPES:
        match = pattern.search(text)
        if match:
            message = text[match.end() :].split(":", 1)[-1].strip()
            return match.group(1), message
    match = _POWERSHELL.search(text)
    if match:
        code = _code_of_sdk_class(match.group(1), kind)
        said = _POWERSHELL_MESSAGE.search(text)
        return code, said.group(1).strip() if said else ""
    return None


def _code_of_sdk_class(name: str, kind: Kind | None) -> str:
    """The AWS error code a .NET SDK exception class stands for: the name itself when it is a code
    trustmap knows, else without ``Exception`` for the services whose codes lack that suffix."""
    known = _DENIED | (_ABSENT.get(kind, frozenset()) if kind is not None else frozenset())
    bare = name.removesuffix("Exception") or name
    if name in known or bare in known:
        return name if name in known else bare
    service = kind.value.split("-", 1)[0] if kind is not None else ""
    return bare if service in _SUFFIXED_BY_SDK else name


def first_line(text: str, limit: int = 200) -> str:
    """The first non-blank line of ``text``, cut to ``limit`` characters (saying so)."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= limit else line[: limit - 3] + "..."


def status_for(kind: Kind, code: str) -> EvidenceStatus:
    if code in _ABSENT.get(kind, frozenset()):
        return EvidenceStatus.ABSENT_IN_AWS
    if code in _DENIED or code.startswith("AccessDenied"):
        return EvidenceStatus.DENIED
    return EvidenceStatus.ERROR
