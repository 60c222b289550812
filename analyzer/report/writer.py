"""Write a run's artefacts atomically: into a temporary directory beside the target, then swap.

An interrupted run leaves the previous report whole. Only a folder that is trustmap's own is ever
replaced (see :mod:`analyzer.report.out_dir`): every report holds a marker file saying so.

Each format is a function from the scan result to ``{file name: bytes}``; the HTML/CSV/graph
reporters register themselves in FORMATS. The large files (findings.json, the CSV tables, the graph
files) are streamed to disk by the writers in STREAMED instead, the same bytes without holding each
file whole in memory. On large results the formats are written by the pool of
:mod:`analyzer.parallel` (see :class:`ReportWriter`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from analyzer.evidence.loader import collector_paused
from analyzer.parallel import Batch, resolve_jobs, worth_processes
from analyzer.pipeline import ScanResult
from analyzer.report import graph_export, json_report, tables
from analyzer.report.graph_export import write_graph_files
from analyzer.report.out_dir import (
    MARKER,
    MARKER_TEXT,
    PREVIOUS,
    STAGING,
    check_out_dir,
    remove_stale_work,
    work_prefix,
)

Renderer = Callable[[ScanResult], dict[str, bytes]]


def write_files(folder: Path, files: dict[str, bytes]) -> list[str]:
    """Write ``files`` into ``folder``; their names."""
    for name, data in sorted(files.items()):
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return sorted(files)


def _json(result: ScanResult) -> dict[str, bytes]:
    return {"findings.json": json_report.render(result).encode("utf-8", "backslashreplace")}


FORMATS: dict[str, Renderer] = {"json": _json}


def _extra_formats() -> None:
    """Reporters that live in their own modules (html, csv, graph) add themselves when present."""
    for name in ("html_report", "tables", "graph_export", "ocsf", "asff"):
        try:
            module = __import__(f"analyzer.report.{name}", fromlist=["FORMATS"])
        except ModuleNotFoundError as exc:
            if exc.name != f"analyzer.report.{name}":
                raise
            continue
        FORMATS.update(getattr(module, "FORMATS", {}))


_extra_formats()

#: Formats written only when asked for (--format): the interchange formats for other tools.
OPT_IN_FORMATS = frozenset({"ocsf", "asff"})


def default_formats() -> list[str]:
    """What ``analyze`` writes without --format: every format but the opt-in ones."""
    return sorted(name for name in FORMATS if name not in OPT_IN_FORMATS)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


FileWriter = Callable[[ScanResult, Path], list[str]]


def _write_json(result: ScanResult, folder: Path) -> list[str]:
    json_report.write(result, folder / "findings.json")
    return ["findings.json"]


def _write_tables(result: ScanResult, folder: Path) -> list[str]:
    return [name for part in tables.PARTS for name in part(result, folder)]


def _write_graph_of(result: ScanResult, folder: Path) -> list[str]:
    return write_graph_files(result.graph, folder)


#: Formats whose files are streamed to disk rather than rendered whole in memory (hundreds of
#: megabytes each at 5,000 accounts): the renderer in FORMATS they stand for, and their writer.
#: A renderer replaced in FORMATS (a plug-in, a test) is used as it is.
STREAMED: dict[str, tuple[Renderer, FileWriter]] = {
    "json": (_json, _write_json),
    "csv": (tables.render, _write_tables),
    "graph": (graph_export.render, _write_graph_of),
}
#: Formats whose files come in two parts, written as two tasks when the formats are shared out.
SPLIT_FORMATS: dict[str, tuple[FileWriter, FileWriter]] = {"csv": tables.PARTS}
#: One task of writing the reports: what it writes (for failure reports), and the writer.
WriteTask = tuple[str, FileWriter]


def _write(folder: Path, result: ScanResult, formats: Iterable[str], parts: Iterable[FileWriter] = ()) -> list[str]:
    """Write the files of ``formats`` and of ``parts`` of split formats (see SPLIT_FORMATS) into
    ``folder``, each format's as soon as it is rendered (only one format's bytes in memory at once)."""
    names: list[str] = []
    with collector_paused():  # reports build millions of short-lived objects and no cycles
        for name in formats:
            streamed = STREAMED.get(name)
            if streamed is not None and FORMATS[name] is streamed[0]:
                names += streamed[1](result, folder)
            else:
                names += write_files(folder, FORMATS[name](result))
        for part in parts:
            names += part(result, folder)
    return sorted(names)


def _format_writer(name: str) -> FileWriter:
    return lambda result, folder: _write(folder, result, [name])


def _part_writer(part: FileWriter) -> FileWriter:
    return lambda result, folder: _write(folder, result, (), [part])


def write_tasks(formats: Iterable[str], shared: bool) -> list[WriteTask]:
    """The tasks that write ``formats``: one per format, and one per part of a split format when
    they are ``shared`` out over processes (see SPLIT_FORMATS)."""
    tasks: list[WriteTask] = []
    for name in formats:
        if shared and name in SPLIT_FORMATS and FORMATS[name] is STREAMED[name][0]:  # not a replaced renderer
            tasks += [(f"{name} part {n}", _part_writer(part)) for n, part in enumerate(SPLIT_FORMATS[name], 1)]
        else:
            tasks.append((name, _format_writer(name)))
    return tasks


class ReportWriter:
    """The reports of one run, written into a staging folder and swapped into ``out_dir`` at the end.

    ``jobs``: the processes to write with (None: one per CPU). For an organization large enough
    (:func:`analyzer.parallel.worth_processes`, by its accounts) each format, and each part of a split
    format, is a task of the pool of :mod:`analyzer.parallel`: forked workers share the finished
    result page by page and write their files straight into the staging folder. The bytes are the
    same either way. Call :meth:`finish` with the result, or :meth:`abort` when the run fails.

    Raises :class:`~analyzer.report.out_dir.OutputRefused` when ``out_dir`` is not a place a report
    may replace (checked here and again just before the swap). Staging folders that killed runs left
    beside ``out_dir`` are removed first.
    """

    def __init__(self, out_dir: Path, formats: Iterable[str], *, jobs: int | None = None) -> None:
        check_out_dir(out_dir)
        self.out_dir = out_dir.resolve()
        self.formats = list(dict.fromkeys(formats))
        self.jobs = resolve_jobs(jobs)
        self.batch: Batch[WriteTask, list[str]] | None = None
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_work(self.out_dir)
        self.staging = Path(tempfile.mkdtemp(prefix=work_prefix(self.out_dir, STAGING), dir=self.out_dir.parent))
        self.staging.chmod(0o777 & ~_umask())  # mkdtemp makes 0700; a report folder is an ordinary folder
        (self.staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")

    def finish(self, result: ScanResult) -> list[Path]:
        try:
            with collector_paused():  # the findings' sort and the reports make objects, no cycles
                names = self._write_all(result)
            self._swap()
        except BaseException:
            self.abort()
            raise
        return [self.out_dir / name for name in sorted(names)]

    def _write_all(self, result: ScanResult) -> set[str]:
        """Write every wanted format into the staging folder; the names of the files."""
        shared = worth_processes(len(result.shape.accounts), self.jobs)
        tasks = write_tasks(self.formats, shared)
        if shared:
            result.findings  # noqa: B018 - sorted once here, before the workers are forked
        staging = self.staging
        self.batch = Batch(
            "writing the reports",
            lambda task: task[1](result, staging),
            tasks,
            self.jobs - 1 if shared else 0,
            describe=lambda task: task[0],
        )
        written = self.batch.results()
        self.batch = None
        return {name for names in written for name in names} | {MARKER}

    def _swap(self) -> None:
        """Put the staging folder in place of ``out_dir``. The previous report is moved into a fresh
        folder of this run's own (never a fixed name a user's folder could have) and deleted after."""
        out_dir = self.out_dir
        check_out_dir(out_dir)  # again: the folder may have changed while the run went on
        if not out_dir.exists():
            self.staging.rename(out_dir)
            return
        holder = Path(tempfile.mkdtemp(prefix=work_prefix(out_dir, PREVIOUS), dir=out_dir.parent))
        previous = holder / "report"
        out_dir.rename(previous)
        try:
            self.staging.rename(out_dir)
        except BaseException:
            previous.rename(out_dir)
            shutil.rmtree(holder, ignore_errors=True)
            raise
        shutil.rmtree(holder)

    def abort(self) -> None:
        """Stop the workers and remove the staging folder; the previous report stays as it was."""
        if self.batch is not None:
            self.batch.cancel()
            self.batch = None
        shutil.rmtree(self.staging, ignore_errors=True)


def write_outputs(result: ScanResult, out_dir: Path, formats: Iterable[str], *, jobs: int | None = None) -> list[Path]:
    """Render ``formats`` and put the files in ``out_dir``, replacing it whole (see :class:`ReportWriter`)."""
    return ReportWriter(out_dir, formats, jobs=jobs).finish(result)
