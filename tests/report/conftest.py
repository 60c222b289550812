"""Shared fixtures: the defective, hostile bundle analyzed once per session by the TST rules."""

from __future__ import annotations

import pytest

from analyzer.pipeline import ScanResult
from tests.report.support import analyze_defective, suppressing_settings


@pytest.fixture(scope="session")
def defective(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    """The defective bundle (``support.defective_bundle``), one failure suppressed by the settings."""
    return analyze_defective(tmp_path_factory.mktemp("defective"), suppressing_settings())


@pytest.fixture(scope="session")
def defective_html(defective: ScanResult) -> str:
    from analyzer.report.html_report import render_html

    return render_html(defective)
