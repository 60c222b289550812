"""The wording of a region scope (:func:`analyzer.rules.support.scope.scope_text`) that every regional rule
and EVD-001 print, including a manifest whose ``regions`` list is empty or absent (nothing collected)."""

from __future__ import annotations

import pytest

from analyzer.rules.context import RegionScope
from analyzer.rules.support.scope import scope_text


@pytest.mark.parametrize(
    ("scope", "text"),
    [
        (
            RegionScope(("us-east-1",), "describe-regions", ("eu-west-1",), ("us-east-1",)),
            "1 enabled region not collected (eu-west-1; the bundle was collected for us-east-1 only, "
            "manifest.json regions)",
        ),
        (
            RegionScope((), "describe-regions", ("ap-south-1", "eu-west-1"), ()),
            "2 enabled regions not collected (ap-south-1, eu-west-1; the bundle was collected for none only, "
            "manifest.json regions)",
        ),
        (
            RegionScope((), "describe-regions", ("eu-west-1",), None),
            "1 enabled region not collected (eu-west-1; the bundle was collected for none only, manifest.json regions)",
        ),
    ],
)
def test_scope_text(scope: RegionScope, text: str) -> None:
    assert scope_text(scope) == text
