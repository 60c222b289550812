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
        return _from_epoch(float(value), value)
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
            seconds = float(text)
        except ValueError:
            raise ValueError(f"not a timestamp: {value!r}") from None
        return _from_epoch(seconds, value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"not a timestamp: {value!r} is outside the range of dates") from None


def _from_epoch(seconds: float, original: Any) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (ValueError, OverflowError, OSError):  # NaN, infinity, years beyond 9999
        raise ValueError(f"not a timestamp: {original!r} is outside the range of dates") from None


def format_ts(value: datetime | None) -> str | None:
    """The one way trustmap prints a time: ISO-8601 UTC with ``Z``, seconds precision."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
