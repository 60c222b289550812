"""ARNs, account ids and the other identifier forms that appear in policies.

IAMUG ``reference_identifiers``: ``arn:<partition>:<service>:<region>:<account>:<resource>``; the
resource part may itself hold ``/`` and ``:``. IAM and STS ARNs have an empty region. A bare
unique id (``AIDA...`` user, ``AROA...`` role) in a ``Principal`` is what IAM shows once the
named user or role has been deleted (IAMUG ``reference_policies_elements_principal``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

KNOWN_PARTITIONS = frozenset({"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f"})

_ACCOUNT_ID = re.compile(r"\d{12}")
# IAMUG reference_identifiers "Understanding unique ID prefixes".
UNIQUE_ID_PREFIXES: dict[str, str] = {
    "ABIA": "sts-bearer-token",
    "ACCA": "context-specific-credential",
    "AGPA": "group",
    "AIDA": "user",
    "AIPA": "ec2-instance-profile",
    "AKIA": "access-key",
    "ANPA": "managed-policy",
    "ANVA": "managed-policy-version",
    "APKA": "public-key",
    "AROA": "role",
    "ASCA": "certificate",
    "ASIA": "temporary-access-key",
}
_UNIQUE_ID = re.compile(r"(A[A-Z]{3})[A-Z0-9]{12,124}")


@dataclass(frozen=True, slots=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"

    @property
    def resource_type(self) -> str:
        """``role`` of ``role/path/name``; ``""`` when the resource has no type prefix (S3 buckets)."""
        for sep in ("/", ":"):
            if sep in self.resource:
                return self.resource.split(sep, 1)[0]
        return ""

    @property
    def resource_name(self) -> str:
        """The last ``/``-separated element of the resource (an IAM name without its path)."""
        return self.resource.rsplit("/", 1)[-1]


@lru_cache(maxsize=65536)
def parse_arn(text: str) -> Arn | None:
    """The parts of an ARN, or ``None`` when ``text`` is not ``arn:<p>:<svc>:<region>:<acct>:<res>``."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2]:
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def is_account_id(text: str) -> bool:
    return _ACCOUNT_ID.fullmatch(text) is not None


def root_arn(account_id: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account_id}:root"


def account_principal(value: str) -> tuple[str, str | None] | None:
    """``(account, partition)`` when a ``Principal`` AWS value names a whole account.

    ``123456789012`` and ``arn:<p>:iam::123456789012:root`` both mean *the account* (every
    principal in it, subject to its own identity policies), not only its root user. The partition
    is ``None`` for the bare id.
    """
    if is_account_id(value):
        return value, None
    arn = parse_arn(value)
    if arn is not None and arn.service == "iam" and arn.resource == "root" and is_account_id(arn.account):
        return arn.account, arn.partition
    return None


def account_of_principal(value: str) -> str | None:
    """The account a principal string belongs to: a bare account id, or the account of an ARN."""
    if is_account_id(value):
        return value
    arn = parse_arn(value)
    if arn is not None and is_account_id(arn.account):
        return arn.account
    return None


def unique_id_kind(value: str) -> str | None:
    """What a bare unique id names (``user``, ``role`` ...), or ``None`` if ``value`` is not one."""
    match = _UNIQUE_ID.fullmatch(value)
    if match is None:
        return None
    return UNIQUE_ID_PREFIXES.get(match.group(1))


def is_unique_id(value: str) -> bool:
    """True for a bare ``AIDA...``/``AROA...`` id: in a trust policy, the mark of a deleted principal."""
    return unique_id_kind(value) is not None


def role_name(role_arn: str) -> str:
    """``name`` of ``arn:aws:iam::1:role/path/name`` (the path is not part of a session ARN)."""
    return role_arn.rsplit("/", 1)[-1]


def session_arn(role_arn: str, session_name: str) -> str | None:
    """``arn:<p>:sts::<acct>:assumed-role/<role-name>/<session>`` for a role ARN, else ``None``."""
    arn = parse_arn(role_arn)
    if arn is None or arn.service != "iam" or arn.resource_type != "role":
        return None
    return f"arn:{arn.partition}:sts::{arn.account}:assumed-role/{arn.resource_name}/{session_name}"


def assumed_role_parts(value: str) -> tuple[str, str, str, str] | None:
    """``(partition, account, role_name, session)`` of an assumed-role session ARN."""
    arn = parse_arn(value)
    if arn is None or arn.service != "sts" or not arn.resource.startswith("assumed-role/"):
        return None
    pieces = arn.resource.split("/")
    if len(pieces) != 3 or not pieces[1] or not pieces[2]:
        return None
    return arn.partition, arn.account, pieces[1], pieces[2]


def is_service_linked_role(role_arn: str) -> bool:
    """Service-linked roles live under ``/aws-service-role/``; SCPs never restrict them."""
    arn = parse_arn(role_arn)
    return arn is not None and arn.service == "iam" and arn.resource.startswith("role/aws-service-role/")
