"""Reading a large directory bundle on two cores: a forked child reads part of the account folders.

Reading a file is mostly Python work (decode, schema check, readers, inventory row), tens of
microseconds per file, and an organization's bundle holds tens of thousands of small files. The
bundle is shared out by its top-level account folders: the child, forked before anything is
listed, lists and reads its folders, resolves and merges what they hold
(:func:`analyzer.evidence.assembly.summarize`) and sends that one :class:`Share` back as a pickle;
the parent lists and reads the rest meanwhile, then joins the two shares. The child sends each
account's finished evidence, the inventory rows and the evidence states, not one outcome per file.
(A process pool that pickles per task, with spawn start-up and imports, loses more than it gains.)

Frozen dataclasses (the model's entities, rows and states) pickle through ``__getstate__`` /
``__setstate__`` methods that call ``dataclasses.fields()`` per object; here they pickle as their
class and field values and are rebuilt by setting the slots directly, several times faster.
Identical policy documents are one object per bundle when loaded in one process (the policy
cache, keyed by the document's canonical text); the child sends its new documents first and
then refers to every document by that text, so after the merge each text is still one object.

Used only where it is safe and pays: directory bundles (an archive's single file handle must not
be shared by two processes), platforms with ``os.fork``, and enough account folders. Anything
going wrong in the child (it dies, or sends nothing usable), or shares that overlap (a file
outside the child's folders describing one of its accounts, or the same evidence in both), makes
the parent read the child's folders itself and resolve everything together, so the result is
always exactly the single-process result.
"""

from __future__ import annotations

import dataclasses
import io
import os
import pickle
import signal
from collections.abc import Callable, Iterator
from operator import attrgetter
from types import ModuleType
from typing import Any

from analyzer.evidence.assembly import Share, summarize
from analyzer.evidence.bundle import Bundle, Member
from analyzer.evidence.outcome import Outcome
from analyzer.evidence.readers import base as readers_base
from analyzer.evidence.readers.base import Collector
from analyzer.model import entities, evidence, policy, snapshot
from analyzer.model.policy import PolicyDocument

#: Below this many account folders one process is faster than forking, pickling and merging
#: (an organization's account folder holds about 80 files with 15 regions).
MIN_PARALLEL_ACCOUNTS = 40
#: The child's share of the account folders: it also pickles its share, which costs more than
#: unpickling it costs the parent; the parent reads the organization's folder and the rest.
CHILD_SHARE = 0.45

ReadMember = Callable[[Bundle, Member, dict[str, PolicyDocument]], Outcome]


def child_folders(bundle: Bundle, *, forced: bool | None = None) -> frozenset[str]:
    """The top-level folders a forked child should read; none when the bundle is read in one process.

    ``forced``: True splits whenever possible (two account folders or more), False never, None
    when the bundle is large enough to gain from it.
    """
    if forced is False or not hasattr(os, "fork") or bundle.is_archive:
        return frozenset()
    folders = bundle.account_folders()
    if len(folders) < (2 if forced else MIN_PARALLEL_ACCOUNTS):
        return frozenset()
    return frozenset(folders[len(folders) - max(1, int(len(folders) * CHILD_SHARE)) :])


# --------------------------------------------------------------------------- pickling


def _frozen_classes(modules: tuple[ModuleType, ...]) -> Iterator[tuple[type, tuple[str, ...]]]:
    """(class, field names) of the frozen slotted dataclasses defined in ``modules``."""
    for module in modules:
        for value in vars(module).values():
            if not (isinstance(value, type) and dataclasses.is_dataclass(value)) or value.__module__ != module.__name__:
                continue
            names = tuple(spec.name for spec in dataclasses.fields(value))
            slotted = set(value.__dict__.get("__slots__", ())) == set(names)
            if value.__dataclass_params__.frozen and slotted:  # type: ignore[attr-defined]
                yield value, names


#: The field names of every frozen dataclass the child may send.
_FIELDS: dict[type, tuple[str, ...]] = dict(_frozen_classes((entities, evidence, policy, snapshot, readers_base)))
#: Their slot setters, in field order (they set a frozen instance's slot directly).
_SETTERS: dict[type, tuple[Callable[[Any, Any], None], ...]] = {
    cls: tuple(getattr(cls, name).__set__ for name in names) for cls, names in _FIELDS.items()
}


def _rebuild(cls: type, values: Any) -> Any:
    """A frozen dataclass instance from its field values, without ``__init__`` (the values are final)."""
    instance: Any = object.__new__(cls)
    if len(_SETTERS[cls]) == 1:
        values = (values,)
    for set_field, value in zip(_SETTERS[cls], values, strict=True):
        set_field(instance, value)
    return instance


def _shared_document(text: str) -> PolicyDocument:  # pragma: no cover - replaced by the unpickler
    raise RuntimeError("policy documents are resolved by _ShareUnpickler")


