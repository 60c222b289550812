"""Resolving evidence references to statements, and marking the deciding part."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from analyzer.model.evidence import EvidenceRef
from analyzer.pipeline import ScanResult
from analyzer.report.statements import StatementIndex, marked_segments, windowed
from tests.report.support import DEV, HOSTILE_SID

GAAD = f"{DEV}/iam/get-account-authorization-details.json"
TRUST = "/RoleDetailList/0/AssumeRolePolicyDocument"


def test_a_reference_below_a_statement_resolves_to_it_with_the_rest_as_deciding_part(defective: ScanResult) -> None:
    index = StatementIndex(defective.snapshot)
    hit = index.resolve(EvidenceRef(GAAD, f"{TRUST}/Statement/0/Condition/BoolIfExists"))
    assert hit is not None
    assert hit.statement.sid == HOSTILE_SID
    assert hit.rest == ("Condition", "BoolIfExists")
    whole = index.resolve(EvidenceRef(GAAD, f"{TRUST}/Statement/0"))
    assert whole is not None and whole.rest == ()


def test_a_reference_to_no_statement_resolves_to_nothing(defective: ScanResult) -> None:
    index = StatementIndex(defective.snapshot)
    assert index.resolve(EvidenceRef(GAAD, "/RoleDetailList/0/RoleName")) is None
    assert index.resolve(EvidenceRef("no/such/file.json", f"{TRUST}/Statement/0")) is None


def test_embedded_documents_resolve_through_the_inner_pointer(defective: ScanResult) -> None:
    bucket = defective.snapshot.bucket_policies[0].source
    statement = bucket.document.statements[2]
    ref = bucket.statement_ref(statement)
    assert ref.inner is not None
    hit = StatementIndex(defective.snapshot).resolve(ref.child("Condition", "StringEquals"))
    assert hit is not None and hit.statement == statement and hit.rest == ("Condition", "StringEquals")


def test_the_marked_part_is_the_value_at_the_pointer_and_the_text_is_unchanged() -> None:
    raw = {"Effect": "Allow", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}, "Sid": "x"}
    text = json.dumps(raw, indent=2)
    segments = marked_segments(text, ("Condition", "BoolIfExists"))
    assert "".join(s.text for s in segments) == text
    marked = "".join(s.text for s in segments if s.marked)
    assert marked.startswith('"BoolIfExists": {')
    assert '"aws:MultiFactorAuthPresent": "true"' in marked
    assert "Effect" not in marked and "Sid" not in marked


def test_a_pointer_that_goes_deeper_than_the_document_marks_the_deepest_existing_part() -> None:
    text = json.dumps({"Action": ["sts:AssumeRole", "sts:TagSession"]}, indent=2)
    segments = marked_segments(text, ("Action", "1", "nothing-here"))
    assert [s.text for s in segments if s.marked] == ['"sts:TagSession"']


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=12,
)


@given(json_values, st.lists(st.text(max_size=5), max_size=3))
def test_marking_never_changes_the_text(value: object, path: list[str]) -> None:
    text = json.dumps(value, indent=2, ensure_ascii=False)
    assert "".join(s.text for s in marked_segments(text, tuple(path))) == text


def test_long_statements_are_cut_around_the_marked_part() -> None:
    raw = {
        "Resource": [f"arn:aws:s3:::bucket/AWSLogs/{n:012d}/*" for n in range(500)],
        "Condition": {"StringEquals": {"aws:SourceOrgID": "o-1"}},
    }
    text = json.dumps(raw, indent=2)
    cut = windowed(marked_segments(text, ("Condition",)), limit=60, context=5)
    shown = "".join(s.text for s in cut)
    assert shown.count("\n") < 40
    assert any(s.gap and "lines not shown" in s.text for s in cut)
    assert "".join(s.text for s in cut if s.marked).startswith('"Condition"')
    short = marked_segments(json.dumps({"a": 1}, indent=2), ("a",))
    assert windowed(short) == short
