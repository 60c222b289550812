"""The IAM credential report: its 22 CSV columns, rows, and the get-credential-report output."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from analyzer.model.entities import CREDENTIAL_REPORT_COLUMNS
from analyzer.synth.ids import cli_timestamp, iam_arn, root_arn

Json = dict[str, Any]

# --------------------------------------------------------------------------- IAM: credential report


NOT_APPLICABLE = "N/A"
NO_INFORMATION = "no_information"
NOT_SUPPORTED = "not_supported"


@dataclass(frozen=True, slots=True)
class AccessKey:
    """An access key as the credential report sees it (``last_used`` None: never used)."""

    active: bool
    last_rotated: datetime
    last_used: datetime | None = None
    last_used_region: str | None = None
    last_used_service: str | None = None


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _when(value: datetime | None) -> str:
    return NOT_APPLICABLE if value is None else cli_timestamp(value)


def _key_columns(slot: int, key: AccessKey | None) -> dict[str, str]:
    prefix = f"access_key_{slot}_"
    if key is None:
        return {
            prefix + "active": "false",
            prefix + "last_rotated": NOT_APPLICABLE,
            prefix + "last_used_date": NOT_APPLICABLE,
            prefix + "last_used_region": NOT_APPLICABLE,
            prefix + "last_used_service": NOT_APPLICABLE,
        }
    used = key.last_used is not None
    return {
        prefix + "active": _flag(key.active),
        prefix + "last_rotated": cli_timestamp(key.last_rotated),
        prefix + "last_used_date": _when(key.last_used),
        prefix + "last_used_region": (key.last_used_region or NOT_APPLICABLE) if used else NOT_APPLICABLE,
        prefix + "last_used_service": (key.last_used_service or NOT_APPLICABLE) if used else NOT_APPLICABLE,
    }


def _row(identity: dict[str, str], keys: Sequence[AccessKey]) -> dict[str, str]:
    if len(keys) > 2:
        raise ValueError("IAM allows at most two access keys per user")
    row = dict(identity)
    row.update(_key_columns(1, keys[0] if keys else None))
    row.update(_key_columns(2, keys[1] if len(keys) > 1 else None))
    row.update(
        {
            "cert_1_active": "false",
            "cert_1_last_rotated": NOT_APPLICABLE,
            "cert_2_active": "false",
            "cert_2_last_rotated": NOT_APPLICABLE,
        }
    )
    return {column: row[column] for column in CREDENTIAL_REPORT_COLUMNS}


def user_credential_row(
    account_id: str,
    name: str,
    *,
    created: datetime,
    path: str = "/",
    password_last_changed: datetime | None = None,
    password_last_used: datetime | None = None,
    password_next_rotation: datetime | None = None,
    mfa_active: bool = False,
    keys: Sequence[AccessKey] = (),
    partition: str = "aws",
) -> dict[str, str]:
    """A credential-report row for an IAM user; a console password exists iff
    ``password_last_changed`` is given (``password_last_used=None`` then is ``no_information``)."""
    has_password = password_last_changed is not None
    identity = {
        "user": name,
        "arn": iam_arn(account_id, "user", name, path, partition),
        "user_creation_time": cli_timestamp(created),
        "password_enabled": _flag(has_password),
        "password_last_used": (
            (NO_INFORMATION if password_last_used is None else cli_timestamp(password_last_used))
            if has_password
            else NOT_APPLICABLE
        ),
        "password_last_changed": _when(password_last_changed),
        "password_next_rotation": _when(password_next_rotation) if has_password else NOT_APPLICABLE,
        "mfa_active": _flag(mfa_active),
    }
    return _row(identity, keys)


def root_credential_row(
    account_id: str,
    *,
    created: datetime,
    password_last_used: datetime | None,
    mfa_active: bool,
    keys: Sequence[AccessKey] = (),
    partition: str = "aws",
) -> dict[str, str]:
    """The ``<root_account>`` row: password columns are ``not_supported`` except last use."""
    identity = {
        "user": "<root_account>",
        "arn": root_arn(account_id, partition),
        "user_creation_time": cli_timestamp(created),
        "password_enabled": NOT_SUPPORTED,
        "password_last_used": NO_INFORMATION if password_last_used is None else cli_timestamp(password_last_used),
        "password_last_changed": NOT_SUPPORTED,
        "password_next_rotation": NOT_SUPPORTED,
        "mfa_active": _flag(mfa_active),
    }
    return _row(identity, keys)


def credential_report_csv(rows: Sequence[Mapping[str, str]]) -> str:
    """The report's CSV text: header plus rows, ``\\n`` line ends, no trailing newline."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CREDENTIAL_REPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(dict(row))
    return buffer.getvalue().rstrip("\n")


def credential_report(rows: Sequence[Mapping[str, str]], generated: datetime) -> Json:
    """``get-credential-report``: ``Content`` is the CSV, base64-encoded as the CLI prints blobs."""
    content = base64.b64encode(credential_report_csv(rows).encode("utf-8")).decode("ascii")
    return {"Content": content, "ReportFormat": "text/csv", "GeneratedTime": cli_timestamp(generated)}
