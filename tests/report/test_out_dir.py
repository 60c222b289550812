"""``analyze --out`` never harms the user's files: it replaces only a folder that is a trustmap report.

Before: any existing folder was replaced whole (``--out ~/Documents`` deleted it), ``--out .``
renamed the current folder away, a symbolic link had the folder it points to replaced, a sibling
folder named ``.<out>.previous`` was deleted, and a killed run left its staging folder behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.cli.analyze import terminated_as_exit
from analyzer.pipeline import ScanResult
from analyzer.report import writer
from analyzer.report.out_dir import MARKER, MARKER_TEXT, OutputRefused, check_out_dir, remove_stale_work
from analyzer.report.writer import ReportWriter, write_outputs
from tests.graph.disk_bundles import copy_base
from tests.report.support import ROOT


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_base(tmp_path_factory.mktemp("out-dir") / "bundle")


def analyze(bundle: Path, out: Path | str, cwd: Path | None = None) -> tuple[int, str]:
    previous = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, ["analyze", str(bundle), "--out", str(out), "--format", "json"])
    finally:
        os.chdir(previous)
    return result.exit_code, result.output


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_folder_that_is_not_a_report_is_refused_and_left_alone(bundle: Path, tmp_path: Path) -> None:
    mine = tmp_path / "Documents"
    (mine / "sub").mkdir(parents=True)
    (mine / "thesis.docx").write_bytes(b"years of work")
    (mine / "sub" / "notes.txt").write_bytes(b"notes")
    (tmp_path / "sibling.txt").write_bytes(b"next door")
    before = tree(tmp_path)
    code, out = analyze(bundle, mine)
    assert code == 2
    assert "is not a trustmap report" in out and MARKER in out and "thesis.docx" in out
    assert tree(tmp_path) == before


def test_a_folder_holding_only_an_index_html_of_someone_else_is_refused(bundle: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><body>my web site</body></html>")
    code, out = analyze(bundle, site)
    assert code == 2 and "is not a trustmap report" in out
    assert (site / "index.html").read_text() == "<html><body>my web site</body></html>"


@pytest.mark.parametrize("spelling", [".", "./", "sub/.."])
def test_the_current_folder_is_refused_even_when_it_is_a_report(bundle: Path, tmp_path: Path, spelling: str) -> None:
    here = tmp_path / "here"
    (here / "sub").mkdir(parents=True)
    (here / MARKER).write_text(MARKER_TEXT)
    (here / "keep.txt").write_text("keep")
    code, out = analyze(bundle, spelling, cwd=here)
    assert code == 2 and "is the current folder" in out
    assert (here / "keep.txt").read_text() == "keep" and (here / MARKER).exists()


def test_a_folder_above_the_current_one_is_refused(bundle: Path, tmp_path: Path) -> None:
    inner = tmp_path / "outer" / "inner"
    inner.mkdir(parents=True)
    (tmp_path / "outer" / MARKER).write_text(MARKER_TEXT)
    code, out = analyze(bundle, "..", cwd=inner)
    assert code == 2 and "the current folder or one that holds it" in out
    assert inner.is_dir()


@pytest.mark.parametrize("target_is_report", [False, True])
def test_a_symbolic_link_is_refused_and_what_it_points_to_kept(
    bundle: Path, tmp_path: Path, target_is_report: bool
) -> None:
    target = tmp_path / "real"
    target.mkdir()
    (target / ("findings.json" if target_is_report else "data.txt")).write_text("{}")
    if target_is_report:
        (target / MARKER).write_text(MARKER_TEXT)
    link = tmp_path / "latest"
    link.symlink_to(target, target_is_directory=True)
    before = tree(target)
    code, out = analyze(bundle, link)
    assert code == 2 and "is a symbolic link" in out
    assert link.is_symlink() and tree(target) == before


def test_a_file_and_a_folder_holding_the_bundle_are_refused(bundle: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "report.txt"
    a_file.write_text("text")
    code, out = analyze(bundle, a_file)
    assert code == 2 and "is not a folder" in out and a_file.read_text() == "text"
    with pytest.raises(OutputRefused, match="holds the bundle"):
        check_out_dir(bundle.parent, bundle=bundle)


def test_an_earlier_trustmap_report_is_replaced_whole(bundle: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert analyze(bundle, out)[0] == 0
    assert (out / MARKER).read_text() == MARKER_TEXT
    (out / "added-by-hand.txt").write_text("replaced with the rest, as the marker says")
    (tmp_path / "neighbour").mkdir()
    code, text = analyze(bundle, out)
    assert code == 0, text
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "findings.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["neighbour", "report"]


def test_an_empty_folder_is_used(bundle: Path, tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    assert analyze(bundle, out)[0] == 0
    assert (out / "findings.json").exists()


def test_a_report_from_before_the_marker_is_recognised_and_replaced(bundle: Path, tmp_path: Path) -> None:
    """The committed sample report has no marker: ``make demo`` still replaces it."""
    sample = ROOT / "reports" / "sample-org"
    if not sample.is_dir():
        pytest.skip("no committed sample report")
    old = tmp_path / "sample-org"
    shutil.copytree(sample, old)
    (old / MARKER).unlink(missing_ok=True)
    code, text = analyze(bundle, old)
    assert code == 0, text
    assert (old / MARKER).exists() and not (old / "index.html").exists()  # json only this time


def test_a_sibling_named_like_the_old_backup_folder_is_never_deleted(bundle: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    precious = tmp_path / ".report.previous"
    precious.mkdir()
    (precious / "keep.txt").write_text("mine")
    assert analyze(bundle, out)[0] == 0
    assert analyze(bundle, out)[0] == 0  # replacing the report moved it aside under that name, then deleted it
    assert (precious / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".report.previous", "report"]


def test_a_failed_run_leaves_no_staging_folder(
    defective: ScanResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A renderer that raises: the staging folder is removed and nothing else is there."""

    def broken(result: ScanResult) -> dict[str, bytes]:
        raise RuntimeError("renderer bug")

    monkeypatch.setitem(writer.FORMATS, "html", broken)
    with pytest.raises(RuntimeError):
        write_outputs(defective, tmp_path / "report", ["html", "json"], jobs=1)
    assert list(tmp_path.iterdir()) == []


