"""The generator and the reader of AWS Config's files together (issue 17, "Done when"): a synthetic
organization's central bucket analyzes to its ``EXPECTED.json``, and a drift between a CLI export and
a Config item is caught.

* ``--config-only``: ``config_snapshots.failures`` are exactly the failures found; every
  ``config_snapshots.not_evaluated`` row is a ``not_evaluated`` result of its rule naming what is
  missing (AWS Config records no credential report, password policy, account summary, trail status,
  selectors or delivery channel: https://docs.aws.amazon.com/config/latest/developerguide/resource-config-reference.html;
  Organizations' exports are not in the bucket); the deleted role and user
  (``configurationItemStatus`` ``ResourceDeleted``:
  https://docs.aws.amazon.com/config/latest/developerguide/config-item-table.html) are not in the model,
  and the role captured after ``collected_at`` is noted and not used.
* ``--config-snapshots``: exports and Config files together analyze to the usual ``failures``; with
  ``--config-drift`` (either capture the newer), EVD-004 fails for the drifted account naming both
  captures.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analyzer.evidence.loader import load_bundle
from analyzer.model.kinds import Kind
from analyzer.pipeline import analyze
from analyzer.rules.base import Outcome, Status
from analyzer.synth.generator import EXPECTED_FILE, SynthOptions, generate

Json = dict[str, Any]
Key = tuple[str, str, str, str]
#: (seed, regions): chosen so that the cases the Config-only expectations distinguish are all drawn:
#: seed 8 an Identity account whose Config files the bucket refuses, 13 a Log Archive whose home region
#: delivers elsewhere, 27 an Identity account without IAM items, 29 a lateral trust of an account in no
#: file, 50 an organization trail whose owner delivers nothing.
CONFIG_ONLY = ((1, 2), (8, 2), (13, 2), (27, 2), (29, 3), (50, 2))
ACCOUNTS = 20


def _key(result: Outcome) -> Key:
    return (result.rule, result.account or "-", result.region or "-", result.resource or "-")


def _rows(rows: list[Json]) -> set[Key]:
    return {(r["rule"], r["account"], r["region"], r["resource"]) for r in rows}


def _expected(bundle: Path) -> Json:
    document: Json = json.loads((bundle / EXPECTED_FILE).read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="module")
def config_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[int, int], Path]]:
    out = {}
    for seed, regions in CONFIG_ONLY:
        path = tmp_path_factory.mktemp("config-only") / f"seed-{seed}"
        generate(path, SynthOptions(accounts=ACCOUNTS, seed=seed, regions=regions, defect_rate=1.0, config_only=True))
        out[seed, regions] = path
    yield out


@pytest.mark.parametrize(("seed", "regions"), CONFIG_ONLY)
def test_config_only_bucket_analyzes_to_its_expected(
    config_only: dict[tuple[int, int], Path], seed: int, regions: int
) -> None:
    bundle = config_only[seed, regions]
    expected = _expected(bundle)["config_snapshots"]
    results = analyze(bundle).findings
    assert not [r.message for r in results if r.status is Status.ERROR]
    found = {_key(r) for r in results if r.status is Status.FAIL}
    assert sorted(found - _rows(expected["failures"])) == [], "failures EXPECTED.json does not list"
    assert sorted(_rows(expected["failures"]) - found) == [], "expected failures not found"
    for row in expected["not_evaluated"]:
        said = [
            r.message
            for r in results
            if r.rule == row["rule"]
            and r.status is Status.NOT_EVALUATED
            and (r.account or "-") in (row["account"], "-")
            and row["why"] in r.message
        ]
        assert said, f"{row['rule']} of {row['account']} ({row['variant']}): no not_evaluated saying {row['why']!r}"


def test_config_only_rules_needing_what_config_lacks_are_not_evaluated(
    config_only: dict[tuple[int, int], Path],
) -> None:
    """Whatever was planted, the checks of what AWS Config does not record are never pass or fail."""
    results = analyze(config_only[1, 2]).findings
    for rule in ("CRD-001", "CRD-002", "CRD-003", "CRD-004", "CRD-005", "CRD-006", "LOG-004", "LOG-005"):
        statuses = {r.status for r in results if r.rule == rule}
        assert statuses == {Status.NOT_EVALUATED}, (rule, statuses)
    credential = [r.message for r in results if r.rule == "CRD-003"]
    assert all("AWS Config does not record the credential report" in m for m in credential)


def test_config_only_planted_resources(config_only: dict[tuple[int, int], Path]) -> None:
    bundle = config_only[1, 2]
    planted = {p["case"]: p for p in _expected(bundle)["config_snapshots"]["planted"]}
    assert set(planted) == {"deleted-role", "deleted-user", "newer-than-collection"}
    snapshot = load_bundle(bundle)
    for case in planted.values():  # none of them is in the model
        account = snapshot.accounts[case["account"]]
        assert case["arn"] not in {e.arn for e in (*account.users, *account.roles)}, case["case"]
    results = analyze(bundle).findings
    for case in planted.values():  # and no result names them
        assert not [r for r in results if case["arn"] in (r.resource or "") + r.message], case["case"]
    newer = planted["newer-than-collection"]
    state = snapshot.state(Kind.IAM_AUTH_DETAILS, newer["account"])
    assert state.usable
    assert "captured after the collection time (2026-11-20T10:00:00Z) not used" in state.reason
    assert "vendor-break-glass" in state.reason


# --------------------------------------------------------------------------- exports and Config together


@pytest.mark.parametrize("drift", [None, "config-newer", "export-newer"])
def test_exports_and_config_analyze_to_the_usual_expected(tmp_path: Path, drift: str | None) -> None:
    bundle = tmp_path / "org"
    options = SynthOptions(
        accounts=ACCOUNTS, seed=1, regions=2, defect_rate=1.0, config_snapshots=True, config_drift=drift
    )
    generate(bundle, options)
    document = _expected(bundle)
    results = analyze(bundle).findings
    found = {_key(r) for r in results if r.status is Status.FAIL}
    assert found == _rows(document["failures"])
    drifts = [p for p in document["config_snapshots"]["planted"] if p["case"] == "drift"]
    evd = [r for r in results if r.rule == "EVD-004" and r.status is Status.FAIL]
    if drift is None:
        assert not drifts and not evd
        return
    (case,) = drifts
    (failure,) = evd
    assert failure.account == case["account"]
    message = failure.message
    assert f"{case['arn']}: trust policy" in message
    assert f"AWS Config item captured {case['config_captured'][:19]}Z" in message  # the Config capture
    assert "the verdict uses the CLI export" in message and "2026-11-20T10:00:00Z" in message  # the export's
    if drift == "config-newer":
        assert "is the more recent, but after the collection time" in message
    else:
        assert "(collected 2026-11-20T10:00:00Z), the more recent capture" in message


def test_a_missing_export_supplied_by_config_is_not_missing_evidence(tmp_path: Path) -> None:
    """An EVD-001 ``missing-recorders`` defect: describe-configuration-recorders of a region is left out,
    and the region's snapshot holds the recorder's item, so nothing is missing (seed 1 draws it)."""
    with_config, exports_only = tmp_path / "with", tmp_path / "without"
    generate(with_config, SynthOptions(accounts=8, seed=1, regions=2, defect_rate=1.0, config_snapshots=True))
    generate(exports_only, SynthOptions(accounts=8, seed=1, regions=2, defect_rate=1.0))
    defect = next(d for d in _expected(with_config)["defects"] if d["variant"] == "missing-recorders")
    assert defect["failures"] == [] and "AWS Config's recorder item" in defect["story"]
    assert next(d for d in _expected(exports_only)["defects"] if d["variant"] == "missing-recorders")["failures"]
    found = {_key(r) for r in analyze(with_config).findings if r.status is Status.FAIL}
    assert found == _rows(_expected(with_config)["failures"])
