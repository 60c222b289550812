"""Choosing and planting defects: ``rate`` per account, rules drawn uniformly from the whole catalog.

Every rule of the catalog has a planter (:data:`PLANTERS`); a planter picks a variant and a free
slot with the seeded random source, changes the plan, and returns the exact failures the defect
causes (collateral ones included). A rule whose planter finds no room (e.g. LOG-001 where an
organization trail covers every account) is drawn again.
"""

from __future__ import annotations

import random

from analyzer.synth.defect_base import PlantContext, Planted, Planter
from analyzer.synth.defects_activity import PLANTERS as ACTIVITY_PLANTERS
from analyzer.synth.defects_identity import PLANTERS as IDENTITY_PLANTERS
from analyzer.synth.defects_logging import PLANTERS as LOGGING_PLANTERS
from analyzer.synth.org_plan import OrgPlan

PLANTERS: dict[str, Planter] = dict(sorted({**IDENTITY_PLANTERS, **LOGGING_PLANTERS, **ACTIVITY_PLANTERS}.items()))
_ATTEMPTS = 25


def defect_count(accounts: int, rate: float) -> int:
    """``rate`` defects per account, rounded; at least one whenever the rate is positive."""
    if rate <= 0:
        return 0
    return max(1, int(accounts * rate + 0.5))


def plant_defects(plan: OrgPlan, rate: float, rng: random.Random) -> list[Planted]:
    ctx = PlantContext(plan, rng)
    rules = list(PLANTERS)
    planted: list[Planted] = []
    for _ in range(defect_count(len(plan.accounts), rate)):
        for _ in range(_ATTEMPTS):
            found = PLANTERS[rng.choice(rules)](ctx)
            if found is not None:
                planted.append(found)
                break
    return planted
