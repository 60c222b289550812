"""Bytes to JSON, as real exports arrive: BOMs, UTF-16 from PowerShell, gzip, hostile input.

Duplicate keys are recorded, never silently resolved: Python's ``json`` keeps the last value, and
in a policy document that can turn a Deny into an Allow. Parsing registers every object that had
duplicate keys in a :class:`Duplicates` table (by identity, so nothing is added to the
document); a policy document that contains such an object is refused by
:func:`decode_policy_field`, and the loader reports any other duplicates as problems of the file.

Policy documents that AWS delivers as strings (URL-encoded JSON from the raw IAM API, JSON text in
``get-bucket-policy`` and ``describe-policy``) are decoded here too.
"""

from __future__ import annotations

import codecs
import json
import re
import zlib
from collections.abc import Iterable, Iterator
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


_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE with BOM"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 BE with BOM"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE with BOM"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE with BOM"),
)

PLAIN_UTF8 = "UTF-8"


def escape_pointer_part(part: str | int) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


# --------------------------------------------------------------------------- bytes -> text


class GzipTooLarge(DecodeError):
    """Gzip content that expands beyond the limit it was given; ``expanded`` bytes were made before it stopped."""

    def __init__(self, limit: int, expanded: int) -> None:
        super().__init__(
            f"gzip content expands beyond the {limit}-byte limit per file",
            "this looks like a decompression bomb; raise --max-member-bytes only if the file is genuine",
        )
        self.expanded = expanded


def decompress_if_gzip(data: bytes, limit: int) -> tuple[bytes, bool]:
    """Gunzip a ``.json.gz`` payload, refusing to expand beyond ``limit`` bytes; (bytes, was gzip)."""
    if not data.startswith(GZIP_MAGIC):
        return data, False
    decomp = zlib.decompressobj(wbits=31)
    try:
        out = decomp.decompress(data, limit + 1)
    except zlib.error as exc:
        raise DecodeError(f"corrupt gzip data ({exc})", "re-export the file or store it uncompressed") from exc
    if len(out) > limit or decomp.unconsumed_tail:
        raise GzipTooLarge(limit, len(out))
    if not decomp.eof:
        raise DecodeError("the gzip data ends early (truncated file)", "re-copy or re-compress the file")
    return out, True


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes to text, honouring a BOM; returns (text, a name of the encoding for people)."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), label
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    f"the file starts with a {label.removesuffix(' with BOM')} byte-order mark "
                    f"but is not valid {codec} (invalid data at byte {exc.start + len(bom)})",
                    "re-export it as UTF-8",
                ) from exc
    # UTF-16 without a BOM still shows as NUL bytes between ASCII characters.
    if len(data) >= 4 and data[0] != 0 and data[1] == 0 and data[3] == 0:
        try:
            return data.decode("utf-16-le"), "UTF-16 LE"
        except UnicodeDecodeError:
            pass
    if len(data) >= 4 and data[0] == 0 and data[2] == 0 and data[1] != 0:
        try:
            return data.decode("utf-16-be"), "UTF-16 BE"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096]:
        raise DecodeError(
            "binary data, not a text export (NUL bytes in the file)",
            "replace it with the JSON output of the AWS CLI command",
        )
    try:
        return data.decode("utf-8"), PLAIN_UTF8
    except UnicodeDecodeError as exc:
        raise DecodeError(
            f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start})",
            "export as UTF-8 (in PowerShell: Out-File -Encoding utf8)",
        ) from exc


# --------------------------------------------------------------------------- text -> JSON


class Duplicates:
    """Objects of one parsed document that had duplicate keys, by object identity."""

    def __init__(self) -> None:
        self.keys_by_id: dict[int, list[str]] = {}

    def __bool__(self) -> bool:
        return bool(self.keys_by_id)

    def hook(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):
            seen: set[str] = set()
            repeated = {k for k, _ in pairs if k in seen or seen.add(k)}  # type: ignore[func-returns-value]
            self.keys_by_id[id(out)] = sorted(repeated)
        return out

    def take(self, value: Any, pointer: str = "") -> Iterator[tuple[str, list[str]]]:
        """(pointer, keys) of every registered object inside ``value``, removing them from the table."""
        if not self.keys_by_id:
            return
        stack: list[tuple[Any, str]] = [(value, pointer)]
        while stack:
            node, where = stack.pop()
            if isinstance(node, dict):
                keys = self.keys_by_id.pop(id(node), None)
                if keys is not None:
                    yield where, keys
                stack.extend((v, f"{where}/{escape_pointer_part(k)}") for k, v in reversed(node.items()))
            elif isinstance(node, list):
                stack.extend((v, f"{where}/{i}") for i, v in reversed(list(enumerate(node))))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_NOT_JSON_STARTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("<!doctype", "<html", "<?xml", "<"), "an HTML/XML page, not JSON (an error or login page was saved?)"),
    (("an error occurred",), "AWS CLI error text, not JSON; save it as <name>.err next to where the output belongs"),
)


