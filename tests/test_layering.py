"""Imports point down the flow: a package imports only from the layers below it (issue 14, part 5).

The layers, lowest first, as data: a new package must be given its place here. Checked on the source
(every ``from analyzer.X import ...``, at any depth in a module, type-checking imports included), so a
rule that reached up for the engine's settings, or the graph for a report helper, fails this test.
"""

from __future__ import annotations

import ast
from pathlib import Path

ANALYZER = Path(__file__).resolve().parents[1] / "analyzer"

#: Each top-level module or package of ``analyzer`` and its layer (imports go to a lower number).
LAYERS: dict[str, int] = {
    "text": 0,
    "parallel": 0,
    "model": 0,
    "iam": 1,
    "evidence": 1,
    "activity": 2,
    "audit": 2,
    "graph": 3,
    "rules": 4,
    "findings": 5,
    "pipeline": 6,
    "synth": 6,
    "collect": 6,
    "report": 7,
    "cli": 8,
    "__main__": 9,
}


def _package(path: Path) -> str:
    parts = path.relative_to(ANALYZER).parts
    return parts[0].removesuffix(".py")


def _imports() -> list[tuple[str, str, str]]:
    """(importing package, imported package, file) for every import between two packages."""
    found = []
    for path in sorted(ANALYZER.rglob("*.py")):
        if path.name == "__init__.py" and path.parent == ANALYZER:
            continue
        source = _package(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analyzer."):
                target = node.module.split(".")[1]
                if target != source:
                    found.append((source, target, str(path.relative_to(ANALYZER))))
    return found


def test_every_package_has_a_layer() -> None:
    packages = {_package(p) for p in ANALYZER.rglob("*.py") if not (p.name == "__init__.py" and p.parent == ANALYZER)}
    assert packages <= set(LAYERS), sorted(packages - set(LAYERS))


def test_imports_point_down() -> None:
    upward = [f"{file}: {source} imports {target}" for source, target, file in _imports()
              if LAYERS[target] >= LAYERS[source]]  # fmt: skip
    assert upward == []


def test_the_check_sees_an_upward_import() -> None:
    """The rules once imported the engine's settings: that edge, had it stayed, is what this test reports."""
    assert LAYERS["findings"] >= LAYERS["rules"]  # rules -> findings would be reported as upward
    assert ("rules", "audit") in {(s, t) for s, t, _ in _imports()}  # and the check does read the imports
