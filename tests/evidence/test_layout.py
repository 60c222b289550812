"""Paths and contents to kinds and places; timestamps as every producer writes them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from analyzer.evidence.layout import kind_from_content, read_path, slot_complete, slot_for
from analyzer.evidence.timestamps import format_ts, parse_ts
from analyzer.model.kinds import SCOPE, Kind
from tests.evidence import conftest as shapes

A = shapes.IDENTITY


@pytest.mark.parametrize(
    ("path", "kind", "account", "region", "item"),
    [
        ("manifest.json", Kind.MANIFEST, None, None, None),
        ("organization/list-accounts.json", Kind.ORG_ACCOUNTS, None, None, None),
        ("organization/policies/p-abcd1234.json", Kind.ORG_POLICY, None, None, "p-abcd1234"),
        ("organization/targets/p-abcd1234.error.json", Kind.ORG_TARGETS, None, None, "p-abcd1234"),
        (f"{A}/iam/get-account-authorization-details.json.gz", Kind.IAM_AUTH_DETAILS, A, None, None),
        (f"{A}/iam/credential-report.csv", Kind.IAM_CREDENTIAL_REPORT, A, None, None),
        (f"{A}/iam/get-account-password-policy.err", Kind.IAM_PASSWORD_POLICY, A, None, None),
        (f"{A}/us-gov-west-1/cloudtrail/describe-trails.json", Kind.TRAILS, A, "us-gov-west-1", None),
        (f"{A}/eusc-de-east-1/config/describe-delivery-channels.json", Kind.CONFIG_CHANNELS, A, "eusc-de-east-1", None),
        (f"{A}/ap-southeast-2/cloudtrail/get-trail-status/main.json", Kind.TRAIL_STATUS, A, "ap-southeast-2", "main"),
        (
            f"{A}/eu-west-1/cloudtrail/get-event-selectors/manifest.json",
            Kind.TRAIL_SELECTORS,
            A,
            "eu-west-1",
            "manifest",
        ),
        (f"{A}/s3/my-bucket/get-bucket-policy.json", Kind.S3_BUCKET_POLICY, A, None, "my-bucket"),
        (f"{A}/buckets/my-bucket/get-bucket-policy.json", Kind.S3_BUCKET_POLICY, A, None, "my-bucket"),
        (f"{A}/s3/get-bucket-policy.json", Kind.S3_BUCKET_POLICY, A, None, None),
        (f"{A}/get-bucket-policy.json", Kind.S3_BUCKET_POLICY, A, None, None),
        ("exports/prod/gaad.json", None, None, None, None),
        ("org-export-2/us-east-1x/1234567890123/notes.json", None, None, None, None),
        ("١١١١١١١١١١١١/iam/get-account-summary.json", Kind.IAM_SUMMARY, None, None, None),
    ],
)
def test_read_path(path: str, kind: Kind | None, account: str | None, region: str | None, item: str | None) -> None:
    info = read_path(path)
    assert (info.kind, info.account_id, info.region, info.item) == (kind, account, region, item)
    assert info.error_record == path.endswith((".err", ".error.json"))
    assert info.csv == path.endswith(".csv")


CONTENT_CASES: list[tuple[Any, Kind | None]] = [
    (shapes.gaad(A), Kind.IAM_AUTH_DETAILS),
    ({"Policies": [], "IsTruncated": True, "Marker": "x"}, Kind.IAM_AUTH_DETAILS),
    (shapes.password_policy(), Kind.IAM_PASSWORD_POLICY),
    (shapes.account_summary(), Kind.IAM_SUMMARY),
    (shapes.mfa_devices(A), Kind.IAM_VIRTUAL_MFA),
    (shapes.credential_report(A), Kind.IAM_CREDENTIAL_REPORT),
    ({"Content": "dXNlcg==", "GeneratedTime": shapes.TS}, Kind.IAM_CREDENTIAL_REPORT),
    ({"OrganizationId": "o-abcdefghij", "EnabledFeatures": []}, Kind.IAM_ORG_FEATURES),
    (shapes.regions("us-east-1"), Kind.EC2_REGIONS),
    (shapes.describe_organization(), Kind.ORG_DESCRIBE),
    (shapes.list_accounts(A), Kind.ORG_ACCOUNTS),
    ({"Roots": []}, Kind.ORG_ROOTS),
    (shapes.scp("p-abcd1234", "{}"), Kind.ORG_POLICY),
    (shapes.targets(A), Kind.ORG_TARGETS),
    ({"trailList": []}, Kind.TRAILS),
    (shapes.trail_status(), Kind.TRAIL_STATUS),
    ({"TrailARN": "arn:aws:cloudtrail:us-east-1:1:trail/t", "AdvancedEventSelectors": []}, Kind.TRAIL_SELECTORS),
    (shapes.basic_selectors("arn:aws:cloudtrail:us-east-1:1:trail/t"), Kind.TRAIL_SELECTORS),
    (shapes.recorders(A), Kind.CONFIG_RECORDERS),
    (shapes.recorder_status(), Kind.CONFIG_RECORDER_STATUS),
    (shapes.channels(), Kind.CONFIG_CHANNELS),
    (shapes.channel_status(), Kind.CONFIG_CHANNEL_STATUS),
    ({"Policy": "{}"}, Kind.S3_BUCKET_POLICY),
    ({"PublicKeyList": []}, Kind.CT_PUBLIC_KEYS),
    ({"publicKeyList": []}, Kind.CT_PUBLIC_KEYS),
    ({"Events": [], "NextToken": "x"}, Kind.CT_LOOKUP_EVENTS),
    ({"collected_at": "2026-01-01T00:00:00Z"}, Kind.MANIFEST),
    ({"fileVersion": "1.0", "configurationItems": []}, Kind.CONFIG_SNAPSHOT_FILE),
    ({"configurationItems": [], "nextToken": "x"}, Kind.CONFIG_RESOURCE_HISTORY),
    ({"baseConfigurationItems": [], "unprocessedResourceKeys": []}, Kind.CONFIG_BATCH_GET),
    ({"QueryInfo": {"SelectFields": []}, "Results": []}, Kind.CONFIG_SELECT),
    ({"Something": "else"}, None),
    ([shapes.account_summary()], None),
    ("SummaryMap", None),
]


@pytest.mark.parametrize(("document", "kind"), CONTENT_CASES)
def test_kind_from_content(document: Any, kind: Kind | None) -> None:
    assert kind_from_content(document) is kind


#: Recognised by the S3 key layout CloudTrail writes, not by content (tests/evidence/test_activity_paths.py).
#: A Config history file reads like a snapshot (its key says which); an aggregator's answer like a
#: select's (its name says which).
PATH_SHAPED = {
    Kind.CT_LOG_FILE,
    Kind.CT_DIGEST_FILE,
    Kind.S3_HEAD_OBJECT,
    Kind.S3_LIST_OBJECTS,
    Kind.CONFIG_HISTORY_FILE,
    Kind.CONFIG_SELECT_AGGREGATE,
}


def test_every_kind_is_recognised_from_content() -> None:
    assert {k for _, k in CONTENT_CASES if k} == set(Kind) - PATH_SHAPED


def test_slot_keeps_only_the_parts_of_the_scope() -> None:
    assert slot_for(Kind.ORG_ACCOUNTS, A, "us-east-1", "x") == ("", "", Kind.ORG_ACCOUNTS.value, "")
    assert slot_for(Kind.ORG_POLICY, A, None, "p-1") == ("", "", Kind.ORG_POLICY.value, "p-1")
    assert slot_for(Kind.IAM_SUMMARY, A, "us-east-1", "x") == (A, "", Kind.IAM_SUMMARY.value, "")
    assert slot_for(Kind.TRAILS, A, "us-east-1", "x") == (A, "us-east-1", Kind.TRAILS.value, "")
    assert slot_for(Kind.TRAIL_STATUS, A, "us-east-1", "t") == (A, "us-east-1", Kind.TRAIL_STATUS.value, "t")
    assert slot_for(Kind.S3_BUCKET_POLICY, A, "us-east-1", "b") == (A, "", Kind.S3_BUCKET_POLICY.value, "b")
    assert not slot_complete(Kind.TRAILS, A, None, None)
    assert not slot_complete(Kind.S3_BUCKET_POLICY, A, None, None)
    assert slot_complete(Kind.ORG_ACCOUNTS, None, None, None)
    assert all(slot_complete(k, A, "us-east-1", "x") for k in SCOPE)


# --------------------------------------------------------------------------- timestamps

WHEN = datetime(2016, 12, 15, 19, 30, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        "2016-12-15T19:30:15Z",
        "2016-12-15T19:30:15+00:00",
        "2016-12-15 19:30:15+00:00",
        "2016-12-15T20:30:15+01:00",
        "2016-12-15T19:30:15",
        1481830215,
        1481830215.0,
        "1481830215",
    ],
)
def test_timestamps_of_every_producer(value: Any) -> None:
    assert parse_ts(value) == WHEN


def test_timestamp_fractions_are_kept() -> None:
    assert parse_ts("2016-12-15T19:30:15.450000+00:00") == WHEN.replace(microsecond=450000)
    assert parse_ts("2016-12-15T19:30:15.45Z") == WHEN.replace(microsecond=450000)
    assert parse_ts(1481830215.45) == WHEN.replace(microsecond=450000)


@pytest.mark.parametrize("value", [None, "", "N/A", "no_information", "not_supported", " n/a "])
def test_placeholders_are_no_time(value: Any) -> None:
    assert parse_ts(value) is None


@pytest.mark.parametrize(
    "value", ["yesterday", True, [2016], {"t": 1}, 1e300, float("nan"), "9999-12-31T23:59:59-05:00"]
)
def test_garbled_timestamps_raise_value_error(value: Any) -> None:
    with pytest.raises(ValueError, match="not a timestamp"):
        parse_ts(value)


def test_format_ts() -> None:
    assert format_ts(parse_ts("2016-12-15T20:30:15.5+01:00")) == "2016-12-15T19:30:15Z"
    assert format_ts(None) is None
