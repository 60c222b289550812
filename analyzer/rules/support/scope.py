"""Regions outside the collection: one verdict per account and rule, not one per region.

A bundle collected with ``trustmap collect --regions R`` records ``R`` in ``manifest.json``; the
account's enabled regions outside ``R`` were not looked at. Each rule that reads per-region evidence
says so once per account, listing those regions (``details["cause"]`` lets the report count them),
and EVD-001 names them as a coverage gap.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.rules.base import Outcome, not_evaluated
from analyzer.rules.context import RegionScope, RuleContext

#: ``details["cause"]`` of a result left not evaluated because its regions were not collected.
NOT_COLLECTED = "regions-not-collected"


def scope_text(scope: RegionScope) -> str:
    """``3 enabled regions not collected (ap-south-1, eu-west-1, us-west-2; collected: us-east-1)``."""
    collected = ", ".join(scope.collected or ()) or "none"
    count = len(scope.uncollected)
    return (
        f"{count} enabled region{'s' if count != 1 else ''} not collected "
        f"({', '.join(scope.uncollected)}; the bundle was collected for {collected} only, manifest.json regions)"
    )


def uncollected_outcomes(ctx: RuleContext, what: str) -> Iterator[Outcome]:
    """One ``not_evaluated`` per audited account with enabled regions outside the collection."""
    for account in ctx.audited_accounts():
        scope = ctx.regions(account)
        if scope.uncollected:
            yield not_evaluated(
                f"not evaluated: {what} of {account} in {scope_text(scope)}",
                account=account,
                subject=NOT_COLLECTED,
                details={"cause": NOT_COLLECTED, "regions": list(scope.uncollected)},
            )
