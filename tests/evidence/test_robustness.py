"""Whatever a file holds, loading never raises and never needs the catch-all: every outcome is a
precise row. Generated documents are mutations of valid ones, so many still pass the schema and
reach the readers with odd-but-allowed values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.evidence import load_bundle
from analyzer.model.kinds import Kind
from tests.evidence.conftest import BundleBuilder
from tests.evidence.test_fastcheck import _mutate, _samples
from tests.evidence.test_loader import PLACES

CATCH_ALL = "could not be read ("


@pytest.mark.parametrize("kind", list(Kind), ids=lambda k: k.value)
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_mutated_documents_load_without_surprises(tmp_path: Path, kind: Kind, data: st.DataObject) -> None:
    document: Any = _mutate(data.draw(st.sampled_from(_samples(kind))), data)
    builder = BundleBuilder(tmp_path / f"b{abs(hash(json.dumps(document, sort_keys=True, default=str)))}")
    builder.write(PLACES[kind], document)
    snapshot = load_bundle(builder.root)
    (row,) = snapshot.inventory
    assert CATCH_ALL not in row.reason, row.reason
    assert row.status.value in ("loaded", "invalid", "incomplete", "ignored")


@settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.binary(max_size=200))
def test_random_bytes_are_an_invalid_or_ignored_row(tmp_path_factory: pytest.TempPathFactory, content: bytes) -> None:
    builder = BundleBuilder(tmp_path_factory.mktemp("bytes"))
    builder.write(PLACES[Kind.IAM_SUMMARY], content)
    builder.write("111111111111/iam/get-account-summary.err", content)
    for row in load_bundle(builder.root).inventory:
        assert CATCH_ALL not in row.reason, row.reason
