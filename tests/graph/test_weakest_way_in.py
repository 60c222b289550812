"""``who-can-assume`` and ``paths`` show each principal's weakest way in and never overclaim.

A principal is summarised by the path, among all it has, that asks the least MFA (not by one
shortest path); a summary is never better than a hop it shows; a role whose trust admits any
principal says so before the principals found; text output escapes what a terminal would act on.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.graph.access import MFA_ORDER, MFA_RANK, MfaStatus, path_mfa, worst_mfa
from analyzer.report import access_map
from tests.graph.disk_bundles import (
    ALICE,
    DEV,
    DEV_ADMIN,
    IDENTITY,
    MFA_TRUE,
    add_roles,
    copy_base,
    dense_bundle,
    jump_bundle,
    let_alice_assume_any_role,
    trust,
    trusting,
)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args])
    return result.exit_code, result.output


def test_who_can_assume_shows_the_way_in_without_mfa_not_the_shortest_path(tmp_path: Path) -> None:
    """alice -> Dev-Admin-Role directly (MFA enforced) and through Jump (no MFA): she is reported by
    the MFA-free path. The shortest path alone read "weakest: enforced"."""
    bundle, jump = jump_bundle(tmp_path / "b")
    code, out = run("who-can-assume", str(bundle), DEV_ADMIN)
    assert code == 0, out
    alice = out.split(f"  {ALICE} (user, {IDENTITY})", 1)[1]
    head, first_hop, second_hop = alice.splitlines()[:3]
    assert head == "  weakest: absent; no hop enforces MFA"
    assert first_hop == f"    -> {jump}  [mfa=absent]"
    assert second_hop == f"    -> {DEV_ADMIN}  [mfa=absent]"
    code, out = run("who-can-assume", str(bundle), DEV_ADMIN, "--format", "json")
    (record,) = [p for p in json.loads(out)["principals"] if p["principal"] == ALICE]
    assert (record["weakest"], record["mfa_needed"], record["mfa_enforced"]) == ("absent", "absent", False)
    assert [h["target"] for h in record["hops"]] == [jump, DEV_ADMIN]


def test_paths_from_shows_each_roles_weakest_way_in_and_paths_to_lists_it_first(tmp_path: Path) -> None:
    bundle, jump = jump_bundle(tmp_path / "b")
    code, out = run("paths", str(bundle), "--from", ALICE, "--format", "json")
    assert code == 0, out
    by_role = {p["role"]: p for p in json.loads(out)["paths"]}
    assert [h["target"] for h in by_role[DEV_ADMIN]["hops"]] == [jump, DEV_ADMIN]
    assert by_role[DEV_ADMIN]["weakest"] == "absent"
    code, out = run("paths", str(bundle), "--from", ALICE, "--to", DEV_ADMIN)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == f"weakest way in from {ALICE} to {DEV_ADMIN}:  weakest: absent; no hop enforces MFA"
    assert lines[1:3] == [f"    -> {jump}  [mfa=absent]", f"    -> {DEV_ADMIN}  [mfa=absent]"]
    assert lines[3] == f"2 path(s) from {ALICE} of at most 6 hops, shortest first:"
    assert "weakest: enforced" in lines[4]  # the direct path is listed too, as it is


def chain_bundle(tmp_path: Path) -> tuple[Path, str, str]:
    """alice -> Jump (MFA enforced) -> Target (trusting Jump without MFA): the only way to Target."""
    bundle = copy_base(tmp_path / "chain")
    let_alice_assume_any_role(bundle)
    jump, target = add_roles(
        bundle,
        DEV,
        [
            ("Jump", trust(trusting(f"arn:aws:iam::{IDENTITY}:root", MFA_TRUE)), True),
            ("Target", trust(trusting(f"arn:aws:iam::{DEV}:role/Jump")), False),
        ],
    )
    return bundle, jump, target


_HEAD = re.compile(r"^  \S+ \((?:user|role)[^)]*\)  weakest: (\w+)")
_HOP = re.compile(r"^    -> \S+  \[mfa=(\w+)")


def _summaries_against_hops(out: str) -> list[tuple[str, list[str]]]:
    """(summary state, the states of the hops shown under it) for each principal or role listed."""
    found: list[tuple[str, list[str]]] = []
    for line in out.splitlines():
        head, hop = _HEAD.match(line), _HOP.match(line)
        if head:
            found.append((head.group(1), []))
        elif hop and found:
            found[-1][1].append(hop.group(1))
    return found


def test_a_summary_is_never_better_than_a_hop_it_shows(tmp_path: Path) -> None:
    """alice needs MFA on her way to Target (hop 1 enforces it), but hop 2 asks nothing: the summary
    names the weakest hop and where MFA is required. It used to read "weakest: enforced"."""
    bundle, _, target = chain_bundle(tmp_path)
    code, out = run("who-can-assume", str(bundle), target)
    assert code == 0, out
    assert f"  {ALICE} (user, {IDENTITY})  weakest: absent; strongest: enforced at hop 1" in out
    for command in (["who-can-assume", str(bundle), target], ["paths", str(bundle), "--from", ALICE]):
        code, out = run(*command)
        shown = _summaries_against_hops(out)
        assert shown, out
        for summary, hops in shown:
            assert hops and all(MFA_RANK[MfaStatus(summary)] >= MFA_RANK[MfaStatus(h)] for h in hops), out


def test_without_mfa_keeps_only_ways_in_on_which_no_hop_enforces_mfa(tmp_path: Path) -> None:
    bundle, _, target = chain_bundle(tmp_path)
    code, out = run("who-can-assume", str(bundle), target, "--without-mfa", "--format", "json")
    assert code == 0, out
    assert [p["principal"] for p in json.loads(out)["principals"]] == [f"arn:aws:iam::{DEV}:role/Jump"]


def test_the_mfa_states_are_ordered_by_one_table() -> None:
    """Every comparison reads MFA_ORDER: a new state slots in there (the access map too)."""
    assert MFA_ORDER == (MfaStatus.ENFORCED, MfaStatus.DELEGATED, MfaStatus.WEAK, MfaStatus.ABSENT)
    assert set(MFA_ORDER) == set(MfaStatus)
    assert worst_mfa([MfaStatus.ENFORCED, MfaStatus.WEAK]) is MfaStatus.WEAK
    assert path_mfa([MfaStatus.ABSENT, MfaStatus.WEAK]) is MfaStatus.WEAK
    assert worst_mfa([MfaStatus.DELEGATED, MfaStatus.ENFORCED]) is MfaStatus.DELEGATED
    assert access_map.MFA_RANK is MFA_RANK


@pytest.mark.parametrize("condition", [None, {"StringEquals": {"sts:ExternalId": "vendor-1234"}}])
def test_a_trust_open_to_any_principal_is_said_before_the_principals_found(
    tmp_path: Path, condition: dict[str, object] | None
) -> None:
    """A trust admitting ``"*"`` lets any AWS account in (with the external id, if it knows it): the
    principals in the evidence are not all who can assume the role (IAM User Guide, "AWS JSON policy
    elements: Principal", all principals)."""
    bundle = copy_base(tmp_path / "open")
    (vendor,) = add_roles(bundle, DEV, [("Vendor", trust(trusting("*", condition)), False)])
    code, out = run("who-can-assume", str(bundle), vendor)
    assert code == 0, out
    first = out.splitlines()[0]
    assert first.startswith(f'note: the trust policy of {vendor} admits any AWS principal ("*")')
    assert ("sts:ExternalId" in first) is (condition is not None)
    assert "not only the principals found in the evidence" in first
    code, out = run("who-can-assume", str(bundle), vendor, "--format", "json")
    (opened,) = json.loads(out)["open_to_anyone"]
    assert opened["not_principal"] is False and ("AssumeRolePolicyDocument/Statement/0" in opened["evidence"])


HOSTILE = "Ops\x1b[2J\u202eevil\u200b\r=1+1"


def test_who_can_assume_and_paths_escape_control_bidi_and_zero_width_characters(tmp_path: Path) -> None:
    bundle = copy_base(tmp_path / "hostile")
    let_alice_assume_any_role(bundle)
    condition = {"StringEquals": {"sts:ExternalId": "x\u2066\x07y"}}
    (hostile,) = add_roles(bundle, DEV, [(HOSTILE, trust(trusting(f"arn:aws:iam::{IDENTITY}:root", condition)), False)])
    for args in (["who-can-assume", str(bundle), hostile], ["paths", str(bundle), "--from", ALICE]):
        code, out = run(*args)
        assert code == 0, out
        assert "Ops\\x1b[2J\\u202eevil\\u200b\\x0d=1+1" in out
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2066-\u2069]", out), out
        if args[0] == "paths":
            assert "x\\u2066\\u0007y" in out  # a condition the evidence cannot decide, as written (JSON text)


