"""A plain (non-editable) wheel carries the schemas and templates and works away from the source tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _build_wheel(tmp_path: Path) -> Path:
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("analyzer", "schemas"):
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(source),
        ],
        check=True,
        cwd=tmp_path,
    )
    [wheel] = out.glob("trustmap-*.whl")
    return wheel


def test_wheel_ships_schemas_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    schemas = {p.name for p in (ROOT / "schemas").glob("*.schema.json")}
    assert {f"analyzer/schemas/{s}" for s in schemas} <= names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import analyzer, analyzer.evidence.schemas as s;"
        "assert analyzer.__file__.startswith(sys.argv[1]), analyzer.__file__;"
        "assert str(s.schema_dir()).startswith(sys.argv[1]) or 'site' in str(s.schema_dir()), s.schema_dir();"
        "print(len(s.schema_names()));"
        "from analyzer.cli import main; main(['validate', sys.argv[2]])"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe, str(site), str(ROOT / "fixtures" / "sample-org")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert run.stdout.splitlines()[0] == str(len(schemas))


def test_every_package_is_listed_in_pyproject() -> None:
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "analyzer").rglob("__init__.py")}
    data = {"analyzer.schemas", "analyzer.report.static", "analyzer.report.templates", "analyzer.activity.sql"}
    assert found | data == listed
