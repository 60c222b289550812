"""Joining the shares of a bundle's files: the same snapshot whichever way the files were shared."""

from __future__ import annotations

from analyzer.evidence.assembly import _states_in_order
from analyzer.model.evidence import EvidenceState, EvidenceStatus


def _states(*accounts: str) -> dict[tuple[str, str, str, str], EvidenceState]:
    slots = sorted((account, region, "kind", "") for account in accounts for region in ("eu-west-1", "us-east-1"))
    return {slot: EvidenceState("kind", EvidenceStatus.LOADED, "", (f"{slot[0]}/{slot[1]}",)) for slot in slots}


def test_states_of_shares_that_follow_one_another_are_joined_in_slot_order() -> None:
    low, high = _states("", "111111111111"), _states("222222222222", "333333333333")
    joined = _states_in_order([high, low])
    assert list(joined) == sorted(low | high)
    assert joined == low | high


def test_states_of_interleaved_shares_are_sorted() -> None:
    odd, even = _states("111111111111", "333333333333"), _states("", "222222222222", "444444444444")
    joined = _states_in_order([odd, {}, even])
    assert list(joined) == sorted(odd | even)
    assert joined == odd | even