def test_a_role_that_is_not_in_the_bundle_is_named_safely(tmp_path: Path) -> None:
    code, out = run("who-can-assume", str(copy_base(tmp_path / "b")), f"arn:aws:iam::{DEV}:role/\u202eX\x1b")
    assert code == 2 and "role/\\u202eX\\x1b is not a role" in out


# ------------------------------------------------------------------------------- dense graphs


def _all_simple_path_counts(tmp_path: Path, sizes: list[int]) -> dict[int, int]:
    from analyzer.cli.graph import _load_graph

    counts = {}
    for n in sizes:
        graph = _load_graph(dense_bundle(tmp_path / f"d{n}", n), 2**31, 2**30, None)
        first, last = f"arn:aws:iam::{DEV}:role/Dense-0000", f"arn:aws:iam::{DEV}:role/Dense-{n - 1:04d}"
        found = graph.simple_paths(first, last, cutoff=6, limit=10**7)
        assert found.complete
        counts[n] = len(found.paths)
    return counts


def test_simple_paths_on_a_dense_graph_grow_beyond_any_use_so_they_are_capped(tmp_path: Path) -> None:
    """Roles that may all assume each other: the simple paths between two of them number
    1 + (n-2) + (n-2)(n-3) + ... (every ordered choice of up to 5 intermediates). Listing them all
    is what took minutes and gigabytes; ``paths --to`` lists the first ``--max-paths`` and says so."""
    counts = _all_simple_path_counts(tmp_path, [4, 6, 8])

    def expected(n: int) -> int:
        total, chosen = 0, 1
        for middle in range(6):  # up to 6 hops: 0..5 intermediate roles out of the n-2 others
            total += chosen
            chosen *= n - 2 - middle
        return total

    assert counts == {n: expected(n) for n in (4, 6, 8)}  # 5, 65, 1957
    assert expected(30) > 10_000_000 and expected(2000) > 10**16

    bundle = dense_bundle(tmp_path / "d30", 30)
    first, last = f"arn:aws:iam::{DEV}:role/Dense-0000", f"arn:aws:iam::{DEV}:role/Dense-0029"
    code, out = run("paths", str(bundle), "--from", first, "--to", last, "--max-paths", "25")
    assert code == 0, out
    assert "25 path(s) from" in out and "more paths exist than the 25 shown" in out
    assert f"trustmap graph {bundle} --out FILE" in out
    code, out = run("paths", str(bundle), "--from", first, "--to", last, "--format", "json")
    data = json.loads(out)
    assert (len(data["paths"]), data["complete"], data["max_paths"]) == (100, False, 100)
    assert [len(p["hops"]) for p in data["paths"][:2]] == [1, 2]  # shortest first