def _rebuild_collector(accounts: dict[str, Any], filled: dict[str, Any]) -> Collector:
    collector = Collector(**filled)
    collector.accounts.update(accounts)
    return collector


def _pickler(file: io.BytesIO, keys: dict[int, str]) -> pickle.Pickler:
    """A pickler for frozen dataclasses by field values, and cached policy documents as their cache key.

    A per-pickler ``dispatch_table``: the C pickler looks the type up itself and calls back into
    Python only for the types listed.
    """

    def by_fields(cls: type) -> Callable[[Any], Any]:
        get = attrgetter(*_FIELDS[cls])
        return lambda value: (_rebuild, (cls, get(value)))

    table: dict[type, Callable[[Any], Any]] = {cls: by_fields(cls) for cls in _SETTERS}
    document_by_value = table[PolicyDocument]

    def reduce_document(document: PolicyDocument) -> Any:
        key = keys.get(id(document))
        if key is None:  # not from the cache: pickled as it is
            return document_by_value(document)
        return _shared_document, (key,)

    def reduce_collector(collector: Collector) -> Any:  # its accounts factory is a lambda
        filled = {name: value for name, value in vars(collector).items() if name != "accounts"}
        return _rebuild_collector, (dict(collector.accounts), filled)

    table[PolicyDocument] = reduce_document
    table[Collector] = reduce_collector
    pickler = pickle.Pickler(file, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = table
    return pickler


class _ShareUnpickler(pickle.Unpickler):
    """Resolves the child's document keys against the parent's policy cache."""

    def __init__(self, file: io.BytesIO, cache: dict[str, PolicyDocument]) -> None:
        super().__init__(file)
        self.cache = cache

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == "_shared_document":
            return self.cache.__getitem__
        return super().find_class(module, name)


def _dump(share: Share, cache: dict[str, PolicyDocument], known: frozenset[str], usage: tuple[int, int]) -> bytes:
    """The child's answer: what it listed and expanded (:attr:`Bundle.usage`), the documents the parent
    did not have at fork time, then the share."""
    buffer = io.BytesIO()
    pickle.dump(usage, buffer, protocol=pickle.HIGHEST_PROTOCOL)
    _pickler(buffer, {}).dump({text: doc for text, doc in cache.items() if text not in known})
    _pickler(buffer, {id(doc): text for text, doc in cache.items()}).dump(share)
    return buffer.getvalue()


def _load(payload: bytes, cache: dict[str, PolicyDocument]) -> tuple[Share, tuple[int, int]] | None:
    buffer = io.BytesIO(payload)
    listed, expanded = pickle.load(buffer)  # noqa: S301 - our own child, over our own pipe
    for text, document in pickle.load(buffer).items():  # noqa: S301
        cache.setdefault(text, document)  # the parent's object wins: one object per text
    share = _ShareUnpickler(buffer, cache).load()
    return (share, (int(listed), int(expanded))) if isinstance(share, Share) else None


# --------------------------------------------------------------------------- the two processes


def _child(
    write_end: int, bundle: Bundle, folders: frozenset[str], cache: dict[str, PolicyDocument], read: ReadMember
) -> None:
    """Runs in the forked child: list, read, resolve, send, and leave without running the parent's cleanup."""
    status = 1
    try:
        known = frozenset(cache)
        share = summarize([read(bundle, member, cache) for member in bundle.scan(only=folders)])
        payload = _dump(share, cache, known, bundle.usage)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        status = 0
    finally:
        os._exit(status)


#: ``progress(done, total)``: how far a process is through the files it reads.
Progress = Callable[[int, int], None]

#: Files read between two progress reports.
PROGRESS_EVERY = 500


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


def read_split(
    bundle: Bundle,
    folders: frozenset[str],
    cache: dict[str, PolicyDocument],
    read: ReadMember,
    progress: Progress | None = None,
) -> list[Share]:
    """The shares of a bundle read by this process and a forked child that reads ``folders``.

    The bundle's limits hold for the two together: what the child listed and expanded is added to
    this process's count (BundleError past a limit), as if one process had read everything.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child leaves through os._exit
        os.close(read_end)
        _child(write_end, bundle, folders, cache, read)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        try:
            outcomes = [read(bundle, member, cache) for member in counted(bundle.scan(without=folders), progress)]
            own = summarize(outcomes)
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
    if received is not None and not own.overlaps(received[0]):
        bundle.add_usage(*received[1])
        return [own, received[0]]
    outcomes.extend(read(bundle, member, cache) for member in bundle.scan(only=folders))
    return [summarize(outcomes)]


__all__ = ["CHILD_SHARE", "MIN_PARALLEL_ACCOUNTS", "Progress", "child_folders", "counted", "read_split"]
