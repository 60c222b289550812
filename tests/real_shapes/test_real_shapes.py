"""A corpus of real shapes (issue 13 §4): each variant reproduces one documented real-world form of an
export on top of the sample organization and asserts what the loader reads and what the rules decide.

A variant is ``variants/<name>.json``:

- ``source``: where the variant is documented (an AWS CLI reference example, a botocore example or
  model, an AWS documentation page, a known exporter's behaviour);
- ``files``: bundle path -> ``{"content": JSON}``, ``{"text": "..."}``, ``{"patch": [...]}`` (``set`` /
  ``remove`` at a JSON pointer of the sample's own file, for files the sources cross-check),
  ``{"move_from": path}`` (the sample's file under another name), ``{"remove": true}``, plus
  ``"encoding": "utf-16-bom"`` or ``"gzip": true`` for how the bytes were written;
- ``expect``: ``files`` (path -> inventory status), ``warnings`` (path -> count), ``states`` (evidence
  states), ``model`` (a path into the snapshot -> value), ``verdicts`` (results that must be present),
  ``unchanged`` (true: every verdict is the sample organization's own).
"""

from __future__ import annotations

import copy
import gzip
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from analyzer.evidence import load_bundle
from analyzer.findings.result import Finding
from analyzer.model.kinds import ACTIVITY_KINDS, Kind
from analyzer.model.snapshot import Snapshot
from analyzer.pipeline import analyze

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parents[1] / "fixtures" / "sample-org"
VARIANTS = sorted((HERE / "variants").glob("*.json"))


def _key(f: Finding) -> tuple[str, ...]:
    return tuple(str(x) for x in (f.rule, f.status.value, f.account, f.region, f.resource, f.subject))


@pytest.fixture(scope="module")
def baseline() -> list[tuple[str, ...]]:
    return sorted(_key(f) for f in analyze(SAMPLE).findings)


def _steps(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


def _patched(document: Any, operations: list[dict[str, Any]]) -> Any:
    out = copy.deepcopy(document)
    for op in operations:
        *parents, last = _steps(op["path"])
        node = out
        for step in parents:
            node = node[int(step)] if isinstance(node, list) else node[step]
        target: Any = int(last) if isinstance(node, list) else last
        if op["op"] == "remove":
            del node[target]
        elif isinstance(node, list) and target == len(node):
            node.append(op["value"])
        else:
            node[target] = op["value"]
    return out


def _write(root: Path, rel: str, spec: dict[str, Any]) -> None:
    path = root / rel
    if spec.get("remove"):
        path.unlink()
        return
    if "move_from" in spec:
        source = root / spec["move_from"]
        text = source.read_text(encoding="utf-8")
        source.unlink()
    elif "patch" in spec:
        text = json.dumps(_patched(json.loads(path.read_text(encoding="utf-8")), spec["patch"]), indent=4)
    elif "text" in spec:
        text = spec["text"]
    else:
        text = json.dumps(spec["content"], indent=4)
    data = text.encode("utf-8")
    if spec.get("encoding") == "utf-16-bom":
        data = b"\xff\xfe" + text.encode("utf-16-le")
    if spec.get("gzip"):
        data = gzip.compress(data, mtime=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _resolve(snapshot: Snapshot, expression: str) -> Any:
    """``accounts.<id>.roles[name=X].trust_policy`` style paths; ``#len`` for a length, ``#set`` for a set."""
    value: Any = snapshot
    for step in re.findall(r"(?:[^.\[]|\[[^\]]*\])+", expression):  # dots inside [...] do not split
        step, _, suffix = step.partition("#")
        name, _, selector = step.partition("[")
        if name:
            value = value[name] if isinstance(value, dict) else getattr(value, name)
        if selector:
            attr, _, wanted = selector.rstrip("]").partition("=")
            value = next(v for v in value if str(getattr(v, attr)) == wanted)
        if suffix == "len":
            value = len(value)
        elif suffix == "set":
            value = sorted(str(v) for v in value)
        elif suffix == "str":
            value = str(value)
    return value


def _matches(finding: Finding, wanted: dict[str, Any]) -> bool:
    for field, value in wanted.items():
        if field == "message_contains":
            if value not in finding.message:
                return False
        elif field == "status":
            if finding.status.value != value:
                return False
        elif getattr(finding, field) != value:
            return False
    return True


def test_the_corpus_has_forty_documented_variants() -> None:
    assert len(VARIANTS) >= 40
    for path in VARIANTS:
        case = json.loads(path.read_text(encoding="utf-8"))
        assert case["source"].strip() and case["variant"].strip(), path.name
        assert case["expect"], path.name


def test_the_corpus_covers_every_evidence_kind() -> None:
    covered: set[str] = set()
    for path in VARIANTS:
        case = json.loads(path.read_text(encoding="utf-8"))
        covered.update(case.get("kinds", []))
    # The activity kinds came after the corpus: documented records in log files and lookup-events output are
    # here; digests, head-object, public keys and listings are built to AWS's documented shapes in
    # tests/activity/ and fixtures/rules/build_activity.py.
    assert covered >= {k.value for k in Kind if k is not Kind.MANIFEST and k not in ACTIVITY_KINDS}
    assert covered >= {Kind.CT_LOG_FILE.value, Kind.CT_LOOKUP_EVENTS.value}


@pytest.mark.parametrize("path", VARIANTS, ids=lambda p: p.stem)
def test_variant(path: Path, tmp_path: Path, baseline: list[tuple[str, ...]]) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    root = tmp_path / "bundle"
    shutil.copytree(SAMPLE, root)
    for rel, spec in case["files"].items():
        _write(root, rel, spec)
    expect = case["expect"]
    snapshot = load_bundle(root)
    rows = {r.path: r for r in snapshot.inventory}
    for rel, status in expect.get("files", {}).items():
        assert rows[rel].status.value == status, (rel, rows[rel].reason)
    for rel, count in expect.get("warnings", {}).items():
        assert sum(p.warning for p in rows[rel].problems) == count, rows[rel].problems
    for state in expect.get("states", []):
        found = snapshot.state(Kind(state["kind"]), state.get("account"), state.get("region"), state.get("item"))
        assert found.status.value == state["status"], found
        if "error_code" in state:
            assert found.error_code == state["error_code"]
        if "reason_contains" in state:
            assert state["reason_contains"] in found.reason, found.reason
    for expression, value in expect.get("model", {}).items():
        assert _resolve(snapshot, expression) == value, expression
    findings = analyze(root).findings
    for wanted in expect.get("verdicts", []):
        assert any(_matches(f, wanted) for f in findings), wanted
    if expect.get("unchanged"):
        assert sorted(_key(f) for f in findings) == baseline
