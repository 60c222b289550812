"""Turn a botocore response into exactly the JSON the AWS CLI v2 prints for the same call.

The CLI v2 (``cli_timestamp_format=iso8601``, its default) parses timestamps with botocore's
``parse_timestamp`` and prints ``datetime.isoformat()`` (``2026-11-20T09:58:12+00:00``, with
microseconds when present). botocore gives epoch timestamps (JSON-protocol services: CloudTrail,
Config, Organizations) the machine's local offset, so the CLI prints ``+00:00`` only on a UTC
machine such as CloudShell; here every timestamp is put in UTC first, so a bundle does not depend
on where it was collected. Blobs stay base64 text; IAM policy documents are decoded by the same
botocore handler boto3 uses; the output is ``json.dumps(indent=4, ensure_ascii=False)`` plus a
newline, without ``ResponseMetadata``. A response parsed by boto3 carries datetimes and bytes where
the CLI has strings, so those two are converted here and nothing else is touched: key order and
values stay as botocore parsed them, as in the CLI.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

#: What the bundle loader accepts as an AWS error code.
_CODE_CHARS = re.compile(r"[^A-Za-z0-9_.:-]")
_MAX_MESSAGE = 2000


def cli_value(value: Any) -> Any:
    """A parsed response value as the CLI v2 prints it."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {str(k): cli_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [cli_value(v) for v in value]
    return value


def cli_document(response: Mapping[str, Any]) -> dict[str, Any]:
    """The response without ``ResponseMetadata``, timestamps and blobs as the CLI prints them."""
    return {str(k): cli_value(v) for k, v in response.items() if k != "ResponseMetadata"}


def render(document: Any) -> str:
    """The file content: the CLI's JSON formatter output."""
    return json.dumps(document, indent=4, ensure_ascii=False) + "\n"


def error_code(raw: str | None, fallback: str) -> str:
    """An error code the loader accepts (``[A-Za-z0-9_.:-]+``); ``fallback`` when AWS gave none."""
    code = _CODE_CHARS.sub("_", (raw or "").strip())
    return code or fallback


def error_document(code: str, message: str) -> dict[str, Any]:
    """``{"Error": {"Code": ..., "Message": ...}}``, as boto3's ClientError.response holds it."""
    text = " ".join(message.split())
    if len(text) > _MAX_MESSAGE:
        text = text[: _MAX_MESSAGE - 3] + "..."
    return {"Error": {"Code": code, "Message": text}}
