"""A JSON string holding a lone UTF-16 surrogate (``"\\ud800"``) makes its file unreadable, not the run.

JSON lets the escape through, but the result is no character: no UTF-8 output can hold it, so a role
named with one stopped ``analyze`` and ``validate`` with a UnicodeEncodeError (while fingerprinting
the results). AWS never writes one: the file is refused as unreadable, and what depends on it is
``not_evaluated``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.evidence.decode import DecodeError, loads_json, parse_document_text
from tests.graph.disk_bundles import DEV, authorization_details, copy_base


@pytest.mark.parametrize(
    ("text", "pointer"),
    [
        ('{"a": ["x", "\\ud800"]}', "/a/1"),
        ('{"a": {"k\\udfff": 1}}', "/a/k\udfff"),
        ('{"a": "ok", "b": "\\uDBFF tail"}', "/b"),
    ],
)
def test_a_lone_surrogate_is_refused_with_where_it_is(text: str, pointer: str) -> None:
    with pytest.raises(DecodeError) as caught:
        loads_json(text)
    assert caught.value.pointer == pointer and "lone UTF-16 surrogate" in caught.value.message
    with pytest.raises(DecodeError):
        parse_document_text(text)


FINE = ['{"a": "\\ud83d\\ude00"}', '{"a": "\\\\ud800"}', '{"a": "\\u00e9"}', '{"a": "plain"}']


@pytest.mark.parametrize("text", FINE)
def test_pairs_escaped_backslashes_and_other_escapes_are_fine(text: str) -> None:
    assert loads_json(text) == json.loads(text)


def test_analyze_writes_every_report_and_the_file_is_not_evaluated(tmp_path: Path) -> None:
    bundle = copy_base(tmp_path / "bundle")
    with authorization_details(bundle, DEV) as data:
        data["RoleDetailList"][0]["RoleName"] = "Admin\ud800"
    out = tmp_path / "report"
    result = CliRunner().invoke(main, ["analyze", str(bundle), "--out", str(out)])
    assert result.exit_code == 0, result.output
    inventory = (out / "inventory.csv").read_text(encoding="utf-8")
    (row,) = [line for line in inventory.splitlines() if line.startswith(f"{DEV}/iam/get-account-authorization")]
    assert ",invalid," in row and "/RoleDetailList/0/RoleName" in row and "lone UTF-16 surrogate" in row
    validated = CliRunner().invoke(main, ["validate", str(bundle)])
    assert validated.exit_code == 1 and "lone UTF-16 surrogate" in validated.output
