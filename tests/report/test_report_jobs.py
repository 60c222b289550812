"""Reports written on the workers of analyzer/parallel.py are the files one process writes (issue 14 §3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer import parallel
from analyzer.pipeline import ScanResult
from analyzer.report import writer
from analyzer.report.writer import FORMATS, write_outputs
from tests.test_parallel import _die_in_a_worker, _files, small_chunks

pytestmark = pytest.mark.skipif(parallel.fork_context() is None, reason="needs the fork start method")
__all__ = ["small_chunks"]  # the fixture, used by name


# --------------------------------------------------------------------------- reports


def test_reports_written_by_workers_are_the_same_files(
    defective: ScanResult, tmp_path: Path, small_chunks: list[int]
) -> None:
    write_outputs(defective, tmp_path / "one", sorted(FORMATS), jobs=1)
    assert small_chunks == []
    write_outputs(defective, tmp_path / "many", sorted(FORMATS), jobs=3)
    assert small_chunks == [2]
    assert _files(tmp_path / "many") == _files(tmp_path / "one")
    assert {"index.html", "graph.graphml", "findings.json", "findings.csv"} <= set(_files(tmp_path / "one"))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left


def test_a_worker_that_dies_writing_a_report_is_replaced(
    defective: ScanResult,
    tmp_path: Path,
    small_chunks: list[int],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    html, json = FORMATS["html"], FORMATS["json"]

    def dies_on_a_worker(result: ScanResult) -> dict[str, bytes]:
        _die_in_a_worker(3, "reports")
        return html(result)

    def slow_here(result: ScanResult) -> dict[str, bytes]:  # meanwhile a worker takes the HTML page
        _die_in_a_worker(4, "reports")
        return json(result)

    write_outputs(defective, tmp_path / "ref", ["html", "json"], jobs=1)
    monkeypatch.setitem(writer.FORMATS, "html", dies_on_a_worker)
    monkeypatch.setitem(writer.FORMATS, "json", slow_here)
    write_outputs(defective, tmp_path / "out", ["html", "json"], jobs=3)
    assert _files(tmp_path / "out") == _files(tmp_path / "ref")
    assert "a worker process failed while writing the reports (html" in capsys.readouterr().err


def test_an_error_in_a_report_stops_the_workers_and_leaves_the_old_report(
    defective: ScanResult, tmp_path: Path, small_chunks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    write_outputs(defective, out, ["json"], jobs=1)
    before = _files(out)

    def broken(result: ScanResult) -> dict[str, bytes]:
        raise RuntimeError("renderer bug")

    monkeypatch.setitem(writer.FORMATS, "json", broken)
    with pytest.raises(RuntimeError, match="renderer bug"):
        write_outputs(defective, out, ["html", "json"], jobs=3)
    assert _files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
