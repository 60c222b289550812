"""The committed sample report, ``reports/sample-org/``, is exactly what the command writes today.

Regenerated into a temporary directory with ``make demo``'s command and compared file by file.
Rebuild it after a deliberate change with:
``python -m analyzer analyze fixtures/sample-org --out reports/sample-org``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analyzer.report.out_dir import MARKER, MARKER_TEXT
from tests.report.support import ROOT

BUNDLE = ROOT / "fixtures" / "sample-org"
COMMITTED = ROOT / "reports" / "sample-org"


def test_the_committed_sample_report_is_regenerated_byte_for_byte(tmp_path: Path) -> None:
    if not (BUNDLE / "manifest.json").exists():
        pytest.skip("fixtures/sample-org is not built yet")
    if not COMMITTED.is_dir():
        pytest.skip("reports/sample-org is not committed yet")
    out = tmp_path / "sample-org"
    done = subprocess.run(
        [sys.executable, "-m", "analyzer", "analyze", str(BUNDLE), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode in (0, 1), done.stderr
    fresh = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    kept = {p.relative_to(COMMITTED).as_posix(): p.read_bytes() for p in sorted(COMMITTED.rglob("*")) if p.is_file()}
    if MARKER not in kept:  # committed before reports carried their marker file: the same report otherwise
        assert fresh.pop(MARKER) == MARKER_TEXT.encode("utf-8")
    assert sorted(fresh) == sorted(kept)
    changed = [name for name in fresh if fresh[name] != kept[name]]
    assert changed == [], f"regenerate reports/sample-org: {changed} differ"
