"""findings.json written line by line is exactly the readable dump of the whole document."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, cast

from analyzer.findings.engine import RuleRun
from analyzer.model.evidence import EvidenceRef
from analyzer.pipeline import ScanResult
from analyzer.report.baseline import apply_baseline
from analyzer.report.json_report import dumps_readable, finding_json, render, result_line, scan_json


def _with_details(result: ScanResult) -> ScanResult:
    """The result with one finding carrying details, a subject, odd text and an embedded-document ref."""
    run = result.runs[0]
    first = replace(
        run.findings[0],
        subject='arn:aws:iam::111111111111:user/"quoted"',
        details={"break_glass": "ok ✓", "nested": {"b": [1, 2.5, None, True], "a": ("x",)}},
        evidence=(EvidenceRef("x/policy.json", "/Policy", "/Statement/0"), EvidenceRef("x\\y.json", "/a\tb")),
        message="line\nbreak and \u2028 separator",
    )
    return replace(result, runs=[RuleRun(run.rule, (first, *run.findings[1:]), run.error), *result.runs[1:]])


def test_fast_result_lines_are_the_encoded_documents(defective: ScanResult) -> None:
    assert any(f.suppressed for f in defective.findings)
    assert render(defective) == dumps_readable(scan_json(defective))
    odd = _with_details(defective)
    assert render(odd) == dumps_readable(scan_json(odd))


def test_baseline_marks_and_no_results_render_the_same_way(defective: ScanResult) -> None:
    marked = apply_baseline(defective, {})
    assert any(f.baseline for f in marked.findings)
    assert render(marked) == dumps_readable(scan_json(marked))
    empty = replace(defective, runs=[])
    assert render(empty) == dumps_readable(scan_json(empty))
    assert json.loads(render(empty))["results"] == []


def test_each_result_is_one_line(defective: ScanResult) -> None:
    lines = render(defective).splitlines()
    start = lines.index('  "results": [')
    results = lines[start + 1 : start + 1 + len(defective.findings)]
    assert [json.loads(line.rstrip(","))["fingerprint"] for line in results] == [
        f.fingerprint for f in defective.findings
    ]


def test_a_subject_alone_and_a_field_of_an_unexpected_type_encode_as_the_document(defective: ScanResult) -> None:
    encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(", ", ": ")).encode
    first = defective.runs[0].findings[0]
    subject_only = replace(first, subject='role/"q" ✓ \u2028 end', details={})
    odd_type = replace(first, message=cast(Any, 42))  # not a string: the general encoder writes it
    for finding in (subject_only, odd_type):
        assert result_line(finding) == encode(finding_json(finding))
    assert '"details": {"subject": "role/\\"q\\" ✓ \u2028 end"}' in result_line(subject_only)
