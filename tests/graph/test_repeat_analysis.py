"""Several analyses in one process give each bundle the graph a fresh process gives it.

The engine caches compiled policies across analyses (by object, then by value): two bundles hold
equal documents as distinct objects, sometimes written differently. Nothing of one analysis may leak
into another's edges, evidence or statement text.
"""

from __future__ import annotations

from pathlib import Path

from analyzer.graph.access import AccessGraph
from analyzer.iam import clear_compile_cache
from analyzer.pipeline import analyze
from tests.rule_cases import BASE, all_cases


def _edges(graph: AccessGraph) -> list[tuple[str, str, str, tuple[str, ...], str]]:
    return [(e.source, e.target, e.mfa.value, tuple(map(str, e.evidence)), e.reason) for e in graph.assume_edges()]


def test_base_then_a_changed_copy_then_base_again(tmp_path: Path) -> None:
    case = next(c for c in all_cases() if c.id == "IDN-003/fail-role-chain-bypasses-mfa")
    changed = case.materialize(tmp_path / "changed")
    first = _edges(analyze(BASE, only=["IDN-003"]).graph)
    middle = _edges(analyze(changed, only=["IDN-003"]).graph)
    again = _edges(analyze(BASE, only=["IDN-003"]).graph)
    clear_compile_cache()
    fresh_changed = _edges(analyze(changed, only=["IDN-003"]).graph)
    assert first and again == first
    assert middle == fresh_changed and middle != first
    # the changed copy adds the Jump role: its edges are there, with evidence in the copy's own files
    assert any(e[1].endswith("role/Jump") for e in middle)
