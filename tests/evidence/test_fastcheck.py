"""The compiled schema check must agree with jsonschema: never more lenient, and fast on valid files."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.evidence import load_bundle, schemas
from analyzer.evidence.fastcheck import Compiler, Unsupported
from analyzer.model.kinds import Kind
from tests.evidence.conftest import BundleBuilder
from tests.evidence.test_loader import VALID

CASES = Path(__file__).resolve().parents[1] / "schema_cases"

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-3, max_value=2000)
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | st.sampled_from(["", "x", "arn:aws:iam::111111111111:root", "2026-01-01T00:00:00Z", "us-east-1", "p-1"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(["a", "Id", "name"]), children, max_size=3)
    ),
    max_leaves=6,
)


def _samples(kind: Kind) -> list[Any]:
    found = [VALID[kind]]
    folder = CASES / kind.value / "valid"
    if folder.is_dir():
        found.extend(json.loads(p.read_text()) for p in sorted(folder.glob("*.json")))
    return found


def _mutate(document: Any, data: st.DataObject) -> Any:
    """Replace, drop or add one member somewhere in the document."""
    doc = copy.deepcopy(document)
    node = doc
    while True:
        if isinstance(node, dict) and node:
            key = data.draw(st.sampled_from(sorted(node)))
            action = data.draw(st.sampled_from(["descend", "replace", "drop", "add"]))
            if action == "descend" and isinstance(node[key], (dict, list)) and node[key]:
                node = node[key]
                continue
            if action == "drop":
                del node[key]
            elif action == "add":
                node[data.draw(st.sampled_from(["Extra", "name", key + "X"]))] = data.draw(json_values)
            else:
                node[key] = data.draw(json_values)
            return doc
        if isinstance(node, list) and node:
            index = data.draw(st.integers(0, len(node) - 1))
            if isinstance(node[index], (dict, list)) and node[index] and data.draw(st.booleans()):
                node = node[index]
                continue
            node[index] = data.draw(json_values)
            return doc
        return data.draw(json_values)


@pytest.mark.parametrize("kind", list(Kind), ids=lambda k: k.value)
def test_every_evidence_schema_compiles(kind: Kind) -> None:
    check = schemas.fast_check(kind.value)
    assert check is not None
    for sample in _samples(kind):
        assert check(sample), kind


@pytest.mark.parametrize("kind", list(Kind), ids=lambda k: k.value)
@settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fast_check_agrees_with_jsonschema(kind: Kind, data: st.DataObject) -> None:
    sample = data.draw(st.sampled_from(_samples(kind)))
    document = _mutate(sample, data)
    expected = schemas.validator(kind.value).is_valid(document)
    assert schemas.fast_check(kind.value)(document) is expected  # type: ignore[misc]
    assert (schemas.check(kind.value, document) == ()) is expected


def _compile(schema: dict[str, Any]) -> Any:
    schema = {"$id": "https://x.invalid/s.json", **schema}
    return Compiler({schema["$id"]: schema}).compile_id(schema["$id"])


def test_keyword_semantics_match_json_schema() -> None:
    enum = _compile({"enum": [0, 1, "a", None]})
    assert [enum(v) for v in (0, 1, "a", None, True, False, 2, [0])] == [True] * 4 + [False] * 4
    integer = _compile({"type": "integer", "minimum": 1})
    assert [integer(v) for v in (1, 0, 1.0, 1.5, True)] == [True, False, True, False, False]
    one_of = _compile({"oneOf": [{"type": "string"}, {"pattern": "^a"}]})
    assert [one_of(v) for v in ("abc", "xyz", 5)] == [False, True, True]
    pattern = _compile({"pattern": "b"})
    assert [pattern(v) for v in ("abc", "xyz", 5)] == [True, False, True]  # search, not match; strings only
    untyped = _compile({"required": ["a"], "additionalProperties": False, "properties": {"a": {}}})
    assert [untyped(v) for v in ({"a": 1}, {"a": 1, "b": 2}, {}, [1])] == [True, False, False, True]
    recursive = _compile({"$defs": {"n": {"type": "array", "items": {"$ref": "#/$defs/n"}}}, "$ref": "#/$defs/n"})
    assert recursive([[[]], []]) and not recursive([[1]])


@pytest.mark.parametrize(
    "schema",
    [
        {"patternProperties": {"^a": {}}},
        {"uniqueItems": True},
        {"$ref": "other.json#/x"},
        {"properties": {"a": {"$id": "https://elsewhere.invalid/"}}},
        {"type": "float"},
        {"enum": [[1]]},
    ],
)
def test_unsupported_keywords_are_refused_so_jsonschema_decides(schema: dict[str, Any]) -> None:
    with pytest.raises(Unsupported):
        _compile(schema)


def test_valid_files_never_reach_jsonschema(builder: BundleBuilder, monkeypatch: pytest.MonkeyPatch) -> None:
    """The slow, precise validator only runs for documents the compiled check rejects."""

    def refuse(stem: str) -> None:
        raise AssertionError(f"jsonschema ran for a valid {stem} document")

    monkeypatch.setattr(schemas, "validator", refuse)
    snapshot = load_bundle(builder.standard().root)
    assert all(r.status.value == "loaded" for r in snapshot.inventory)