#: A lone UTF-16 surrogate left by a ``\\udXXX`` escape (json.loads joins a valid pair into one
#: character, so any surrogate left in a parsed string has no partner).
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _lone_surrogate_at(value: Any, pointer: str = "") -> str | None:
    """The JSON pointer of the first string (key or value) in ``value`` holding a lone surrogate."""
    stack: list[tuple[Any, str]] = [(value, pointer)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            if _SURROGATE.search(node):
                return where
        elif isinstance(node, dict):
            places = [(key, item, f"{where}/{escape_pointer_part(key)}") for key, item in node.items()]
            bad_key = next((place for key, _, place in places if _SURROGATE.search(key)), None)
            if bad_key is not None:
                return bad_key
            stack.extend((item, place) for _, item, place in reversed(places))
        elif isinstance(node, list):
            stack.extend((item, f"{where}/{i}") for i, item in reversed(list(enumerate(node))))
    return None


def refuse_lone_surrogates(text: str, value: Any) -> None:
    """Raise :class:`DecodeError` when ``value`` (parsed from ``text``) holds a lone surrogate.

    JSON lets ``"\\ud800"`` through, but it is no character: no UTF-8 output can hold it (every
    report would fail to write it) and no AWS name contains one. Such a file is refused as evidence
    is that cannot be read, so what depends on it is ``not_evaluated``. The text is searched first
    (in C), and the document only when an escape of a surrogate occurs at all.
    """
    if ("\\ud" not in text and "\\uD" not in text) or _ESCAPED_SURROGATE.search(text) is None:
        return
    where = _lone_surrogate_at(value)
    if where is not None:
        raise DecodeError(
            "a string holds a lone UTF-16 surrogate (a \\udXXX escape without its pair), which is no character",
            "this is not what the AWS CLI writes; re-export the file",
            pointer=where,
        )


def loads_json(text: str, duplicates: Duplicates | None = None, *, decoder: json.JSONDecoder | None = None) -> Any:
    """``json.loads`` with every failure turned into a :class:`DecodeError` a person can act on.

    ``decoder``: a decoder to use instead of one made for ``duplicates`` (see :class:`DocumentParser`).
    """
    stripped = text.lstrip()
    if not stripped:
        raise DecodeError("the file is empty", "re-run the export; an empty file usually means the command failed")
    head = stripped[:64].lower()
    for starts, what in _NOT_JSON_STARTS:
        if head.startswith(starts):
            raise DecodeError(f"the file holds {what}", "replace it with the JSON output of the AWS CLI command")
    try:
        if decoder is not None:
            value = decoder.decode(text)
        else:
            value = json.loads(
                text,
                object_pairs_hook=duplicates.hook if duplicates is not None else None,
                parse_constant=_refuse_constant,
            )
    except json.JSONDecodeError as exc:
        truncated = exc.msg.startswith("Unterminated string") or exc.pos >= len(text.rstrip()) - 1
        hint = (
            "the file ends early; it was probably cut off while being written, re-export it"
            if truncated
            else "fix the JSON syntax or re-export the file"
        )
        what = "JSON cut off" if truncated else "not valid JSON"
        raise DecodeError(f"{what}: {exc.msg} (line {exc.lineno}, column {exc.colno})", hint) from exc
    except ValueError as exc:  # NaN / Infinity
        raise DecodeError(f"not valid JSON: {exc}", "re-export the file with the AWS CLI") from exc
    except RecursionError as exc:
        raise DecodeError(
            "JSON nested too deeply to be an AWS export", "this is not the output of an AWS CLI command"
        ) from exc
    refuse_lone_surrogates(text, value)
    return value


#: A JSON string, escapes included: what :func:`refuse_dense` leaves out of its count.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def refuse_dense(text: str, limit: int) -> None:
    """DecodeError when ``text`` holds more than ``limit`` JSON objects and arrays, decided before
    it is parsed (see :data:`~analyzer.evidence.bundle.DEFAULT_MAX_JSON_CONTAINERS`).

    Counting the opening brackets is a scan at memory speed; brackets inside strings (a policy
    held as text, an error message) are counted only when that count is over the limit, and then
    taken back out."""
    count = text.count("{") + text.count("[")
    if count <= limit:
        return
    quoted = "".join(match for match in _quoted(text))
    count -= quoted.count("{") + quoted.count("[")
    if count > limit:
        raise DecodeError(
            f"more than {limit:,} JSON objects and arrays ({count:,}); an AWS export holds one per 50 to 200 bytes",
            "this is not an AWS export as written; raise --max-json-containers if the file is genuine",
        )


def _quoted(text: str) -> Iterator[str]:
    """The JSON strings of ``text`` that hold a bracket (each tested, few kept)."""
    for match in _JSON_STRING.finditer(text):
        value = match.group()
        if "{" in value or "[" in value:
            yield value


class DocumentParser:
    """:func:`loads_json` with duplicate-key tracking, one file after another, with one decoder.

    ``json.loads`` with a hook builds a decoder per call, which costs as much as parsing a small
    file; a bundle holds tens of thousands of them. The decoder is bound to one :class:`Duplicates`
    table, emptied at each parse: the table returned is valid until the next call.
    """

    def __init__(self) -> None:
        self.duplicates = Duplicates()
        self._decoder = json.JSONDecoder(object_pairs_hook=self.duplicates.hook, parse_constant=_refuse_constant)

    def parse(self, text: str) -> tuple[Any, Duplicates]:
        """(document, the objects of it that had duplicate keys)."""
        self.duplicates.keys_by_id.clear()
        return loads_json(text, decoder=self._decoder), self.duplicates


def _holds_overlong(document: Any, limit: int) -> bool:
    """Whether any string or key of ``document`` is longer than ``limit``: the quick pass (15 ms for
    a 12 MB authorization-details file), only containers on the stack."""
    if isinstance(document, str):
        return len(document) > limit
    if not isinstance(document, (dict, list)):
        return False
    stack: list[dict[str, Any] | list[Any]] = [document]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        if type(node) is dict:
            for key in node:
                if len(key) > limit:
                    return True
            values: Iterable[Any] = node.values()
        else:
            values = node
        for value in values:
            kind = type(value)
            if kind is str:
                if len(value) > limit:
                    return True
            elif kind is dict or kind is list:
                push(value)
    return False


#: Keys whose string value may be longer than any name: a whole document held as text (a policy,
#: whose own strings are held to the limit once it is decoded: ``FileContext.policy``; the
#: credential report's CSV as base64, whose fields are held to it once decoded).
LONG_TEXT_KEYS = frozenset({"PolicyDocument", "AssumeRolePolicyDocument", "Document", "Policy", "Content"})
#: The same in AWS Config's items: policy documents (URL-encoded or JSON text) and, in the API form,
#: the whole ``configuration`` and the bucket policy's supplementary value, held as JSON text (their
#: own strings are held to the limit once parsed).
CONFIG_TEXT_KEYS = LONG_TEXT_KEYS | frozenset(
    {"policyDocument", "assumeRolePolicyDocument", "document", "policyText", "configuration", "BucketPolicy"}
)


def overlong_string(document: Any, limit: int, allowed: frozenset[str] = LONG_TEXT_KEYS) -> tuple[str, int] | None:
    """(JSON pointer, length) of the first string or object key in ``document`` longer than ``limit``
    characters, in document order; None when there is none. String values of the keys in
    ``allowed`` may be longer.

    Run on every file larger than ``limit``: a first pass without pointers (a few ms per MB), the
    second, which builds them, only when there is something to point at.
    """
    if not _holds_overlong(document, limit):
        return None
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            if len(node) > limit:
                return where, len(node)
        elif isinstance(node, dict):
            for key in node:
                if len(key) > limit:
                    return f"{where}/{escape_pointer_part(key[:64])}...", len(key)
            stack.extend(
                (v, f"{where}/{escape_pointer_part(k)}")
                for k, v in reversed(node.items())
                if not (k in allowed and isinstance(v, str))
            )
        elif isinstance(node, list):
            stack.extend((v, f"{where}/{i}") for i, v in reversed(list(enumerate(node))))
    return None


# --------------------------------------------------------------------------- policy documents


def _duplicate_error(where: str, keys: list[str]) -> DecodeError:
    return DecodeError(
        f"duplicate key(s) {', '.join(map(repr, keys))} in the policy document",
        "AWS evaluates such a document unpredictably; remove the duplicate",
        pointer=where,
    )


def parse_document_text(text: str) -> Any:
    """Parse policy-document JSON text, refusing duplicate keys (AWS rejects them; json keeps the last)."""
    duplicates = Duplicates()
    try:
        value = json.loads(text, object_pairs_hook=duplicates.hook, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise DecodeError(
            f"the policy document is not valid JSON: {exc.msg} at character {exc.pos}",
            "fix the policy text",
        ) from exc
    except ValueError as exc:
        raise DecodeError(f"the policy document is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise DecodeError("the policy document is nested too deeply") from exc
    found = list(duplicates.take(value))
    if found:
        raise _duplicate_error(*found[0])
    refuse_lone_surrogates(text, value)
    return value


def decode_policy_field(value: Any, duplicates: Duplicates | None = None) -> Any:
    """A policy document as an object, a URL-encoded JSON string or a JSON string -> decoded object.

    JSON text (``{...}``) is parsed as it is; anything else is URL-decoded first, as botocore does
    (``json.loads(unquote(s))``: ``unquote``, not ``unquote_plus``). An object is refused when
    ``duplicates`` registered one of its members while the file was parsed.
    """
    if isinstance(value, str):
        text = value.strip()
        if not text.startswith("{"):
            text = unquote(text).strip()
        return parse_document_text(text)
    if duplicates:
        found = list(duplicates.take(value))
        if found:
            raise _duplicate_error(*found[0])
    return value
