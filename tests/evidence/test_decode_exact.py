"""Every way decoding refuses a file, pinned exactly: the message (what is wrong, where), the hint
(what to do) and the JSON pointer, as the inventory prints them (``path: pointer: message; hint``).

And the edges of what is accepted: each byte-order mark, UTF-16 without one, the sniffed first 4 KiB,
a gzip payload of exactly the limit, a string of exactly the length limit, the place of every
duplicate key. Issue 18: the mutation run showed these were only checked by fragments, or not at all.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from typing import Any

import pytest

from analyzer.evidence import load_bundle
from analyzer.evidence.decode import (
    DecodeError,
    DocumentParser,
    Duplicates,
    GzipTooLarge,
    decode_policy_field,
    decode_text,
    decompress_if_gzip,
    escape_pointer_part,
    loads_json,
    overlong_string,
    parse_document_text,
)
from analyzer.model.snapshot import FileStatus
from tests.evidence.conftest import IDENTITY, BundleBuilder

CUT_OFF = "the file ends early; it was probably cut off while being written, re-export it"
FIX_SYNTAX = "fix the JSON syntax or re-export the file"
USE_CLI_OUTPUT = "replace it with the JSON output of the AWS CLI command"
BOM_HINT = "re-export it as UTF-8"

# (function, argument, (message, hint, pointer))
REFUSED: list[tuple[Callable[[Any], Any], Any, tuple[str, str, str]]] = [
    (
        decode_text,
        b"\xff\xfe\x00\xd8",
        (
            "the file starts with a UTF-16 LE byte-order mark but is not valid utf-16-le (invalid data at byte 2)",
            BOM_HINT,
            "",
        ),
    ),
    (
        decode_text,
        b"\xfe\xff\xd8\x00",
        (
            "the file starts with a UTF-16 BE byte-order mark but is not valid utf-16-be (invalid data at byte 2)",
            BOM_HINT,
            "",
        ),
    ),
    (
        decode_text,
        b"\xef\xbb\xbf{}\xff",
        ("the file starts with a UTF-8 byte-order mark but is not valid utf-8 (invalid data at byte 5)", BOM_HINT, ""),
    ),
    (
        decode_text,
        b"\xff\xfe\x00\x00\x00\x00\x11\x00",
        (
            "the file starts with a UTF-32 LE byte-order mark but is not valid utf-32-le (invalid data at byte 4)",
            BOM_HINT,
            "",
        ),
    ),
    (
        decode_text,
        b"\x00\x00\xfe\xff\x00\x11\x00\x00",
        (
            "the file starts with a UTF-32 BE byte-order mark but is not valid utf-32-be (invalid data at byte 4)",
            BOM_HINT,
            "",
        ),
    ),
    (decode_text, b"ab\x00cd", ("binary data, not a text export (NUL bytes in the file)", USE_CLI_OUTPUT, "")),
    # UTF-16 LE without a BOM that does not decode (a lone high surrogate): binary, not text.
    (
        decode_text,
        b"a\x00b\x00\x00\xd8",
        ("binary data, not a text export (NUL bytes in the file)", USE_CLI_OUTPUT, ""),
    ),
    # ... and as UTF-16 BE.
    (
        decode_text,
        b"\x00a\x00b\xd8\x00",
        ("binary data, not a text export (NUL bytes in the file)", USE_CLI_OUTPUT, ""),
    ),
    (
        decode_text,
        b"a" * 4095 + b"\x00",
        ("binary data, not a text export (NUL bytes in the file)", USE_CLI_OUTPUT, ""),
    ),
    (
        decode_text,
        b'{"a": "\xe9"}',
        (
            "not UTF-8 text (invalid byte 0xe9 at offset 7)",
            "export as UTF-8 (in PowerShell: Out-File -Encoding utf8)",
            "",
        ),
    ),
    (
        loads_json,
        " \n",
        ("the file is empty", "re-run the export; an empty file usually means the command failed", ""),
    ),
    (
        loads_json,
        "  <HTML><body>Sign in</body></HTML>",
        ("the file holds an HTML/XML page, not JSON (an error or login page was saved?)", USE_CLI_OUTPUT, ""),
    ),
    (
        loads_json,
        "\nAN ERROR OCCURRED (Throttling) when calling the ListRoles operation",
        (
            "the file holds AWS CLI error text, not JSON; save it as <name>.err next to where the output belongs",
            USE_CLI_OUTPUT,
            "",
        ),
    ),
    # An unterminated string far from the end is still a file cut off inside a string.
    (
        loads_json,
        '{"a": "abc def ghi',
        ("JSON cut off: Unterminated string starting at (line 1, column 7)", CUT_OFF, ""),
    ),
    (loads_json, '{"a": 1', ("JSON cut off: Expecting ',' delimiter (line 1, column 8)", CUT_OFF, "")),
    # The error at the last character: a number cut off after its sign.
    (loads_json, '{"a": -', ("JSON cut off: Expecting value (line 1, column 7)", CUT_OFF, "")),
    # Two characters before the end: a syntax error, not a cut.
    (loads_json, "[1,]]", ("not valid JSON: Expecting value (line 1, column 4)", FIX_SYNTAX, "")),
    (
        loads_json,
        '{\n"a": 1,,\n"b": 2}',
        ("not valid JSON: Expecting property name enclosed in double quotes (line 2, column 8)", FIX_SYNTAX, ""),
    ),
    (loads_json, '{"a": NaN}', ("not valid JSON: NaN is not valid JSON", "re-export the file with the AWS CLI", "")),
    (
        loads_json,
        '{"a": -Infinity}',
        ("not valid JSON: -Infinity is not valid JSON", "re-export the file with the AWS CLI", ""),
    ),
    (
        loads_json,
        "[" * 100_000 + "]" * 100_000,
        ("JSON nested too deeply to be an AWS export", "this is not the output of an AWS CLI command", ""),
    ),
    (
        loads_json,
        '{"a": {"b\\/c": ["ok", "\\udc00"]}}',
        (
            "a string holds a lone UTF-16 surrogate (a \\udXXX escape without its pair), which is no character",
            "this is not what the AWS CLI writes; re-export the file",
            "/a/b~1c/1",
        ),
    ),
    (
        parse_document_text,
        '{"Version": "2012-10-17"',
        ("the policy document is not valid JSON: Expecting ',' delimiter at character 24", "fix the policy text", ""),
    ),
    (parse_document_text, '{"a": NaN}', ("the policy document is not valid JSON: NaN is not valid JSON", "", "")),
    (
        parse_document_text,
        '{"a": Infinity}',
        ("the policy document is not valid JSON: Infinity is not valid JSON", "", ""),
    ),
    (parse_document_text, "[" * 100_000 + "]" * 100_000, ("the policy document is nested too deeply", "", "")),
    (
        parse_document_text,
        '{"Statement": [{"Sid": "1"}, {"Effect": "Allow", "Effect": "Deny", "Action": "*", "Action": "s3:*"}]}',
        (
            "duplicate key(s) 'Action', 'Effect' in the policy document",
            "AWS evaluates such a document unpredictably; remove the duplicate",
            "/Statement/1",
        ),
    ),
    (
        parse_document_text,
        '{"Statement": {"Resource": "\\ud800"}}',
        (
            "a string holds a lone UTF-16 surrogate (a \\udXXX escape without its pair), which is no character",
            "this is not what the AWS CLI writes; re-export the file",
            "/Statement/Resource",
        ),
    ),
    # A policy field as text: JSON after surrounding blanks, else URL-encoded JSON.
    (
        decode_policy_field,
        '  {"a": 1, "a": 2}  ',
        (
            "duplicate key(s) 'a' in the policy document",
            "AWS evaluates such a document unpredictably; remove the duplicate",
            "",
        ),
    ),
    (
        decode_policy_field,
        " %7B%22a%22%3A%201%2C%20%22a%22%3A%202%7D ",
        (
            "duplicate key(s) 'a' in the policy document",
            "AWS evaluates such a document unpredictably; remove the duplicate",
            "",
        ),
    ),
]


@pytest.mark.parametrize(("function", "argument", "expected"), REFUSED)
def test_each_refusal_says_what_where_and_what_to_do(
    function: Callable[[Any], Any], argument: Any, expected: tuple[str, str, str]
) -> None:
    with pytest.raises(DecodeError) as caught:
        function(argument)
    assert (caught.value.message, caught.value.hint, caught.value.pointer) == expected
    assert str(caught.value) == expected[0]


def test_a_decode_error_has_no_hint_or_pointer_unless_given() -> None:
    error = DecodeError("what")
    assert (error.message, error.hint, error.pointer) == ("what", "", "")


# --------------------------------------------------------------------------- the inventory row names the file


@pytest.mark.parametrize(
    ("content", "rendered"),
    [
        (
            b'{"SummaryMap": {"Users": 1',
            "SUMMARY: /: JSON cut off: Expecting ',' delimiter (line 1, column 27); " + CUT_OFF,
        ),
        (
            b'{"SummaryMap": {"Users": "\\ud800"}}',
            "SUMMARY: /SummaryMap/Users: a string holds a lone UTF-16 surrogate (a \\udXXX escape without its "
            "pair), which is no character; this is not what the AWS CLI writes; re-export the file",
        ),
        (
            b"\xef\xbb\xbf\xff",
            "SUMMARY: /: the file starts with a UTF-8 byte-order mark but is not valid utf-8 (invalid data at "
            "byte 3); re-export it as UTF-8",
        ),
    ],
)
def test_the_inventory_names_file_pointer_and_remedy(builder: BundleBuilder, content: bytes, rendered: str) -> None:
    rel = f"{IDENTITY}/iam/get-account-summary.json"
    builder.write(rel, content)
    (row,) = [r for r in load_bundle(builder.root).inventory if r.path == rel]
    assert row.status is FileStatus.INVALID
    assert [p.render(row.path) for p in row.problems] == [rendered.replace("SUMMARY", rel)]


# --------------------------------------------------------------------------- gzip


def test_gzip_of_exactly_the_limit_is_read_and_one_byte_more_is_refused() -> None:
    assert decompress_if_gzip(gzip.compress(b"a" * 10), 10) == (b"a" * 10, True)
    with pytest.raises(GzipTooLarge) as caught:
        decompress_if_gzip(gzip.compress(b"a" * 11), 10)  # all input consumed, output one byte over
    error = caught.value
    assert (error.message, error.hint, error.pointer) == (
        "gzip content expands beyond the 10-byte limit per file",
        "this looks like a decompression bomb; raise --max-member-bytes only if the file is genuine",
        "",
    )
    assert error.expanded == 11


def test_a_gzip_bomb_stops_expanding_one_byte_past_the_limit() -> None:
    """What was expanded counts against the bundle's budget: no more than the limit and one byte."""
    with pytest.raises(GzipTooLarge) as caught:
        decompress_if_gzip(gzip.compress(b" " * 1_000_000), 1000)
    assert caught.value.expanded == 1001


