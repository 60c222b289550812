"""Strict where a verdict reads, tolerant elsewhere (issue 13 §1).

Each evidence kind's schema names the places a verdict reads (``x-verdict``, ``x-element``:
:func:`analyzer.evidence.schemas.fields`). The property: in any file of the sample organization,
nulling out, deleting, retyping or adding a field at any other place leaves every verdict as it was,
and the file ``loaded`` (the oddity is a warning in the inventory).
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.evidence import load_bundle, schemas
from analyzer.model.kinds import Kind
from analyzer.model.snapshot import FileStatus
from analyzer.pipeline import analyze

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample-org"

Step = str | int
Verdicts = list[tuple[str, ...]]


def _verdicts(bundle: Path) -> Verdicts:
    return sorted(
        tuple(str(x) for x in (f.rule, f.status.value, f.account, f.region, f.resource, f.subject))
        for f in analyze(bundle).findings
    )


def _files_by_kind() -> dict[Kind, list[str]]:
    out: dict[Kind, list[str]] = {}
    for row in load_bundle(SAMPLE).inventory:
        if row.kind and row.status is FileStatus.LOADED and row.path.endswith(".json") and row.kind != "manifest":
            out.setdefault(Kind(row.kind), []).append(row.path)
    return out


FILES = _files_by_kind()


def _places(node: Any, where: tuple[Step, ...] = ()) -> Iterator[tuple[tuple[Step, ...], bool]]:
    """Every (place, is_key) below ``node``: keys of objects (deletable) and items of arrays."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*where, key), True
            yield from _places(value, (*where, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*where, index), False
            yield from _places(value, (*where, index))


def _unread(stem: str, where: tuple[Step, ...]) -> bool:
    return schemas.fields(stem).weight(tuple(map(str, where))) == "warning"


def _containers(node: Any, where: tuple[Step, ...] = ()) -> Iterator[tuple[Step, ...]]:
    if isinstance(node, dict):
        yield where
        for key, value in node.items():
            yield from _containers(value, (*where, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _containers(value, (*where, index))


OTHER_TYPES: tuple[Any, ...] = (None, 12345, "unexpected text", [], {"Unexpected": 1}, True)
ADDED = "TrustmapUnexpectedKey"


def _parent(document: Any, where: tuple[Step, ...]) -> Any:
    node = document
    for step in where[:-1]:
        node = node[step]
    return node


def _mutations(stem: str, document: Any) -> list[tuple[str, tuple[Step, ...], Any]]:
    """(operation, place, new value) for every place no verdict reads."""
    out: list[tuple[str, tuple[Step, ...], Any]] = []
    for where, is_key in _places(document):
        if not _unread(stem, where):
            continue
        current = _parent(document, where)[where[-1]]
        out.append(("null", where, None))
        out.extend(("retype", where, v) for v in OTHER_TYPES if type(v) is not type(current) and v is not None)
        if is_key:
            out.append(("delete", where, None))
    out.extend(("add", (*w, ADDED), "added") for w in _containers(document) if _unread(stem, (*w, ADDED)))
    return out


def _apply(document: Any, operation: str, where: tuple[Step, ...], value: Any) -> Any:
    mutated = copy.deepcopy(document)
    parent = _parent(mutated, where)
    if operation == "delete":
        del parent[where[-1]]
    else:
        parent[where[-1]] = value
    return mutated


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tolerance") / "sample-org"
    shutil.copytree(SAMPLE, root)
    return root


@pytest.fixture(scope="module")
def baseline(bundle: Path) -> Verdicts:
    return _verdicts(bundle)


def test_every_kind_of_the_sample_has_places_no_verdict_reads() -> None:
    assert len(FILES) >= 15
    for kind, paths in FILES.items():
        document = json.loads((SAMPLE / paths[0]).read_text(encoding="utf-8"))
        assert _mutations(kind.value, document), kind  # at least: a key can be added somewhere


@pytest.mark.parametrize("kind", sorted(FILES), ids=lambda k: k.value)
@settings(
    max_examples=6,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_a_field_no_verdict_reads_changes_no_verdict(
    bundle: Path, baseline: Verdicts, kind: Kind, data: st.DataObject
) -> None:
    rel = data.draw(st.sampled_from(FILES[kind]))
    original = (SAMPLE / rel).read_text(encoding="utf-8")
    document = json.loads(original)
    operation, where, value = data.draw(st.sampled_from(_mutations(kind.value, document)))
    (bundle / rel).write_text(json.dumps(_apply(document, operation, where, value), indent=2), encoding="utf-8")
    try:
        row = next(r for r in load_bundle(bundle).inventory if r.path == rel)
        assert row.status is FileStatus.LOADED, (operation, where, row.reason)
        assert _verdicts(bundle) == baseline, (operation, where)
    finally:
        (bundle / rel).write_text(original, encoding="utf-8")


def test_a_null_boundary_usage_count_of_an_aws_managed_policy_loses_nothing(bundle: Path, baseline: Verdicts) -> None:
    """Seen on real data: exporters that write ``"PermissionsBoundaryUsageCount": null`` for AWS-managed
    policies (the AWS CLI leaves the key out); every IAM rule of the account went not evaluated."""
    rel, original, document = next(
        (path, text, json.loads(text))
        for path in FILES[Kind.IAM_AUTH_DETAILS]
        for text in [(SAMPLE / path).read_text(encoding="utf-8")]
        if json.loads(text)["Policies"]
    )
    for policy in document["Policies"]:
        policy["PermissionsBoundaryUsageCount"] = None
    (bundle / rel).write_text(json.dumps(document), encoding="utf-8")
    try:
        row = next(r for r in load_bundle(bundle).inventory if r.path == rel)
        assert row.status is FileStatus.LOADED
        assert row.problems and all(p.warning for p in row.problems)
        assert {p.pointer.rsplit("/", 1)[-1] for p in row.problems} == {"PermissionsBoundaryUsageCount"}
        assert _verdicts(bundle) == baseline
    finally:
        (bundle / rel).write_text(original, encoding="utf-8")


def test_an_unreadable_trust_policy_costs_that_role_and_the_paths_through_it(bundle: Path, baseline: Verdicts) -> None:
    """A role whose trust policy cannot be read: its own checks and IDN-003 for the people who may reach
    it are not evaluated; nothing else changes, and the file stays loaded."""
    rel = "565392545550/iam/get-account-authorization-details.json"
    original = (SAMPLE / rel).read_text(encoding="utf-8")
    document = json.loads(original)
    role = next(r for r in document["RoleDetailList"] if r["RoleName"] == "Dev-Admin-Role")
    role["AssumeRolePolicyDocument"] = None
    (bundle / rel).write_text(json.dumps(document), encoding="utf-8")
    try:
        snapshot = load_bundle(bundle)
        row = next(r for r in snapshot.inventory if r.path == rel)
        assert row.status is FileStatus.LOADED
        assert any(p.pointer.endswith("/AssumeRolePolicyDocument") and not p.warning for p in row.problems)
        after = analyze(bundle).findings
        changed = {
            (f.rule, f.resource)
            for f in after
            if tuple(str(x) for x in (f.rule, f.status.value, f.account, f.region, f.resource, f.subject))
            not in set(baseline)
        }
        arn = "arn:aws:iam::565392545550:role/Dev-Admin-Role"
        assert {rule for rule, resource in changed if resource == arn} == {"IDN-002", "IDN-004", "IDN-005", "IDN-006"}
        assert {rule for rule, resource in changed if resource != arn} == {"IDN-003"}
        assert all(f.status.value == "not_evaluated" for f in after if (f.rule, f.resource) in changed)
        message = next(f.message for f in after if f.rule == "IDN-005" and f.resource == arn)
        assert f"{rel} at " in message and "/AssumeRolePolicyDocument" in message  # names file and pointer
    finally:
        (bundle / rel).write_text(original, encoding="utf-8")
