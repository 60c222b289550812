"""``trustmap validate BUNDLE``: the inventory of a bundle and every problem in it."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pandas as pd

from analyzer.cli.common import EXIT_FINDINGS, EXIT_OK, bundle_argument, open_snapshot
from analyzer.model.snapshot import FileStatus, InventoryRow, Snapshot

_BAD = (FileStatus.INVALID, FileStatus.INCOMPLETE)


def inventory_frame(snapshot: Snapshot) -> pd.DataFrame:
    columns = ["path", "kind", "account", "region", "size", "sha256", "status", "reason"]
    rows = [
        [r.path, r.kind or "", r.account_id or "", r.region or "", r.size, r.sha256, r.status.value, r.reason]
        for r in snapshot.inventory
    ]
    return pd.DataFrame(rows, columns=columns)


def problem_lines(rows: tuple[InventoryRow, ...]) -> list[str]:
    lines: list[str] = []
    for row in rows:
        if row.problems:
            lines.extend(p.render(row.path) for p in row.problems)
        elif row.status in _BAD:
            lines.append(f"{row.path}: /: {row.reason}")
    return lines


def exit_code(snapshot: Snapshot) -> int:
    bad = any(r.status in _BAD or (r.problems and r.status is FileStatus.LOADED) for r in snapshot.inventory)
    return EXIT_FINDINGS if bad else EXIT_OK


@click.command()
@bundle_argument
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def validate(bundle: Path, max_expanded_bytes: int, max_member_bytes: int, fmt: str) -> None:
    """Check every file of BUNDLE against the evidence contracts.

    Exit 0 when every file loaded, 1 when some are invalid or incomplete, 2 when the bundle
    itself cannot be read.
    """
    snapshot = open_snapshot(bundle, max_expanded_bytes, max_member_bytes)
    if fmt == "json":
        payload = {
            "bundle": {"name": snapshot.bundle_name, "sha256": snapshot.bundle_sha256},
            "files": [
                {
                    "path": r.path,
                    "kind": r.kind,
                    "account": r.account_id,
                    "region": r.region,
                    "size": r.size,
                    "sha256": r.sha256,
                    "status": r.status.value,
                    "reason": r.reason,
                    "problems": [{"pointer": p.pointer, "message": p.message, "hint": p.hint} for p in r.problems],
                }
                for r in snapshot.inventory
            ],
        }
        click.echo(json.dumps(payload, indent=2, sort_keys=True))
    else:
        frame = inventory_frame(snapshot).drop(columns=["sha256"])
        frame["reason"] = frame["reason"].str.slice(0, 70)
        with pd.option_context("display.max_rows", None, "display.max_colwidth", 70, "display.width", 250):
            click.echo(frame.to_string(index=False) if len(frame) else "(the bundle holds no files)")
        counts = frame["status"].value_counts().sort_index()
        click.echo("\n" + ", ".join(f"{n} {s}" for s, n in counts.items()))
        lines = problem_lines(snapshot.inventory)
        if lines:
            click.echo("\nProblems:")
            for line in lines:
                click.echo(f"  {line}")
    raise SystemExit(exit_code(snapshot))