def test_plain_data_is_returned_as_it_is_and_said_not_gzip() -> None:
    assert decompress_if_gzip(b'{"a": 1}', 1) == (b'{"a": 1}', False)


@pytest.mark.parametrize(
    ("payload", "message", "hint"),
    [
        (b"\x1f\x8b\x08\x00", "the gzip data ends early (truncated file)", "re-copy or re-compress the file"),
        (
            b"\x1f\x8b\x09\x00" + b"\x00" * 20,
            "corrupt gzip data (Error -3 while decompressing data: unknown compression method)",
            "re-export the file or store it uncompressed",
        ),
    ],
)
def test_broken_gzip_says_what_to_do(payload: bytes, message: str, hint: str) -> None:
    with pytest.raises(DecodeError) as caught:
        decompress_if_gzip(payload, 1000)
    assert (caught.value.message, caught.value.hint) == (message, hint)
    assert not isinstance(caught.value, GzipTooLarge)


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xfe\x00\x00" + "é{}".encode("utf-32-le"), ("é{}", "UTF-32 LE with BOM")),
        (b"\x00\x00\xfe\xff" + "é{}".encode("utf-32-be"), ("é{}", "UTF-32 BE with BOM")),
        (b"\xfe\xff" + "é{}".encode("utf-16-be"), ("é{}", "UTF-16 BE with BOM")),
        (b"\xff\xfe" + "é{}".encode("utf-16-le"), ("é{}", "UTF-16 LE with BOM")),
        (b"\xef\xbb\xbf" + "é{}".encode(), ("é{}", "UTF-8 with BOM")),
        (b"{\x00}\x00", ("{}", "UTF-16 LE")),  # four bytes: the shortest UTF-16 sniffed
        (b"\x00{\x00}", ("{}", "UTF-16 BE")),
        ("[1]".encode("utf-16-le"), ("[1]", "UTF-16 LE")),
        ("[1]".encode("utf-16-be"), ("[1]", "UTF-16 BE")),
        (b"\x01\x00{\x00", ("\x01{", "UTF-16 LE")),  # any first byte but NUL
        (b"\x00\x01\x00{", ("\x01{", "UTF-16 BE")),
        ("é{}".encode(), ("é{}", "UTF-8")),
        # Only the first 4 KiB are sniffed for NUL bytes; a NUL later is left to the JSON parser.
        (b"a" * 4096 + b"\x00", ("a" * 4096 + "\x00", "UTF-8")),
    ],
)
def test_text_is_decoded_by_its_byte_order_mark_or_shape(data: bytes, expected: tuple[str, str]) -> None:
    assert decode_text(data) == expected


