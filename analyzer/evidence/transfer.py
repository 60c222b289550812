"""A share of a bundle, pickled to go from a worker process to the main one, several times faster than plain pickle.

Loading shares a directory bundle out by account folders (:func:`analyzer.evidence.loader.load_bundle`
on the pool of :mod:`analyzer.parallel`): a worker lists and reads a chunk of folders, resolves and
merges what they hold (:func:`analyzer.evidence.assembly.summarize`) and sends that one
:class:`Share` back: each account's finished evidence, the inventory rows and the evidence states.

Frozen dataclasses (the model's entities, rows and states) pickle through ``__getstate__`` /
``__setstate__`` methods that call ``dataclasses.fields()`` per object; here they pickle as their
class and field values and are rebuilt by setting the slots directly, several times faster.
Identical policy documents are one object per bundle when loaded in one process (the policy
cache, keyed by the document's canonical text); a worker sends the documents its share uses, then
the share referring to every document by that text, and the main process resolves each text to
its own object, so after the merge each text is still one object.
"""

from __future__ import annotations

import dataclasses
import io
import pickle
from collections.abc import Callable, Iterator
from operator import attrgetter
from types import ModuleType
from typing import Any

from analyzer.evidence.assembly import Share
from analyzer.evidence.readers import base as readers_base
from analyzer.evidence.readers.base import Collector
from analyzer.model import entities, evidence, policy, snapshot
from analyzer.model.policy import PolicyDocument

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


#: The field names of every frozen dataclass a worker may send.
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


def _pickler(file: io.BytesIO, keys: dict[int, str], used: set[str] | None = None) -> pickle.Pickler:
    """A pickler for frozen dataclasses by field values, and cached policy documents as their cache key
    (each key pickled is added to ``used``).

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
        if used is not None:
            used.add(key)
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
    """Resolves a worker's document keys against this process's policy cache."""

    def __init__(self, file: io.BytesIO, cache: dict[str, PolicyDocument]) -> None:
        super().__init__(file)
        self.cache = cache

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == "_shared_document":
            return self.cache.__getitem__
        return super().find_class(module, name)


def dump_share(share: Share, cache: dict[str, PolicyDocument], usage: tuple[int, int]) -> bytes:
    """A worker's answer: what it listed and expanded for this share (:attr:`Bundle.usage`), the
    documents of its policy cache the share uses, then the share, referring to them by their text."""
    used: set[str] = set()
    body = io.BytesIO()
    _pickler(body, {id(doc): text for text, doc in cache.items()}, used).dump(share)
    head = io.BytesIO()
    pickle.dump(usage, head, protocol=pickle.HIGHEST_PROTOCOL)
    _pickler(head, {}).dump({text: cache[text] for text in sorted(used)})
    return head.getvalue() + body.getvalue()


def load_share(payload: bytes, cache: dict[str, PolicyDocument]) -> tuple[Share, tuple[int, int]]:
    """The share and usage :func:`dump_share` wrote, its documents resolved against ``cache`` (this
    process's object wins, so each document text stays one object); ValueError when it is not one."""
    buffer = io.BytesIO(payload)
    listed, expanded = pickle.load(buffer)  # noqa: S301 - our own worker's answer
    for text, document in pickle.load(buffer).items():  # noqa: S301
        cache.setdefault(text, document)
    share = _ShareUnpickler(buffer, cache).load()
    if not isinstance(share, Share):
        raise ValueError(f"a worker sent {type(share).__name__}, not a share of the bundle")
    return share, (int(listed), int(expanded))


__all__ = ["dump_share", "load_share"]
