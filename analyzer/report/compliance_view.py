"""The compliance view: for each framework, the controls trustmap covers, each with the verdict of
the rules that cite it, and the controls of its sections it does not cover, named as such.

A control's status is the worst display status of every result of its rules: it "passes" only when
every one of those results passes; one failure fails it, and a result not evaluated (or a rule that
could not run) leaves it not evaluated. A control no result speaks to reads "no result".
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from analyzer.report.view import STATUS_LOOK, display_status, worst
from analyzer.rules.compliance import FRAMEWORKS
from analyzer.rules.frameworks import KNOWN_CONTROLS

if TYPE_CHECKING:
    from analyzer.pipeline import ScanResult


@dataclass(frozen=True, slots=True)
class ControlView:
    control: str
    title: str
    status: str  # a STATUS_LOOK key; "none" when no result speaks to it
    counts: dict[str, int]  # results of its rules by display status
    rules: tuple[str, ...]  # the rules citing it (empty: not covered)


@dataclass(frozen=True, slots=True)
class FrameworkView:
    name: str
    anchor: str
    covered: tuple[ControlView, ...]
    uncovered: tuple[ControlView, ...]  # controls of the listed sections no rule cites
    checked: str  # how far the references were checked
    by_status: dict[str, int]  # covered controls by status


def control_order(control: str) -> tuple[tuple[int, int | str], ...]:
    """ "1.10" after "1.9", "AC-2(3)" after "AC-2"."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.\-()]+", control) if p)


def framework_views(result: ScanResult) -> list[FrameworkView]:
    cited: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for run in result.runs:
        for ref in run.rule.meta.compliance:
            cited[ref.framework][ref.control].append(run.rule.id)
    statuses: dict[str, list[str]] = defaultdict(list)
    for f in result.findings:
        statuses[f.rule].append(display_status(f))
    errored = {run.rule.id for run in result.runs if run.error}
    out = []
    for key, name in FRAMEWORKS.items():
        if result.framework is not None and name != result.framework:
            continue
        known, checked = KNOWN_CONTROLS.get(name, ((), ""))
        titles = dict(known)
        controls = cited.get(name, {})
        covered = []
        for control in sorted(controls, key=control_order):
            rules = tuple(sorted(set(controls[control])))
            found = [s for rule in rules for s in statuses.get(rule, [])] + ["error" for r in rules if r in errored]
            counts = {s: found.count(s) for s in STATUS_LOOK if s != "none"}
            covered.append(ControlView(control, titles.get(control, ""), worst(found), counts, rules))
        uncovered = tuple(ControlView(c, t, "none", {}, ()) for c, t in known if c not in controls)
        by_status = {s: sum(1 for c in covered if c.status == s) for s in STATUS_LOOK}
        out.append(FrameworkView(name, f"fw-{key.lower()}", tuple(covered), uncovered, checked, by_status))
    return out


def filter_to_framework(result: ScanResult, key: str) -> ScanResult:
    """``result`` with only the rules that cite framework ``key`` (a FRAMEWORKS key) and their
    results: what ``analyze --compliance KEY`` writes. Every rule still ran; the others are left out
    of the outputs, and the compliance view shows that framework alone."""
    name = FRAMEWORKS[key]
    runs = [run for run in result.runs if any(ref.framework == name for ref in run.rule.meta.compliance)]
    return replace(result, runs=runs, framework=name)
