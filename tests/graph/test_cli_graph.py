"""``trustmap who-can-assume``, ``paths`` and ``graph`` on fixtures/rules/base (alice -> Dev-Admin-Role, MFA)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.graph.export import read_graph
from tests.rule_cases import BASE

ALICE = "arn:aws:iam::111111111111:user/alice"
DEV_ADMIN = "arn:aws:iam::222222222222:role/Dev-Admin-Role"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args])
    return result.exit_code, result.output


def test_who_can_assume_text() -> None:
    code, out = run("who-can-assume", str(BASE), DEV_ADMIN)
    assert code == 0, out
    assert out.splitlines()[0] == f"1 principal(s) can assume {DEV_ADMIN}, each by its weakest way in:"
    assert f"{ALICE} (user, 111111111111)  weakest: enforced" in out
    assert f"-> {DEV_ADMIN}  [mfa=enforced; by trust]" in out


def test_who_can_assume_json_and_without_mfa() -> None:
    code, out = run("who-can-assume", str(BASE), DEV_ADMIN, "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    assert [p["principal"] for p in data["principals"]] == [ALICE]
    hop = data["principals"][0]["hops"][0]
    assert hop["mfa"] == "enforced" and hop["mfa_by"] == ["trust"]
    assert any("AssumeRolePolicyDocument/Statement/0" in ref for ref in hop["evidence"])
    code, out = run("who-can-assume", str(BASE), DEV_ADMIN, "--without-mfa")
    assert code == 0 and out.strip() == f"nobody in the evidence can assume {DEV_ADMIN} without MFA"


@pytest.mark.parametrize("arn", [ALICE, "arn:aws:iam::222222222222:role/Missing"])
def test_who_can_assume_refuses_what_is_not_a_role(arn: str) -> None:
    code, out = run("who-can-assume", str(BASE), arn)
    assert code == 2
    assert "is not a role in this bundle" in out


def test_paths_from_a_user() -> None:
    code, out = run("paths", str(BASE), "--from", ALICE)
    assert code == 0, out
    assert out.splitlines()[0] == f"1 path(s) from {ALICE}, each role by its weakest way in:"
    assert f"{DEV_ADMIN} (role, 222222222222)  weakest: enforced" in out


def test_paths_to_a_role_as_json() -> None:
    code, out = run("paths", str(BASE), "--from", ALICE, "--to", DEV_ADMIN, "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    assert data["to"] == DEV_ADMIN
    assert [[h["target"] for h in p["hops"]] for p in data["paths"]] == [[DEV_ADMIN]]


def test_paths_from_a_role_that_reaches_nothing() -> None:
    code, out = run("paths", str(BASE), "--from", DEV_ADMIN)
    assert code == 0 and out.strip() == f"{DEV_ADMIN} cannot assume any role in the evidence"


def test_paths_from_unknown_principal_exits_2() -> None:
    code, _ = run("paths", str(BASE), "--from", "arn:aws:iam::111111111111:user/nobody")
    assert code == 2


@pytest.mark.parametrize("fmt", ["graphml", "json", "dot"])
def test_graph_writes_the_whole_graph(fmt: str, tmp_path: Path) -> None:
    out = tmp_path / "nested" / f"graph.{fmt}"
    code, text = run("graph", str(BASE), "--format", fmt, "--out", str(out))
    assert code == 0, text
    assert text.strip() == f"wrote {out} (6 nodes, 3 edges)"
    data = out.read_bytes()
    if fmt == "graphml":
        assert read_graph(out).has_edge(ALICE, DEV_ADMIN)
    elif fmt == "json":
        assert {link["kind"] for link in json.loads(data)["links"]} == {"member_of", "can_assume", "trusts"}
        assert read_graph(out).has_edge(ALICE, DEV_ADMIN)
    else:
        assert f'"{ALICE}" -> "{DEV_ADMIN}"'.encode() in data


def test_graph_rejects_an_unreadable_config(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("identity_account = [", encoding="utf-8")
    code, out = run("graph", str(BASE), "--out", str(tmp_path / "g.graphml"), "--config", str(bad))
    assert code == 2 and "not valid TOML" in out
