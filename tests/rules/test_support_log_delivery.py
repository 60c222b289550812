"""The context-free helpers of analyzer/rules/support/log_delivery.py tested alone: destinations, trail
labels and which trails can cover an account, the region-gap text, whole strings.

Coverage follows CloudTrail's documentation: only a multi-region trail of the account, or an organization
trail, records all of an account's regions
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-concepts.html#cloudtrail-concepts-trails,
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from analyzer.audit.org_shape import Resolved
from analyzer.model.entities import ConfigRecorder, DeliveryChannel, EventSelectorSummary, Trail, TrailStatus
from analyzer.model.evidence import EvidenceRef, EvidenceState, EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.rules.base import Status, fail, passed
from analyzer.rules.support import log_delivery as ld

A = "111111111111"
B = "222222222222"


def trail(name: str, owner: str = A, **kw: Any) -> Trail:
    fields: dict[str, Any] = {
        "arn": f"arn:aws:cloudtrail:us-east-1:{owner}:trail/{name}",
        "name": name,
        "home_region": "us-east-1",
        "owner_account_id": owner,
        "seen_in_account": owner,
        "seen_in_region": "us-east-1",
        "ref": EvidenceRef("t.json"),
        "multi_region": True,
        "organization_trail": False,
        "include_global_events": True,
        "log_file_validation": True,
        "s3_bucket": "logs",
        "s3_prefix": None,
        "sns_topic": None,
        "kms_key": None,
    }
    fields.update(kw)
    return Trail(**fields)


def test_normalized_prefix_and_destination() -> None:
    assert ld.normalized_prefix(None) == ""
    assert ld.normalized_prefix("/cloudtrail/") == "cloudtrail"
    assert ld.normalized_prefix("//XRay/trails/X/") == "XRay/trails/X"
    assert ld.describe_destination("logs", "/cloudtrail/") == "s3://logs/cloudtrail/"
    assert ld.describe_destination("logs", None) == "s3://logs/"
    assert ld.describe_destination(None, "") == "s3://(no bucket)/"


def test_trail_index_candidates() -> None:
    own_b = trail("zeta", owner=A)
    own_a = trail("alpha", owner=A)
    org = trail("org", owner=B, organization_trail=True)
    other = trail("other", owner=B)
    index = ld.TrailIndex([own_b, org, other, own_a])
    assert list(index) == [own_b.arn, org.arn, other.arn, own_a.arn]
    assert index.candidates(A) == [own_a, own_b, org]
    assert index.candidates(B) == [org, other]
    assert index.candidates("333333333333") == [org]
    assert ld.TrailIndex().candidates(A) == []


def test_single_region_and_reported_trails() -> None:
    single = trail("single", multi_region=False)
    multi = trail("multi")
    elsewhere = trail("elsewhere", owner=B, multi_region=False)
    index = ld.TrailIndex([single, multi, elsewhere])
    assert ld.single_region_trails(A, index) == [single]
    assert ld.reported_trails(index) == [multi, single, elsewhere]


def test_trail_label() -> None:
    assert ld.trail_label(trail("main")) == f"trail arn:aws:cloudtrail:us-east-1:{A}:trail/main (multi-region)"
    assert ld.trail_label(trail("org", organization_trail=True, multi_region=False, home_region="eu-west-1")) == (
        f"organization trail arn:aws:cloudtrail:us-east-1:{A}:trail/org (single-region, eu-west-1 only)"
    )


def test_gap_text() -> None:
    missing = EvidenceState("config_recorders", EvidenceStatus.MISSING, "not exported")
    denied = EvidenceState("config_channels", EvidenceStatus.INCOMPLETE, "truncated", files=("a.json",))
    assert ld.gap_text([]) == ""
    assert ld.gap_text([(None, [missing])]) == "config_recorders missing: not exported"
    assert ld.gap_text([("us-east-1", [missing, denied]), ("eu-west-1", [denied])]) == (
        "us-east-1: config_recorders missing: not exported; config_channels incomplete (a.json): truncated"
        " | eu-west-1: config_channels incomplete (a.json): truncated"
    )


def test_hours_between() -> None:
    start = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
    assert ld.hours_between(start, datetime(2026, 11, 2, 1, 30, tzinfo=UTC)) == 25.5
    assert ld.hours_between(datetime(2026, 11, 2, 1, 30, tzinfo=UTC), start) == -25.5


def test_recorder_and_channel_labels() -> None:
    recorder = ConfigRecorder(
        account_id=A,
        region="eu-west-1",
        name="default",
        ref=EvidenceRef("r.json"),
        role_arn=None,
        all_supported=True,
        include_global=True,
        strategy=None,
        resource_types=(),
        excluded_types=(),
    )
    channel = DeliveryChannel(
        account_id=A,
        region="eu-west-1",
        name="main",
        ref=EvidenceRef("c.json"),
        s3_bucket="logs",
        s3_prefix=None,
        sns_topic=None,
    )
    assert ld.recorder_label(recorder) == f"configuration recorder default of {A} in eu-west-1"
    assert ld.channel_label(channel) == f"delivery channel main of {A} in eu-west-1"


class FakeContext:
    """What the helpers read of a RuleContext: the organization's shape, the accounts' trails and
    evidence states, the regions that count, shared indexes."""

    def __init__(
        self,
        log_bucket: Any = None,
        trails: dict[str, list[Trail]] | None = None,
        *,
        management: str | None = None,
        members: tuple[str, ...] = (),
        trail_list_gap: dict[str, str] | None = None,
        states: dict[tuple[str, str, str], EvidenceState] | None = None,
        regions: dict[str, tuple[str, ...]] | None = None,
        blocked: dict[tuple[str, str], list[EvidenceState]] | None = None,
    ) -> None:
        self.shape = SimpleNamespace(log_bucket=log_bucket, management_account=management, org_ids=frozenset(members))
        gaps = trail_list_gap or {}
        accounts = {
            a: SimpleNamespace(trails=tuple(t), trail_list_gap=gaps.get(a, "")) for a, t in (trails or {}).items()
        }
        known = states or {}

        def state(kind: Kind, account: str, region: str, item: str) -> EvidenceState:
            return known.get((account, region, item), EvidenceState(kind.value, EvidenceStatus.LOADED))

        self.snapshot = SimpleNamespace(accounts=accounts, state=state)
        self._regions = regions or {}
        self._blocked = blocked or {}

    def shared(self, build: Callable[[Any], Any]) -> Any:
        return build(self)

    def account(self, account_id: str) -> Any:
        return self.snapshot.accounts.get(account_id)

    def in_organization(self, account_id: str) -> bool:
        return account_id in self.shape.org_ids

    def audited_accounts(self) -> tuple[str, ...]:
        return tuple(self._regions)

    def regions(self, account_id: str) -> Any:
        return SimpleNamespace(regions=self._regions.get(account_id, ()))

    def blocking(self, kinds: tuple[Kind, ...], account: str, region: str) -> list[EvidenceState]:
        return self._blocked.get((account, region), [])


def test_central_bucket_texts() -> None:
    declared = FakeContext(Resolved("central-logs", "manifest", "log_bucket in manifest.json"))
    assert ld.central_bucket(declared) == "central-logs"  # type: ignore[arg-type]
    assert ld.inferred_note(declared) == ""  # type: ignore[arg-type]
    assert ld.bucket_inferred_from_own(declared, A) is None  # type: ignore[arg-type]
    unknown = FakeContext(Resolved(None, "unknown", "no trail or channel delivers to one bucket"))
    assert ld.bucket_unknown_message(unknown) == (  # type: ignore[arg-type]
        "not evaluated: the central log bucket is unknown (no trail or channel delivers to one bucket)"
    )
    inferred = FakeContext(Resolved("own-logs", "inferred", "the bucket trails deliver to", inferred_from=(A,)))
    assert ld.inferred_note(inferred) == " (central bucket inferred: the bucket trails deliver to)"  # type: ignore[arg-type]
    assert ld.bucket_inferred_from_own(inferred, A) == (  # type: ignore[arg-type]
        f"the central bucket own-logs was inferred from the deliveries of account {A} alone "
        "(the bucket trails deliver to): a bucket an account delivers to is not central unless declared; "
        "set log_bucket in manifest.json or the config"
    )
    shared = FakeContext(Resolved("logs", "inferred", "most deliveries", inferred_from=(A, B)))
    assert ld.bucket_inferred_from_own(shared, A) is None  # type: ignore[arg-type]
    assert ld.bucket_inferred_from_own(inferred, B) is None  # type: ignore[arg-type]


def status(logging: bool) -> TrailStatus:
    return TrailStatus(
        ref=EvidenceRef(f"status-{logging}.json"),
        is_logging=logging,
        latest_delivery_time=None,
        latest_delivery_error=None,
        latest_notification_error=None,
        start_logging_time=None,
        stop_logging_time=None,
    )


def test_trail_index_merges_copies_owner_first() -> None:
    owner_copy = trail("org", owner=A, organization_trail=True, s3_bucket="owner-view")
    shadow_c = trail("org", owner=A, organization_trail=True, seen_in_account="333333333333", s3_bucket="c-view")
    shadow_b = replace(shadow_c, seen_in_account=B, s3_bucket="b-view", status=status(False))
    shadow_c = replace(shadow_c, status=status(True))
    nameless = trail("x", owner=B, arn="")
    ctx = FakeContext(trails={"333333333333": [shadow_c], B: [shadow_b, nameless], A: [owner_copy]})
    index = ld.trail_index(ctx)  # type: ignore[arg-type]
    assert list(index) == [owner_copy.arn]
    merged = index[owner_copy.arn]
    # Settings from the owner's copy, status from the first copy that has one (members by account id).
    assert (merged.s3_bucket, merged.status, merged.selectors) == ("owner-view", status(False), None)
    # Selectors too: from the first copy that has them, when the owner's copy has none.
    selectors = EventSelectorSummary(
        ref=EvidenceRef("sel.json"), advanced=False, management_events=True, read_write="All", excluded_sources=()
    )
    with_selectors = FakeContext(trails={A: [owner_copy], B: [replace(shadow_b, selectors=selectors)]})
    assert ld.trail_index(with_selectors)[owner_copy.arn].selectors == selectors  # type: ignore[arg-type]
    without_owner = FakeContext(trails={"333333333333": [shadow_c], B: [replace(shadow_b, status=None)]})
    assert ld.trail_index(without_owner)[owner_copy.arn] == replace(shadow_b, status=status(True))  # type: ignore[arg-type]


C = "333333333333"
STATUS = Kind.TRAIL_STATUS.value
SELECTORS = Kind.TRAIL_SELECTORS.value
TRAILS = Kind.TRAILS.value


def test_coverage_by_own_and_organization_trails() -> None:
    own = trail("own", owner=A)
    own_single = trail("own-single", owner=A, multi_region=False)
    org = trail("org", owner=B, organization_trail=True)
    org_single = trail("org-single", owner=B, organization_trail=True, multi_region=False)
    others = trail("others", owner=B)
    index = ld.TrailIndex([own, own_single, org, org_single, others])
    # B is the management account; A is a member; C is outside the organization.
    ctx = FakeContext(trails={A: [own], B: [org]}, management=B, members=(A, B))
    assert ld.covering_trails(ctx, A, index) == [own, org]  # type: ignore[arg-type]
    assert ld.covering_trails(ctx, B, index) == [org, others]  # type: ignore[arg-type]
    assert ld.covering_trails(ctx, C, index) == []  # type: ignore[arg-type]
    assert not ld.org_trail_covers(ctx, others, B)  # type: ignore[arg-type]
    assert ld.org_trail_covers(ctx, org_single, B)  # type: ignore[arg-type]
    assert not ld.covers(ctx, org_single, A)  # type: ignore[arg-type]
    # A trail owned by a member that is not the management account covers no other member.
    by_member = trail("member-org", owner=A, organization_trail=True)
    assert not ld.org_trail_covers(ctx, by_member, B)  # type: ignore[arg-type]
    assert ld.org_trail_covers(ctx, by_member, A)  # type: ignore[arg-type]
    # The management account unknown: an organization trail covers the organization's accounts.
    unknown = FakeContext(trails={B: [org]}, members=(A, B))
    assert ld.org_trail_covers(unknown, by_member, B)  # type: ignore[arg-type]
    assert not ld.org_trail_covers(unknown, by_member, C)  # type: ignore[arg-type]
    # An account outside the organization's list that shows the trail (a shadow copy) is covered by it.
    shadow = FakeContext(trails={C: [replace(org, seen_in_account=C)]}, management=B, members=(A, B))
    assert ld.org_trail_covers(shadow, org, C)  # type: ignore[arg-type]
    assert not ld.org_trail_covers(shadow, org, "444444444444")  # type: ignore[arg-type]


def test_unless_trails_unknown() -> None:
    ctx = FakeContext(trails={A: [], B: []}, trail_list_gap={A: "describe-trails of eu-west-1 is truncated"})
    failure = fail("no multi-region trail covers the account", account=A, evidence=(EvidenceRef("t.json"),))
    softened = ld.unless_trails_unknown(ctx, failure)  # type: ignore[arg-type]
    assert softened.status is Status.NOT_EVALUATED
    assert softened.message == (
        "not evaluated: no multi-region trail covers the account; but the trails that apply may not all be "
        "known: describe-trails of eu-west-1 is truncated"
    )
    assert (softened.account, softened.evidence) == (A, (EvidenceRef("t.json"),))
    kept = [
        passed("covered", account=A),
        fail("no trail", account=B),
        fail("no trail", account=C),
        fail("no trail"),
    ]
    for outcome in kept:
        assert ld.unless_trails_unknown(ctx, outcome) is outcome  # type: ignore[arg-type]


def test_trail_file_gap() -> None:
    shadow = trail("main", owner=A, seen_in_account=B, seen_in_region="eu-west-1")
    denied = EvidenceState(STATUS, EvidenceStatus.INCOMPLETE, "truncated", files=("s.json",))
    invalid = EvidenceState(STATUS, EvidenceStatus.INVALID, "not JSON", files=("t.json",))
    ctx = FakeContext(states={(A, "us-east-1", "main"): denied, (B, "eu-west-1", "main"): invalid})
    assert ld.trail_file_gap(ctx, shadow, Kind.TRAIL_STATUS) == (  # type: ignore[arg-type]
        f"{STATUS} of {shadow.arn} unknown (expected {A}/us-east-1/cloudtrail/get-trail-status/main.json): "
        f"{STATUS} incomplete (s.json): truncated; {STATUS} invalid (t.json): not JSON"
    )
    same = FakeContext(states={(A, "us-east-1", "main"): denied, (B, "eu-west-1", "main"): denied})
    assert ld.trail_file_gap(same, shadow, Kind.TRAIL_SELECTORS) == (  # type: ignore[arg-type]
        f"{SELECTORS} of {shadow.arn} unknown (expected {A}/us-east-1/cloudtrail/get-event-selectors/main.json): "
        f"{STATUS} incomplete (s.json): truncated"
    )
    assert ld.trail_file_gap(FakeContext(), shadow, Kind.TRAIL_STATUS) == (  # type: ignore[arg-type]
        f"{STATUS} of {shadow.arn} unknown (expected {A}/us-east-1/cloudtrail/get-trail-status/main.json): "
        f"the {STATUS} file holds no usable entry for this trail"
    )


def test_trail_gap_outcomes() -> None:
    missing = EvidenceState(TRAILS, EvidenceStatus.MISSING, "not exported")
    denied = EvidenceState(TRAILS, EvidenceStatus.INCOMPLETE, "truncated", files=("d.json",))
    ctx = FakeContext(
        regions={A: ("us-east-1", "eu-west-1", "ap-south-1"), B: ()},
        blocked={(A, "eu-west-1"): [missing, denied], (A, "ap-south-1"): [missing]},
    )
    found = [(o.status, o.account, o.region, o.message) for o in ld.trail_gap_outcomes(ctx, "the health")]  # type: ignore[arg-type]
    assert found == [
        (
            Status.NOT_EVALUATED,
            A,
            "eu-west-1",
            f"not evaluated: the health of the trails of {A} in eu-west-1 unknown: {TRAILS} missing: not exported; "
            f"{TRAILS} incomplete (d.json): truncated",
        ),
        (
            Status.NOT_EVALUATED,
            A,
            "ap-south-1",
            f"not evaluated: the health of the trails of {A} in ap-south-1 unknown: {TRAILS} missing: not exported",
        ),
        (
            Status.NOT_EVALUATED,
            B,
            None,
            f"not evaluated: the health of the trails of {B} in any region unknown: {TRAILS} missing: no regional "
            "evidence, no ec2 describe-regions and no expected_regions in the config, so the account's regions "
            "are unknown",
        ),
    ]


def recorder(name: str, region: str = "eu-west-1", service_linked: bool = False) -> ConfigRecorder:
    return ConfigRecorder(
        account_id=A,
        region=region,
        name=name,
        ref=EvidenceRef(f"{name}.json"),
        role_arn=None,
        all_supported=True,
        include_global=False,
        strategy=None,
        resource_types=(),
        excluded_types=(),
        service_linked=service_linked,
    )


def test_customer_recorders_and_channels() -> None:
    """Service-linked recorders (https://docs.aws.amazon.com/config/latest/developerguide/stop-start-recorder.html)
    record only what their service needs: they are not the account's own recording."""
    own, linked, west = recorder("default"), recorder("AWSConfigurationRecorderFor", service_linked=True), recorder("w")
    channel = DeliveryChannel(
        account_id=A,
        region="eu-west-1",
        name="main",
        ref=EvidenceRef("c.json"),
        s3_bucket="logs",
        s3_prefix=None,
        sns_topic=None,
    )
    ctx = FakeContext(trails={A: []})
    ctx.regional_config = SimpleNamespace(  # type: ignore[attr-defined]
        recorders={(A, "eu-west-1"): (linked, own), (A, "us-west-2"): (west,)}, channels={(A, "eu-west-1"): (channel,)}
    )
    ctx.snapshot.accounts[A].recorders = (linked, west, own)
    assert ld.customer_recorders(ctx, A, "eu-west-1") == [own]  # type: ignore[arg-type]
    assert ld.customer_recorders(ctx, A, "ap-south-1") == []  # type: ignore[arg-type]
    assert ld.customer_recorders(ctx, A) == [west, own]  # type: ignore[arg-type]
    assert ld.customer_recorders(ctx, B) == []  # type: ignore[arg-type]
    assert ld.channels_in(ctx, A, "eu-west-1") == [channel]  # type: ignore[arg-type]
    assert ld.channels_in(ctx, A, "us-west-2") == []  # type: ignore[arg-type]


def test_covering_trails_unknown() -> None:
    """Why a covering trail may be unseen: trails unknown in every region (one usable region lists every
    multi-region and organization trail, so a partial gap is not a reason), and the account's trail_list_gap."""
    missing = EvidenceState(Kind.TRAILS.value, EvidenceStatus.MISSING, "no file")
    regions = {A: ("eu-west-1", "us-east-1"), B: ("eu-west-1", "us-east-1"), C: ("us-east-1",)}
    ctx = FakeContext(
        trails={A: [], B: [], C: []},
        trail_list_gap={A: "Config lists only own trails", C: "Config lists only own trails"},
        regions=regions,
        blocked={(A, "eu-west-1"): [missing], (A, "us-east-1"): [missing], (B, "eu-west-1"): [missing]},
    )
    assert ld.covering_trails_unknown(ctx, A) == (  # type: ignore[arg-type]
        f"trails of {A} unknown in eu-west-1: cloudtrail-describe-trails missing: no file | "
        "us-east-1: cloudtrail-describe-trails missing: no file; Config lists only own trails"
    )
    assert ld.covering_trails_unknown(ctx, B) == ""  # type: ignore[arg-type]
    assert ld.covering_trails_unknown(ctx, C) == "Config lists only own trails"  # type: ignore[arg-type]
    # An account whose regions are unknown has no region whose trails are known.
    assert ld.covering_trails_unknown(ctx, "444444444444").startswith(  # type: ignore[arg-type]
        "trails of 444444444444 unknown in cloudtrail-describe-trails missing: no regional evidence"
    )
