"""Running the rules on two cores: a forked child runs part of them and sends their findings back.

Rules are pure functions of the :class:`~analyzer.rules.context.RuleContext`, which a forked child
shares with its parent page by page (nothing is pickled on the way in). The child runs its share
and sends the findings back as one pickle (a fraction of the time the rules take); the parent
runs the rest meanwhile. The runs come back in the order the rules were given, so the result is
exactly the one-process result. If the child fails in any way, the parent runs its rules itself.

The share is decided from :data:`COSTS` and :data:`FINDINGS`, the rules' cost and output measured
on a synthetic 1,000-account organization (``benchmarks/cache/org-1000a-15r-s0``): sending a finding
back costs both processes (the child pickles it, this process unpickles it), so the rules with
findings per account and region stay here and the child takes costly rules with few findings.
A rule not listed counts as :data:`DEFAULT_COST` with :data:`DEFAULT_FINDINGS`.

The child can start before the access graph exists (:func:`start` with :func:`without_graph`): only
IDN-003 reads the graph (``RuleMeta.reads_graph``), so while this process builds the graph the child
already runs rules that read the model alone, and this process counts the graph's cost
(:data:`GRAPH_COST`) as a head start when the rules are shared. Should a child's rule touch the graph
anyway, it fails there with :class:`GraphNotBuilt` and this process runs it again with the graph.
"""

from __future__ import annotations

import copyreg
import io
import os
import pickle
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from analyzer.audit.org_shape import OrgShape
from analyzer.audit.settings import Settings
from analyzer.findings.result import Finding
from analyzer.model.evidence import EvidenceRef
from analyzer.model.snapshot import Snapshot
from analyzer.rules.base import Rule
from analyzer.rules.context import RuleContext

if TYPE_CHECKING:
    from analyzer.graph.access import AccessGraph

#: Time of each rule at 1,000 accounts, run alone in one process (milliseconds, re-measured after the
#: speed work of issue #6; IDN-003 with the no-MFA path graphs it builds first).
COSTS: dict[str, int] = {
    "LOG-009": 480,  # with one set of Config checks per channel for all regions (region-neutral policy)
    "IDN-003": 310,
    "LOG-006": 170,
    "LOG-008": 155,
    "LOG-007": 150,
    "LOG-011": 120,
    "EVD-001": 100,
    "IDN-004": 70,
    "IDN-005": 67,
    "IDN-006": 66,
    "EVD-002": 63,
    "IDN-002": 57,
    "IDN-009": 47,  # with its decisions shared between users the engine cannot tell apart
    "LOG-001": 24,  # with the organization's trail index, built by the first rule that asks
    "EVD-003": 19,
    "LOG-003": 19,
    "LOG-004": 19,
    "LOG-005": 18,
}
DEFAULT_COST = 10
#: This process's head start when the child starts before the graph is built, in the units of COSTS.
#: Building the graph takes about 1,000 at 1,000 accounts, but the child's rules run slower than
#: alone (copy-on-write faults on the pages they touch, pickling their findings): 600 balances the
#: two processes best there (300, 400, 600 and 1,000 measured one after the other on one snapshot).
GRAPH_COST = 600
#: Findings of the rules with more than one per account at 1,000 accounts (15 regions each).
FINDINGS: dict[str, int] = {
    "LOG-006": 15000,
    "LOG-007": 16000,
    "LOG-008": 15000,
    "LOG-011": 16000,
    "IDN-004": 8000,
    "IDN-005": 8000,
    "IDN-006": 8000,
    "IDN-002": 3000,
}
DEFAULT_FINDINGS = 1000
#: Milliseconds per 1,000 findings sent back, for each side (pickled there, unpickled here).
TRANSFER_MS = 4
#: Below this many evidence files the rules take well under a second: one process. (One account
#: with 2,000 principals, 88 files, was measured both ways: the child's copy-on-write faults cost
#: what it saves.)
MIN_PARALLEL_FILES = 4000

Run = tuple[str, tuple[Finding, ...], str | None]  # what a RuleRun holds besides the Rule object


def _evidence_ref(ref: EvidenceRef) -> tuple[type[EvidenceRef], tuple[str, str, str | None]]:
    return EvidenceRef, (ref.file, ref.pointer, ref.inner)


