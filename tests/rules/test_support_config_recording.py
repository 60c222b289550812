"""analyzer/rules/support/config_recording.py tested alone on a minimal rule context: which delivered
Config files count, the 24-hour window before the collection (edges included), the newest snapshot per
region, and whether a file sits in a copy of the central bucket.

Key shapes: AWS Config Developer Guide, "Example configuration snapshot" and "Example configuration
history file" (https://docs.aws.amazon.com/config/latest/developerguide/example-configuration-snapshot-notification.html,
https://docs.aws.amazon.com/config/latest/developerguide/example-configuration-history-notification.html);
24 hours is the longest snapshot delivery frequency
(https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigSnapshotDeliveryProperties.html).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from analyzer.model.evidence import EvidenceRef, EvidenceState, EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.rules.support import config_recording as cr
from analyzer.rules.support.config_recording import Delivery

A = "111111111111"
B = "222222222222"
SNAP = Kind.CONFIG_SNAPSHOT_FILE.value
HIST = Kind.CONFIG_HISTORY_FILE.value
COLLECTED = datetime(2026, 11, 10, 12, 0, 0, tzinfo=UTC)


def snapshot_key(account: str, region: str, stamp: str) -> str:
    return (
        f"AWSLogs/{account}/Config/{region}/2026/11/10/ConfigSnapshot/"
        f"{account}_Config_{region}_ConfigSnapshot_{stamp}_a1b2c3d4-0000-1111-2222-333344445555.json"
    )


def history_key(account: str, region: str, end: str) -> str:
    return (
        f"AWSLogs/{account}/Config/{region}/2026/11/10/ConfigHistory/"
        f"{account}_Config_{region}_ConfigHistory_AWS::IAM::Role_20261110T000000Z_{end}_1.json"
    )


def loaded(*files: str) -> EvidenceState:
    return EvidenceState("config file", EvidenceStatus.LOADED, files=files)


class FakeContext:
    """What the helpers read of a RuleContext: states, the manifest's collection time, accounts, shared."""

    def __init__(
        self,
        states: dict[tuple[str, str, str, str], EvidenceState],
        collected: datetime | None = COLLECTED,
        items: dict[str, list[Any]] | None = None,
    ) -> None:
        self.snapshot = SimpleNamespace(states=states, manifest=SimpleNamespace(collected_at=collected))
        self._items = items or {}

    def shared(self, build: Callable[[Any], Any]) -> Any:
        return build(self)

    def account(self, account_id: str) -> Any:
        if account_id not in self._items:
            return None
        return SimpleNamespace(config_items=tuple(self._items[account_id]))


def state_of(account: str, region: str, kind: str, key: str, file: str | None = None) -> tuple[Any, EvidenceState]:
    return (account, region, kind, key), loaded(file or f"bundle/{key}.gz", "second-copy")


def test_delivery_describe_and_ref() -> None:
    snap = Delivery("us-east-1", datetime(2026, 11, 10, 3, 4, 5, tzinfo=UTC), SNAP, "b/s.json.gz")
    hist = Delivery("us-east-1", datetime(2026, 11, 10, 3, 4, 5, tzinfo=UTC), HIST, "b/h.json.gz")
    assert snap.describe() == "AWS Config delivered a snapshot at 2026-11-10T03:04:05Z (b/s.json.gz)"
    assert hist.describe() == "AWS Config delivered a history file at 2026-11-10T03:04:05Z (b/h.json.gz)"
    assert snap.ref == EvidenceRef("b/s.json.gz")


def test_deliveries_keep_usable_delivered_files_in_order() -> None:
    s1 = snapshot_key(A, "us-west-2", "20261110T010000Z")
    s2 = snapshot_key(A, "eu-west-1", "20261110T020000Z")
    h1 = history_key(A, "eu-west-1", "20261110T010000Z")
    # A key without a stamp first: it is passed over, the files after it still count.
    states = {(A, "eu-west-1", SNAP, "AWSLogs/not-a-config-key.json"): loaded("y")}
    states.update(
        [
            state_of(A, "us-west-2", SNAP, s1),
            state_of(A, "eu-west-1", SNAP, s2),
            state_of(A, "eu-west-1", HIST, h1),
            state_of(B, "eu-west-1", SNAP, snapshot_key(B, "eu-west-1", "20261110T020000Z")),
        ]
    )
    # Not counted: an unusable file, a state without files, another kind.
    states[(A, "eu-west-1", SNAP, "unusable")] = EvidenceState(SNAP, EvidenceStatus.INVALID, files=("x",))
    states[(A, "eu-west-1", SNAP, snapshot_key(A, "eu-west-1", "20261110T030000Z"))] = loaded()
    states[(A, "eu-west-1", "trails", snapshot_key(A, "eu-west-1", "20261110T040000Z"))] = loaded("z")
    ctx = FakeContext(states)
    assert cr.deliveries(ctx, A) == (  # type: ignore[arg-type]
        Delivery("eu-west-1", datetime(2026, 11, 10, 1, 0, tzinfo=UTC), HIST, f"bundle/{h1}.gz"),
        Delivery("eu-west-1", datetime(2026, 11, 10, 2, 0, tzinfo=UTC), SNAP, f"bundle/{s2}.gz"),
        Delivery("us-west-2", datetime(2026, 11, 10, 1, 0, tzinfo=UTC), SNAP, f"bundle/{s1}.gz"),
    )
    assert cr.deliveries(ctx, "333333333333") == ()  # type: ignore[arg-type]


