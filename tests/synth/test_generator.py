"""``trustmap synth``: generated bundles validate, analyze to exactly their EXPECTED.json, and are deterministic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.pipeline import analyze
from analyzer.rules.base import Status
from analyzer.rules.registry import default_registry
from analyzer.synth.defects import PLANTERS, defect_count
from analyzer.synth.generator import EXPECTED_FILE, SynthOptions, generate, read_expected
from analyzer.synth.single_account import generate_single_account
from analyzer.synth.writer import read_tree

#: (seed, regions): seeds 1 and 6 draw an organization trail, 4 and 7 per-account trails.
CASES = ((1, 2), (4, 3), (6, 3), (7, 2))
ACCOUNTS = 20
RATE = 1.0


def _failures(bundle: Path) -> set[tuple[str, str, str, str]]:
    result = analyze(bundle)
    errors = [f"{f.rule}: {f.message}" for f in result.findings if f.status is Status.ERROR]
    assert not errors, errors
    return {
        (f.rule, f.account or "-", f.region or "-", f.resource or "-")
        for f in result.findings
        if f.status is Status.FAIL
    }


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    out = {}
    for seed, regions in CASES:
        path = tmp_path_factory.mktemp("synth") / f"seed-{seed}"
        generate(path, SynthOptions(accounts=ACCOUNTS, seed=seed, regions=regions, defect_rate=RATE))
        out[seed] = path
    return out


def test_every_catalog_rule_has_a_planter() -> None:
    assert set(PLANTERS) == {rule.id for rule in default_registry()}


@pytest.mark.parametrize(("seed", "regions"), CASES)
def test_bundle_validates(bundles: dict[int, Path], seed: int, regions: int) -> None:
    result = CliRunner().invoke(main, ["validate", str(bundles[seed])])
    assert result.exit_code == 0, result.output[-2000:]


@pytest.mark.parametrize(("seed", "regions"), CASES)
def test_analysis_reports_exactly_the_expected_failures(bundles: dict[int, Path], seed: int, regions: int) -> None:
    expected = read_expected(bundles[seed])
    assert expected, "a defect rate of 1.0 plants defects"
    got = _failures(bundles[seed])
    assert sorted(got - expected) == [], "failures not planted"
    assert sorted(expected - got) == [], "planted failures not reported"


def test_most_rules_are_planted_across_the_seeds(bundles: dict[int, Path]) -> None:
    planted = set()
    for path in bundles.values():
        document = json.loads((path / EXPECTED_FILE).read_text())
        assert len(document["defects"]) == defect_count(ACCOUNTS, RATE)
        planted |= {d["rule"] for d in document["defects"]}
    catalog = {rule.id for rule in default_registry()}
    assert len(planted & catalog) >= 0.8 * len(catalog), sorted(catalog - planted)


def test_both_trail_designs_are_covered(bundles: dict[int, Path]) -> None:
    designs = {json.loads((p / EXPECTED_FILE).read_text())["organization"]["trail_design"] for p in bundles.values()}
    assert designs == {"organization trail", "per-account trails"}


@pytest.mark.parametrize("seed", [1, 4])
def test_a_clean_organization_has_no_failure(tmp_path: Path, seed: int) -> None:
    generate(tmp_path / "clean", SynthOptions(accounts=12, seed=seed, regions=2, defect_rate=0.0))
    assert read_expected(tmp_path / "clean") == set()
    assert _failures(tmp_path / "clean") == set()


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    options = SynthOptions(accounts=10, seed=11, regions=2, defect_rate=0.5)
    generate(tmp_path / "a", options)
    generate(tmp_path / "b", options)
    assert read_tree(tmp_path / "a") == read_tree(tmp_path / "b")
    generate(tmp_path / "a.zip", options)
    generate(tmp_path / "b.zip", options)
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_different_seeds_differ(tmp_path: Path) -> None:
    generate(tmp_path / "a", SynthOptions(accounts=10, seed=1, regions=1, defect_rate=0.5))
    generate(tmp_path / "b", SynthOptions(accounts=10, seed=2, regions=1, defect_rate=0.5))
    first, second = read_tree(tmp_path / "a"), read_tree(tmp_path / "b")
    assert set(first) != set(second)
    assert first[EXPECTED_FILE] != second[EXPECTED_FILE]


def test_zip_bundle_analyzes_like_the_directory(tmp_path: Path) -> None:
    options = SynthOptions(accounts=8, seed=5, regions=1, defect_rate=1.0)
    generate(tmp_path / "org.zip", options)
    assert _failures(tmp_path / "org.zip") == read_expected(tmp_path / "org.zip")


def test_single_account_mode(tmp_path: Path) -> None:
    files, size = generate_single_account(tmp_path / "one", 60, regions=1)
    gaad = next((tmp_path / "one").glob("*/iam/get-account-authorization-details.json"))
    details = json.loads(gaad.read_text())
    assert len(details["UserDetailList"]) + len(details["RoleDetailList"]) >= 60
    assert files == len(read_tree(tmp_path / "one")) and size > 0
    assert _failures(tmp_path / "one") == set()


def test_cli_writes_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    args = ["synth", str(out), "--accounts", "5", "--regions", "1", "--seed", "3"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "expected failures" in first.output and (out / EXPECTED_FILE).is_file()
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 2
    forced = CliRunner().invoke(main, [*args, "--force"])
    assert forced.exit_code == 0
    missing = CliRunner().invoke(main, ["synth", str(tmp_path / "x")])
    assert missing.exit_code != 0