@pytest.mark.parametrize("data", [b"{\x00}", b"\x00{\x00", b"\x00\x00{}"])
def test_nul_bytes_that_are_not_utf16_are_binary(data: bytes) -> None:
    with pytest.raises(DecodeError, match=r"^binary data, not a text export \(NUL bytes in the file\)$"):
        decode_text(data)


# --------------------------------------------------------------------------- duplicates


def test_duplicates_are_taken_with_their_pointers_in_document_order() -> None:
    duplicates = Duplicates()
    assert not duplicates
    document = loads_json(
        '{"a/b": {"x": 1, "x": 2}, "ok": {"q": 1}, "c~d": [{"y": 1, "z": 0, "y": 2, "z": 3}, {"w": 1, "w": 1}]}',
        duplicates,
    )
    assert duplicates
    assert list(duplicates.take(document["ok"])) == []
    assert duplicates  # nothing outside "ok" was taken
    assert list(duplicates.take(document, "/R")) == [
        ("/R/a~1b", ["x"]),
        ("/R/c~0d/0", ["y", "z"]),
        ("/R/c~0d/1", ["w"]),
    ]
    assert not duplicates
    assert list(duplicates.take(document)) == []  # each is reported once


def test_the_parser_forgets_the_duplicates_of_the_previous_file() -> None:
    parser = DocumentParser()
    document, duplicates = parser.parse('{"a": 1, "a": 2}')
    assert (document, duplicates.keys_by_id) == ({"a": 2}, {id(document): ["a"]})
    document, duplicates = parser.parse('{"a": 1}')
    assert (document, bool(duplicates)) == ({"a": 1}, False)


