"""Reading a large directory bundle on two cores: a forked child reads part of the files.

Reading a file is mostly Python work (decode, schema check, readers, inventory row), about a
hundred microseconds per file, and an organization's bundle holds tens of thousands of small
files. The child, forked after the directory is listed, reads its share of the members and sends
the outcomes back as one pickle; the parent reads the rest meanwhile and then unpickles the
child's, which costs a fraction of reading them. (A process pool that pickles per task, with
spawn start-up and imports, loses more than it gains.)

Identical policy documents are one object per bundle when loaded in one process (the policy
cache, keyed by the document's canonical text); the child sends its new documents first and
then refers to every document by that text, so after the merge each text is still one object.

Used only where it is safe and pays: directory bundles (an archive's single file handle must not
be shared by two processes), platforms with ``os.fork``, and enough files. Anything going wrong
in the child (it dies, or sends nothing usable) makes the parent read the child's share itself,
so the result is always exactly the single-process result.
"""

from __future__ import annotations

import io
import os
import pickle
import signal
from collections.abc import Callable, Sequence
from typing import Any

from analyzer.evidence.bundle import Bundle, Member
from analyzer.evidence.outcome import Outcome
from analyzer.evidence.readers.base import _ACCOUNT_FIELDS, _COLLECTOR_FIELDS, AccountParts, Collector
from analyzer.model.policy import PolicyDocument

#: Below this many members one process is faster than forking, pickling and merging.
MIN_PARALLEL_MEMBERS = 4000
#: The child's share of the members: it also pickles its outcomes, which costs more than
#: unpickling them costs the parent.
CHILD_SHARE = 0.42

ReadMember = Callable[[Bundle, Member, dict[str, PolicyDocument]], Outcome]


def can_split(bundle: Bundle, members: int) -> bool:
    """Whether reading this bundle in two processes is possible and worth it."""
    return hasattr(os, "fork") and not bundle.is_archive and members >= MIN_PARALLEL_MEMBERS


def _shared_document(text: str) -> PolicyDocument:  # pragma: no cover - replaced by the unpickler
    raise RuntimeError("policy documents are resolved by _OutcomeUnpickler")


def _pickler(file: io.BytesIO, keys: dict[int, str]) -> pickle.Pickler:
    """A pickler that writes every cached policy document as its cache key.

    A per-pickler ``dispatch_table`` entry: the C pickler looks the type up itself and calls back
    into Python only for policy documents, not for every object.
    """

    def reduce_document(document: PolicyDocument) -> Any:
        key = keys.get(id(document))
        if key is None:  # not from the cache: pickled as it is
            return document.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
        return _shared_document, (key,)

    empty_parts, empty_collector = AccountParts(), Collector()

    def reduce_parts(parts: AccountParts) -> Any:
        return _rebuild_parts, (_changed(parts, empty_parts, _ACCOUNT_FIELDS),)

    def reduce_collector(collector: Collector) -> Any:
        return _rebuild_collector, (dict(collector.accounts), _changed(collector, empty_collector, _COLLECTOR_FIELDS))

    pickler = pickle.Pickler(file, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {PolicyDocument: reduce_document, AccountParts: reduce_parts, Collector: reduce_collector}
    return pickler


# A file's collector fills one or two of its many fields: only those are sent.


def _changed(value: object, empty: object, names: tuple[str, ...]) -> tuple[tuple[str, Any], ...]:
    """(name, value) of the fields that differ from a new, empty instance's."""
    return tuple((name, item) for name in names if (item := getattr(value, name)) != getattr(empty, name))


def _rebuild_parts(changed: tuple[tuple[str, Any], ...]) -> AccountParts:
    return AccountParts(**dict(changed))


def _rebuild_collector(accounts: dict[str, AccountParts], filled: tuple[tuple[str, Any], ...]) -> Collector:
    collector = Collector(**dict(filled))
    collector.accounts.update(accounts)
    return collector


class _OutcomeUnpickler(pickle.Unpickler):
    """Resolves the child's document keys against the parent's policy cache."""

    def __init__(self, file: io.BytesIO, cache: dict[str, PolicyDocument]) -> None:
        super().__init__(file)
        self.cache = cache

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == "_shared_document":
            return self.cache.__getitem__
        return super().find_class(module, name)


def _dump(outcomes: list[Outcome], cache: dict[str, PolicyDocument], known: frozenset[str]) -> bytes:
    """The child's answer: the documents the parent did not have at fork time, then the outcomes."""
    buffer = io.BytesIO()
    new_documents = {text: doc for text, doc in cache.items() if text not in known}
    pickle.dump(new_documents, buffer, protocol=pickle.HIGHEST_PROTOCOL)
    _pickler(buffer, {id(doc): text for text, doc in cache.items()}).dump(outcomes)
    return buffer.getvalue()


def _load(payload: bytes, cache: dict[str, PolicyDocument]) -> list[Outcome]:
    buffer = io.BytesIO(payload)
    for text, document in pickle.load(buffer).items():  # noqa: S301 - our own child, over our own pipe
        cache.setdefault(text, document)  # the parent's object wins: one object per text
    outcomes: list[Outcome] = _OutcomeUnpickler(buffer, cache).load()
    return outcomes


def _child(
    write_end: int, bundle: Bundle, members: Sequence[Member], cache: dict[str, PolicyDocument], read: ReadMember
) -> None:
    """Runs in the forked child: read, send, and leave without running the parent's cleanup."""
    status = 1
    try:
        known = frozenset(cache)
        outcomes = [read(bundle, member, cache) for member in members]
        payload = _dump(outcomes, cache, known)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        status = 0
    finally:
        os._exit(status)


def read_split(
    bundle: Bundle, members: Sequence[Member], cache: dict[str, PolicyDocument], read: ReadMember
) -> list[Outcome]:
    """Every member's outcome, read by this process and a forked child; the order is not kept."""
    cut = len(members) - int(len(members) * CHILD_SHARE)
    mine, theirs = members[:cut], members[cut:]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child leaves through os._exit
        os.close(read_end)
        _child(write_end, bundle, theirs, cache, read)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        try:
            outcomes = [read(bundle, member, cache) for member in mine]
            payload = pipe.read()
        except BaseException:  # this process failed: do not leave the child behind
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise
    _, status = os.waitpid(pid, 0)
    try:
        received = _load(payload, cache) if status == 0 else None
    except Exception:  # a truncated or unreadable answer: read the child's share here instead
        received = None
    if received is None or len(received) != len(theirs):
        received = [read(bundle, member, cache) for member in theirs]
    return outcomes + received


__all__ = ["MIN_PARALLEL_MEMBERS", "can_split", "read_split"]
