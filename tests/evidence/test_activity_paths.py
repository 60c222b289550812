"""Activity evidence recognised by the key layout CloudTrail writes (AWS CloudTrail User Guide,
"Finding your CloudTrail log files" and "CloudTrail digest file structure")."""

from __future__ import annotations

import pytest

from analyzer.evidence.layout import read_path
from analyzer.model.kinds import Kind

ORG_LOG = (
    "central/AWSLogs/o-exampleorgid/111122223333/CloudTrail/us-east-2/2024/08/01/"
    "111122223333_CloudTrail_us-east-2_20240801T1340Z_abcdefghijklmnop.json.gz"
)
DIGEST = (
    "999999999999/s3/logs/prefix/AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2024/08/01/"
    "111122223333_CloudTrail-Digest_eu-west-1_org_trail_us-east-1_20240801T150131Z.json.gz"
)


@pytest.mark.parametrize(
    ("path", "kind", "account", "region", "item"),
    [
        (ORG_LOG, Kind.CT_LOG_FILE, "111122223333", "us-east-2", ORG_LOG.removeprefix("central/")),
        (ORG_LOG.removesuffix(".gz"), Kind.CT_LOG_FILE, "111122223333", "us-east-2", ORG_LOG[8:-3]),
        (DIGEST, Kind.CT_DIGEST_FILE, "111122223333", "eu-west-1", DIGEST[DIGEST.index("AWSLogs/") :]),
        (
            DIGEST.replace(".json.gz", "_backfill.json.gz"),
            Kind.CT_DIGEST_FILE,
            "111122223333",
            "eu-west-1",
            DIGEST[DIGEST.index("AWSLogs/") :].replace(".json.gz", "_backfill.json.gz"),
        ),
        (
            DIGEST + ".head-object.json",
            Kind.S3_HEAD_OBJECT,
            "111122223333",
            "eu-west-1",
            DIGEST[DIGEST.index("AWSLogs/") :],
        ),
        (
            "999999999999/s3/logs/list-objects-v2.json",
            Kind.S3_LIST_OBJECTS,
            "999999999999",
            None,
            "logs/list-objects-v2",
        ),
        ("999999999999/s3/logs/list-objects-v2/dev.json", Kind.S3_LIST_OBJECTS, "999999999999", None, "logs/dev"),
    ],
)
def test_activity_objects_are_placed_by_their_key(
    path: str, kind: Kind, account: str, region: str | None, item: str
) -> None:
    info = read_path(path)
    assert (info.kind, info.account_id, info.region, info.item) == (kind, account, region, item)


@pytest.mark.parametrize(
    "path",
    [
        # the account in the file name must be the folder's account, the region the folder's region
        ORG_LOG.replace("_CloudTrail_us-east-2", "_CloudTrail_us-west-2"),
        ORG_LOG.replace("111122223333_CloudTrail", "444455556666_CloudTrail"),
        ORG_LOG.replace("/CloudTrail/", "/CloudTrail-Insight/"),  # Insights events are not read
        ORG_LOG.replace("2024/08/01", "2024/8/1"),  # CloudTrail pads its date folders
        "AWSLogs/111122223333/Config/us-east-1/2024/8/1/ConfigHistory/x.json.gz",
        "notAWSLogs/111122223333/CloudTrail/us-east-2/2024/08/01/"
        "111122223333_CloudTrail_us-east-2_20240801T1340Z_abcdefghijklmnop.json.gz",
    ],
)
def test_other_shapes_are_not_activity_objects(path: str) -> None:
    assert read_path(path).kind not in (Kind.CT_LOG_FILE, Kind.CT_DIGEST_FILE)
