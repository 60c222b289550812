"""Reports written partly by a forked child are the same files as reports written in one process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analyzer.pipeline import ScanResult
from analyzer.report import writer
from analyzer.report.writer import FORMATS, write_outputs

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_parallel_and_sequential_writers_give_the_same_files(defective: ScanResult, tmp_path: Path) -> None:
    alone = write_outputs(defective, tmp_path / "one", sorted(FORMATS), parallel=False)
    split = write_outputs(defective, tmp_path / "two", sorted(FORMATS), parallel=True)
    assert [p.name for p in split] == [p.name for p in alone]
    assert {"index.html", "graph.graphml", "findings.json"} <= {p.name for p in split}
    assert _files(tmp_path / "two") == _files(tmp_path / "one")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left


def test_a_failing_child_is_replaced_by_writing_its_files_here(
    defective: ScanResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    html = FORMATS["html"]

    def fails_in_the_child(result: ScanResult) -> dict[str, bytes]:
        if os.getpid() != parent:
            os._exit(3)
        return html(result)

    monkeypatch.setitem(writer.FORMATS, "html", fails_in_the_child)
    write_outputs(defective, tmp_path / "out", ["html", "json"], parallel=True)
    monkeypatch.setitem(writer.FORMATS, "html", html)
    write_outputs(defective, tmp_path / "ref", ["html", "json"], parallel=False)
    assert _files(tmp_path / "out") == _files(tmp_path / "ref")


def test_an_error_in_this_process_stops_the_child_and_leaves_the_old_report(
    defective: ScanResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    write_outputs(defective, out, ["json"], parallel=False)
    before = _files(out)

    def broken(result: ScanResult) -> dict[str, bytes]:
        raise RuntimeError("renderer bug")

    monkeypatch.setitem(writer.FORMATS, "json", broken)
    with pytest.raises(RuntimeError, match="renderer bug"):
        write_outputs(defective, out, ["html", "json"], parallel=True)
    assert _files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def _recording(monkeypatch: pytest.MonkeyPatch, log: Path, *formats: str) -> None:
    """Make each of ``formats`` note which process rendered it (same files as before)."""
    for name in formats:
        render = FORMATS[name]

        def noting(result: ScanResult, name: str = name, render: writer.Renderer = render) -> dict[str, bytes]:
            with log.open("a") as handle:
                handle.write(f"{name} {os.getpid()}\n")
            return render(result)

        monkeypatch.setitem(writer.FORMATS, name, noting)


def _writers(log: Path) -> dict[str, str]:
    parent = str(os.getpid())
    lines = [line.split() for line in log.read_text().splitlines()]
    return {name: "here" if pid == parent else "child" for name, pid in lines}


def test_mid_sized_results_get_their_csv_tables_from_a_child(
    defective: ScanResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = tmp_path / "ref"
    write_outputs(defective, reference, sorted(FORMATS), parallel=False)
    size = len(defective.findings) + defective.graph.graph.number_of_edges()
    assert size < writer.MIN_BACKGROUND_SIZE
    monkeypatch.setattr(writer, "MIN_CSV_CHILD_SIZE", size)
    _recording(monkeypatch, tmp_path / "log", "csv", "html", "json")
    write_outputs(defective, tmp_path / "out", sorted(FORMATS))
    assert _writers(tmp_path / "log") == {"csv": "child", "html": "here", "json": "here"}
    assert _files(tmp_path / "out") == _files(reference)


@pytest.mark.parametrize(
    ("formats", "minimum"), [(["csv", "html", "json"], 1), (["csv"], 0)], ids=["small result", "csv alone"]
)
def test_small_results_and_csv_alone_are_written_in_one_process(
    defective: ScanResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, formats: list[str], minimum: int
) -> None:
    size = len(defective.findings) + defective.graph.graph.number_of_edges()
    monkeypatch.setattr(writer, "MIN_CSV_CHILD_SIZE", size + minimum)
    _recording(monkeypatch, tmp_path / "log", *formats)
    write_outputs(defective, tmp_path / "out", formats)
    assert set(_writers(tmp_path / "log").values()) == {"here"}
