"""``trustmap validate``: the inventory table, problems, JSON output and exit codes 0/1/2."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from click.testing import CliRunner, Result

from analyzer.cli import main
from analyzer.cli.validate import shorten_path, validate
from tests.evidence import conftest as shapes
from tests.evidence.conftest import DEV, IDENTITY, BundleBuilder, tree_digest, zip_tree


def _run(*args: str) -> Result:
    return CliRunner().invoke(validate, list(args))


def _clean(tmp_path: Path) -> BundleBuilder:
    return BundleBuilder(tmp_path / "bundle").standard()


def test_clean_bundle_exits_0_with_a_table_that_fits_120_columns(tmp_path: Path) -> None:
    builder = _clean(tmp_path)
    builder.write(f"{DEV}/iam/get-account-password-policy.error.json", shapes.error_record("NoSuchEntity"))
    (builder.root / f"{DEV}/iam/get-account-password-policy.json").unlink()
    result = _run(str(builder.root))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["STATUS", "ACCOUNT", "REGION", "KIND", "PATH"]
    assert max(len(line) for line in lines[: lines.index("")]) <= 120
    assert "sha256" not in result.output.lower()
    assert any(line.startswith("error_record") and "iam password policy" in line for line in lines)
    assert "Problems:" not in result.output
    assert "NoSuchEntity" in result.output.split("Notes:")[1]


def test_a_warning_is_shown_and_the_bundle_still_validates(tmp_path: Path) -> None:
    """A null no verdict reads (issue 13 §1): listed as a warning, the file loaded, exit 0."""
    builder = _clean(tmp_path)
    rel = f"{IDENTITY}/iam/get-account-summary.json"
    document = shapes.account_summary()
    document["SummaryMap"]["GlobalEndpointTokenVersion"] = None
    builder.write(rel, document)
    result = _run(str(builder.root))
    assert result.exit_code == 0, result.output
    assert f"{rel}: /SummaryMap/GlobalEndpointTokenVersion: warning: expected integer, got null" in result.output
    as_json = json.loads(_run(str(builder.root), "--format", "json").output)
    row = next(f for f in as_json["files"] if f["path"] == rel)
    assert (row["status"], [p["warning"] for p in row["problems"]]) == ("loaded", [True])


def test_done_when_corrupt_truncated_utf16_and_misplaced(tmp_path: Path) -> None:
    """One corrupt, one truncated, one UTF-16 and one misplaced file: each reported precisely, the rest loads."""
    builder = _clean(tmp_path)
    corrupt = f"{IDENTITY}/iam/get-account-summary.json"
    truncated = f"{DEV}/iam/list-virtual-mfa-devices.json"
    utf16 = f"{DEV}/iam/get-account-summary.json"
    misplaced = f"{DEV}/iam/get-account-authorization-details.json"
    builder.write(corrupt, b"\x00\x01\x02\xff binary garbage \x00")
    builder.write(truncated, json.dumps(shapes.mfa_devices(DEV), indent=2)[:150])
    builder.write(utf16, json.dumps(shapes.account_summary()), encoding="utf-16-le", bom=True)
    builder.write(misplaced, shapes.gaad(IDENTITY))
    result = _run(str(builder.root))
    assert result.exit_code == 1, result.output
    problems = result.output.split("Problems:")[1].split("Notes:")[0]
    assert f"{corrupt}: /: binary data, not a text export (NUL bytes in the file); replace it" in problems
    assert f"{truncated}: /: JSON cut off: " in problems and "re-export it" in problems
    assert (
        f"{misplaced}: /: placed under account {DEV} but its content belongs to account {IDENTITY}; "
        f"move it to {IDENTITY}/ or re-export it from {DEV}" in problems
    )
    assert utf16 not in problems
    assert f"{utf16}: read as UTF-16 LE with BOM" in result.output.split("Notes:")[1]
    payload = json.loads(_run(str(builder.root), "--format", "json").output)
    statuses = {f["path"]: f["status"] for f in payload["files"]}
    assert [statuses[p] for p in (corrupt, truncated, utf16, misplaced)] == ["invalid", "invalid", "loaded", "invalid"]
    others = [s for p, s in statuses.items() if p not in (corrupt, truncated, utf16, misplaced)]
    assert others and set(others) == {"loaded"}


def test_incomplete_file_exits_1(tmp_path: Path) -> None:
    builder = _clean(tmp_path)
    builder.write(f"{DEV}/iam/list-virtual-mfa-devices.json", {**shapes.mfa_devices(DEV), "IsTruncated": True})
    result = _run(str(builder.root))
    assert result.exit_code == 1
    assert "incomplete" in result.output
    assert f"{DEV}/iam/list-virtual-mfa-devices.json: /IsTruncated: the export is paginated" in result.output


def test_problem_inside_a_loaded_file_exits_1(tmp_path: Path) -> None:
    builder = _clean(tmp_path)
    builder.write(f"{IDENTITY}/iam/get-account-summary.json", '{"SummaryMap": {"Users": 1, "Users": 2}}')
    result = _run(str(builder.root))
    assert result.exit_code == 1
    assert f"{IDENTITY}/iam/get-account-summary.json: /SummaryMap: key 'Users' appears more than once" in result.output


def test_ignored_files_do_not_fail_validation(tmp_path: Path) -> None:
    builder = _clean(tmp_path)
    builder.write("README.md", "# evidence for the 2026 audit")
    result = _run(str(builder.root))
    assert result.exit_code == 0
    assert "README.md: not an evidence file" in result.output


def test_json_format(tmp_path: Path) -> None:
    builder = _clean(tmp_path)
    builder.write(f"{IDENTITY}/iam/get-account-summary.json", {"SummaryMap": {"Users": "x"}})
    result = _run(str(builder.root), "--format", "json")
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["bundle"]["name"] == "bundle" and len(payload["bundle"]["sha256"]) == 64
    assert payload["summary"] == {"invalid": 1, "loaded": len(payload["files"]) - 1}
    (bad,) = [f for f in payload["files"] if f["status"] == "invalid"]
    assert bad["kind"] == "iam-get-account-summary" and bad["account"] == IDENTITY and bad["region"] is None
    assert bad["problems"][0]["pointer"] == "/SummaryMap/Users"
    assert "hint" in bad["problems"][0] and len(bad["sha256"]) == 64
    assert [f["path"] for f in payload["files"]] == sorted(f["path"] for f in payload["files"])


def test_missing_bundle_exits_2(tmp_path: Path) -> None:
    result = _run(str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "cannot read the bundle" in result.output and "no such file" in result.output


def test_corrupt_zip_exits_2(tmp_path: Path) -> None:
    target = tmp_path / "b.zip"
    target.write_bytes(b"PK\x03\x04garbage")
    result = _run(str(target))
    assert result.exit_code == 2
    assert "corrupt zip" in result.output


def test_zip_slip_and_zip_bomb_exit_2_and_write_nothing(tmp_path: Path) -> None:
    slip = tmp_path / "slip.zip"
    with zipfile.ZipFile(slip, "w") as archive:
        archive.writestr("../../escaped.json", b"{}")
    builder = _clean(tmp_path)
    bomb = zip_tree(builder.root, tmp_path / "bomb.zip")
    before = tree_digest(tmp_path)
    result = _run(str(slip))
    assert result.exit_code == 2 and "zip-slip" in result.output
    result = _run(str(bomb), "--max-expanded-bytes", "1000")
    assert result.exit_code == 2 and "--max-expanded-bytes" in result.output
    assert _run(str(bomb)).exit_code == 0
    assert tree_digest(tmp_path) == before


def test_a_bundle_without_evidence_is_unreadable_not_clean(tmp_path: Path) -> None:
    """An empty or wrong folder has nothing to validate: exit 2 saying what a bundle looks like, never 0."""
    (tmp_path / "empty").mkdir()
    result = _run(str(tmp_path / "empty"))
    assert result.exit_code == 2, result.output
    assert "no files" in result.output and "the bundle is empty" in result.output
    assert "organization/ and one <12-digit account id>/ folder" in result.output
    wrong = tmp_path / "wrong"
    (wrong / "docs").mkdir(parents=True)
    (wrong / "docs/notes.txt").write_text("hello", encoding="utf-8")
    (wrong / "manifest.json").write_text('{"identity_account": "111111111111"}', encoding="utf-8")
    (wrong / "data.json").write_text('{"Something": 1}', encoding="utf-8")
    result = _run(str(wrong))
    assert result.exit_code == 2, result.output
    assert "holds 3 file(s), none of them an AWS export trustmap reads" in result.output
    assert "data.json" in result.output.split("Notes:")[1]  # the reasons per file are still shown first
    assert _run(str(wrong), "--format", "json").exit_code == 2


def test_control_characters_in_evidence_never_reach_the_terminal(tmp_path: Path) -> None:
    """A hostile error message or file name is shown escaped: it cannot clear the screen or fake a line."""
    builder = _clean(tmp_path)
    hostile = "\x1b[2J\x1b[1;1Hall good\r0 invalid\x1b]0;title\x07\u202eevil\x9b31m"
    builder.write(
        f"{DEV}/iam/list-virtual-mfa-devices.error.json", {"Error": {"Code": "AccessDenied", "Message": hostile}}
    )
    (builder.root / f"{DEV}/iam/list-virtual-mfa-devices.json").unlink()
    builder.write(f"{DEV}/iam/x\x1b[31m/notes.txt", "plain text")
    result = _run(str(builder.root))
    assert result.exit_code == 0, result.output
    for raw in ("\x1b", "\r", "\x07", "\u202e", "\x9b"):
        assert raw not in result.output
    assert "\\x1b[2J\\x1b[1;1Hall good\\x0d0 invalid\\x1b]0;title\\x07\\u202eevil\\x9b31m" in result.output
    assert f"{DEV}/iam/x\\x1b[31m/notes.txt" in result.output


def test_long_paths_are_shortened_keeping_the_file_name() -> None:
    path = "111111111111/us-east-1/cloudtrail/get-trail-status/org-audit.json"
    assert shorten_path(path, 52) == ".../cloudtrail/get-trail-status/org-audit.json"
    assert shorten_path(path, 40) == ".../get-trail-status/org-audit.json"
    assert shorten_path(path, 80) == path
    assert shorten_path(path, 15) == "...g-audit.json"
    long_name = "111111111111/us-east-1/config/describe-configuration-recorder-status.json"
    assert shorten_path(long_name, 52) == ".../describe-configuration-recorder-status.json"


def test_validate_starts_without_loading_the_other_commands(tmp_path: Path) -> None:
    """Commands import on use: validate does not pay for pandas and the report writers (half a second)."""
    builder = _clean(tmp_path)
    code = (
        "import sys\n"
        "from analyzer.cli import main\n"
        "try:\n"
        "    main(['validate', sys.argv[1]])\n"
        "except SystemExit as done:\n"
        "    assert done.code == 0, done.code\n"
        "heavy = sorted(m for m in ('pandas', 'jinja2', 'analyzer.report.writer') if m in sys.modules)\n"
        "print('loaded:', heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(builder.root)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "loaded: []" in done.stdout


def test_every_command_is_listed_and_resolves() -> None:
    runner = CliRunner()
    listing = runner.invoke(main, ["--help"]).output
    for name in ("analyze", "diff", "explain", "graph", "paths", "rules", "validate", "who-can-assume"):
        assert f"  {name} " in listing
        assert runner.invoke(main, [name, "--help"]).exit_code == 0
    assert runner.invoke(main, ["no-such-command"]).exit_code == 2
