"""Driver for the table-driven IAM engine cases in ``iam_cases/`` (one module per feature).

``pytest -k 'principals/'`` runs one feature. Every case cites the AWS documentation page it
encodes (IAM User Guide page name, or ``<guide>:<page>`` for other guides).
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import iam_cases
import pytest
from iam_case_support import Case, run

FEATURES = sorted(m.name for m in pkgutil.iter_modules(iam_cases.__path__) if not m.name.startswith("_"))
ALL: list[tuple[str, Case]] = [
    (feature, case) for feature in FEATURES for case in importlib.import_module(f"iam_cases.{feature}").CASES
]
DOC = re.compile(r"(?:[a-z0-9]+:)?[A-Za-z0-9_.-]+\.html(?:#[A-Za-z0-9_-]+)?")


@pytest.mark.parametrize("case", [c for _, c in ALL], ids=[f"{f}/{c.id}" for f, c in ALL])
def test_case(case: Case) -> None:
    run(case)


def test_inventory_is_large_and_cited() -> None:
    assert len(ALL) >= 200
    ids = [f"{f}/{c.id}" for f, c in ALL]
    assert len(ids) == len(set(ids)), "case ids must be unique within a feature"
    for _, case in ALL:
        assert DOC.fullmatch(case.doc), f"{case.id}: doc must name an AWS documentation page, got {case.doc!r}"


def test_every_outcome_is_exercised_per_feature() -> None:
    """Each feature table holds both granted and refused requests (no table that cannot fail)."""
    for feature in FEATURES:
        outcomes = {c.expect for f, c in ALL if f == feature}
        assert "allow" in outcomes and outcomes - {"allow"}, feature
