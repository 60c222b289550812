"""A bundle of only the central bucket's AWS Config objects (fixtures/config-only, built by
fixtures/build_config_only.py from documented item shapes) gives IDN and LOG verdicts for every
account, and exactly the rules that need evidence Config does not record are not evaluated, saying so.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from analyzer.evidence.loader import load_bundle
from analyzer.model.evidence import EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.pipeline import analyze

BUNDLE = Path(__file__).resolve().parents[2] / "fixtures" / "config-only"
ACCOUNTS = ("111111111111", "222222222222", "333333333333")


@pytest.fixture(scope="module")
def results() -> dict[str, list[tuple[str, str | None, str]]]:
    report = analyze(BUNDLE)
    by_rule: dict[str, list[tuple[str, str | None, str]]] = defaultdict(list)
    for result in report.findings:
        by_rule[result.rule].append((result.status.value, result.account, result.message))
    return by_rule


def test_iam_trails_bucket_policy_and_recorders_come_from_the_items() -> None:
    snapshot = load_bundle(BUNDLE)
    identity = snapshot.accounts["111111111111"]
    assert [u.name for u in identity.users] == ["alice"]
    assert identity.users[0].ref.file.endswith(".json.gz")
    assert identity.users[0].ref.pointer.startswith("/configurationItems/")
    assert [g.name for g in identity.groups] == ["Staff"]
    staff = identity.groups[0]
    assert all(a.policy is not None for a in staff.attached_policies)  # customer managed: linked
    member = snapshot.accounts["222222222222"]
    role = next(r for r in member.roles if r.name == "Dev-Admin-Role")
    assert role.trust_policy is not None  # URL-encoded in the item, decoded
    assert role.attached_policies[0].policy is None  # AWS managed: Config does not record it
    assert snapshot.bucket_policy("central-logs-111111111111") is not None
    state = snapshot.state(Kind.IAM_AUTH_DETAILS, "222222222222")
    assert state.status is EvidenceStatus.LOADED
    assert "from AWS Config configuration items recorded in us-east-1" in state.reason
    for account in ACCOUNTS:
        assert snapshot.state(Kind.TRAILS, account, "us-east-1").usable
        assert snapshot.state(Kind.CONFIG_RECORDERS, account, "us-east-1").usable
        assert [r.recording for r in snapshot.accounts[account].recorders] == [True]


def test_every_account_has_idn_and_log_verdicts(results: dict[str, list[tuple[str, str | None, str]]]) -> None:
    decided = {
        account
        for rule, found in results.items()
        if rule.startswith(("IDN", "LOG"))
        for status, account, _ in found
        if status in ("pass", "fail")
    }
    assert decided >= set(ACCOUNTS)
    for rule in ("IDN-002", "IDN-005", "LOG-003", "LOG-006", "LOG-007", "LOG-008"):
        assert results[rule] and all(status == "pass" for status, _, _ in results[rule]), results[rule]


def test_bucket_policy_lets_the_known_deliveries_through_but_an_organization_trail_may_be_unseen(
    results: dict[str, list[tuple[str, str | None, str]]],
) -> None:
    """AWS Config records an organization trail only in the management account, unknown without organization
    evidence: every delivery LOG-009 knows of is let through, but a trail delivering an account's logs may be
    unseen, so no account passes (AWS CloudTrail User Guide, "Creating a trail for an organization":
    https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html)."""
    assert {account for _, account, _ in results["LOG-009"]} == set(ACCOUNTS)
    for status, account, message in results["LOG-009"]:
        assert status == "not_evaluated"
        assert f"lets 3 of 3 simulated deliveries of account {account}'s logs through" in message
        assert "an organization trail is recorded only by the management account (unknown here)" in message


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("CRD-001", "AWS Config does not record the account summary"),
        ("CRD-002", "AWS Config does not record the account summary"),
        ("CRD-003", "AWS Config does not record the credential report"),
        ("CRD-004", "AWS Config does not record the account password policy"),
        ("CRD-005", "AWS Config does not record the credential report"),
        ("CRD-006", "AWS Config does not record the credential report"),
        ("LOG-004", "AWS Config records a trail's settings, not whether it is logging"),
        ("LOG-005", "AWS Config records only whether a trail has custom event selectors"),
    ],
)
def test_rules_needing_what_config_lacks_say_so(
    results: dict[str, list[tuple[str, str | None, str]]], rule: str, says: str
) -> None:
    found = results[rule]
    assert found
    for status, _, message in found:
        assert status == "not_evaluated"
        assert says in message, message


def test_recent_snapshots_show_the_recorders_recording(results: dict[str, list[tuple[str, str | None, str]]]) -> None:
    assert {account for _, account, _ in results["LOG-006"]} == set(ACCOUNTS)
    for _, _, message in results["LOG-006"]:
        assert "AWS Config delivered a snapshot at 2026-11-20T06:00:00Z" in message
    for _, _, message in results["LOG-008"]:
        assert "delivers to the central bucket central-logs-111111111111: AWS Config delivered a snapshot" in message
    config_channels = [r for r in results["LOG-011"] if "trail" not in r[2]]
    assert config_channels and all(
        status == "not_evaluated" and "AWS Config records no item for its delivery channel" in message
        for status, _, message in config_channels
    )
