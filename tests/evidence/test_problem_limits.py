"""Issue 11 §4: a file's problem list has a bounded length, found in bounded time and memory.

A GAAD of 100,000 ``null`` users (500 KB) listed 100,000 schema problems: 4.8 s and 405 MB for the
schema check alone, and every one of them was carried into the inventory, the terminal and the
reports (a million: about 48 s and 4 GB). Now the schema check reads at most
:data:`~analyzer.evidence.schemas.MAX_SCHEMA_ERRORS` errors (past that the file is refused whole:
what the unread errors would cost is unknown), and a file lists at most
:data:`~analyzer.model.snapshot.MAX_LISTED_PROBLEMS` problems, the last one counting the rest.
"""

from __future__ import annotations

from typing import Any

import pytest

from analyzer.evidence import load_bundle, schemas
from analyzer.evidence.schemas import check, check_evidence
from analyzer.model.kinds import Kind
from analyzer.model.snapshot import MAX_LISTED_PROBLEMS, FileStatus, Problem, listed
from tests.evidence import conftest as shapes
from tests.evidence.conftest import DEV, BundleBuilder

STEM = "iam-get-account-authorization-details"
GAAD = f"{DEV}/iam/get-account-authorization-details.json"


def _nulls(count: int) -> dict[str, Any]:
    return {"UserDetailList": [None] * count, "GroupDetailList": [], "RoleDetailList": [], "Policies": []}


def test_the_schema_check_reads_a_bounded_number_of_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schemas, "MAX_SCHEMA_ERRORS", 300)
    found = check_evidence(STEM, _nulls(5_000))
    assert len(found.verdict) == 301  # 300 read, one saying the rest were not
    assert "more than 300 schema problems: the file is not used" in found.verdict[0].message
    assert [p.pointer for p in found.verdict[1:4]] == ["/UserDetailList/0", "/UserDetailList/1", "/UserDetailList/10"]
    problems = check(STEM, _nulls(5_000))
    assert len(problems) == 301 and problems[0].message == found.verdict[0].message


def test_a_file_with_few_problems_still_has_every_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schemas, "MAX_SCHEMA_ERRORS", 300)
    found = check_evidence(STEM, _nulls(300))
    assert len(found.verdict) == 300 and all("expected object" in p.message for p in found.verdict)


def test_warnings_alone_past_the_limit_still_make_the_file_unusable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The errors not read may cost a verdict: a file is never used on the strength of the first ones."""
    monkeypatch.setattr(schemas, "MAX_SCHEMA_ERRORS", 50)
    roles = [shapes.role(DEV, f"r{i}", InstanceProfileList=5) for i in range(80)]  # no verdict reads it
    assert check_evidence(STEM, shapes.gaad(DEV, roles=roles[:50])).verdict == ()
    found = check_evidence(STEM, shapes.gaad(DEV, roles=roles))
    assert len(found.verdict) == 1 and "more than 50 schema problems" in found.verdict[0].message
    assert len(found.warnings) == 50


def test_an_inventory_row_lists_a_bounded_number_of_problems(standard_builder: BundleBuilder) -> None:
    count = 2_000
    standard_builder.write(GAAD, _nulls(count))
    snapshot = load_bundle(standard_builder.root)
    (row,) = [row for row in snapshot.inventory if row.path == GAAD]
    assert row.status is FileStatus.INVALID
    assert len(row.problems) == MAX_LISTED_PROBLEMS + 1
    assert row.problems[-1].message.startswith(f"{count - MAX_LISTED_PROBLEMS:,} more problem(s) not listed")
    assert f"(and {count - 1} more)" in row.reason  # the count stays exact
    assert not snapshot.state(Kind.IAM_AUTH_DETAILS, DEV).usable


def test_listed_counts_what_it_leaves_out() -> None:
    problems = tuple(Problem(f"/{i}", "bad", warning=i >= 3) for i in range(10))
    assert listed(problems, 10) == problems
    kept = listed(problems, 2)
    assert kept[:2] == problems[:2] and len(kept) == 3
    assert kept[2].message == "8 more problem(s) not listed, 1 of them costing a verdict (the first 2 are)"
    assert not kept[2].warning
    only_warnings = listed(problems[3:], 2)
    assert only_warnings[2].warning and "all warnings" in only_warnings[2].message


@pytest.fixture
def standard_builder(builder: BundleBuilder) -> BundleBuilder:
    return builder.standard()
