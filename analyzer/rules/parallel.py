"""Running the rules on two cores: a forked child runs part of them and sends their findings back.

Rules are pure functions of the :class:`~analyzer.rules.context.RuleContext`, which a forked child
shares with its parent page by page (nothing is pickled on the way in). The child runs its share
and sends the findings back as one pickle (a fraction of the time the rules take); the parent
runs the rest meanwhile. The runs come back in the order the rules were given, so the result is
exactly the one-process result. If the child fails in any way, the parent runs its rules itself.

The share is decided from :data:`COSTS`, the rules' relative cost measured on a synthetic
1,000-account organization (``benchmarks/run.py``); a rule not listed counts as the cheapest.
"""

from __future__ import annotations

import os
import pickle
import signal
from collections.abc import Callable, Sequence

from analyzer.findings.result import Finding
from analyzer.rules.base import Rule
from analyzer.rules.context import RuleContext

#: Relative cost of the rules at 1,000 accounts (hundredths of a second); others count 5.
COSTS: dict[str, int] = {
    "LOG-009": 100,
    "IDN-003": 70,  # with the no-MFA path graph it builds first
    "LOG-006": 28,
    "LOG-007": 27,
    "LOG-011": 27,
    "LOG-008": 26,
    "EVD-001": 16,
    "EVD-002": 16,
    "IDN-009": 15,
    "IDN-004": 12,
    "IDN-005": 11,
    "IDN-006": 11,
}
DEFAULT_COST = 5
#: Below this many evidence files the rules take well under a second: one process.
MIN_PARALLEL_FILES = 4000

Run = tuple[str, tuple[Finding, ...], str | None]  # what a RuleRun holds besides the Rule object


def worth_splitting(ctx: RuleContext, rules: Sequence[Rule]) -> bool:
    return hasattr(os, "fork") and len(rules) > 1 and len(ctx.snapshot.inventory) >= MIN_PARALLEL_FILES


def partition(rules: Sequence[Rule]) -> tuple[list[Rule], list[Rule]]:
    """(this process's rules, the child's): the costliest first, each to the lighter side."""
    mine: list[Rule] = []
    theirs: list[Rule] = []
    load = [0, 0]
    for rule in sorted(rules, key=lambda r: (-COSTS.get(r.id, DEFAULT_COST), r.id)):
        side = 0 if load[0] <= load[1] else 1
        (mine if side == 0 else theirs).append(rule)
        load[side] += COSTS.get(rule.id, DEFAULT_COST)
    return mine, theirs


def run_split(
    ctx: RuleContext,
    rules: Sequence[Rule],
    run: Callable[[Rule, RuleContext], Run],
    done: Callable[[int], None] | None = None,
) -> dict[str, Run]:
    """Every rule's (id, findings, error), the child running part of them; ``done(n)`` counts progress."""
    mine, theirs = partition(rules)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child leaves through os._exit
        os.close(read_end)
        status = 1
        try:
            payload = pickle.dumps([run(rule, ctx) for rule in theirs], pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    results: dict[str, Run] = {}
    with os.fdopen(read_end, "rb") as pipe:
        try:
            for count, rule in enumerate(mine, start=1):
                results[rule.id] = run(rule, ctx)
                if done is not None:
                    done(count)
            payload = pipe.read()
        except BaseException:  # this process failed: do not leave the child behind
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise
    _, status = os.waitpid(pid, 0)
    received: list[Run] | None = None
    if status == 0:
        try:
            received = pickle.loads(payload)  # noqa: S301 - our own child, over our own pipe
        except Exception:  # an unreadable answer: run the child's rules here
            received = None
    if received is None or sorted(r[0] for r in received) != sorted(rule.id for rule in theirs):
        received = [run(rule, ctx) for rule in theirs]
    results.update((r[0], r) for r in received)
    if done is not None:
        done(len(results))
    return results


__all__ = ["COSTS", "partition", "run_split", "worth_splitting"]
