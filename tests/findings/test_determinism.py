"""Same evidence, same bytes: across processes, and within one process after other analyses.

The policy engine and the loader keep caches for the life of the process (compiled policy
documents, parsed folder names, schema checks). A second analysis in the same process must not
see anything of the first: no lost or extra ``can_assume`` edge, no changed result or wording.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from analyzer.pipeline import analyze
from analyzer.report.writer import default_formats, write_outputs
from tests.rule_cases import BASE, all_cases

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "fixtures" / "sample-org"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _fresh_process(bundle: Path, out: Path) -> dict[str, bytes]:
    done = subprocess.run(
        [sys.executable, "-m", "analyzer", "analyze", str(bundle), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode in (0, 1), done.stderr
    return _files(out)


def _other_bundles(tmp_path: Path) -> list[Path]:
    """Bundles that share policy documents with the sample (AWS-managed ones) and differ in the rest."""
    picked = [case for case in all_cases() if case.rule in ("IDN-002", "IDN-003", "IDN-006")][:6]
    return [BASE, *(case.materialize(tmp_path / case.rule / case.name) for case in picked)]


def test_two_processes_write_the_same_bytes(tmp_path: Path) -> None:
    first = _fresh_process(SAMPLE, tmp_path / "one")
    second = _fresh_process(SAMPLE, tmp_path / "two")
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


def test_an_analysis_after_others_in_the_same_process_matches_a_fresh_process(tmp_path: Path) -> None:
    """Also the suspected compile-cache bug: can_assume edges lost on a second analysis in one process."""
    fresh = _fresh_process(SAMPLE, tmp_path / "fresh")
    for bundle in _other_bundles(tmp_path / "others"):
        analyze(bundle)
    first = analyze(SAMPLE)
    for bundle in _other_bundles(tmp_path / "again"):
        analyze(bundle)
    second = analyze(SAMPLE)
    edges = sorted((u, v, str(d["kind"])) for u, v, d in first.graph.graph.edges(data=True))
    assert edges == sorted((u, v, str(d["kind"])) for u, v, d in second.graph.graph.edges(data=True))
    assert list(first.graph.assume_edges()) == list(second.graph.assume_edges())
    for name, result in (("in-process-1", first), ("in-process-2", second)):
        out = tmp_path / name
        write_outputs(result, out, default_formats())
        written = _files(out)
        assert sorted(written) == sorted(fresh)
        assert [f for f in written if written[f] != fresh[f]] == [], f"{name} differs from a fresh process"
