"""CLI start-up: commands import only what they use, and ``python -m analyzer`` exits fast but faithfully."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer.cli import _status
from analyzer.rules.registry import default_registry

ROOT = Path(__file__).resolve().parent.parent


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def _loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    done = _python("-c", probe)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_the_command_group_does_not_import_the_evidence_loader_or_pandas() -> None:
    loaded = _loaded_after("import analyzer.cli")
    assert "click" in loaded
    assert not {"analyzer.evidence", "analyzer.pipeline", "pandas", "jinja2", "networkx"} & loaded


def test_commands_without_a_bundle_do_not_import_the_evidence_loader() -> None:
    loaded = _loaded_after("import analyzer.cli.synth, analyzer.cli.collect")
    assert "analyzer.synth.generator" in loaded and "analyzer.evidence.loader" not in loaded


def test_rules_as_markdown_does_not_import_pandas() -> None:
    loaded = _loaded_after(
        "from analyzer.cli import main\ntry:\n    main(['rules', '--format', 'markdown'])\nexcept SystemExit:\n    pass"
    )
    assert "analyzer.rules.registry" in loaded and "pandas" not in loaded


def test_module_run_keeps_output_and_exit_status() -> None:
    listed = _python("-m", "analyzer", "rules", "--format", "markdown")
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == 2 + len(default_registry())
    unknown = _python("-m", "analyzer", "explain", "NOPE-000")
    assert unknown.returncode == 2 and "no rule 'NOPE-000'" in unknown.stderr
    missing = _python("-m", "analyzer", "validate", str(ROOT / "no-such-bundle"))
    assert missing.returncode == 2 and "cannot read the bundle" in missing.stderr
    usage = _python("-m", "analyzer", "no-such-command")
    assert usage.returncode == 2 and "No such command" in usage.stderr


def test_module_run_keeps_the_gate_status_and_every_written_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["analyze", str(ROOT / "fixtures" / "sample-org"), "--out", str(out), "--format", "json"]
    gated = _python("-m", "analyzer", *args, "--fail-on", "high")
    assert gated.returncode == 1, gated.stderr
    assert gated.stdout.splitlines()[-1].startswith("gate failed (exit 1)")
    assert json.loads((out / "findings.json").read_text())["summary"]["by_status"]["fail"] > 0


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (1, 1), (2, 2), (256 + 3, 3)])
def test_exit_status_of_a_system_exit(code: int | None, status: int) -> None:
    assert _status(code) == status


def test_a_message_exit_prints_it_and_returns_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert _status("stopped") == 1
    assert capsys.readouterr().err == "stopped\n"
