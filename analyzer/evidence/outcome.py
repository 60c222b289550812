"""What reading one file produced: its inventory row, the evidence state it sets, its entities."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analyzer.evidence.bundle import Member
from analyzer.evidence.decode import Duplicates
from analyzer.evidence.layout import PathInfo, Slot, kind_name, scoped_place, slot_complete, slot_for
from analyzer.evidence.readers.base import Collector, FileContext
from analyzer.model.evidence import EvidenceState, EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.model.snapshot import FileStatus, InventoryRow, Problem, listed


@dataclass(slots=True)
class Outcome:
    """One file's result. ``slot``/``state`` are None for files that provide no evidence."""

    row: InventoryRow
    slot: Slot | None = None
    state: EvidenceState | None = None
    collected: Collector | None = None
    manifest: dict[str, Any] | None = None
    content: str = ""  # sha256 of the content once decompressed: equal for identical copies


def summary(problems: tuple[Problem, ...]) -> str:
    """A one-line reason from a file's problems: the first one, and how many more."""
    if not problems:
        return ""
    first = problems[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    where = f"{first.pointer}: " if first.pointer else ""
    label = "warning: " if first.warning else ""
    return f"{where}{label}{first.message}{more}"


def duplicate_key_problems(document: Any, duplicates: Duplicates) -> tuple[Problem, ...]:
    """One problem per object of ``document`` that repeats a key.

    A repeated key has two readings (JSON readers keep the last value, AWS and other tools may keep
    the first), and the evidence may come from the party being audited: a trail that says
    ``"LogFileValidationEnabled": false`` and then ``true`` must not pass. So the whole file is
    unusable, wherever the repetition is, and the checks that need it are not evaluated.
    """
    return tuple(
        Problem(
            where,
            f"key {', '.join(map(repr, keys))} appears more than once in this object: "
            "the file has two readings, so it is not used",
            "re-export the file with the AWS CLI; an export never repeats a key",
        )
        for where, keys in sorted(duplicates.take(document))
    )


@dataclass(slots=True)
class Reading:
    """A member on its way through the pipeline: what its path says, its digest, notes on decoding."""

    member: Member
    info: PathInfo
    sha: str = ""
    content: str = ""  # sha256 of the decompressed content, when it differs from ``sha`` (gzip)
    note: str = ""  # how the bytes were decoded when it was not plain UTF-8, e.g. "UTF-16 LE with BOM"

    @property
    def path(self) -> str:
        return self.member.path

    def row(
        self,
        status: FileStatus,
        reason: str = "",
        *,
        kind: Kind | None = None,
        account: str | None = None,
        region: str | None = None,
        problems: tuple[Problem, ...] = (),
    ) -> InventoryRow:
        """The inventory row; account and region default to the path's, trimmed to the kind's scope."""
        kind = kind or self.info.kind
        account = account if account is not None else self.info.account_id
        region = region if region is not None else self.info.region
        if kind is not None:
            account, region = scoped_place(kind, account, region)
        return InventoryRow(
            path=self.member.path,
            kind=None if kind is None else kind_name(kind),
            account_id=account,
            region=region,
            size=self.member.size,
            sha256=self.sha,
            status=status,
            reason=reason,
            problems=listed(problems),
        )

    def ignored(self, reason: str, *, kind: Kind | None = None, account: str | None = None) -> Outcome:
        return Outcome(self.row(FileStatus.IGNORED, reason, kind=kind, account=account))

    def invalid(
        self,
        problems: tuple[Problem, ...],
        *,
        kind: Kind | None = None,
        account: str | None = None,
        region: str | None = None,
        item: str | None = None,
    ) -> Outcome:
        """An invalid file; it sets the INVALID state for the evidence it claims to be (if known)."""
        kind = kind or self.info.kind
        account = account if account is not None else self.info.account_id
        region = region if region is not None else self.info.region
        reason = summary(problems)
        row = self.row(FileStatus.INVALID, reason, kind=kind, account=account, region=region, problems=problems)
        item = item or self.info.item
        if kind is None or not slot_complete(kind, account, region, item):
            return Outcome(row)
        state = EvidenceState(kind_name(kind), EvidenceStatus.INVALID, reason, (self.path,))
        return Outcome(row, slot_for(kind, account, region, item), state)

    def invalid_because(self, message: str, hint: str = "", pointer: str = "", **where: Any) -> Outcome:
        return self.invalid((Problem(pointer, message, hint),), **where)


def finish(reading: Reading, kind: Kind, ctx: FileContext, collected: Collector, truncated: list[str]) -> Outcome:
    """The outcome of a file its reader has read: loaded, incomplete (paginated) or invalid (fatal problem)."""
    problems = tuple(sorted(ctx.problems, key=lambda p: p.warning))  # what costs a verdict first
    account, region = ctx.account_id, ctx.region
    if ctx.fatal:
        return reading.invalid(problems, kind=kind, account=account, region=region, item=ctx.item)
    if truncated:
        status, evidence = FileStatus.INCOMPLETE, EvidenceStatus.INCOMPLETE
        hint = "re-run the command without --max-items / --no-paginate so the CLI fetches every page"
        message = f"the export is paginated and incomplete ({', '.join(truncated)} present)"
        problems = (Problem("/" + truncated[0], message, hint),)
        problems += tuple(ctx.problems)
        reason = summary(problems)
    else:
        status, evidence = FileStatus.LOADED, EvidenceStatus.LOADED
        reason = summary(problems) if problems else ""
        if reading.note:
            reason = f"{reason}; {reading.note}" if reason else reading.note
    state = EvidenceState(kind_name(kind), evidence, reason, (reading.path,))
    row = reading.row(status, reason, kind=kind, account=account, region=region, problems=problems)
    return Outcome(row, slot_for(kind, account, region, ctx.item), state, collected)
