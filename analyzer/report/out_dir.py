"""Where a report may be written: ``--out`` is replaced whole, so only a folder that is trustmap's own.

``trustmap analyze --out DIR`` swaps a freshly written folder in for ``DIR``, deleting what was
there. That is only safe for a report trustmap wrote, recognised by its marker file
(:data:`MARKER`), or, for a report written before the marker existed, by holding nothing but report
files one of which names trustmap. Everything else is refused with a message saying why: an existing
folder of other files, the current folder (``.``) or one above it, a symbolic link (replacing it
would delete the folder it points to, or swap the link for a folder), a file, and a folder holding
the bundle being analyzed.

The staging folder of a run, and the previous report while it is swapped out, are siblings of
``DIR`` named after it, this process's id and a random part. A run that fails removes its staging
folder; a run that is killed cannot, so the next run with the same ``--out`` removes those of
processes that no longer exist (they can be gigabytes).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

#: The file that marks a folder as a trustmap report: written into every report folder.
MARKER = ".trustmap-report"
MARKER_TEXT = (
    "This folder is a report written by trustmap analyze. Running trustmap analyze with this folder as\n"
    "--out again replaces the whole folder, including any file added to it.\n"
)
#: Every file trustmap writes into a report folder, whatever the formats.
REPORT_FILES = frozenset(
    {MARKER, "index.html", "findings.json", "findings.csv", "accounts.csv", "inventory.csv"}
    | {"graph.graphml", "graph.json"}
)
#: How a report written before the marker existed names trustmap (the page's generator, findings.json's tool).
_SIGNATURES = {"index.html": b'<meta name="generator" content="trustmap ', "findings.json": b'"name": "trustmap"'}
STAGING = "trustmap-staging"
PREVIOUS = "trustmap-previous"


class OutputRefused(Exception):
    """``--out`` names a place trustmap will not replace; the message says why and what to do."""


def _is_legacy_report(folder: Path, names: list[str]) -> bool:
    """A report from before the marker: report files only, and one of them names trustmap."""
    if not set(names) <= REPORT_FILES:
        return False
    for name, signature in _SIGNATURES.items():
        if name in names and (folder / name).is_file():
            with (folder / name).open("rb") as handle:
                if signature in handle.read(4096):
                    return True
    return False


def _under(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_out_dir(out_dir: Path, *, bundle: Path | None = None) -> None:
    """Raise :class:`OutputRefused` unless ``out_dir`` may be replaced by a report (see the module)."""
    shown = str(out_dir)
    if out_dir.is_symlink():
        raise OutputRefused(
            f"--out {shown} is a symbolic link (to {out_dir.readlink()}); trustmap replaces its --out folder "
            "whole and will not replace a link or the folder it points to: give a real folder"
        )
    real = out_dir.resolve()
    if _under(Path.cwd().resolve(), real):
        raise OutputRefused(
            f"--out {shown} is the current folder or one that holds it; trustmap replaces its --out folder "
            "whole: give a folder of its own, such as reports/latest"
        )
    if bundle is not None and _under(bundle.resolve(), real):
        raise OutputRefused(f"--out {shown} holds the bundle being analyzed; give a folder outside it")
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise OutputRefused(f"--out {shown} exists and is not a folder; give a new folder or a trustmap report")
    names = sorted(entry.name for entry in out_dir.iterdir())
    if not names or MARKER in names or _is_legacy_report(out_dir, names):
        return
    listed = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    raise OutputRefused(
        f"--out {shown} exists and is not a trustmap report (it has no {MARKER} file and holds {listed}); "
        "trustmap replaces its --out folder whole, so it will not use this one: give a new or empty folder"
    )


def work_prefix(out_dir: Path, role: str) -> str:
    """The name start of a staging (``role`` STAGING) or previous-report (PREVIOUS) folder of this process."""
    return f".{out_dir.name}.{role}-{os.getpid()}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_stale_work(out_dir: Path) -> list[Path]:
    """Remove the staging and previous-report folders of ``out_dir`` left by runs whose process is gone
    (killed: no cleanup ran); the folders removed. A folder of a live process is left alone."""
    pattern = re.compile(rf"\.{re.escape(out_dir.name)}\.(?:{STAGING}|{PREVIOUS})-(\d+)-[^/]+")
    removed = []
    try:
        entries = list(os.scandir(out_dir.parent))
    except FileNotFoundError:
        return []
    for entry in sorted(entries, key=lambda e: e.name):
        match = pattern.fullmatch(entry.name)
        if match and entry.is_dir(follow_symlinks=False) and not _alive(int(match.group(1))):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


__all__ = [
    "MARKER",
    "MARKER_TEXT",
    "REPORT_FILES",
    "OutputRefused",
    "check_out_dir",
    "remove_stale_work",
    "work_prefix",
]
