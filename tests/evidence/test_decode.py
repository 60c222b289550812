"""Bytes to JSON: encodings, gzip, hostile and broken content; policy documents as strings."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from analyzer.evidence import load_bundle
from analyzer.evidence.decode import (
    DecodeError,
    Duplicates,
    decode_policy_field,
    decode_text,
    decompress_if_gzip,
    loads_json,
    parse_document_text,
)
from analyzer.model.evidence import EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.model.snapshot import FileStatus, InventoryRow
from tests.evidence.conftest import IDENTITY, BundleBuilder, account_summary, gaad, role

SUMMARY = f"{IDENTITY}/iam/get-account-summary.json"


def _load_one(builder: BundleBuilder, content: Any, rel: str = SUMMARY, **write: Any) -> InventoryRow:
    builder.write(rel, content, **write)
    snapshot = load_bundle(builder.root)
    (row,) = [r for r in snapshot.inventory if r.path == rel]
    return row


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("encoding", "bom", "note"),
    [
        ("utf-8", False, ""),
        ("utf-8", True, "read as UTF-8 with BOM"),
        ("utf-16-le", True, "read as UTF-16 LE with BOM"),
        ("utf-16-be", True, "read as UTF-16 BE with BOM"),
        ("utf-16-le", False, "read as UTF-16 LE"),
        ("utf-16-be", False, "read as UTF-16 BE"),
    ],
)
def test_text_encodings_load(builder: BundleBuilder, encoding: str, bom: bool, note: str) -> None:
    row = _load_one(builder, json.dumps(account_summary(Users=7)), encoding=encoding, bom=bom)
    assert row.status is FileStatus.LOADED
    assert row.reason == note
    snapshot = load_bundle(builder.root)
    assert dict(snapshot.accounts[IDENTITY].summary.counts)["Users"] == 7  # type: ignore[union-attr]


def test_gzip_file_is_read_as_its_json(builder: BundleBuilder) -> None:
    payload = gzip.compress(json.dumps(account_summary(Users=3)).encode("utf-16"))  # UTF-16 with BOM inside
    row = _load_one(builder, payload, rel=f"{IDENTITY}/iam/get-account-summary.json.gz")
    assert row.status is FileStatus.LOADED
    assert row.kind == Kind.IAM_SUMMARY.value
    assert row.reason == "gzip-compressed, read as UTF-16 LE with BOM"


_GZ = gzip.compress(b'{"SummaryMap": {"Users": 1}}' * 20)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (_GZ[:12] + bytes(b ^ 0x55 for b in _GZ[12:-8]) + _GZ[-8:], "corrupt gzip"),
        (b"\x1f\x8b\x08\x00", "ends early"),
        (gzip.compress(b'{"SummaryMap": {}}')[:-12], "ends early"),
    ],
)
def test_broken_gzip_is_invalid(builder: BundleBuilder, payload: bytes, expected: str) -> None:
    row = _load_one(builder, payload, rel=f"{IDENTITY}/iam/get-account-summary.json.gz")
    assert row.status is FileStatus.INVALID
    assert expected in row.reason


def test_gzip_bomb_is_refused_by_the_member_limit() -> None:
    bomb = gzip.compress(b" " * 2_000_000)
    with pytest.raises(DecodeError, match=r"decompression bomb|beyond"):
        decompress_if_gzip(bomb, 1_000_000)
    assert decompress_if_gzip(bomb, 2_000_000)[0] == b" " * 2_000_000


def test_decode_text_reports_the_encoding() -> None:
    assert decode_text(b'{"a": 1}') == ('{"a": 1}', "UTF-8")
    assert decode_text("\ufeff{}".encode("utf-16-le")) == ("{}", "UTF-16 LE with BOM")
    assert decode_text(b"\xef\xbb\xbf{}") == ("{}", "UTF-8 with BOM")


# --------------------------------------------------------------------------- hostile / broken content


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"  \n\t ", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        (bytes(range(128, 256)) * 4, "not UTF-8"),
        (b"<!DOCTYPE html><html><body>Sign in</body></html>", "HTML"),
        (b"<?xml version='1.0'?><Error><Code>AccessDenied</Code></Error>", "HTML/XML"),
        (b"An error occurred (AccessDenied) when calling the GetAccountSummary operation", "AWS CLI error text"),
        (b'{"SummaryMap": {"Users": 1', "cut off"),
        (b'{"SummaryMap": {"Users": "abc', "cut off"),
        (b'{"SummaryMap": {"Users": 1,}}', "not valid JSON"),
        (b'{"SummaryMap": {"Users": NaN}}', "NaN is not valid JSON"),
        (b'{"SummaryMap": {}} {"SummaryMap": {}}', "Extra data"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "nested too deeply"),
        (b"\xff\xfe\x00\xd8", "UTF-16 LE byte-order mark but is not valid"),
    ],
)
def test_bad_content_is_an_invalid_row_with_a_reason(builder: BundleBuilder, content: bytes, expected: str) -> None:
    builder.write(f"{IDENTITY}/iam/get-account-password-policy.json", {"PasswordPolicy": {"MinimumPasswordLength": 9}})
    row = _load_one(builder, content)
    assert row.status is FileStatus.INVALID
    assert expected in row.reason
    assert row.problems and row.problems[0].hint  # says what to do
    assert "could not be read (" not in row.reason  # a precise reason, not the catch-all
    snapshot = load_bundle(builder.root)
    assert snapshot.state(Kind.IAM_SUMMARY, IDENTITY).status is EvidenceStatus.INVALID
    assert snapshot.accounts[IDENTITY].password_policy.minimum_length == 9  # type: ignore[union-attr]


def test_truncated_json_says_it_was_cut_off() -> None:
    with pytest.raises(DecodeError) as caught:
        loads_json('{"UserDetailList": [{"UserName": "ali')
    assert "cut off" in caught.value.message
    assert "ends early" in caught.value.hint


@pytest.mark.parametrize(
    "content",
    [b"[1, 2]", b'"text"', b"42", b"null", b'{"SummaryMap": []}', b'{"SummaryMap": {"Users": "many"}}'],
)
def test_wrong_types_are_invalid_with_a_pointer(builder: BundleBuilder, content: bytes) -> None:
    row = _load_one(builder, content)
    assert row.status is FileStatus.INVALID
    assert row.problems
    assert "compare with schemas/iam-get-account-summary.schema.json" in row.problems[0].hint


def test_wrong_type_problem_points_at_the_value(builder: BundleBuilder) -> None:
    row = _load_one(builder, {"SummaryMap": {"Users": "many", "AccountMFAEnabled": 2}})
    pointers = {p.pointer for p in row.problems}
    assert pointers == {"/SummaryMap/Users", "/SummaryMap/AccountMFAEnabled"}


# --------------------------------------------------------------------------- policy documents


POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


def test_policy_field_forms_decode_to_the_same_document() -> None:
    text = json.dumps(POLICY)
    url_encoded = (
        "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C"
        "%22Action%22%3A%22s3%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"
    )
    assert decode_policy_field(POLICY) == POLICY
    assert decode_policy_field(text) == POLICY
    assert decode_policy_field("\n  " + json.dumps(POLICY, indent=4)) == POLICY
    assert decode_policy_field(url_encoded) == POLICY
    assert decode_policy_field(url_encoded.lower().replace("%7b", "%7B", 1)) != POLICY  # case of values kept


def test_json_text_policy_with_percent_signs_is_not_unquoted() -> None:
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "a%22b"}]}
    assert decode_policy_field(json.dumps(document)) == document


def test_duplicate_keys_in_policy_text_are_refused_with_a_pointer() -> None:
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Effect": "Deny", "Action": "*"}]}'
    with pytest.raises(DecodeError) as caught:
        parse_document_text(text)
    assert caught.value.pointer == "/Statement/0"
    assert "'Effect'" in caught.value.message


def test_duplicate_keys_in_a_decoded_object_are_refused_only_inside_that_document() -> None:
    duplicates = Duplicates()
    document = loads_json(
        '{"A": {"Statement": {"Effect": "Allow", "Effect": "Deny"}}, "B": {"Statement": {"Effect": "Allow"}}}',
        duplicates,
    )
    assert decode_policy_field(document["B"], duplicates) == {"Statement": {"Effect": "Allow"}}
    with pytest.raises(DecodeError) as caught:
        decode_policy_field(document["A"], duplicates)
    assert caught.value.pointer == "/Statement"
    assert not duplicates  # reported once, then taken out of the table


def test_duplicate_key_in_a_trust_policy_makes_the_file_invalid(builder: BundleBuilder) -> None:
    """A repeated key has two readings (JSON keeps the last, another reader the first): the file the
    auditee handed over cannot be used at all, and the pointer names the object that repeats it."""
    doc = gaad(IDENTITY, roles=[role(IDENTITY, "Good"), role(IDENTITY, "Bad")])
    text = json.dumps(doc, indent=2).replace(
        '"Effect": "Allow"',
        '"Effect": "Deny", "Effect": "Allow"',
    )
    first = text.index('"Effect": "Deny", "Effect": "Allow"')
    text = text[:first] + '"Effect": "Allow"' + text[first + len('"Effect": "Deny", "Effect": "Allow"') :]
    rel = f"{IDENTITY}/iam/get-account-authorization-details.json"
    row = _load_one(builder, text, rel=rel)
    assert row.status is FileStatus.INVALID
    assert len(row.problems) == 1
    problem = row.problems[0]
    assert problem.pointer == "/RoleDetailList/1/AssumeRolePolicyDocument/Statement/0"
    assert "key 'Effect' appears more than once" in problem.message
    snapshot = load_bundle(builder.root)
    assert snapshot.state(Kind.IAM_AUTH_DETAILS, IDENTITY).status is EvidenceStatus.INVALID
    assert IDENTITY not in snapshot.accounts or not snapshot.accounts[IDENTITY].roles


def test_duplicate_key_outside_policies_makes_the_file_invalid(builder: BundleBuilder, tmp_path: Path) -> None:
    row = _load_one(builder, '{"SummaryMap": {"Users": 1, "Users": 2}}')
    assert row.status is FileStatus.INVALID
    assert [(p.pointer, "'Users'" in p.message) for p in row.problems] == [("/SummaryMap", True)]