def _dead_pid() -> int:
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(child.stdout)


def test_the_next_run_removes_what_a_killed_run_left_and_keeps_a_live_runs(bundle: Path, tmp_path: Path) -> None:
    dead = _dead_pid()
    stale = [tmp_path / f".report.trustmap-staging-{dead}-abc123", tmp_path / f".report.trustmap-previous-{dead}-x"]
    for folder in stale:
        (folder / "big").mkdir(parents=True)
        (folder / "big" / "graph.json").write_bytes(b"0" * 1000)
    live = tmp_path / f".report.trustmap-staging-{os.getppid()}-def456"
    live.mkdir()
    other = tmp_path / f".other.trustmap-staging-{dead}-abc123"  # another --out's: not this run's business
    other.mkdir()
    assert analyze(bundle, tmp_path / "report")[0] == 0
    assert not any(folder.exists() for folder in stale)
    assert live.is_dir() and other.is_dir()
    assert remove_stale_work(tmp_path / "report") == []


def test_a_terminated_run_removes_its_staging_folder(tmp_path: Path) -> None:
    """SIGTERM (kill, a cancelled CI job) ends the run as a failure does: the staging folder goes."""
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit) as stopped, terminated_as_exit():
        report = ReportWriter(tmp_path / "report", ["json"], jobs=1)
        try:
            (staging,) = [p.name for p in tmp_path.iterdir()]
            assert staging.startswith(".report.trustmap-staging-")
            os.kill(os.getpid(), signal.SIGTERM)  # the handler runs before the next line
            raise AssertionError("SIGTERM did not stop the run")
        except BaseException:
            report.abort()
            raise
    assert stopped.value.code == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_run_killed_from_outside_cleans_up_after_sigterm(bundle: Path, tmp_path: Path) -> None:
    """The real command, terminated while it runs: no staging folder is left beside --out."""
    code = (
        "import os, signal, sys\n"
        "from analyzer.report import writer\n"
        "original = writer.ReportWriter.finish\n"
        "def finish(self, result):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    return original(self, result)\n"
        "writer.ReportWriter.finish = finish\n"
        "from analyzer.cli import main\n"
        f"main(['analyze', {str(bundle)!r}, '--out', {str(tmp_path / 'report')!r}])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 128 + signal.SIGTERM, done.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_summary_line_counts_in_words(tmp_path: Path) -> None:
    """The line analyze ends with: '1 account', '8 accounts' (it said '1 accounts')."""
    sample = CliRunner().invoke(main, ["analyze", str(ROOT / "fixtures" / "sample-org"), "--out", str(tmp_path / "a")])
    assert sample.exit_code == 0, sample.output
    assert sample.output.splitlines()[0].startswith("38 rules over 8 accounts: ")
    one = tmp_path / "one"
    made = CliRunner().invoke(main, ["synth", str(one), "--single-account-principals", "20", "--diverse"])
    assert made.exit_code == 0, made.output
    single = CliRunner().invoke(main, ["analyze", str(one), "--out", str(tmp_path / "b")])
    assert single.exit_code == 0, single.output
    assert " rules over 1 account: " in single.output.splitlines()[0]