def test_the_parser_refuses_what_loads_json_refuses() -> None:
    with pytest.raises(DecodeError, match="NaN is not valid JSON"):
        DocumentParser().parse('{"a": NaN}')


def test_a_policy_object_is_refused_only_for_its_own_duplicates() -> None:
    duplicates = Duplicates()
    document = loads_json('{"P": {"Statement": [{"Effect": "Allow", "Effect": "Deny"}]}, "Q": {"a": 1}}', duplicates)
    assert decode_policy_field(document["Q"], duplicates) == {"a": 1}
    assert decode_policy_field(document["Q"], None) == {"a": 1}
    with pytest.raises(DecodeError) as caught:
        decode_policy_field(document["P"], duplicates)
    assert (caught.value.message, caught.value.pointer) == (
        "duplicate key(s) 'Effect' in the policy document",
        "/Statement/0",
    )


@pytest.mark.parametrize(
    ("part", "escaped"), [("a~b/c", "a~0b~1c"), ("~/", "~0~1"), ("/~", "~1~0"), ("~1", "~01"), (3, "3")]
)
def test_pointer_parts_are_escaped_as_rfc_6901_says(part: str | int, escaped: str) -> None:
    """RFC 6901 section 3: '~' is written '~0' and '/' '~1' ('~' first, so '/' never becomes '~01')."""
    assert escape_pointer_part(part) == escaped


