"""Write a run's artefacts atomically: into a temporary directory beside the target, then swap.

An interrupted run leaves the previous report whole. Only a folder that is trustmap's own is ever
replaced (see :mod:`analyzer.report.out_dir`): every report holds a marker file saying so.

Each format is a function from the scan result to ``{file name: bytes}``; the HTML/CSV/graph
reporters register themselves in FORMATS. The large files (findings.json, the CSV tables, the graph
files) are streamed to disk by the writers in STREAMED instead, the same bytes without holding each
file whole in memory, and on large results forked children write some formats meanwhile (see
:class:`ReportWriter`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from analyzer.evidence.loader import collector_paused
from analyzer.graph.access import AccessGraph
from analyzer.pipeline import ScanResult
from analyzer.report import graph_export, json_report, tables
from analyzer.report.background import Background, write_files
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


#: Formats a forked child writes while this process writes the rest, for large results. The graph
#: files need only the graph: :class:`ReportWriter` starts them before the rules run. After the
#: rules, the child writes the HTML page and accounts.csv/inventory.csv while this process writes
#: findings.csv and findings.json (about as long at 1,000 accounts).
BACKGROUND_FORMATS = ("html", "graph")
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
#: Formats whose files come in two parts: (this process's part, the child's part).
SPLIT_FORMATS: dict[str, tuple[FileWriter, FileWriter]] = {"csv": tables.PARTS}
#: Results (findings + graph edges) from this size on are shared as BACKGROUND_FORMATS and
#: SPLIT_FORMATS say: the reports take seconds, the HTML page and the CSV tables the most.
MIN_BACKGROUND_SIZE = 20_000
#: From this size up to MIN_BACKGROUND_SIZE, a child writes only SMALL_BACKGROUND_FORMATS, whole:
#: the CSV tables, while this process writes findings.json, the HTML page and the graph files. This
#: was measured when the tables were written with pandas, which the child imported (0.3-0.4 s); they
#: are now written by the csv module, several times faster, so the gain is smaller than measured
#: here. Measured then (CLI, report phase, median of 8 runs on the busy 2-core machine, same bytes):
#: one account of 2,000 principals (size 10,576) 0.77 s in one process, 0.59 s with the child;
#: org-10a-15r-s0 (1,348) 0.51 s and 0.40 s; sample-org (362) 0.42 s and 0.46 s (the page takes
#: only 0.1 s there: nothing to overlap). A fork of this process takes milliseconds.
MIN_CSV_CHILD_SIZE = 1_000
SMALL_BACKGROUND_FORMATS = ("csv",)


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


def _write_graph(folder: Path, graph: AccessGraph) -> list[str]:
    with collector_paused():
        return write_graph_files(graph, folder)


class ReportWriter:
    """The reports of one run, written into a staging folder and swapped into ``out_dir`` at the end.

    ``parallel``: let forked children write the graph files (from :meth:`graph_ready`, while the
    rules run) and the HTML page (while this process writes the tables and findings.json); see
    :mod:`analyzer.report.background`. None decides by size. The bytes are the same either way.
    Call :meth:`finish` with the result, or :meth:`abort` when the run fails.

    Raises :class:`~analyzer.report.out_dir.OutputRefused` when ``out_dir`` is not a place a report
    may replace (checked here and again just before the swap). Staging folders that killed runs left
    beside ``out_dir`` are removed first.
    """

    def __init__(self, out_dir: Path, formats: Iterable[str], *, parallel: bool | None = None) -> None:
        check_out_dir(out_dir)
        self.out_dir = out_dir.resolve()
        self.formats = list(dict.fromkeys(formats))
        self.parallel = parallel
        self.children: list[Background] = []
        self.early: set[str] = set()
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_work(self.out_dir)
        self.staging = Path(tempfile.mkdtemp(prefix=work_prefix(self.out_dir, STAGING), dir=self.out_dir.parent))
        self.staging.chmod(0o777 & ~_umask())  # mkdtemp makes 0700; a report folder is an ordinary folder
        (self.staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")

    def graph_ready(self, graph: AccessGraph) -> None:
        """Start writing the graph files in a child now, when they are wanted and large enough."""
        big = graph.graph.number_of_edges() >= MIN_BACKGROUND_SIZE
        standard = FORMATS.get("graph") is graph_export.render  # a replaced renderer needs the whole result
        if "graph" in self.formats and standard and (self.parallel if self.parallel is not None else big):
            self.children.append(Background(lambda: _write_graph(self.staging, graph)))
            self.early.add("graph")

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
        """Write every wanted format into the staging folder, the children's share meanwhile; the names."""
        rest = [f for f in self.formats if f not in self.early]
        later, split = self._child_share(rest, _size(result))
        if later:
            result.findings  # noqa: B018 - sorted once here, shared with the child
            theirs = [child_part for _, child_part in split]
            self.children.append(Background(lambda: _write(self.staging, result, later, theirs)))
        whole = [f for f in rest if f not in later and not (split and f in SPLIT_FORMATS)]
        names = set(_write(self.staging, result, whole, [own_part for own_part, _ in split]))
        while self.children:
            names.update(self.children[0].wait())
            self.children.pop(0)
        return names | {MARKER}

    def _child_share(self, formats: list[str], size: int) -> tuple[list[str], list[tuple[FileWriter, FileWriter]]]:
        """What a forked child writes of ``formats``: whole formats, and split formats (this
        process's part, the child's part). Nothing when ``parallel`` is False or it would not pay."""
        parallel = self.parallel if self.parallel is not None else size >= MIN_BACKGROUND_SIZE
        if parallel:
            later = [f for f in formats if f in BACKGROUND_FORMATS]
            return later, [SPLIT_FORMATS[f] for f in formats if f in SPLIT_FORMATS] if later else []
        if self.parallel is None and size >= MIN_CSV_CHILD_SIZE:
            later = [f for f in formats if f in SMALL_BACKGROUND_FORMATS]
            if len(later) < len(formats):  # when this process has something else to write meanwhile
                return later, []
        return [], []

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
        """Stop the children and remove the staging folder; the previous report stays as it was."""
        for child in self.children:
            child.cancel()
        self.children = []
        shutil.rmtree(self.staging, ignore_errors=True)


def _size(result: ScanResult) -> int:
    return len(result.findings) + result.graph.graph.number_of_edges()


def write_outputs(
    result: ScanResult, out_dir: Path, formats: Iterable[str], *, parallel: bool | None = None
) -> list[Path]:
    """Render ``formats`` and put the files in ``out_dir``, replacing it whole (see :class:`ReportWriter`)."""
    writer = ReportWriter(out_dir, formats, parallel=parallel)
    writer.graph_ready(result.graph)
    return writer.finish(result)
