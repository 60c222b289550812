"""Load a bundle file by file into an immutable :class:`Snapshot` plus its inventory.

Each file goes through the same steps: read (size-limited) -> decode -> recognise its kind from
name and content -> place it (account, region) -> schema check -> read into the model -> pagination
check. A failure at any step makes that one file ``invalid`` (or ``ignored``) with a precise
reason; the rest of the bundle still loads. Raw documents are dropped as soon as a file is read,
so memory holds the normalized model, not the JSON.

Files are read in the container's order (one pass over a ``.tar.gz``), each into its own
:class:`Outcome`. Only then, in path order, are the outcomes resolved (:mod:`analyzer.evidence.assembly`):
when several files provide the same evidence, one wins and the others are reported, so the result
never depends on the archive's order.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from analyzer.evidence.activity_files import read_log_file
from analyzer.evidence.assembly import Share, combine, summarize
from analyzer.evidence.bundle import Bundle, BundleError, Limits, Member, MemberError
from analyzer.evidence.config_files import read_config_file
from analyzer.evidence.decode import (
    CONFIG_TEXT_KEYS,
    LONG_TEXT_KEYS,
    PLAIN_UTF8,
    DecodeError,
    DocumentParser,
    Duplicates,
    decode_text,
    overlong_string,
    refuse_dense,
)
from analyzer.evidence.layout import kind_from_content, kind_name, read_path
from analyzer.evidence.outcome import Outcome, Reading, duplicate_key_problems, finish
from analyzer.evidence.placement import content_accounts, place
from analyzer.evidence.readers import READERS, Collector, FileContext
from analyzer.evidence.readers.credentials import looks_like_report_csv
from analyzer.evidence.schemas import check_evidence
from analyzer.evidence.special import read_credential_csv, read_error_record, read_manifest
from analyzer.evidence.transfer import dump_share, load_share
from analyzer.model.kinds import CONFIG_ITEM_KINDS, Kind
from analyzer.model.policy import PolicyDocument
from analyzer.model.snapshot import Snapshot
from analyzer.parallel import Batch, chunked, resolve_jobs, worth_processes

_EVIDENCE_SUFFIXES = (".json", ".json.gz", ".csv", ".err")
_DELIVERED_CONFIG = frozenset({Kind.CONFIG_SNAPSHOT_FILE, Kind.CONFIG_HISTORY_FILE})
#: Kinds a file may be named as while its content says the other (an aggregator's answer is a select's).
_SAME_CONTENT = frozenset({frozenset({Kind.CONFIG_SELECT, Kind.CONFIG_SELECT_AGGREGATE})})


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


#: ``progress(done, total)``: how far the reading is (files read of the bundle's files in one process;
#: account folders read of the bundle's account folders when they are shared out over processes).
Progress = Callable[[int, int], None]

#: Files read between two progress reports.
PROGRESS_EVERY = 500

ReadMember = Callable[[Bundle, Member, dict[str, PolicyDocument]], Outcome]
#: A share of the bundle read by a worker, with what the worker listed and expanded to read it
#: (:attr:`Bundle.usage`); None: read by this process, which counted it already.
ReadShare = tuple[Share, tuple[int, int] | None]


def counted(members: list[Member], progress: Progress | None) -> Iterator[Member]:
    """``members`` one by one, telling ``progress`` how many were handed out every PROGRESS_EVERY
    files and at the end (for a terminal's progress bar; the snapshot is the same without it)."""
    total = len(members)
    for done, member in enumerate(members):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
        yield member
    if progress is not None:
        progress(total, total)


def load_bundle(
    path: Path | str, limits: Limits | None = None, *, jobs: int | None = None, progress: Progress | None = None
) -> Snapshot:
    """Read every file of a bundle. Raises :class:`BundleError` only when the bundle itself is unreadable.

    ``jobs``: the processes to read with (None: one per CPU, see :func:`analyzer.parallel.resolve_jobs`).
    A directory bundle with enough account folders is shared out over them by account folder (see
    :func:`_read_sharded`); the snapshot is the same either way. ``progress(done, total)``: told how
    far the reading is.
    """
    with collector_paused(), Bundle(Path(path), limits) as bundle:
        policy_cache: dict[str, PolicyDocument] = {}
        read = partial(read_member, parser=DocumentParser())
        jobs = resolve_jobs(jobs)
        folders = bundle.account_folders()  # none for an archive: its one file handle is not shared
        if worth_processes(len(folders), jobs):
            shares = _read_sharded(bundle, folders, jobs, policy_cache, read, progress)
        else:
            members = counted(bundle.members, progress)
            shares = [summarize([read(bundle, member, policy_cache) for member in members])]
        return combine(bundle.name, shares)


def _read_sharded(
    bundle: Bundle,
    folders: list[str],
    jobs: int,
    cache: dict[str, PolicyDocument],
    read: ReadMember,
    progress: Progress | None,
) -> list[Share]:
    """The shares of a directory bundle read by chunks of account folders on the pool of
    :mod:`analyzer.parallel` (forked now, before anything is listed), while this process reads the
    rest (the organization's folder, files at the top) and then the chunks no worker has taken.

    A worker summarizes its chunk (:func:`summarize`) and sends the share back
    (:mod:`analyzer.evidence.transfer`). The bundle's limits hold for all processes together: what
    each worker listed and expanded is added to this process's count (BundleError past a limit).
    Shares that overlap (a file outside a chunk describing one of its accounts, the same evidence in
    two chunks) are not joined: then this process reads the workers' chunks itself and resolves
    every file together, so the snapshot is always the one-process snapshot.
    """
    chunks = chunked(folders, jobs)
    read_here: dict[int, list[Outcome]] = {}  # id of a chunk -> its outcomes, when read here

    def in_worker(chunk: list[str]) -> ReadShare:
        before = bundle.usage
        share = summarize([read(bundle, member, cache) for member in bundle.scan(only=chunk)])
        listed, expanded = bundle.usage
        return share, (listed - before[0], expanded - before[1])

    def in_this_process(chunk: list[str]) -> ReadShare:
        outcomes = [read(bundle, member, cache) for member in bundle.scan(only=chunk)]
        read_here[id(chunk)] = list(outcomes)
        return summarize(outcomes), None

    def send(answer: ReadShare) -> bytes:
        share, usage = answer
        return dump_share(share, cache, usage or (0, 0))

    def receive(payload: bytes) -> ReadShare:
        return load_share(payload, cache)

    total = len(folders) + 1
    finished = [0]

    def chunk_done(chunk: list[str]) -> None:
        finished[0] += len(chunk)
        if progress is not None:
            progress(finished[0], total)

    batch = Batch(
        "reading the evidence",
        in_worker,
        chunks,
        jobs - 1,
        send=send,
        receive=receive,
        describe=_folders_named,
        answers=(BundleError,),
    )
    try:
        if progress is not None:
            progress(0, total)
        own = [read(bundle, member, cache) for member in bundle.scan(without=folders)]
        finished[0] += 1
        answers = batch.results(in_this_process, done=chunk_done)
    except BaseException:
        batch.cancel()
        raise
    shares = [summarize(list(own))]
    slots, accounts = set(shares[0].slots), set(shares[0].accounts)  # what the shares so far provide
    for share, _ in answers:
        if not (share.slots.isdisjoint(slots) and accounts.isdisjoint(share.accounts)):
            break
        shares.append(share)
        slots.update(share.slots)
        accounts.update(share.accounts)
    else:
        for _, usage in answers:
            if usage is not None:
                bundle.add_usage(*usage)
        return shares
    for chunk, (_, usage) in zip(chunks, answers, strict=True):
        if usage is not None:  # read by a worker: read again here
            read_here[id(chunk)] = [read(bundle, member, cache) for member in bundle.scan(only=chunk)]
    return [summarize(own + [outcome for chunk in chunks for outcome in read_here[id(chunk)]])]


def _folders_named(chunk: list[str]) -> str:
    return f"account folders {chunk[0]} to {chunk[-1]}" if len(chunk) > 1 else f"account folder {chunk[0]}"


# --------------------------------------------------------------------------- one file


def read_member(
    bundle: Bundle, member: Member, policy_cache: dict[str, PolicyDocument], parser: DocumentParser | None = None
) -> Outcome:
    """Everything one member yields; never raises for a bad file (only BundleError for a hostile archive).

    ``parser``: one for all the files a process reads (made here when not given).
    """
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
    if reading.info.kind is Kind.CT_LOG_FILE and not reading.info.error_record:
        outcome = read_log_file(reading, data, bundle)
        outcome.content = reading.content or reading.sha
        return outcome
    try:
        if reading.info.kind in _DELIVERED_CONFIG and not reading.info.error_record:
            outcome = read_config_file(reading, data, bundle, policy_cache, parser or DocumentParser())
        else:
            outcome = _read_content(reading, data, bundle, policy_cache, parser or DocumentParser())
    except DecodeError as exc:
        outcome = reading.invalid_because(exc.message, exc.hint, exc.pointer)
    except RecursionError:
        outcome = reading.invalid_because(
            "JSON nested too deeply to be an AWS export", "this is not the output of an AWS CLI command"
        )
    except BundleError:
        raise
    except Exception as exc:  # one bad file never stops the rest, whatever is wrong with it
        outcome = reading.invalid_because(
            f"the file could not be read ({type(exc).__name__}: {exc})",
            "check the file; if it is a genuine AWS export, report this as a trustmap bug",
        )
    outcome.content = reading.content or reading.sha
    return outcome


def _read_content(
    reading: Reading, data: bytes, bundle: Bundle, policy_cache: dict[str, PolicyDocument], parser: DocumentParser
) -> Outcome:
    info = reading.info
    limits = bundle.limits
    raw, gzipped = bundle.expand(data)  # a .json.gz's content counts against the bundle's expanded bytes
    if gzipped:
        reading.content = hashlib.sha256(raw).hexdigest()
    text, encoding = decode_text(raw)
    notes = (["gzip-compressed"] if gzipped else []) + ([f"read as {encoding}"] if encoding != PLAIN_UTF8 else [])
    reading.note = ", ".join(notes)
    if info.error_record:
        if len(text) > limits.max_string_length:
            raise _overlong("", len(text), limits.max_string_length, "an error record")
        return read_error_record(reading, text)
    if info.csv or (info.kind is Kind.IAM_CREDENTIAL_REPORT and looks_like_report_csv(text)):
        return read_credential_csv(reading, text, policy_cache, limits.max_string_length)
    refuse_dense(text, limits.max_json_containers)
    document, duplicates = parser.parse(text)
    if len(text) > limits.max_string_length:  # else no string in it can be that long
        if (info.kind or kind_from_content(document)) in CONFIG_ITEM_KINDS:
            # Config's answers hold documents as text: each is checked once parsed (select rows too)
            rest = {k: v for k, v in document.items() if k != "Results"} if isinstance(document, dict) else document
            _refuse_overlong_strings(rest, limits.max_string_length, CONFIG_TEXT_KEYS)
        else:
            _refuse_overlong_strings(document, limits.max_string_length)
    del text, raw
    if info.kind is Kind.MANIFEST and "/" not in reading.path:
        if duplicates:
            return reading.invalid(duplicate_key_problems(document, duplicates), kind=Kind.MANIFEST)
        return read_manifest(reading, document)
    return _read_document(reading, document, duplicates, policy_cache, limits)


def _overlong(pointer: str, length: int, limit: int, what: str = "a string") -> DecodeError:
    return DecodeError(
        f"{what} of {length:,} characters, over the {limit:,}-character limit for one value "
        "(AWS names, ARNs and policy elements are far shorter)",
        "this is not an AWS export as written; raise --max-string-length if the file is genuine",
        pointer,
    )


def _refuse_overlong_strings(document: Any, limit: int, allowed: frozenset[str] = LONG_TEXT_KEYS) -> None:
    """DecodeError at the first string (or key) of ``document`` longer than ``limit`` characters,
    but for whole documents held as text (:data:`~analyzer.evidence.decode.LONG_TEXT_KEYS`).

    A role name of 10 MB is not an AWS export; taken as one, it was copied into every finding and
    report that names the role (7.6 s, 2.25 GB and 972 MB of reports for one such name). The file
    is invalid instead, so every check that needs it is not evaluated.
    """
    found = overlong_string(document, limit, allowed)
    if found is not None:
        raise _overlong(*found, limit)


def _read_document(
    reading: Reading,
    document: Any,
    duplicates: Duplicates,
    policy_cache: dict[str, PolicyDocument],
    limits: Limits,
) -> Outcome:
    info = reading.info
    found = kind_from_content(document)
    kind = info.kind or found
    if kind is None:
        return reading.ignored("neither the file name nor its top-level keys match an evidence kind trustmap reads")
    if found in _DELIVERED_CONFIG and info.kind is None:
        return reading.ignored(
            "a Config snapshot or history file is read from its place in a copy of the bucket's AWSLogs/ tree "
            "(AWSLogs/<account>/Config/<region>/YYYY/M/D/ConfigSnapshot|ConfigHistory/<the name Config gave it>)",
            kind=found,
        )
    if (
        found is not None
        and info.kind is not None
        and found is not info.kind
        and frozenset({found, info.kind}) not in _SAME_CONTENT
    ):
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
    if duplicates:
        return reading.invalid(duplicate_key_problems(document, duplicates), kind=kind, account=account, region=region)
    schema = check_evidence(kind_name(kind), document)
    if schema.verdict:
        problems = (*schema.verdict, *schema.element, *schema.warnings)
        return reading.invalid(problems, kind=kind, account=account, region=region)
    ctx = FileContext(
        reading.path,
        account,
        region,
        info.item,
        None,
        policy_cache,
        max_policy_values=limits.max_policy_values,
        max_string_length=limits.max_string_length,
    )
    ctx.problems.extend((*schema.element, *schema.warnings))
    collected = Collector()
    READERS[kind](document, ctx, collected)
    return finish(reading, kind, ctx, collected, pagination_markers(document))


def pagination_markers(document: Any) -> list[str]:
    """The pagination keys that say more results remain (``IsTruncated: true``, a Marker, a NextToken)."""
    if not isinstance(document, dict):
        return []
    found = ["IsTruncated"] if document.get("IsTruncated") is True else []
    found.extend(k for k in ("Marker", "NextToken", "NextContinuationToken", "nextToken") if document.get(k))
    if document.get("unprocessedResourceKeys"):  # batch-get-resource-config: keys left for a retry
        found.append("unprocessedResourceKeys")
    return found


__all__ = ["collector_paused", "load_bundle", "pagination_markers", "read_member"]
