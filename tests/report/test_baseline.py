"""Baselines and diffs by fingerprint: analyze --baseline/--fail-on-new and trustmap diff."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.cli.analyze import ProgressDisplay
from analyzer.evidence.schemas import check
from analyzer.pipeline import ScanResult
from analyzer.report import json_report
from analyzer.report.baseline import (
    BaselineError,
    apply_baseline,
    diff_records,
    load_records,
    new_failures,
)
from analyzer.rules.base import Severity
from tests.report.support import BASE as BASE_BUNDLE
from tests.report.support import defective_bundle


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _result(fp: str, status: str, severity: str = "high", rule: str = "TST-001") -> dict[str, Any]:
    return {
        "rule": rule,
        "status": status,
        "severity": severity,
        "account": "222222222222",
        "region": None,
        "resource": f"arn:aws:iam::222222222222:role/{fp}",
        "message": f"{fp} {status}",
        "evidence": [],
        "fingerprint": fp,
        "suppressed": None,
    }


def test_failures_are_new_or_existing_against_the_baseline(tmp_path: Path, defective: ScanResult) -> None:
    old = json.loads(json_report.render(defective))
    fails = [r for r in old["results"] if r["status"] == "fail"]
    assert len(fails) == 2
    old["results"] = [r for r in old["results"] if r is not fails[0]]  # the baseline did not have this one
    marked = apply_baseline(defective, load_records(_write(tmp_path / "old.json", old)))
    by_fp = {f.fingerprint: f.baseline for f in marked.findings if f.status.value == "fail"}
    assert by_fp == {fails[0]["fingerprint"]: "new", fails[1]["fingerprint"]: "existing"}
    assert all(f.baseline is None for f in marked.findings if f.status.value != "fail")
    written = json.loads(json_report.render(marked))
    assert check("findings", written) == ()
    assert {r["fingerprint"]: r.get("baseline") for r in written["results"] if r["status"] == "fail"} == by_fp
    assert fails[0]["suppressed"] is None and fails[0]["severity"] == "high"
    assert [f.fingerprint for f in new_failures(marked)] == [fails[0]["fingerprint"]]
    assert [f.fingerprint for f in new_failures(marked, Severity.HIGH)] == [fails[0]["fingerprint"]]
    assert new_failures(marked, Severity.CRITICAL) == []
    everything_new = apply_baseline(defective, {})
    assert len(new_failures(everything_new)) == 1  # the suppressed failure is new too, but never gates


def test_diff_sorts_failures_into_new_resolved_and_unchanged(tmp_path: Path) -> None:
    old = _write(
        tmp_path / "old.json",
        {"results": [_result("a", "fail"), _result("b", "fail"), _result("c", "fail"), _result("d", "pass")]},
    )
    new = _write(
        tmp_path / "new.json",
        {
            "results": [
                _result("a", "pass"),
                _result("b", "fail"),
                _result("c", "not_evaluated"),
                _result("d", "fail", "critical"),
            ]
        },
    )
    diff = diff_records(load_records(old), load_records(new))
    assert [r.fingerprint for r in diff.new] == ["d"]
    assert [(r.old.fingerprint, r.how) for r in diff.resolved] == [("a", "passes"), ("c", "not evaluated")]
    assert [r.fingerprint for r in diff.unchanged] == ["b"]

    runner = CliRunner()
    text = runner.invoke(main, ["diff", str(old), str(new)])
    assert text.exit_code == 0
    assert "1 new, 1 fixed, 1 no longer failing without a pass, 1 unchanged failures" in text.output
    fixed, vanished = text.output.split("Fixed (the check now passes) (1):")[1].split("No longer failing")
    assert "a fail" in fixed and "c fail" not in fixed
    assert "c fail" in vanished and "now: not evaluated" in vanished
    as_json = runner.invoke(main, ["diff", str(old), str(new), "--format", "json"])
    data = json.loads(as_json.output)
    assert data["summary"] == {"new": 1, "resolved": 2, "fixed": 1, "unchanged": 1}
    assert [(r["now"], r["fixed"]) for r in data["resolved"]] == [("passes", True), ("not evaluated", False)]
    assert runner.invoke(main, ["diff", str(old), str(new), "--fail-on-new"]).exit_code == 1
    assert runner.invoke(main, ["diff", str(new), str(new), "--fail-on-new"]).exit_code == 0


def test_unreadable_findings_files_exit_2_with_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(BaselineError, match="not JSON"):
        load_records(bad)
    with pytest.raises(BaselineError, match="/results/0"):
        load_records(_write(tmp_path / "x.json", {"results": [{"rule": "X"}]}))
    result = CliRunner().invoke(main, ["diff", str(bad), str(bad)])
    assert result.exit_code == 2 and "not JSON" in result.output


def test_a_failure_that_vanished_with_its_evidence_is_not_called_fixed(tmp_path: Path) -> None:
    """A failure gone because the rule has no verdict for the account any more is less evidence, not a fix."""
    old = _write(tmp_path / "old.json", {"results": [_result("a", "fail"), _result("b", "fail")]})
    gone = _result("unrelated", "not_evaluated")  # same rule and account as a and b: no verdict there now
    new = _write(tmp_path / "new.json", {"results": [gone]})
    diff = diff_records(load_records(old), load_records(new))
    assert [(r.fixed, r.unevaluated) for r in diff.resolved] == [(False, True), (False, True)]
    assert "not evaluated for this account now" in diff.resolved[0].how
    other = _write(tmp_path / "other.json", {"results": [_result("x", "pass", rule="TST-002")]})
    assert [r.how for r in diff_records(load_records(old), load_records(other)).resolved] == ["no longer reported"] * 2


@pytest.mark.parametrize(
    ("result", "where"),
    [
        ({"fingerprint": "a", "rule": "X", "status": "fail", "suppressed": "yes"}, "/results/0/suppressed"),
        ({"fingerprint": ["a"], "rule": "X", "status": "fail"}, "/results/0/fingerprint"),
        ({"fingerprint": "a", "rule": "X", "status": "fail", "account": 5}, "/results/0/account"),
        ({"fingerprint": "a", "rule": "X", "status": "broken"}, "/results/0/status"),
        ({"fingerprint": "a", "rule": "X", "status": "fail", "message": None}, "/results/0/message"),
        ("not an object", "/results/0"),
    ],
)
def test_a_malformed_findings_file_is_refused_with_its_pointer_never_a_traceback(
    tmp_path: Path, result: Any, where: str
) -> None:
    bad = _write(tmp_path / "bad.json", {"results": [result]})
    good = _write(tmp_path / "good.json", {"results": []})
    for args in (["diff", str(bad), str(good)], ["diff", str(good), str(bad)]):
        run = CliRunner().invoke(main, args)
        assert run.exit_code == 2, run.output
        assert run.exception is None or isinstance(run.exception, SystemExit)
        assert f"{bad}: {where}: " in run.output and "trustmap analyze" in run.output
    nested = tmp_path / "deep.json"
    nested.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(BaselineError, match="not JSON"):
        load_records(nested)
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps({"results": [_result("a", "fail")]}).encode())
    assert list(load_records(bom)) == ["a"]  # saved by an editor that adds a BOM


def test_diff_escapes_control_characters_from_the_findings_file(tmp_path: Path) -> None:
    hostile = _result("a", "fail")
    hostile["message"] = "all good\x1b[2J\r\x1b]0;title\x07\u202eevil"
    old = _write(tmp_path / "old.json", {"results": []})
    new = _write(tmp_path / "new.json", {"results": [hostile]})
    output = CliRunner().invoke(main, ["diff", str(old), str(new)]).output
    assert "\x1b" not in output and "\r" not in output and "\u202e" not in output
    assert "all good\\x1b[2J\\x0d\\x1b]0;title\\x07\\u202eevil" in output


def test_analyze_gates_on_new_failures_only_with_a_baseline(tmp_path: Path) -> None:
    bundle = str(defective_bundle(tmp_path / "bundle"))
    runner = CliRunner()
    first = runner.invoke(main, ["analyze", bundle, "--out", str(tmp_path / "r1"), "--format", "json"])
    assert first.exit_code == 0, first.output
    old = json.loads((tmp_path / "r1/findings.json").read_text())
    assert any(r["status"] == "fail" and not r["suppressed"] for r in old["results"])  # the planted defects
    same = runner.invoke(
        main,
        [
            "analyze",
            bundle,
            "--out",
            str(tmp_path / "r2"),
            "--format",
            "json",
            "--baseline",
            str(tmp_path / "r1/findings.json"),
            "--fail-on",
            "info",
            "--fail-on-new",
        ],
    )
    assert same.exit_code == 0, same.output
    assert "0 new" in same.output
    assert all(
        r.get("baseline") == "existing"
        for r in json.loads((tmp_path / "r2/findings.json").read_text())["results"]
        if r["status"] == "fail"
    )
    old["results"] = [r for r in old["results"] if r["status"] != "fail"]
    empty = _write(tmp_path / "empty.json", old)
    fresh = runner.invoke(
        main,
        [
            "analyze",
            bundle,
            "--out",
            str(tmp_path / "r3"),
            "--format",
            "json",
            "--baseline",
            str(empty),
            "--fail-on-new",
        ],
    )
    assert fresh.exit_code == 1, fresh.output
    plain = runner.invoke(
        main, ["analyze", bundle, "--out", str(tmp_path / "r4"), "--format", "json", "--baseline", str(empty)]
    )
    assert plain.exit_code == 0  # marking alone never gates
    misuse = runner.invoke(main, ["analyze", bundle, "--out", str(tmp_path / "r5"), "--fail-on-new"])
    assert misuse.exit_code == 2 and "--baseline" in misuse.output


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_only() -> None:
    quiet = io.StringIO()
    display = ProgressDisplay(quiet)
    for call in (("load", 0, 1), ("rules", 0, 2), ("rules", 1, 2), ("rules", 2, 2)):
        display(*call)
    assert quiet.getvalue() == ""
    tty = _Terminal()
    display = ProgressDisplay(tty)
    for call in (("load", 0, 1), ("graph", 0, 1), ("rules", 0, 2), ("rules", 1, 2), ("rules", 2, 2), ("write", 0, 1)):
        display(*call)
    shown = tty.getvalue()
    assert "loading the evidence" in shown and "building the access graph" in shown
    assert "running the rules" in shown and "writing the reports" in shown


# --------------------------------------------------------------------------- the grain of a result changes
def _about(record: dict[str, Any], subject_fp: str) -> dict[str, Any]:
    return {**record, "subject_fingerprint": subject_fp}


def test_a_fix_is_recognised_when_the_grain_changes(tmp_path: Path) -> None:
    """IDN-003 records a failure per path and the pass per person: the person's pass fixes its paths' failures
    (and the reverse grain too), because both carry the fingerprint of what they are about."""
    alice_paths = [_about(_result(fp, "fail"), "alice") for fp in ("alice-to-dev", "alice-to-prod")]
    bob_path = _about(_result("bob-to-dev", "fail"), "bob")
    carol = _about(_result("carol", "fail"), "carol")  # the reverse: failed per person, passes per path
    old = _write(tmp_path / "old.json", {"results": [*alice_paths, bob_path, carol]})
    new = _write(
        tmp_path / "new.json",
        {
            "results": [
                _about(_result("alice", "pass"), "alice"),
                _about(_result("bob-to-test", "fail"), "bob"),  # bob's old path is gone, another one fails
                _about(_result("carol-to-dev", "pass"), "carol"),
                _about(_result("carol-to-prod", "pass"), "carol"),
            ]
        },
    )
    diff = diff_records(load_records(old), load_records(new))
    by_fp = {r.old.fingerprint: r for r in diff.resolved}
    assert by_fp["alice-to-dev"].fixed and by_fp["alice-to-prod"].fixed and by_fp["carol"].fixed
    assert by_fp["alice-to-dev"].how.startswith("passes")
    assert not by_fp["bob-to-dev"].fixed
    assert "still fails" in by_fp["bob-to-dev"].how
    assert [r.fingerprint for r in diff.new] == ["bob-to-test"]
    text = CliRunner().invoke(main, ["diff", str(old), str(new)]).output
    assert "3 fixed, 1 no longer failing without a pass" in text


def test_an_idn_003_path_failure_is_fixed_by_the_per_person_pass(tmp_path: Path) -> None:
    """End to end: the same organization before (alice reaches a role without MFA, one failure per path) and
    after the fix (the base: one pass per person); ``trustmap diff`` calls the path failure fixed."""
    from tests.rule_cases import all_cases

    case = next(c for c in all_cases() if c.id == "IDN-003/fail-no-mfa-on-path")
    before = case.materialize(tmp_path / "before")
    runner = CliRunner()
    for bundle, out in ((before, "r-before"), (BASE_BUNDLE, "r-after")):
        run = runner.invoke(main, ["analyze", str(bundle), "--out", str(tmp_path / out), "--format", "json"])
        assert run.exit_code == 0, run.output
    old, new = tmp_path / "r-before/findings.json", tmp_path / "r-after/findings.json"
    assert check("findings", json.loads(old.read_text())) == ()  # subject_fingerprint is in the schema
    old_fails = [r for r in json.loads(old.read_text())["results"] if r["rule"] == "IDN-003" and r["status"] == "fail"]
    assert old_fails and all(" -> " in r["resource"] for r in old_fails)  # per path
    new_fps = {r["fingerprint"] for r in json.loads(new.read_text())["results"]}
    assert not new_fps & {r["fingerprint"] for r in old_fails}  # the pass is per person: another fingerprint
    data = json.loads(runner.invoke(main, ["diff", str(old), str(new), "--format", "json"]).output)
    idn003 = [r for r in data["resolved"] if r["rule"] == "IDN-003"]
    assert len(idn003) == len(old_fails) and all(r["fixed"] for r in idn003), idn003


# --------------------------------------------------------------------------- different organizations
def _head(org: str | None, management: str | None, accounts: list[str]) -> dict[str, Any]:
    return {
        "organization": {"id": org, "management_account": management},
        "accounts": [{"id": a, "name": None, "role": "member", "state": None} for a in accounts],
    }


@pytest.mark.parametrize(
    ("old_head", "new_head", "why"),
    [
        (_head("o-aaaaaaaaaa", "333333333333", ["333333333333"]), _head("o-bbbbbbbbbb", "333333333333", []), "o-aaaa"),
        (_head(None, "333333333333", ["333333333333"]), _head(None, "444444444444", ["333333333333"]), "management"),
        (_head(None, None, ["111111111111"]), _head(None, None, ["222222222222"]), "no account in common"),
    ],
)
def test_diffing_two_organizations_warns_and_exits_2_unless_forced(
    tmp_path: Path, old_head: dict[str, Any], new_head: dict[str, Any], why: str
) -> None:
    old = _write(tmp_path / "old.json", {**old_head, "results": [_result("a", "fail")]})
    new = _write(tmp_path / "new.json", {**new_head, "results": [_result("a", "pass")]})
    refused = CliRunner().invoke(main, ["diff", str(old), str(new)])
    assert refused.exit_code == 2, refused.output
    assert "different organizations" in refused.output and why in refused.output and "--force" in refused.output
    assert "1 fixed" not in refused.output and "New failures" not in refused.output  # no comparison printed
    forced = CliRunner().invoke(main, ["diff", str(old), str(new), "--force"])
    assert forced.exit_code == 0, forced.output
    assert "different organizations" in forced.output and "1 fixed" in forced.output


def test_the_same_organization_is_compared_without_a_warning(tmp_path: Path) -> None:
    head = _head("o-aaaaaaaaaa", "333333333333", ["111111111111", "333333333333"])
    grown = _head("o-aaaaaaaaaa", "333333333333", ["111111111111", "333333333333", "555555555555"])
    old = _write(tmp_path / "old.json", {**head, "results": [_result("a", "fail")]})
    new = _write(tmp_path / "new.json", {**grown, "results": [_result("a", "pass")]})
    run = CliRunner().invoke(main, ["diff", str(old), str(new)])
    assert run.exit_code == 0 and "different organizations" not in run.output


@pytest.mark.parametrize("jobs", [1, 3])
def test_the_loading_phase_reports_its_progress(jobs: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 15 §8: loading showed one line while the rules had a bar; now the loader says how far it is
    (in several processes: in account folders, plus one for the rest of the bundle)."""
    from analyzer import parallel
    from analyzer.evidence import load_bundle
    from analyzer.evidence.bundle import Bundle

    monkeypatch.setattr(parallel, "ACCOUNTS_PER_CHUNK", 1)  # the sample's 12 accounts shared out

    sample = Path(__file__).resolve().parents[2] / "fixtures" / "sample-org"
    calls: list[tuple[int, int]] = []
    load_bundle(sample, jobs=jobs, progress=lambda done, total: calls.append((done, total)))
    with Bundle(sample) as bundle:
        files = len(bundle.members)
        folders = len(bundle.account_folders())
    done, total = calls[-1]
    assert done == total and calls[0] == (0, total)
    assert total == (files if jobs == 1 else folders + 1)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    shown = _Terminal()
    display = ProgressDisplay(shown)
    for d, t in calls:
        display("load", d, t)
    assert "loading the evidence files" in shown.getvalue()