def test_recent_delivery_window_edges() -> None:
    region = "eu-west-1"
    too_old = snapshot_key(A, region, "20261109T115959Z")
    oldest = snapshot_key(A, region, "20261109T120000Z")
    states = dict([state_of(A, region, SNAP, too_old), state_of(A, region, SNAP, oldest)])
    ctx = FakeContext(states)
    assert cr.recent_delivery(ctx, A, region).file == f"bundle/{oldest}.gz"  # type: ignore[arg-type,union-attr]
    assert cr.recent_delivery(ctx, A, "us-east-1") is None  # type: ignore[arg-type]
    assert cr.recent_delivery(FakeContext(states, collected=None), A, region) is None  # type: ignore[arg-type]
    at_collection = snapshot_key(A, region, "20261110T120000Z")
    after = snapshot_key(A, region, "20261110T120001Z")
    states.update([state_of(A, region, SNAP, at_collection), state_of(A, region, SNAP, after)])
    found = cr.recent_delivery(FakeContext(states), A, region)  # type: ignore[arg-type]
    assert found is not None and found.file == f"bundle/{at_collection}.gz"
    # Two files of the same second: the later file name, so the choice does not depend on order.
    same = history_key(A, region, "20261110T120000Z")
    states.update([state_of(A, region, HIST, same, file="zz-copy")])
    found = cr.recent_delivery(FakeContext(states), A, region)  # type: ignore[arg-type]
    assert found is not None and found.file == "zz-copy"


def iam_item(resource_type: str = "AWS::IAM::Role", is_global: bool = True) -> Any:
    return SimpleNamespace(resource_type=resource_type, is_global=is_global)


def test_snapshots_without_global_iam() -> None:
    old = snapshot_key(A, "us-east-1", "20261110T010000Z")
    new = snapshot_key(A, "us-east-1", "20261110T020000Z")
    west = snapshot_key(A, "eu-west-1", "20261110T010000Z")
    hist = history_key(A, "eu-west-1", "20261110T050000Z")
    states = dict(
        [
            state_of(A, "us-east-1", SNAP, old),
            state_of(A, "us-east-1", SNAP, new),
            state_of(A, "eu-west-1", SNAP, west),
            state_of(A, "eu-west-1", HIST, hist),
        ]
    )
    others = [iam_item("AWS::IAM::Role", is_global=False), iam_item("AWS::S3::Bucket", is_global=True)]
    ctx = FakeContext(states, items={A: others})
    found = cr.snapshots_without_global_iam(ctx, A, ("us-east-1", "eu-west-1"))  # type: ignore[arg-type]
    assert found is not None
    assert [d.file for d in found] == [f"bundle/{west}.gz", f"bundle/{new}.gz"]
    assert cr.snapshots_without_global_iam(ctx, A, ("us-east-1",)) is not None  # type: ignore[arg-type]
    # No account evidence, no regions, a global IAM item, a region without a snapshot: None.
    assert cr.snapshots_without_global_iam(ctx, B, ("us-east-1",)) is None  # type: ignore[arg-type]
    assert cr.snapshots_without_global_iam(ctx, A, ()) is None  # type: ignore[arg-type]
    with_iam = FakeContext(states, items={A: [*others, iam_item()]})
    assert cr.snapshots_without_global_iam(with_iam, A, ("us-east-1",)) is None  # type: ignore[arg-type]
    assert cr.snapshots_without_global_iam(ctx, A, ("us-east-1", "ap-south-1")) is None  # type: ignore[arg-type]
    # A region only another account's Config files come from counts too: the account's may be there.
    states.update([state_of(B, "ap-south-1", HIST, history_key(B, "ap-south-1", "20261110T010000Z"))])
    with_other = FakeContext(states, items={A: others})
    assert cr.snapshots_without_global_iam(with_other, A, ("us-east-1",)) is None  # type: ignore[arg-type]


def test_copied_from_and_recent_central_delivery() -> None:
    when = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)

    def at(file: str) -> Delivery:
        return Delivery("eu-west-1", when, SNAP, file)

    assert cr.copied_from(at("999999999999/s3/central-logs/AWSLogs/111/x.json.gz"), "central-logs")
    assert cr.copied_from(at("central-logs/config/AWSLogs/111/x.json.gz"), "central-logs")
    assert not cr.copied_from(at("999999999999/s3/central-logs-old/AWSLogs/111/x.json.gz"), "central-logs")
    assert not cr.copied_from(at("other/AWSLogs/central-logs/x.json.gz"), "central-logs")
    # The object's key starts at the last AWSLogs/ (as config_paths reads it): folders before it are the copy's.
    assert cr.copied_from(at("a/AWSLogs/central-logs/AWSLogs/111/x.json.gz"), "central-logs")

    key = snapshot_key(A, "eu-west-1", "20261110T010000Z")
    ctx = FakeContext(dict([state_of(A, "eu-west-1", SNAP, key, file=f"999999999999/s3/central-logs/{key}.gz")]))
    found = cr.recent_central_delivery(ctx, A, "eu-west-1", "central-logs")  # type: ignore[arg-type]
    assert found is not None and found.file == f"999999999999/s3/central-logs/{key}.gz"
    assert cr.recent_central_delivery(ctx, A, "eu-west-1", "elsewhere") is None  # type: ignore[arg-type]
    assert cr.recent_central_delivery(ctx, A, "us-east-1", "central-logs") is None  # type: ignore[arg-type]
