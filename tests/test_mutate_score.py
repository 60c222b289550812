"""scripts/mutate.py's score: killed / (mutants - equivalent), and equivalents that went stale."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "mutate.py"


def _mutate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutate_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_score_counts_equivalent_survivors_out_and_reports_stale_ones() -> None:
    statuses = {
        "m.x_f__mutmut_1": "killed",
        "m.x_f__mutmut_2": "survived",  # judged equivalent
        "m.x_f__mutmut_10": "killed",  # listed as equivalent, yet killed: the list is stale
        "m.x_f__mutmut_3": "survived",
        "m.x_f__mutmut_4": "timeout",
        "m.x_f__mutmut_5": "no tests",
        "m.x_f__mutmut_6": "skipped",
    }
    equivalent = {"m.x_f__mutmut_2": "same output", "m.x_f__mutmut_10": "was equivalent before an edit"}
    score = _mutate()._score(statuses, equivalent)
    assert score == {
        "mutants": 7,
        "equivalent": 1,
        "killed": 3,
        "score": 60.0,
        "not_killed": {"m.x_f__mutmut_3": "survived", "m.x_f__mutmut_5": "no tests"},
        "stale_equivalent": ["m.x_f__mutmut_10"],
    }
