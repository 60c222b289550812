"""``trustmap synth --activity DAYS``: the whole organization delivers CloudTrail log files over the period,
with signed digests, head-object output, the bucket's listing and the planted activity defects (each ACT
defect, a delivery gap, a modified log file, a broken digest chain); the bundle analyzes to exactly its
EXPECTED.json, and the integrity check passes every account and region nothing was done to."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.pipeline import analyze
from analyzer.rules.base import Status
from analyzer.synth.generator import EXPECTED_FILE, read_expected

#: (seed, accounts, regions, days): seed 1 draws an organization trail, seed 4 per-account trails.
CASES = ((1, 8, 2, 3), (4, 10, 3, 2))


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    out = {}
    for seed, accounts, regions, days in CASES:
        path = tmp_path_factory.mktemp("synth-activity") / f"seed-{seed}"
        args = ["synth", str(path), "--accounts", str(accounts), "--regions", str(regions), "--seed", str(seed)]
        result = CliRunner().invoke(main, [*args, "--activity", str(days), "--defect-rate", "0.5"])
        assert result.exit_code == 0, result.output
        out[seed] = path
    return out


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"seed-{c[0]}")
def test_the_activity_bundle_analyzes_to_exactly_its_expected_failures(
    bundles: dict[int, Path], case: tuple[int, int, int, int]
) -> None:
    bundle = bundles[case[0]]
    result = analyze(bundle)
    assert not [f.message for f in result.findings if f.status is Status.ERROR]
    got = {(f.rule, f.account or "-", f.region or "-", f.resource or "-") for f in result.findings
           if f.status is Status.FAIL}  # fmt: skip
    expected = read_expected(bundle)
    assert sorted(got - expected) == [], "failures not planted"
    assert sorted(expected - got) == [], "planted failures not reported"
    # every planted kind of activity defect is there
    variants = {(d["rule"], d["variant"]) for d in json.loads((bundle / EXPECTED_FILE).read_text())["defects"]}
    for rule, variant in (("ACT-006", "delivery-gap"), ("ACT-007", "modified-log-file"),
                          ("ACT-007", "broken-digest-chain"), ("ACT-001", "console-sign-in-without-mfa"),
                          ("ACT-004", "root-sign-in"), ("ACT-005", "stop-logging")):  # fmt: skip
        assert (rule, variant) in variants
    # the integrity check passes every account and region no tampering was planted in
    tampered = {(f[1], f[2]) for f in expected if f[0] == "ACT-007"}
    integrity = [f for f in result.findings if f.rule == "ACT-007" and f.region]  # (former accounts: none)
    passes = {(f.account, f.region) for f in integrity if f.status is Status.PASS}
    assert passes and not passes & tampered
    assert {(f.account, f.region) for f in integrity} == passes | tampered
    # each account without an activity defect passes the other ACT rules on verified files
    passed_root = [f for f in result.findings if f.rule == "ACT-004" and f.status is Status.PASS]
    assert passed_root and all("each verified against a CloudTrail-signed digest" in f.message for f in passed_root)


def test_the_files_are_shaped_as_the_bucket_holds_them(bundles: dict[int, Path]) -> None:
    bundle = bundles[1]
    logs = sorted(bundle.rglob("*_CloudTrail_*.json.gz"))
    assert logs
    records = json.loads(gzip.decompress(logs[0].read_bytes()))["Records"]
    assert records and all(r["recipientAccountId"] in logs[0].name for r in records)
    (listing,) = bundle.rglob("list-objects-v2.json")
    keys = {entry["Key"] for entry in json.loads(listing.read_text())["Contents"]}
    assert any(k.endswith(logs[0].name) for k in keys)
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["activity_period"] == {"start": "2026-11-17", "end": "2026-11-19"}


def test_same_options_same_bytes(tmp_path: Path) -> None:
    trees = []
    for name in ("a", "b"):
        out = tmp_path / name
        args = ["synth", str(out), "--accounts", "4", "--regions", "1", "--activity", "2", "--seed", "9"]
        assert CliRunner().invoke(main, args).exit_code == 0
        trees.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert trees[0] == trees[1]
