"""ACT-007 catches a broken digest chain, a digest whose signature does not verify and a log file no
digest lists, each planted in a copy of the sample organization (Identity, us-east-1); and records
that cannot be trusted never support another ACT rule's pass.

AWS CloudTrail User Guide, "Custom implementations of CloudTrail log file integrity validation" and
"CloudTrail digest file structure": every digest is signed (SHA256withRSA) and names the previous
one; a log file delivered before the newest digest is listed in one of them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from analyzer.pipeline import analyze

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample-org"
IDENTITY = "123456789012"
LOGS = f"{IDENTITY}/s3/aws-multi-account-api-logging/cloudtrail/AWSLogs/{IDENTITY}"
DIGESTS = f"{LOGS}/CloudTrail-Digest/us-east-1/2026/11"


@pytest.fixture()
def bundle(tmp_path: Path) -> Path:
    target = tmp_path / "sample-org"
    shutil.copytree(SAMPLE, target)
    return target


def _digest(bundle: Path, day: int) -> Path:
    (found,) = (bundle / DIGESTS / f"{day:02d}").glob("*Z.json")
    return found


def _results(bundle: Path, rule: str) -> list[tuple[str, str]]:
    """(status, message) of ``rule``'s results for Identity in us-east-1 (or not regional)."""
    result = analyze(bundle, only=[rule])
    return [
        (f.status.value, f.message)
        for f in result.findings
        if f.account == IDENTITY and f.region in ("us-east-1", None)
    ]


def test_the_untouched_sample_passes_for_identity(bundle: Path) -> None:
    assert [s for s, _ in _results(bundle, "ACT-007")] == ["pass"]
    assert [s for s, _ in _results(bundle, "ACT-004")] == ["pass"]


def test_a_deleted_digest_breaks_the_chain(bundle: Path) -> None:
    middle = _digest(bundle, 17)
    middle.unlink()
    Path(f"{middle}.head-object.json").unlink()
    found = _results(bundle, "ACT-007")
    assert any(s == "fail" and m.startswith("chain: digest chain broken") and "not found" in m for s, m in found)
    assert "pass" not in {s for s, _ in found}


def test_a_signature_that_does_not_verify_fails(bundle: Path) -> None:
    newest = _digest(bundle, 20)  # no later digest repeats its signature: only the signature is wrong
    head = Path(f"{newest}.head-object.json")
    document = json.loads(head.read_text())
    signature = document["Metadata"]["signature"]
    document["Metadata"]["signature"] = ("0" if signature[0] != "0" else "1") + signature[1:]
    head.write_text(json.dumps(document, indent=4) + "\n")
    found = _results(bundle, "ACT-007")
    assert [(s, m.split(":")[0]) for s, m in found] == [("fail", "signature")]


def test_a_log_file_no_digest_lists_is_unlisted(bundle: Path) -> None:
    folder = bundle / LOGS / "CloudTrail/us-east-1/2026/11/16"
    (original,) = folder.glob("*.json")
    added = folder / f"{IDENTITY}_CloudTrail_us-east-1_20261116T1200Z_0123456789abcdef.json"
    added.write_text(original.read_text())
    found = _results(bundle, "ACT-007")
    assert any(s == "fail" and m.startswith("unlisted: ") and added.name in m for s, m in found)


@pytest.mark.parametrize("tamper", ["signature", "chain"])
def test_records_behind_a_failed_digest_support_no_pass(bundle: Path, tamper: str) -> None:
    """A digest that fails its signature or chain check vouches for nothing: the log files it lists could
    have been changed together with it, so a rule finding nothing there is not evaluated, not passed."""
    digest = _digest(bundle, 17)
    if tamper == "signature":
        head = Path(f"{digest}.head-object.json")
        document = json.loads(head.read_text())
        document["Metadata"]["signature"] = "00" * 256
        head.write_text(json.dumps(document, indent=4) + "\n")
    else:  # the digest rewritten: its hash is no longer what the next digest names (nor what was signed)
        document = json.loads(digest.read_text())
        document["newestEventTime"] = "2026-11-16T23:55:00Z"
        digest.write_text(json.dumps(document, separators=(",", ":")))
    assert "fail" in {s for s, _ in _results(bundle, "ACT-007")}
    assert [s for s, _ in _results(bundle, "ACT-004")] == ["not_evaluated"]


def test_a_deleted_oldest_digest_of_the_period_breaks_the_chain(bundle: Path) -> None:
    """The oldest digest in the bundle names a previous one; when that one ended inside the evidence period it
    should be there (found generating `synth --activity`: deleting the first digest went unnoticed, since
    only pairs of digests present were compared)."""
    oldest = _digest(bundle, 15)  # ends 2026-11-15T00:30, inside the period 2026-11-14..2026-11-19
    oldest.unlink()
    Path(f"{oldest}.head-object.json").unlink()
    found = _results(bundle, "ACT-007")
    assert any(s == "fail" and "inside the evidence period, and is not found" in m for s, m in found), found
    assert any(s == "fail" and m.startswith("unlisted: ") for s, m in found)


def test_an_oldest_digest_naming_one_from_before_the_period_is_not_a_break(bundle: Path) -> None:
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["activity_period"] = {"start": "2026-11-17", "end": "2026-11-19"}
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    for day in (15, 16):  # the oldest digest left (ending 2026-11-17) names one ending 2026-11-16, before it
        digest = _digest(bundle, day)
        digest.unlink()
        Path(f"{digest}.head-object.json").unlink()
    found = _results(bundle, "ACT-007")
    assert not any("inside the evidence period" in m for _, m in found), found
