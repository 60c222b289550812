"""``trustmap collect --activity --since --until`` against a moto server on 127.0.0.1.

The central bucket of the built organization is given two days of CloudTrail objects as CloudTrail
writes them (gzip log files under the trails' ``cloudtrail/`` prefix, hourly-style digests whose
signature is the object's ``signature`` user metadata: AWS CloudTrail User Guide, "CloudTrail digest
file structure"), plus a log file of the day before the period that the first digest lists. The
collection copies them byte for byte with head-object, the listings and (moto has no ListPublicKeys)
an error record for the public keys; is resumable; and falls back to lookup-events where the bucket
cannot be read.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from analyzer.activity.build import TrailWriter, public_keys_document, record, root
from analyzer.cli import main
from analyzer.pipeline import analyze
from analyzer.synth.activity_key import synthetic_signing_key

PREFIX = "cloudtrail"


def _objects(accounts: list[str], bucket: str) -> dict[str, bytes]:
    """S3 key -> bytes, and S3 key + .head-object.json -> head-object output, for two days and the eve."""
    sink: dict[str, Any] = {}
    for account in accounts:
        writer = TrailWriter(Path(), PREFIX, bucket, account, "us-east-1", synthetic_signing_key(),
                             gzip_files=True, sink=sink)  # fmt: skip
        writer.log_file(datetime(2026, 11, 17, 23, 45, tzinfo=UTC), [])  # the eve, listed by the first digest
        writer.digest(datetime(2026, 11, 18, 0, 30, tzinfo=UTC), hours=1)
        for day in (18, 19):
            when = datetime(2026, 11, day, 12, 5, tzinfo=UTC)
            found = [record("ListBuckets", "s3.amazonaws.com", when, account, root(account))] if day == 19 else []
            writer.log_file(when, found)
            writer.digest(datetime(2026, 11, day + 1, 0, 30, tzinfo=UTC), hours=24)
    return sink


def _upload(built_org: Any, objects: dict[str, Any]) -> None:
    import boto3

    from tests.collect.org_builder import _session_in

    s3 = _session_in(built_org.identity).client("s3")
    for key, body in sorted(objects.items()):
        if key.endswith(".head-object.json"):
            continue
        head = objects.get(f"{key}.head-object.json")
        metadata = json.loads(head)["Metadata"] if head else {}
        s3.put_object(Bucket=built_org.bucket, Key=key, Body=body, Metadata=metadata)
    assert boto3  # the emulator's credentials and endpoint come from the environment


@pytest.fixture(scope="module")
def activity_objects(built_org: Any) -> dict[str, Any]:
    accounts = [built_org.identity, built_org.members["Development"]]
    objects = _objects(accounts, built_org.bucket)
    _upload(built_org, objects)
    return objects


def _stored(objects: dict[str, Any]) -> int:
    """The log and digest objects (head-object output is metadata, not an object)."""
    return sum(1 for key in objects if not key.endswith(".head-object.json"))


def _collect(out: Path, built_org: Any, *extra: str, bucket: str | None = None) -> Any:
    args = [
        "collect", "--out", str(out), "--accounts", built_org.identity, "--regions", "us-east-1",
        "--log-bucket", bucket or built_org.bucket, "--log-bucket-account", built_org.identity,
        "--activity", "--since", "2026-11-18", "--until", "2026-11-19", "--max-attempts", "2", "--workers", "4",
        *extra,
    ]  # fmt: skip
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_the_period_is_copied_byte_for_byte(built_org: Any, activity_objects: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    result = _collect(out, built_org)
    assert result.exit_code == 0, result.output
    base = out / built_org.identity / "s3" / built_org.bucket
    for key, body in activity_objects.items():
        if key.endswith(".head-object.json"):
            copied = json.loads((base / key).read_text())
            assert copied["Metadata"]["signature"] == json.loads(body)["Metadata"]["signature"]
        else:
            assert (base / key).read_bytes() == body, key
    listing = json.loads((base / "list-objects-v2" / f"{built_org.identity}.json").read_text())
    listed = {entry["Key"] for entry in listing["Contents"]}
    assert listed and all("/2026/11/17/" not in k for k in listed)  # the eve was fetched by its digest
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["activity_period"] == {"start": "2026-11-18", "end": "2026-11-19"}
    assert manifest["activity"]["source"] == "bucket"
    assert manifest["activity"]["objects_downloaded"] == _stored(activity_objects)
    operations = {c["operation"] for c in manifest["calls"]}
    assert {"s3:ListObjectsV2", "cloudtrail:ListPublicKeys"} <= operations
    keys = out / built_org.identity / "us-east-1" / "cloudtrail"
    assert (keys / "list-public-keys.json").exists() or (keys / "list-public-keys.error.json").exists()

    # with CloudTrail's public key in place (moto has none to give), the copy verifies offline
    (keys / "list-public-keys.error.json").unlink(missing_ok=True)
    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    (keys / "list-public-keys.json").write_text(json.dumps(public_keys_document(synthetic_signing_key(), start, end)))
    findings = analyze(out).findings
    integrity = {(f.account, f.status.value) for f in findings if f.rule == "ACT-007" and f.region}
    assert integrity == {(built_org.identity, "pass")}, [  # (Development's logs are copied, not audited)
        f.message for f in findings if f.rule == "ACT-007"
    ]
    root_use = [f for f in findings if f.rule == "ACT-004" and f.account == built_org.identity]
    assert [f.status.value for f in root_use] == ["fail"]


def test_a_rerun_resumes(built_org: Any, activity_objects: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    assert _collect(out, built_org).exit_code == 0
    base = out / built_org.identity / "s3" / built_org.bucket
    (victim,) = [k for k in activity_objects if k.endswith(".json.gz") and "/2026/11/18/" in k and "_CloudTrail_"
                 in k and built_org.identity in k]  # fmt: skip
    (base / victim).write_bytes((base / victim).read_bytes()[:10])  # an interrupted download
    assert _collect(out, built_org).exit_code == 0
    activity = json.loads((out / "manifest.json").read_text())["activity"]
    assert activity["objects_downloaded"] == 1
    eve = [k for k in activity_objects if "/CloudTrail/us-east-1/2026/11/17/" in k]  # already there: not asked for
    assert activity["objects_reused"] == _stored(activity_objects) - 1 - len(eve)
    assert (base / victim).read_bytes() == activity_objects[victim]


def test_lookup_events_where_the_bucket_cannot_be_read(built_org: Any, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    result = _collect(out, built_org, bucket=f"no-such-bucket-{built_org.identity}")
    assert result.exit_code == 0, result.output
    assert "could not be listed" in result.stderr
    folder = out / built_org.identity / "us-east-1" / "cloudtrail"
    assert (folder / "lookup-events.json").exists() or (folder / "lookup-events.error.json").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["activity"]["source"] == "lookup-events"
    assert any(c["operation"] == "cloudtrail:LookupEvents" for c in manifest["calls"])
    shutil.rmtree(out)
