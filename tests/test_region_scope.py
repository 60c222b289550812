"""Scope: the regions that count (issue 13 §3).

An account's regions are its enabled regions (describe-regions with opt-in status) of its own
partition, within the collection's scope when ``manifest.json`` records one (``collect --regions``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from analyzer.evidence import load_bundle
from analyzer.findings.result import Finding
from analyzer.pipeline import analyze
from analyzer.report.html_report import _Uncollected, _verdict

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "sample-org"
DEV = "565392545550"
REGIONAL_RULES = ("LOG-003", "LOG-004", "LOG-005", "LOG-006", "LOG-007", "LOG-008", "LOG-009", "LOG-011")


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    root = tmp_path / "sample-org"
    shutil.copytree(SAMPLE, root)
    return root


def _collected_in_us_east_1(root: Path) -> None:
    """What `trustmap collect --regions us-east-1` writes: no eu-west-1 folders, the scope in the manifest."""
    for folder in root.glob("*/eu-west-1"):
        shutil.rmtree(folder)
    manifest = json.loads((root / "manifest.json").read_text())
    (root / "manifest.json").write_text(json.dumps({**manifest, "regions": ["us-east-1"]}))


def _not_collected(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.subject == "regions-not-collected"]


def test_the_manifest_records_the_collected_regions(sample: Path) -> None:
    _collected_in_us_east_1(sample)
    assert load_bundle(sample).manifest.regions == ("us-east-1",)


def test_a_collection_limited_to_one_region_reports_the_others_once_per_account(sample: Path) -> None:
    _collected_in_us_east_1(sample)
    findings = analyze(sample).findings
    assert not [f for f in findings if f.region == "eu-west-1"]  # no per-region result outside the scope
    scoped = _not_collected(findings)
    accounts = {"111122223333", "123456789012", DEV, "565392545552", "565392545553", "576539245557"}
    for rule in (*REGIONAL_RULES, "EVD-001"):
        mine = [f for f in scoped if f.rule == rule]
        assert sorted(f.account or "" for f in mine) == sorted(accounts), rule
        assert all(f.status.value == "not_evaluated" and f.details["regions"] == ["eu-west-1"] for f in mine)
    evd = next(f for f in scoped if f.rule == "EVD-001" and f.account == DEV)
    assert "1 enabled region not collected (eu-west-1; the bundle was collected for us-east-1 only" in evd.message
    # the collected region is judged as before: Development's us-east-1 recorder still passes
    assert any(f.rule == "LOG-006" and f.account == DEV and f.region == "us-east-1" and f.status.value == "pass"
               for f in findings)  # fmt: skip


def test_global_iam_recording_in_one_collected_region_is_not_a_pass(sample: Path) -> None:
    """Another enabled region may record the global IAM types too: exactly one is not shown."""
    _collected_in_us_east_1(sample)
    findings = analyze(sample).findings
    verdict = next(f for f in findings if f.rule == "LOG-007" and f.account == "123456789012" and
                   f.subject == "global-iam-types")  # fmt: skip
    assert verdict.status.value == "not_evaluated"
    assert "eu-west-1" in verdict.message


def test_regions_of_another_partition_never_count(sample: Path) -> None:
    """An aws account has no cn-* or us-gov-* region, whatever the exporter lists (AWS General Reference,
    'AWS service endpoints': regions belong to one partition each)."""
    path = sample / DEV / "ec2" / "describe-regions.json"
    document = json.loads(path.read_text())
    for name in ("cn-north-1", "us-gov-west-1"):
        document["Regions"].append({"RegionName": name, "Endpoint": f"ec2.{name}.amazonaws.com",
                                    "OptInStatus": "opt-in-not-required"})  # fmt: skip
    path.write_text(json.dumps(document))
    findings = analyze(sample).findings
    assert not [f for f in findings if f.region in ("cn-north-1", "us-gov-west-1")]
    coverage = next(f for f in findings if f.rule == "EVD-001" and f.account == DEV)
    assert coverage.status.value == "pass", coverage.message


def test_the_report_counts_not_evaluated_results_by_cause(sample: Path) -> None:
    _collected_in_us_east_1(sample)
    findings = analyze(sample).findings
    uncollected = _Uncollected()
    for f in _not_collected(findings):
        uncollected.add(f)
    unknown = sum(f.status.value == "not_evaluated" for f in findings)
    text = _verdict({"fail": 1, "not_evaluated": unknown, "error": 0, "suppressed": 0}, uncollected)["text"]
    assert f"{uncollected.results} for the 1 enabled region not collected in 6 accounts" in text
    assert f"{unknown - uncollected.results} with evidence missing or unusable" in text


def test_one_account_without_organization_evidence_is_a_valid_scope(tmp_path: Path) -> None:
    """collect without --org: organization coverage is not evaluated, not a high-severity failure."""
    root = tmp_path / "one"
    shutil.copytree(SAMPLE / DEV, root / DEV)
    (root / "manifest.json").write_text(json.dumps({"collected_at": "2026-11-20T10:00:00Z", "partition": "aws"}))
    coverage = [f for f in analyze(root).findings if f.rule == "EVD-001"]
    assert [f.status.value for f in coverage] == ["not_evaluated"]
    assert "no organization evidence" in coverage[0].message


def test_several_accounts_without_the_account_list_still_fail_coverage(tmp_path: Path) -> None:
    """Dropping the organization folder of a multi-account bundle must not hide an uncovered account."""
    root = tmp_path / "two"
    for account in (DEV, "565392545552"):
        shutil.copytree(SAMPLE / account, root / account)
    (root / "manifest.json").write_text(json.dumps({"collected_at": "2026-11-20T10:00:00Z"}))
    coverage = [f for f in analyze(root).findings if f.rule == "EVD-001"]
    assert [f.status.value for f in coverage] == ["fail"]
