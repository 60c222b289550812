"""Load a bundle file by file into an immutable :class:`Snapshot` plus its inventory.

Each file goes through the same steps: read (size-limited) -> decode -> recognise its kind from
name and content -> place it (account, region) -> schema check -> read into the model -> pagination
check. A failure at any step makes that one file ``invalid`` (or ``ignored``) with a precise
reason; the rest of the bundle still loads. Raw documents are dropped as soon as a file is read,
so memory holds the normalized model, not the JSON.

Files are read in the container's order (one pass over a ``.tar.gz``), each into its own
:class:`Outcome`. Only then, in path order, are the outcomes resolved: when several files provide
the same evidence (same account, region, kind and item), one wins (a recorded export failure,
then a loaded file, then an incomplete one, then an invalid one; the first path on a tie) and the
others are reported, so the result never depends on the archive's order.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from analyzer.evidence.bundle import Bundle, BundleError, Limits, Member, MemberError
from analyzer.evidence.decode import PLAIN_UTF8, DecodeError, Duplicates, decode_text, decompress_if_gzip, loads_json
from analyzer.evidence.layout import ACCOUNT_RE, Slot, kind_from_content, read_path
from analyzer.evidence.outcome import Outcome, Reading, finish, summary
from analyzer.evidence.parallel import can_split, read_split
from analyzer.evidence.placement import content_accounts, place
from analyzer.evidence.readers import READERS, Collector, FileContext
from analyzer.evidence.readers.base import merge_into
from analyzer.evidence.readers.credentials import looks_like_report_csv
from analyzer.evidence.schemas import check as schema_check
from analyzer.evidence.snapshot_builder import build_snapshot
from analyzer.evidence.special import read_credential_csv, read_error_record, read_manifest
from analyzer.evidence.timestamps import parse_ts
from analyzer.model.evidence import EvidenceRef, EvidenceState
from analyzer.model.kinds import Kind
from analyzer.model.policy import PolicyDocument
from analyzer.model.snapshot import FileStatus, InventoryRow, Manifest, Problem, Snapshot

_EVIDENCE_SUFFIXES = (".json", ".json.gz", ".csv", ".err")

#: Which of several files providing the same evidence wins (lowest first; then the first path).
#: A recorded failure beats data: an export that says the call failed must not be overruled by a
#: stale copy of its output.
_PREFERENCE = {
    FileStatus.ERROR_RECORD: 0,
    FileStatus.LOADED: 1,
    FileStatus.INCOMPLETE: 2,
    FileStatus.INVALID: 3,
}


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a bundle loads, then restore it as it was.

    Loading creates hundreds of thousands of long-lived objects and no reference cycles; the
    collector would walk all of them again and again as they accumulate (a fifth of the load time
    on a 13,000-file bundle) and find nothing to free. Reference counting still frees every
    temporary document as soon as its file is read. The analysis pipeline pauses it the same way
    for the graph, the rules and the reports (see :mod:`analyzer.pipeline`).

    On the way out the objects made meanwhile are moved to the oldest generation (``gc.freeze``
    then ``gc.unfreeze``, both constant time): left in the youngest, the first collection after the
    pause would walk millions of them at once. They stay collectable by a full collection.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def load_bundle(path: Path | str, limits: Limits | None = None, *, parallel: bool | None = None) -> Snapshot:
    """Read every file of a bundle. Raises :class:`BundleError` only when the bundle itself is unreadable.

    ``parallel``: read a directory bundle in two processes (see :mod:`analyzer.evidence.parallel`);
    None decides by the bundle's size. The snapshot is the same either way.
    """
    with collector_paused(), Bundle(Path(path), limits) as bundle:
        policy_cache: dict[str, PolicyDocument] = {}
        members = bundle.members
        split = can_split(bundle, len(members)) if parallel is None else parallel and can_split(bundle, 0)
        if split:
            outcomes = read_split(bundle, members, policy_cache, read_member)
        else:
            outcomes = [read_member(bundle, member, policy_cache) for member in members]
        name = bundle.name
        return _assemble(name, outcomes)


# --------------------------------------------------------------------------- one file


def read_member(bundle: Bundle, member: Member, policy_cache: dict[str, PolicyDocument]) -> Outcome:
    """Everything one member yields; never raises for a bad file (only BundleError for a hostile archive)."""
    reading = Reading(member, read_path(member.path))
    if member.problem:
        return reading.ignored(member.problem) if member.skip else reading.invalid_because(member.problem)
    if not member.path.endswith(_EVIDENCE_SUFFIXES):
        return reading.ignored("not an evidence file (.json, .json.gz, .csv or .err expected)")
    try:
        data = bundle.read(member.path, member.size)
    except MemberError as exc:
        return reading.invalid_because(str(exc), "re-create the bundle")
    reading.sha = hashlib.sha256(data).hexdigest()
    try:
        return _read_content(reading, data, bundle.limits, policy_cache)
    except DecodeError as exc:
        return reading.invalid_because(exc.message, exc.hint, exc.pointer)
    except RecursionError:
        return reading.invalid_because(
            "JSON nested too deeply to be an AWS export", "this is not the output of an AWS CLI command"
        )
    except BundleError:
        raise
    except Exception as exc:  # one bad file never stops the rest, whatever is wrong with it
        return reading.invalid_because(
            f"the file could not be read ({type(exc).__name__}: {exc})",
            "check the file; if it is a genuine AWS export, report this as a trustmap bug",
        )


def _read_content(reading: Reading, data: bytes, limits: Limits, policy_cache: dict[str, PolicyDocument]) -> Outcome:
    info = reading.info
    raw, gzipped = decompress_if_gzip(data, limits.max_member_bytes)
    text, encoding = decode_text(raw)
    notes = (["gzip-compressed"] if gzipped else []) + ([f"read as {encoding}"] if encoding != PLAIN_UTF8 else [])
    reading.note = ", ".join(notes)
    if info.error_record:
        return read_error_record(reading, text)
    if info.csv or (info.kind is Kind.IAM_CREDENTIAL_REPORT and looks_like_report_csv(text)):
        return read_credential_csv(reading, text, policy_cache)
    duplicates = Duplicates()
    document = loads_json(text, duplicates)
    del text, raw
    if info.kind is Kind.MANIFEST and "/" not in reading.path:
        return read_manifest(reading, document)
    return _read_document(reading, document, duplicates, policy_cache)


def _read_document(
    reading: Reading, document: Any, duplicates: Duplicates, policy_cache: dict[str, PolicyDocument]
) -> Outcome:
    info = reading.info
    found = kind_from_content(document)
    kind = info.kind or found
    if kind is None:
        return reading.ignored("neither the file name nor its top-level keys match an evidence kind trustmap reads")
    if found is not None and info.kind is not None and found is not info.kind:
        return reading.invalid_because(
            f"named as {info.kind.value} but holds {found.value} output",
            "rename or move the file to where its content belongs",
        )
    if kind is Kind.MANIFEST:
        return reading.ignored("manifest facts are read only from manifest.json at the top of the bundle", kind=kind)
    placed = place(reading, kind, content_accounts(kind, document))
    if isinstance(placed, Outcome):
        return placed
    account, region = placed
    problems = schema_check(kind.value, document)
    if problems:
        return reading.invalid(problems, kind=kind, account=account, region=region)
    ctx = FileContext(reading.path, account, region, info.item, duplicates, policy_cache)
    collected = Collector()
    READERS[kind](document, ctx, collected)
    for where, keys in duplicates.take(document):
        ctx.problem(
            EvidenceRef(reading.path, where),
            f"duplicate key(s) {', '.join(map(repr, keys))}: JSON readers keep only the last value",
            "remove the duplicate from the file",
        )
    return finish(reading, kind, ctx, collected, pagination_markers(document))


def pagination_markers(document: Any) -> list[str]:
    """The pagination keys that say more results remain (``IsTruncated: true``, a Marker, a NextToken)."""
    if not isinstance(document, dict):
        return []
    found = ["IsTruncated"] if document.get("IsTruncated") is True else []
    found.extend(k for k in ("Marker", "NextToken") if document.get(k))
    return found


# --------------------------------------------------------------------------- the whole bundle


def _superseded(loser: Outcome, winner: Outcome) -> InventoryRow:
    """The row of a file whose evidence another file provides; invalid rows keep their own reason."""
    row = loser.row
    if row.status is FileStatus.INVALID:
        return row
    if winner.row.status is FileStatus.ERROR_RECORD and row.status is not FileStatus.ERROR_RECORD:
        message = f"superseded by {winner.row.path}, which records that this export call failed"
        hint = "the bundle holds both the output and a failure of the same call; delete the stale file"
    else:
        message = f"duplicate: {winner.row.path} already provides this evidence, so this file is not used"
        hint = "keep one file per command, account and region"
    problems = (Problem("", message, hint), *row.problems)
    return dataclasses.replace(row, status=FileStatus.INVALID, reason=summary(problems), problems=problems)


def _assemble(name: str, outcomes: list[Outcome]) -> Snapshot:
    outcomes.sort(key=lambda o: o.row.path)
    winners: dict[Slot, Outcome] = {}
    for outcome in outcomes:
        if outcome.slot is None:
            continue
        best = winners.get(outcome.slot)
        if best is None or _PREFERENCE[outcome.row.status] < _PREFERENCE[best.row.status]:
            winners[outcome.slot] = outcome
    collector = Collector()
    states: dict[Slot, EvidenceState] = {}
    rows: list[InventoryRow] = []
    manifest_raw: dict[str, Any] | None = None
    digest = hashlib.sha256()
    for outcome in outcomes:
        row = outcome.row
        if outcome.slot is not None and winners[outcome.slot] is not outcome:
            row = _superseded(outcome, winners[outcome.slot])
        else:
            if outcome.collected is not None:
                merge_into(collector, outcome.collected)
            if outcome.slot is not None and outcome.state is not None:
                states[outcome.slot] = outcome.state
            manifest_raw = outcome.manifest if outcome.manifest is not None else manifest_raw
        rows.append(row)
        digest.update(f"{row.path}\0{row.sha256}\n".encode())
    return build_snapshot(
        name=name,
        sha256=digest.hexdigest(),
        manifest=_manifest(manifest_raw, collector),
        collector=collector,
        rows=tuple(rows),
        states=states,
    )


def _manifest(raw: dict[str, Any] | None, collector: Collector) -> Manifest:
    """The bundle's manifest (schema-valid, or absent), with the collection time from the credential
    reports when the manifest does not say."""
    raw = raw or {}
    try:
        collected = parse_ts(raw.get("collected_at"))
    except ValueError:
        collected = None
    source = "manifest" if collected else "unknown"
    if collected is None:
        generated = [
            p.credential_report.generated
            for p in collector.accounts.values()
            if p.credential_report and p.credential_report.generated
        ]
        if generated:
            collected, source = max(generated), "credential-report"
    identity = raw.get("identity_account")
    bucket = raw.get("log_bucket")
    partition = raw.get("partition")
    return Manifest(
        collected_at=collected,
        collected_at_source=source,
        identity_account=identity if isinstance(identity, str) and ACCOUNT_RE.fullmatch(identity) else None,
        log_bucket=bucket if isinstance(bucket, str) and bucket else None,
        partition=partition if partition in ("aws", "aws-cn", "aws-us-gov") else "aws",
    )


__all__ = ["collector_paused", "load_bundle", "pagination_markers", "read_member"]
