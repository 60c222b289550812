"""A Config delivered file (snapshot or history) as the loader reads it: placed by its key, its
items streamed (:mod:`analyzer.evidence.config_stream`) into :class:`ConfigItem` records.

Like every other kind, a file is one slot (its key from ``AWSLogs/`` on): two copies that differ are
a conflict, identical copies are read once; its expanded size counts against the bundle's limit.
"""

from __future__ import annotations

import hashlib

from analyzer.evidence.bundle import Bundle
from analyzer.evidence.config_stream import Items
from analyzer.evidence.decode import DocumentParser, decode_text
from analyzer.evidence.outcome import Outcome, Reading, finish
from analyzer.evidence.readers.base import Collector, FileContext
from analyzer.evidence.readers.config_items import read_item
from analyzer.model.kinds import Kind
from analyzer.model.policy import PolicyDocument


def read_config_file(
    reading: Reading,
    data: bytes,
    bundle: Bundle,
    policy_cache: dict[str, PolicyDocument],
    parser: DocumentParser,
) -> Outcome:
    """The outcome of one delivered file; raises DecodeError for bytes that are not one (the caller
    turns it into an invalid file)."""
    info = reading.info
    kind = info.kind or Kind.CONFIG_SNAPSHOT_FILE
    raw, gzipped = bundle.expand(data)
    if gzipped:  # a .json.gz and its decompressed .json are the same object: compared by what they hold
        reading.content = hashlib.sha256(raw).hexdigest()
    text, _ = decode_text(raw)
    del raw
    reading.note = "gzip-compressed" if gzipped else ""
    limits = bundle.limits
    ctx = FileContext(
        reading.path,
        info.account_id,
        info.region,
        info.item,
        None,
        policy_cache,
        max_policy_values=limits.max_policy_values,
        max_string_length=limits.max_string_length,
    )
    collected = Collector()
    items = Items(text, parser, max_string_length=limits.max_string_length)
    snapshot = info.item if kind is Kind.CONFIG_SNAPSHOT_FILE else None
    for index, item in items:
        read_item(
            item,
            ctx.ref("configurationItems", index),
            ctx,
            collected,
            kind=kind.value,
            file_account=info.account_id,
            region=info.region or "",
            snapshot=snapshot,
        )
    if not items.found_list:
        return reading.invalid_because(
            'not a Config delivered file: no "configurationItems" list',
            "copy the object again from the central bucket (aws s3 cp), byte for byte",
            kind=kind,
        )
    return finish(reading, kind, ctx, collected, [])
