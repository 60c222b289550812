"""Config's delivered files recognised by the key layout Config writes (AWS Config Developer Guide,
"Example configuration history file" and "Example configuration snapshot": date folders not
zero-padded, the resource type with its ``::`` in a history file's name), and its API answers."""

from __future__ import annotations

import pytest

from analyzer.evidence.layout import read_path
from analyzer.model.kinds import Kind

HISTORY = (
    "AWSLogs/123456789012/Config/us-east-2/2016/9/27/ConfigHistory/"
    "123456789012_Config_us-east-2_ConfigHistory_AWS::CloudTrail::Trail_20160927T195818Z_20160927T195818Z_1.json.gz"
)
SNAPSHOT = (
    "AWSLogs/123456789012/Config/eu-west-1/2026/11/20/ConfigSnapshot/"
    "123456789012_Config_eu-west-1_ConfigSnapshot_20261120T060000Z_4f1c9d2e-0c1e-4a5b-9d3e-1a2b3c4d5e6f.json.gz"
)


@pytest.mark.parametrize(
    ("path", "kind", "account", "region", "item"),
    [
        ("bucket/" + HISTORY, Kind.CONFIG_HISTORY_FILE, "123456789012", "us-east-2", HISTORY[:-3]),
        ("o-abc1234567/" + HISTORY, Kind.CONFIG_HISTORY_FILE, "123456789012", "us-east-2", HISTORY[:-3]),
        (
            HISTORY.replace("::", "%3A%3A"),
            Kind.CONFIG_HISTORY_FILE,
            "123456789012",
            "us-east-2",
            HISTORY.replace("::", "%3A%3A")[:-3],
        ),
        ("999999999999/s3/logs/" + SNAPSHOT, Kind.CONFIG_SNAPSHOT_FILE, "123456789012", "eu-west-1", SNAPSHOT[:-3]),
        (SNAPSHOT.removesuffix(".gz"), Kind.CONFIG_SNAPSHOT_FILE, "123456789012", "eu-west-1", SNAPSHOT[:-3]),
        (
            "123456789012/us-east-1/config/get-resource-config-history/role-audit.json",
            Kind.CONFIG_RESOURCE_HISTORY,
            "123456789012",
            "us-east-1",
            "role-audit",
        ),
        (
            "123456789012/us-east-1/config/batch-get-resource-config.json",
            Kind.CONFIG_BATCH_GET,
            "123456789012",
            "us-east-1",
            "batch-get-resource-config",
        ),
        (
            "123456789012/us-east-1/config/select-aggregate-resource-config/iam.json",
            Kind.CONFIG_SELECT_AGGREGATE,
            "123456789012",
            "us-east-1",
            "iam",
        ),
    ],
)
def test_config_paths(path: str, kind: Kind, account: str, region: str, item: str) -> None:
    info = read_path(path)
    assert (info.kind, info.account_id, info.region, info.item) == (kind, account, region, item)


@pytest.mark.parametrize(
    "path",
    [
        SNAPSHOT.replace("/123456789012_Config", "/210987654321_Config"),  # name and folder disagree
        SNAPSHOT.replace("_eu-west-1_", "_us-east-1_"),  # region of the name and of the folder
        SNAPSHOT.replace("ConfigSnapshot/", "Snapshots/"),
        "xAWSLogs/" + SNAPSHOT.removeprefix("AWSLogs/"),
    ],
)
def test_other_shapes_are_not_config_files(path: str) -> None:
    assert read_path(path).kind not in (Kind.CONFIG_SNAPSHOT_FILE, Kind.CONFIG_HISTORY_FILE)
