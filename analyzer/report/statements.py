"""From an evidence reference back to the policy statement it names, with the deciding part marked.

Rules cite statements by ``EvidenceRef`` (file, JSON pointer, pointer inside an embedded
document). The report shows the statement as written: :class:`StatementIndex` maps every
statement of every :class:`PolicySource` in the snapshot to its reference once, and resolves a
reference that points at a statement or anywhere below it (``.../Condition/Bool``).
:func:`marked_segments` re-serializes the statement exactly as ``json.dumps(indent=2)`` did and
flags the part the reference points at, so the template can wrap it in ``<mark>`` without ever
treating evidence text as markup.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from analyzer.model.entities import AttachedPolicyRef
from analyzer.model.evidence import EvidenceRef
from analyzer.model.policy import PolicySource, Statement
from analyzer.model.snapshot import Snapshot

RefKey = tuple[str, str, str | None]


@dataclass(frozen=True, slots=True)
class StatementHit:
    source: PolicySource
    statement: Statement
    rest: tuple[str, ...]  # pointer tokens below the statement: the deciding part (empty: all of it)


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    marked: bool
    gap: bool = False  # stands for lines left out of a long statement


def _attached(refs: tuple[AttachedPolicyRef, ...], boundary: AttachedPolicyRef | None) -> Iterator[PolicySource]:
    for attached in (*refs, *((boundary,) if boundary else ())):
        if attached.policy is not None:
            yield attached.policy


def policy_sources(snapshot: Snapshot) -> Iterator[PolicySource]:
    """Every policy document the snapshot holds, each in its place (duplicates possible)."""
    for account in snapshot.accounts.values():
        for user in account.users:
            yield from user.inline_policies
            yield from _attached(user.attached_policies, user.boundary)
        for group in account.groups:
            yield from group.inline_policies
            yield from _attached(group.attached_policies, None)
        for role in account.roles:
            if role.trust_policy is not None:
                yield role.trust_policy
            yield from role.inline_policies
            yield from _attached(role.attached_policies, role.boundary)
        for managed in account.managed_policies:
            if managed.source is not None:
                yield managed.source
    for scp in snapshot.scps:
        yield scp.source
    for bucket in snapshot.bucket_policies:
        yield bucket.source


def _key(ref: EvidenceRef) -> RefKey:
    return (ref.file, ref.pointer, ref.inner)


def _tokens(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def _join(tokens: list[str]) -> str:
    return "".join("/" + t.replace("~", "~0").replace("/", "~1") for t in tokens)


class StatementIndex:
    """``{statement reference: (source, statement)}`` over the whole snapshot, built once."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._by_ref: dict[RefKey, tuple[PolicySource, Statement]] = {}
        for source in policy_sources(snapshot):
            for statement in source.document.statements:
                self._by_ref.setdefault(_key(source.statement_ref(statement)), (source, statement))

    def __len__(self) -> int:
        return len(self._by_ref)

    def resolve(self, ref: EvidenceRef) -> StatementHit | None:
        """The statement at ``ref`` or the nearest statement above it; None when it names none."""
        inside = ref.inner is not None
        tokens = _tokens(ref.inner if inside and ref.inner is not None else ref.pointer)
        for cut in range(len(tokens), -1, -1):
            head = _join(tokens[:cut])
            key: RefKey = (ref.file, ref.pointer, head) if inside else (ref.file, head, None)
            found = self._by_ref.get(key)
            if found is not None:
                return StatementHit(found[0], found[1], tuple(tokens[cut:]))
        return None


