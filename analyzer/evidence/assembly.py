"""From the outcomes of single files to the bundle's snapshot, in two steps.

:func:`summarize` resolves the outcomes of a share of the files: when several files provide the
same evidence (same account, region, kind and item), identical copies are read once and copies
that differ are a conflict that leaves that evidence unused (state ``conflict``, every file named);
the used files' entities are merged in path order and each account's evidence is frozen.
:func:`combine` joins shares into the snapshot.

A share can be summarized on its own when no other share provides evidence for the same slot or
adds to the same account (checked by the loader): processes reading a bundle each summarize their
own share (:func:`analyzer.evidence.loader.load_bundle`). The organization-wide entities (organization,
SCPs, bucket policies) and the manifest are kept per file and merged by :func:`combine` in path
order across the shares, so the snapshot is the same however the files were shared out.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any

from analyzer.evidence.config_resolve import resolve_config
from analyzer.evidence.crosscheck import cross_check
from analyzer.evidence.layout import ACCOUNT_RE, Slot
from analyzer.evidence.outcome import Outcome, summary
from analyzer.evidence.readers.base import Collector, has_org_wide, merge_fields
from analyzer.evidence.snapshot_builder import account_evidence, build_snapshot
from analyzer.evidence.timestamps import parse_ts
from analyzer.model.evidence import EvidenceState, EvidenceStatus
from analyzer.model.snapshot import AccountEvidence, FileStatus, InventoryRow, Manifest, Problem, Snapshot


@dataclass(slots=True)
class Share:
    """What a share of a bundle's files adds up to."""

    rows: list[InventoryRow]  # in path order, rows of files that lost to another already rewritten
    states: dict[Slot, EvidenceState]
    slots: frozenset[Slot]  # every slot a file of the share provides evidence for
    accounts: dict[str, AccountEvidence]
    org_wide: list[tuple[str, Collector]]  # (path, what the file adds besides accounts), path order
    manifests: list[tuple[str, dict[str, Any]]]  # (path, manifest document), path order
    latest_report: datetime | None  # the newest credential report's generation time


def _path(outcome: Outcome) -> str:
    return outcome.row.path


def _copy_row(copy: Outcome, first: Outcome) -> InventoryRow:
    """The row of a byte-for-byte copy of a file already read: loaded, read once."""
    row = copy.row
    note = f"identical copy of {first.row.path}: read once"
    return dataclasses.replace(row, reason=f"{note}; {row.reason}" if row.reason else note)


def _conflict(slot: Slot, group: list[Outcome]) -> tuple[EvidenceState, list[InventoryRow]]:
    """Several files give different answers for one piece of evidence: none of them is used.

    Which copy is the genuine export cannot be told from the bundle (path order, folder names and
    even a recorded failure beside an output can be arranged by whoever assembled it), so every
    check that needs this evidence is not evaluated, and each file names the others.
    """
    paths = [o.row.path for o in group]
    reason = "conflicting evidence: " + " vs ".join(paths)
    state = EvidenceState(slot[2], EvidenceStatus.CONFLICT, reason, tuple(paths))
    rows = []
    for outcome in group:
        others = ", ".join(p for p in paths if p != outcome.row.path)
        problem = Problem(
            "",
            f"conflicting evidence: {others} provide(s) the same evidence with different contents, "
            "so none of them is used",
            "keep only the genuine export of this command, account and region, and delete the other file(s)",
        )
        problems = (problem, *outcome.row.problems)
        rows.append(
            dataclasses.replace(outcome.row, status=FileStatus.INVALID, reason=summary(problems), problems=problems)
        )
    return state, rows


