"""What planting a defect needs: the plan, the seeded random source, slots, and expected failures.

A *slot* is something one defect may change (an account, an Identity user, the central bucket,
the organization trail, the Identity password policy): one defect per slot keeps every planted
defect's consequences independent of the others, so the expected failures are simply their union.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from analyzer.synth import ids
from analyzer.synth.expected import ExpectedFailure
from analyzer.synth.org_plan import AccountPlan, OrgPlan, Person


@dataclass(frozen=True, slots=True)
class Planted:
    """One planted defect: which rule it targets, how, where, why, and every failure it causes."""

    rule: str
    variant: str
    where: str
    story: str
    failures: tuple[ExpectedFailure, ...]


@dataclass
class PlantContext:
    plan: OrgPlan
    rng: random.Random
    serial: int = 0

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    # ------------------------------------------------------------------ slots
    def free(self, slot: str) -> bool:
        return slot not in self.plan.used_slots

    def claim(self, slot: str) -> None:
        if slot in self.plan.used_slots:
            raise ValueError(f"slot {slot} is already used")
        self.plan.used_slots.add(slot)

    def pick_account(
        self,
        kinds: Sequence[str] = ("management", "log-archive", "workload"),
        accept: Callable[[AccountPlan], bool] | None = None,
    ) -> AccountPlan | None:
        """A random account of ``kinds`` whose slot is free (and that ``accept`` accepts); claims it."""
        candidates = [
            a
            for a in self.plan.accounts
            if a.kind in kinds and self.free(f"account:{a.id}") and (accept is None or accept(a))
        ]
        if not candidates:
            return None
        chosen = self.rng.choice(candidates)
        self.claim(f"account:{chosen.id}")
        return chosen

    def pick_person(self) -> Person | None:
        """A random Identity user not yet changed by a defect (CI users never qualify)."""
        candidates = [p for p in self.plan.people if not p.slot_taken and "AllStaff" in p.groups]
        if not candidates:
            return None
        chosen = self.rng.choice(candidates)
        chosen.slot_taken = True
        return chosen

    def pick_region(self, *, not_home: bool = False) -> str | None:
        regions = [r for r in self.plan.regions if not (not_home and r == self.plan.home)]
        return self.rng.choice(regions) if regions else None


def fail(rule: str, account: str, defect: str, *, region: str = "-", resource: str = "-") -> ExpectedFailure:
    return ExpectedFailure(rule, account, region, resource, defect)


def user_arn(account: str, name: str) -> str:
    return ids.iam_arn(account, "user", name)


def role_arn(account: str, name: str) -> str:
    return ids.iam_arn(account, "role", name)


def trail_arn(plan: OrgPlan, owner: str) -> str:
    from analyzer.synth.org_plan import TRAIL

    return ids.trail_arn(owner, plan.home, TRAIL, plan.partition)


def label(account: AccountPlan) -> str:
    return f"{account.name} `{account.id}`"


Planter = Callable[[PlantContext], Planted | None]