def _dumps(runs: list[Run]) -> bytes:
    """The child's answer, pickled with evidence references reduced to their fields: the default state
    of a frozen slotted dataclass walks ``fields()`` per object in Python, and a finding holds up to a
    thousand references (findings themselves pickle by their fields: :meth:`Finding.__reduce__`)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    table = copyreg.dispatch_table.copy()
    table[EvidenceRef] = _evidence_ref
    pickler.dispatch_table = table
    pickler.dump(runs)
    return buffer.getvalue()


def worth_splitting(ctx: RuleContext, rules: Sequence[Rule]) -> bool:
    return hasattr(os, "fork") and len(rules) > 1 and len(ctx.snapshot.inventory) >= MIN_PARALLEL_FILES


def _cost(rule: Rule) -> tuple[int, float]:
    """(milliseconds to run, milliseconds to send its findings back) at 1,000 accounts."""
    return COSTS.get(rule.id, DEFAULT_COST), FINDINGS.get(rule.id, DEFAULT_FINDINGS) * TRANSFER_MS / 1000


def _transfer_per_work(rule: Rule) -> tuple[float, int, str]:
    cost, transfer = _cost(rule)
    return transfer / max(cost, 1), -cost, rule.id


def partition(rules: Sequence[Rule], head_start: int = 0) -> tuple[list[Rule], list[Rule]]:
    """(this process's rules, the child's).

    The child takes the rules with the least output per unit of work first (costly rules with one
    finding per account), each as long as it stays no busier than this process would be with the rest;
    a rule in the child costs both processes the transfer of its findings. ``head_start``: work this
    process does besides its rules (the graph, when the child starts before it is built); then the
    rules that read the graph stay here.
    """
    total = head_start + sum(_cost(rule)[0] for rule in rules)
    mine: list[Rule] = []
    theirs: list[Rule] = []
    child = moved = 0.0  # the child's work so far, and the transfer both sides pay for it
    for rule in sorted(rules, key=_transfer_per_work):
        cost, transfer = _cost(rule)
        if head_start and rule.meta.reads_graph:
            mine.append(rule)
        elif child + cost + moved + transfer <= total - child - cost + moved + transfer:
            theirs.append(rule)
            child += cost
            moved += transfer
        else:
            mine.append(rule)
    return mine, theirs


class GraphNotBuilt(RuntimeError):
    """A rule read the access graph in a child started before the graph was built."""


class _PendingGraph:
    """Stands for the access graph in the child's context until it exists: any use raises."""

    def __getattr__(self, name: str) -> object:
        raise GraphNotBuilt(f"the access graph is not built yet (AccessGraph.{name})")


def without_graph(snapshot: Snapshot, settings: Settings, shape: OrgShape) -> RuleContext:
    """The context of a child started before the graph is built (its ``graph`` raises :class:`GraphNotBuilt`)."""
    return RuleContext(snapshot=snapshot, graph=cast("AccessGraph", _PendingGraph()), settings=settings, shape=shape)


@dataclass
class ChildRules:
    """A forked child running some rules; :meth:`finish` runs the others here and gathers all."""

    pid: int
    read_end: int
    theirs: list[Rule]
    run: Callable[[Rule, RuleContext], Run]

    def cancel(self) -> None:
        """Stop the child (this process failed before :meth:`finish`)."""
        os.close(self.read_end)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)

    def finish(
        self, ctx: RuleContext, mine: Sequence[Rule], done: Callable[[int], None] | None = None
    ) -> dict[str, Run]:
        """Run ``mine`` with ``ctx``, then take the child's runs; a rule the child could not run
        (it died, sent nothing usable, or the rule raised there) is run here with ``ctx``."""
        results: dict[str, Run] = {}
        with os.fdopen(self.read_end, "rb") as pipe:
            try:
                for count, rule in enumerate(mine, start=1):
                    results[rule.id] = self.run(rule, ctx)
                    if done is not None:
                        done(count)
                payload = pipe.read()
            except BaseException:  # this process failed: do not leave the child behind
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                raise
        _, status = os.waitpid(self.pid, 0)
        received: list[Run] = []
        if status == 0:
            try:
                received = pickle.loads(payload)  # noqa: S301 - our own child, over our own pipe
            except Exception:  # an unreadable answer: run the child's rules here
                received = []
        by_id = {r[0]: r for r in received if r[2] is None}
        for rule in self.theirs:
            results[rule.id] = by_id.get(rule.id) or self.run(rule, ctx)
        if done is not None:
            done(len(results))
        return results


def start(ctx: RuleContext, theirs: list[Rule], run: Callable[[Rule, RuleContext], Run]) -> ChildRules:
    """Fork a child that runs ``theirs`` with ``ctx`` and sends the runs back."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child leaves through os._exit
        os.close(read_end)
        status = 1
        try:
            payload = _dumps([run(rule, ctx) for rule in theirs])
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return ChildRules(pid, read_end, theirs, run)


def run_split(
    ctx: RuleContext,
    rules: Sequence[Rule],
    run: Callable[[Rule, RuleContext], Run],
    done: Callable[[int], None] | None = None,
) -> dict[str, Run]:
    """Every rule's (id, findings, error), the child running part of them; ``done(n)`` counts progress."""
    mine, theirs = partition(rules)
    return start(ctx, theirs, run).finish(ctx, mine, done)


__all__ = [
    "COSTS",
    "FINDINGS",
    "GRAPH_COST",
    "ChildRules",
    "GraphNotBuilt",
    "partition",
    "run_split",
    "start",
    "without_graph",
    "worth_splitting",
]
