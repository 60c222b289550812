"""Bytes to JSON, as real exports arrive: BOMs, UTF-16 from PowerShell, gzip, hostile nesting.

Policy documents that AWS delivers as strings (URL-encoded JSON from the raw IAM API, JSON text
in ``get-bucket-policy`` and ``describe-policy``) are decoded here too, with duplicate keys
refused: Python's ``json`` would silently keep the last one, and in a policy that can turn a
Deny into an Allow.
"""

from __future__ import annotations

import codecs
import json
import zlib
from typing import Any
from urllib.parse import unquote

GZIP_MAGIC = b"\x1f\x8b"


class DecodeError(ValueError):
    """The content cannot be read as JSON/text. ``pointer`` is set where a place is known."""

    def __init__(self, message: str, hint: str = "", pointer: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.pointer = pointer


_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decompress_if_gzip(data: bytes, limit: int) -> bytes:
    """Gunzip a ``.json.gz`` payload, refusing to expand beyond ``limit`` bytes."""
    if not data.startswith(GZIP_MAGIC):
        return data
    decomp = zlib.decompressobj(wbits=31)
    try:
        out = decomp.decompress(data, limit + 1)
    except zlib.error as exc:
        raise DecodeError(f"corrupt gzip data ({exc})", "re-export the file or store it uncompressed") from exc
    if len(out) > limit or decomp.unconsumed_tail:
        raise DecodeError(f"gzip content expands beyond {limit} bytes", "this looks like a decompression bomb")
    return out


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes to text, honouring a BOM; returns (text, encoding name)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), encoding + " with BOM"
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    f"the file starts with a {encoding} byte-order mark but is not valid {encoding}",
                    "re-export it as UTF-8",
                ) from exc
    # UTF-16 without a BOM still shows as NUL bytes between ASCII characters.
    if len(data) >= 4 and data[1] == 0 and data[3] == 0 and data[0] != 0:
        try:
            return data.decode("utf-16-le"), "utf-16-le"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        raise DecodeError(
            f"not UTF-8 text (invalid byte at offset {exc.start})",
            "export as UTF-8 (in PowerShell: Out-File -Encoding utf8)",
        ) from exc


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, col


def loads_json(text: str) -> Any:
    """``json.loads`` with every failure turned into a :class:`DecodeError` a person can act on."""
    if not text.strip():
        raise DecodeError("the file is empty", "re-run the export; an empty file usually means the command failed")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        line, col = exc.lineno, exc.colno
        truncated = exc.pos >= len(text.rstrip()) - 1
        hint = (
            "the file ends early; it was probably cut off while being written, re-export it"
            if truncated
            else "fix the JSON syntax or re-export the file"
        )
        raise DecodeError(f"not valid JSON: {exc.msg} at line {line}, column {col}", hint) from exc
    except RecursionError as exc:
        raise DecodeError("JSON nested too deeply to be an AWS export", "this is not an AWS CLI output") from exc


#: Set on an object decoded by :func:`loads_json_marking_duplicates` that had duplicate keys.
DUPLICATE_MARK = "\u0000duplicate-keys"


class _DuplicateKey(ValueError):
    pass


def _mark_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        out[DUPLICATE_MARK] = sorted({k for k, _ in pairs if k in seen or seen.add(k)})  # type: ignore[func-returns-value]
    return out


def loads_json_marking_duplicates(text: str) -> Any:
    """Like :func:`loads_json`, but objects with duplicate keys carry :data:`DUPLICATE_MARK`.

    Used for files that embed policy documents as objects (authorization details), so that a
    duplicate inside one policy makes that one document unreadable, not the whole file.
    """
    try:
        return json.loads(text, object_pairs_hook=_mark_duplicates)
    except (json.JSONDecodeError, RecursionError):
        return loads_json(text)  # raises the same DecodeError the plain path gives


def duplicate_keys_in(value: Any, pointer: str = "") -> tuple[str, list[str]] | None:
    """The first (pointer, keys) of a duplicate-key mark inside a decoded document, if any."""
    if isinstance(value, dict):
        if DUPLICATE_MARK in value:
            return pointer, list(value[DUPLICATE_MARK])
        for key, item in value.items():
            found = duplicate_keys_in(item, f"{pointer}/{key}")
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = duplicate_keys_in(item, f"{pointer}/{index}")
            if found:
                return found
    return None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise _DuplicateKey(dup)
    return out


def parse_document_text(text: str) -> Any:
    """Parse policy-document JSON text, refusing duplicate keys (AWS rejects them; json keeps the last)."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as exc:
        raise DecodeError(
            f"duplicate key {exc.args[0]!r} in the policy document",
            "AWS evaluates such a document unpredictably; remove the duplicate",
        ) from exc
    except json.JSONDecodeError as exc:
        raise DecodeError(f"policy document is not valid JSON: {exc.msg} at character {exc.pos}") from exc
    except RecursionError as exc:
        raise DecodeError("policy document nested too deeply") from exc


def decode_policy_field(value: Any) -> Any:
    """A policy document as an object, a URL-encoded JSON string or a JSON string -> decoded object.

    botocore decodes with ``json.loads(unquote(s))`` (``unquote``, not ``unquote_plus``), and only
    when the string looks URL-encoded; JSON text is parsed as it is.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("%7B") or text.startswith("%7b") or "%22" in text:
            text = unquote(text)
        return parse_document_text(text)
    duplicate = duplicate_keys_in(value)
    if duplicate is not None:
        where, keys = duplicate
        raise DecodeError(
            f"duplicate key(s) {', '.join(map(repr, keys))} in the policy document",
            "AWS evaluates such a document unpredictably; remove the duplicate",
            pointer=where,
        )
    return value
