"""Write a run's artefacts atomically: into a temporary directory beside the target, then swap.

An interrupted run leaves the previous report whole. Each format is a function from the scan
result to ``{file name: bytes}``; the HTML/CSV/graph reporters register themselves in FORMATS.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from analyzer.pipeline import ScanResult
from analyzer.report import json_report

Renderer = Callable[[ScanResult], dict[str, bytes]]


def _json(result: ScanResult) -> dict[str, bytes]:
    return {"findings.json": json_report.render(result).encode("utf-8")}


FORMATS: dict[str, Renderer] = {"json": _json}


def _extra_formats() -> None:
    """Reporters that live in their own modules (html, csv, graph) add themselves when present."""
    for name in ("html_report", "tables", "graph_export"):
        try:
            module = __import__(f"analyzer.report.{name}", fromlist=["FORMATS"])
        except ModuleNotFoundError as exc:
            if exc.name != f"analyzer.report.{name}":
                raise
            continue
        FORMATS.update(getattr(module, "FORMATS", {}))


_extra_formats()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_outputs(result: ScanResult, out_dir: Path, formats: Iterable[str]) -> list[Path]:
    files: dict[str, bytes] = {}
    for name in formats:
        files.update(FORMATS[name](result))
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes 0700; a report folder is an ordinary folder
        for name, data in sorted(files.items()):
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if out_dir.exists():
            backup = out_dir.with_name(f".{out_dir.name}.previous")
            if backup.exists():
                shutil.rmtree(backup)
            out_dir.rename(backup)
            staging.rename(out_dir)
            shutil.rmtree(backup)
        else:
            staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out_dir / name for name in sorted(files)]
