"""One timestamp parser for every producer: CLI v2 ISO, CLI v1/wire epoch, boto3's ``str()``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def parse_ts(value: Any) -> datetime | None:
    """ISO-8601 with ``T`` or a space, ``Z`` or an offset, optional fraction; or epoch seconds.

    Returns an aware UTC datetime, or None for empty/placeholder values (``N/A`` ...).
    Raises ValueError for anything else, so a garbled date never passes silently.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(float(value), tz=UTC)
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    text = value.strip()
    if text.lower() in ("n/a", "no_information", "not_supported"):
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            return datetime.fromtimestamp(float(text), tz=UTC)
        except ValueError:
            raise ValueError(f"not a timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_ts(value: datetime | None) -> str | None:
    """The one way trustmap prints a time: ISO-8601 UTC with ``Z``, seconds precision."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