def test_simple_paths_are_shortest_first_then_by_arn_and_complete_when_few(tmp_path: Path) -> None:
    bundle, jump = jump_bundle(tmp_path / "b")
    code, out = run("paths", str(bundle), "--from", ALICE, "--to", DEV_ADMIN, "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    assert data["complete"] is True
    assert [[h["target"] for h in p["hops"]] for p in data["paths"]] == [[DEV_ADMIN], [jump, DEV_ADMIN]]
    assert data["weakest_way_in"]["hops"][0]["target"] == jump


def test_who_can_assume_output_grows_linearly_on_a_dense_graph(tmp_path: Path) -> None:
    """n roles that may all assume each other: each role has n + 1 principals (the n - 1 others,
    Dev-Admin-Role, whose PowerUserAccess allows sts:AssumeRole, and alice through it), one way in each."""
    sizes = {}
    for n in (10, 20, 40):
        bundle = dense_bundle(tmp_path / f"d{n}", n)
        code, out = run("who-can-assume", str(bundle), f"arn:aws:iam::{DEV}:role/Dense-0000")
        assert code == 0 and out.splitlines()[0].startswith(f"{n + 1} principal(s)")
        sizes[n] = len(out)
    assert sizes[40] / sizes[20] < 2.2 and sizes[20] / sizes[10] < 2.4