# --------------------------------------------------------------------------- overlong strings


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("x" * 5, ("", 5)),
        ("x" * 4, None),
        (42, None),
        (None, None),
        ({"abcd": "wxyz", "l": ["1234", {"m": "abcd"}], "n": 7}, None),  # exactly the limit everywhere
        ({"a": ["ok", "x" * 5]}, ("/a/1", 5)),
        ([{"a": 1}, {"b": {"c/d": "x" * 6}}], ("/1/b/c~1d", 6)),
        ({"a": 1, "k" * 70: 1}, ("/" + "k" * 64 + "...", 70)),
        ({"a": [{"bb": 1, "c" * 5: 2}]}, ("/a/0/ccccc...", 5)),
        ({"a": "x" * 6, "b": "y" * 7}, ("/a", 6)),  # the first in document order
        ({"a": ["x", ["y" * 9]], "b": "z" * 8}, ("/a/1/0", 9)),
        # exactly the limit before one over it: only the one over is named
        ({"a": "xxxx", "b": "y" * 5}, ("/b", 5)),
        ({"abcd": 1, "b": "y" * 5}, ("/b", 5)),
    ],
)
def test_the_first_overlong_string_or_key_is_found_with_its_pointer(document: Any, expected: Any) -> None:
    assert overlong_string(document, 4) == expected


def test_documents_held_as_text_may_be_longer_but_not_their_other_values() -> None:
    allowed = frozenset({"Doc"})
    assert overlong_string({"Doc": "x" * 50}, 4, allowed) is None
    assert overlong_string({"Doc": {"in": "x" * 50}}, 4, allowed) == ("/Doc/in", 50)  # an object is not text
    assert overlong_string({"Doc": ["x" * 50]}, 4, allowed) == ("/Doc/0", 50)
    assert overlong_string({"Doc": "x" * 50, "b": "y" * 9}, 4, allowed) == ("/b", 9)
    assert overlong_string({"PolicyDocument": "x" * 50}, 20) is None  # the default: LONG_TEXT_KEYS
    assert overlong_string({"Document": "x" * 50, "x": 1}, 20) is None
    assert overlong_string({"Other": "x" * 50}, 20) == ("/Other", 50)


def test_valid_policy_text_decodes_with_its_values() -> None:
    text = json.dumps({"Statement": [{"Effect": "Deny", "Resource": "a%2Fb"}]})
    assert decode_policy_field(f"\n {text} \n") == {"Statement": [{"Effect": "Deny", "Resource": "a%2Fb"}]}
    assert decode_policy_field("%20%7B%22a%22%3A%20%22b%2Bc%22%7D%20") == {"a": "b+c"}  # unquote, not unquote_plus
