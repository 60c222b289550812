"""A CloudTrail log file as the loader sees it: placed, hashed and checked to be gzip, never parsed.

Log files are the bulk of an activity bundle (gigabytes a day for an organization); their records
are read by :mod:`analyzer.activity` with DuckDB, not by the loader's JSON parser. The loader still
gives each one an inventory row, the sha256 of its decompressed content (what the digest file's
``hashValue`` covers: AWS CloudTrail User Guide, "CloudTrail digest file structure") and a slot,
so that two copies of one object that differ are a conflict, as for every other kind.
"""

from __future__ import annotations

import dataclasses
import hashlib
import zlib

from analyzer.evidence.bundle import Bundle
from analyzer.evidence.decode import GZIP_MAGIC
from analyzer.evidence.layout import slot_for
from analyzer.evidence.outcome import Outcome, Reading
from analyzer.model.evidence import EvidenceState, EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.model.snapshot import FileStatus

_HINT = "copy the object again from the central bucket (aws s3 cp), byte for byte"


class LogFileError(Exception):
    """The bytes are not a readable CloudTrail log file (the validator's 'invalid format')."""


def gunzip_exactly(data: bytes, limit: int) -> bytes:
    """The decompressed bytes of one gzip stream; an error for corrupt or truncated data and for bytes
    after the end of the stream (``aws cloudtrail validate-logs``: "unexpected data after end of
    compressed stream")."""
    decomp = zlib.decompressobj(wbits=31)
    try:
        out = decomp.decompress(data, limit + 1)
    except zlib.error as exc:
        raise LogFileError(f"corrupt gzip data ({exc})") from exc
    if len(out) > limit or decomp.unconsumed_tail:
        raise LogFileError(f"gzip content expands beyond the {limit}-byte limit per file")
    if not decomp.eof:
        raise LogFileError("the gzip data ends early (truncated file)")
    if decomp.unused_data:
        raise LogFileError("unexpected data after end of compressed stream")
    return out


def content_of(data: bytes, limit: int) -> bytes:
    """The JSON bytes of a log or digest file: gunzipped when gzip, as they are otherwise."""
    return gunzip_exactly(data, limit) if data.startswith(GZIP_MAGIC) else data


def read_log_file(reading: Reading, data: bytes, bundle: Bundle) -> Outcome:
    """A log file placed and hashed, never parsed here; what it expands to counts against the bundle's
    expanded bytes like any ``.json.gz`` (a bundle of log files is no way around the limit)."""
    info = reading.info
    try:
        raw = content_of(data, bundle.gunzip_room())
    except LogFileError as exc:
        return reading.invalid_because(str(exc), _HINT)
    if raw is not data:
        bundle.count_expanded(len(raw))
    if b'"Records"' not in raw[:256]:
        return reading.invalid_because('not a CloudTrail log file: no {"Records": [...]} at the start', _HINT)
    reading.content = hashlib.sha256(raw).hexdigest()
    kind = Kind.CT_LOG_FILE
    row = dataclasses.replace(
        reading.row(FileStatus.LOADED, "gzip-compressed" if raw is not data else "", kind=kind),
        content_sha256=reading.content,
    )
    state = EvidenceState(kind.value, EvidenceStatus.LOADED, "", (reading.path,))
    return Outcome(row, slot_for(kind, info.account_id, info.region, info.item), state)