def summarize(outcomes: list[Outcome]) -> Share:
    """Resolve and merge a share's outcomes (sorted here, in place, by path).

    Files that provide the same evidence (same account, region, kind and item), whatever their
    names or folders, are read once when their contents are identical and are a conflict when not.
    """
    outcomes.sort(key=_path)
    by_slot: dict[Slot, list[Outcome]] = {}
    for outcome in outcomes:
        if outcome.slot is not None:
            by_slot.setdefault(outcome.slot, []).append(outcome)
    replaced: dict[int, InventoryRow] = {}  # id(outcome) -> its rewritten row; its evidence is not used
    states: dict[Slot, EvidenceState] = {}
    for shared, group in by_slot.items():
        if len(group) == 1:
            continue
        if len({o.content for o in group}) > 1:
            states[shared], conflicting = _conflict(shared, group)
            replaced.update((id(o), row) for o, row in zip(group, conflicting, strict=True))
            continue
        first = group[0]
        if first.state is not None:
            paths = tuple(o.row.path for o in group)
            states[shared] = dataclasses.replace(first.state, files=paths)
        replaced.update((id(o), _copy_row(o, first)) for o in group[1:])
    merged = Collector()
    rows: list[InventoryRow] = []
    org_wide: list[tuple[str, Collector]] = []
    manifests: list[tuple[str, dict[str, Any]]] = []
    for outcome in outcomes:
        row, slot, collected = outcome.row, outcome.slot, outcome.collected
        if id(outcome) in replaced:
            row = replaced[id(outcome)]
        else:
            if collected is not None:
                for account_id, parts in collected.accounts.items():
                    merge_fields(merged.account(account_id), parts)
                if has_org_wide(collected):
                    org_wide.append((row.path, collected))
            if slot is not None and outcome.state is not None and slot not in states:
                states[slot] = outcome.state
            if outcome.manifest is not None:
                manifests.append((row.path, outcome.manifest))
        rows.append(row)
    reports = [
        parts.credential_report.generated
        for parts in merged.accounts.values()
        if parts.credential_report and parts.credential_report.generated
    ]
    return Share(
        rows=rows,
        states=dict(sorted(states.items())),  # sorted here, each share on its own core: joined, they merge fast
        slots=frozenset(by_slot),
        accounts={aid: account_evidence(aid, parts) for aid, parts in merged.accounts.items() if aid},
        org_wide=org_wide,
        manifests=manifests,
        latest_report=max(reports, default=None),
    )


def combine(name: str, shares: list[Share]) -> Snapshot:
    """The snapshot of a bundle from the shares of its files (which must not overlap)."""
    if len(shares) == 1:
        rows = shares[0].rows
    else:  # each share is in path order already: the sort merges them
        rows = sorted((row for share in shares for row in share.rows), key=attrgetter("path"))
    digest = hashlib.sha256("".join(f"{row.path}\0{row.sha256}\n" for row in rows).encode())
    collector = Collector()
    for _, collected in sorted((item for share in shares for item in share.org_wide), key=lambda item: item[0]):
        merge_fields(collector, collected)
    manifests = sorted((item for share in shares for item in share.manifests), key=lambda item: item[0])
    reports = [share.latest_report for share in shares if share.latest_report is not None]
    return cross_check(
        resolve_config(
            build_snapshot(
                name=name,
                sha256=digest.hexdigest(),
                manifest=_manifest(manifests[-1][1] if manifests else None, max(reports, default=None)),
                collector=collector,
                accounts={aid: evidence for share in shares for aid, evidence in share.accounts.items()},
                rows=tuple(rows),
                states=_states_in_order([share.states for share in shares]),
            )
        )
    )


def _states_in_order(parts: list[dict[Slot, EvidenceState]]) -> dict[Slot, EvidenceState]:
    """The states of all shares in slot order. Each share's are in order, and their slots usually
    follow one another (the shares hold different accounts): then they are joined as they are."""
    parts = sorted((part for part in parts if part), key=lambda part: next(iter(part)))
    joined: dict[Slot, EvidenceState] = {}
    for part in parts:
        if joined and next(reversed(joined)) >= next(iter(part)):
            return dict(sorted(item for part in parts for item in part.items()))
        joined.update(part)
    return joined


def _manifest(raw: dict[str, Any] | None, latest_report: datetime | None) -> Manifest:
    """The bundle's manifest (schema-valid, or absent), with the collection time from the credential
    reports when the manifest does not say."""
    raw = raw or {}
    try:
        collected = parse_ts(raw.get("collected_at"))
    except ValueError:
        collected = None
    source = "manifest" if collected else "unknown"
    if collected is None and latest_report is not None:
        collected, source = latest_report, "credential-report"
    identity = raw.get("identity_account")
    bucket = raw.get("log_bucket")
    partition = raw.get("partition")
    return Manifest(
        collected_at=collected,
        collected_at_source=source,
        identity_account=identity if isinstance(identity, str) and ACCOUNT_RE.fullmatch(identity) else None,
        log_bucket=bucket if isinstance(bucket, str) and bucket else None,
        partition=partition if partition in ("aws", "aws-cn", "aws-us-gov") else "aws",
        regions=_collected_regions(raw.get("regions")),
    )


def _collected_regions(value: Any) -> tuple[str, ...] | None:
    """``manifest.json`` ``regions``: a list of regions (``collect --regions``), else every enabled region."""
    if isinstance(value, list) and all(isinstance(r, str) for r in value):
        return tuple(sorted(set(value)))
    return None


__all__ = ["Share", "combine", "summarize"]