def _scalar(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _walk(value: Any, path: tuple[str, ...], target: tuple[str, ...], indent: int) -> Iterator[Segment]:
    """Serialize like ``json.dumps(value, indent=2, ensure_ascii=False)``; mark the node at ``target``."""
    if path == target and path:
        yield Segment(json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + " " * indent), True)
        return
    pad = " " * (indent + 2)
    if isinstance(value, dict) and value:
        yield Segment("{\n", False)
        for index, (key, item) in enumerate(value.items()):
            child = (*path, str(key))
            if child == target:
                yield Segment(pad, False)
                body = json.dumps(item, indent=2, ensure_ascii=False).replace("\n", "\n" + pad)
                yield Segment(f"{_scalar(key)}: {body}", True)
            else:
                yield Segment(f"{pad}{_scalar(key)}: ", False)
                yield from _walk(item, child, target, indent + 2)
            yield Segment(",\n" if index < len(value) - 1 else "\n", False)
        yield Segment(" " * indent + "}", False)
    elif isinstance(value, list) and value:
        yield Segment("[\n", False)
        for index, item in enumerate(value):
            yield Segment(pad, False)
            yield from _walk(item, (*path, str(index)), target, indent + 2)
            yield Segment(",\n" if index < len(value) - 1 else "\n", False)
        yield Segment(" " * indent + "]", False)
    else:
        yield Segment(_scalar(value), False)


def _deepest(value: Any, rest: tuple[str, ...]) -> tuple[str, ...]:
    """The longest prefix of ``rest`` that exists in ``value`` (AWS may cite a key by another case)."""
    found: list[str] = []
    for token in rest:
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isascii() and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            break
        found.append(token)
    return tuple(found)


def marked_segments(source_text: str, rest: tuple[str, ...]) -> list[Segment]:
    """The statement's text cut into plain and marked runs; joined, they equal ``source_text``."""
    try:
        value = json.loads(source_text)
    except ValueError:
        return [Segment(source_text, False)]
    target = _deepest(value, rest)
    if not target:
        return [Segment(source_text, False)]
    merged: list[Segment] = []
    for segment in _walk(value, (), target, 0):
        if merged and merged[-1].marked == segment.marked:
            merged[-1] = Segment(merged[-1].text + segment.text, segment.marked)
        else:
            merged.append(segment)
    if "".join(s.text for s in merged) != source_text:  # written differently: show it unmarked
        return [Segment(source_text, False)]
    return _unmark_indentation(merged)


def _unmark_indentation(segments: list[Segment]) -> list[Segment]:
    """Leave the indentation of a marked block's continuation lines unmarked: a cleaner highlight."""
    out: list[Segment] = []
    for segment in segments:
        if not segment.marked:
            out.append(segment)
            continue
        for index, line in enumerate(segment.text.split("\n")):
            if index:
                out.append(Segment("\n", False))
                body = line.lstrip(" ")
                if len(line) > len(body):
                    out.append(Segment(line[: len(line) - len(body)], False))
                line = body
            if line:
                out.append(Segment(line, True))
    merged: list[Segment] = []
    for segment in out:
        if merged and merged[-1].marked == segment.marked:
            merged[-1] = Segment(merged[-1].text + segment.text, segment.marked)
        else:
            merged.append(segment)
    return merged


def _lines(segments: list[Segment]) -> list[list[Segment]]:
    lines: list[list[Segment]] = [[]]
    for segment in segments:
        for index, part in enumerate(segment.text.split("\n")):
            if index:
                lines.append([])
            if part:
                lines[-1].append(Segment(part, segment.marked))
    return lines


def windowed(segments: list[Segment], limit: int = 60, context: int = 8) -> list[Segment]:
    """A long statement (a bucket policy listing a thousand accounts) cut to the lines around its
    marked part, or to its first lines when nothing is marked; each cut becomes a ``gap`` segment."""
    lines = _lines(segments)
    if len(lines) <= limit:
        return segments
    marked = [i for i, line in enumerate(lines) if any(s.marked for s in line)]
    keep: set[int] = set()
    for i in marked:
        keep.update(range(max(0, i - context), min(len(lines), i + context + 1)))
    if len(keep) > limit or not keep:
        first = marked[0] if marked else 0
        keep = set(range(max(0, first - context), min(len(lines), max(first - context, 0) + limit)))
    keep.update((0, len(lines) - 1))
    out: list[Segment] = []
    skipped = 0
    for i, line in enumerate(lines):
        if i not in keep:
            skipped += 1
            continue
        if skipped:
            out.append(Segment(f"… {skipped} lines not shown …", False, gap=True))
            out.append(Segment("\n", False))
            skipped = 0
        out.extend(line)
        if i < len(lines) - 1:
            out.append(Segment("\n", False))
    return out
