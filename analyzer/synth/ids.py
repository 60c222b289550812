"""Deterministic identifiers, ARNs and timestamps for synthetic evidence.

Nothing here reads the clock or a random source: every identifier is derived from a seed
string (usually the ARN of the thing it identifies) through SHA-256, so the same input always
yields the same bundle, byte for byte.
"""

from __future__ import annotations

import base64
import hashlib
import string
from datetime import UTC, datetime

_LOWER_ALNUM = string.ascii_lowercase + string.digits


def digest(seed: str) -> bytes:
    return hashlib.sha256(seed.encode("utf-8")).digest()


def unique_id(prefix: str, seed: str, length: int = 17) -> str:
    """An IAM-style unique ID such as ``AIDA`` + 17 upper-case alphanumerics.

    IAM IDs are 21 characters for users, roles, groups and policies (IAMUG
    ``reference_identifiers``); base32 of the digest gives ``A-Z2-7``, a subset of what AWS uses.
    """
    return prefix + base64.b32encode(digest(seed)).decode("ascii")[:length]


def lower_token(seed: str, length: int) -> str:
    """``length`` characters of ``[a-z0-9]`` (organization, root, OU and recorder IDs)."""
    raw = digest(seed)
    while len(raw) < length:
        raw += digest(raw.hex())
    return "".join(_LOWER_ALNUM[b % len(_LOWER_ALNUM)] for b in raw[:length])


def hex_token(seed: str, length: int) -> str:
    return digest(seed).hex()[:length]


def stable_int(seed: str, low: int, high: int) -> int:
    """An integer in ``[low, high]`` derived from ``seed`` (deterministic jitter)."""
    if high < low:
        raise ValueError(f"empty range [{low}, {high}]")
    return low + int.from_bytes(digest(seed)[:8], "big") % (high - low + 1)


def utc(text: str) -> datetime:
    """Parse ``2026-11-20T09:58:12.345`` / ``...Z`` / ``...+00:00`` as an aware UTC datetime."""
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def cli_timestamp(moment: datetime) -> str:
    """A timestamp as AWS CLI v2 prints it with its default ``cli_timestamp_format=iso8601``.

    The CLI calls ``datetime.isoformat()`` on a UTC datetime: ``2026-03-02T09:14:51+00:00``
    for IAM (second precision on the wire) and ``2026-11-20T09:58:12.345000+00:00`` for the
    JSON-protocol services (Organizations, CloudTrail, Config send epoch floats).
    """
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).isoformat()


def zulu_seconds(moment: datetime) -> str:
    """``2026-11-20T09:58:12Z``: the deprecated string fields of get-trail-status."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- ARNs


def iam_arn(account_id: str, resource_type: str, name: str, path: str = "/", partition: str = "aws") -> str:
    """``arn:aws:iam::<acct>:<type>/<path-without-leading-slash><name>``."""
    if not path.startswith("/") or not path.endswith("/"):
        raise ValueError(f"an IAM path starts and ends with '/': {path!r}")
    return f"arn:{partition}:iam::{account_id}:{resource_type}/{path[1:]}{name}"


def root_arn(account_id: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account_id}:root"


def aws_managed_policy_arn(name: str, path: str = "/", partition: str = "aws") -> str:
    return iam_arn("aws", "policy", name, path, partition)


def trail_arn(account_id: str, home_region: str, name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:cloudtrail:{home_region}:{account_id}:trail/{name}"


def sns_topic_arn(account_id: str, region: str, name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:sns:{region}:{account_id}:{name}"


def config_recorder_arn(account_id: str, region: str, name: str = "default", partition: str = "aws") -> str:
    """``arn:aws:config:<region>:<acct>:configuration-recorder/<name>/<16 [a-z0-9]>``."""
    token = lower_token(f"{partition}:{account_id}:{region}:recorder:{name}", 16)
    return f"arn:{partition}:config:{region}:{account_id}:configuration-recorder/{name}/{token}"


def s3_arn(bucket: str, key: str | None = None, partition: str = "aws") -> str:
    return f"arn:{partition}:s3:::{bucket}" + (f"/{key}" if key is not None else "")


def org_id(management_account_id: str) -> str:
    return "o-" + lower_token(f"organization:{management_account_id}", 10)


def org_root_id(organization_id: str) -> str:
    return "r-" + lower_token(f"root:{organization_id}", 4)


def org_unit_id(root_id: str, name: str) -> str:
    """``ou-<root suffix>-<8 [a-z0-9]>`` as Organizations formats OU IDs."""
    return f"ou-{root_id[2:]}-" + lower_token(f"ou:{root_id}:{name}", 8)


def scp_id(organization_id: str, name: str) -> str:
    return "p-" + lower_token(f"scp:{organization_id}:{name}", 8)
