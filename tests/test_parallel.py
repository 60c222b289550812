"""One mechanism shares the work out over processes (analyzer/parallel.py, issue 14 §3): its results
are the one-process results, byte for byte, and a worker that fails never leaves a partial result."""

from __future__ import annotations

import os
import shutil
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import wait
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from analyzer import parallel
from analyzer.audit.org_shape import resolve_shape
from analyzer.audit.settings import Settings
from analyzer.cli import main
from analyzer.evidence import load_bundle
from analyzer.evidence.bundle import Bundle, BundleError
from analyzer.evidence.loader import read_member
from analyzer.findings.engine import run_rule
from analyzer.graph.build import build_access_graph
from analyzer.model.policy import PolicyDocument, PolicySource
from analyzer.model.snapshot import FileStatus, Snapshot
from analyzer.parallel import Batch, chunked, worth_processes
from analyzer.pipeline import analyze_snapshot, finish_rules, start_rules, without_graph
from analyzer.rules.base import Rule
from analyzer.rules.context import RuleContext
from analyzer.rules.registry import default_registry
from analyzer.synth.generator import SynthOptions, generate

pytestmark = pytest.mark.skipif(parallel.fork_context() is None, reason="needs the fork start method")

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample-org"
PARENT = os.getpid()


def _in_worker() -> bool:
    return os.getpid() != PARENT


_WAITED: set[str] = set()


def _die_in_a_worker(code: int, test: str) -> None:
    """Leave at once in a worker; here, wait a second the first time (per test) so that the workers,
    however busy the machine, take tasks before this process has taken them all."""
    if _in_worker():
        os._exit(code)
    if test not in _WAITED:
        _WAITED.add(test)
        time.sleep(1)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every account a chunk of its own, so that a bundle of a few accounts is shared out; the list
    counts the pools started (a test that meant to use workers checks it did)."""
    monkeypatch.setattr(parallel, "ACCOUNTS_PER_CHUNK", 1)
    pools: list[int] = []
    real = parallel._pool

    def counted(workers: int, work: Callable[[int], Any]) -> Any:
        pools.append(workers)
        return real(workers, work)

    monkeypatch.setattr(parallel, "_pool", counted)
    return pools


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- the whole run


def test_analyze_writes_the_same_bytes_with_one_process_or_many(tmp_path: Path, small_chunks: list[int]) -> None:
    """The sample organization analyzed with --jobs 1 and --jobs 3: every output file, byte for byte."""
    runs = {}
    for jobs in (1, 3):
        out = tmp_path / f"jobs-{jobs}"
        before = len(small_chunks)
        run = CliRunner().invoke(main, ["analyze", str(SAMPLE), "--out", str(out), "--jobs", str(jobs)])
        assert run.exit_code == 0, run.output
        runs[jobs] = _files(out)
        assert (len(small_chunks) > before) is (jobs > 1)  # loading, rules and reports on workers, or none
    assert len(runs[1]) > 5 and {"findings.json", "index.html", "graph.graphml"} <= set(runs[1])
    assert runs[3] == runs[1]


def test_jobs_must_be_at_least_one(tmp_path: Path) -> None:
    run = CliRunner().invoke(main, ["analyze", str(SAMPLE), "--out", str(tmp_path / "out"), "--jobs", "0"])
    assert run.exit_code == 2 and "--jobs" in run.output


# --------------------------------------------------------------------------- the mechanism


def test_results_come_in_the_order_of_the_tasks() -> None:
    tasks = list(range(40))
    batch = Batch("squaring", lambda n: (n * n, _in_worker()), tasks, 2)
    wait(batch.futures)  # the workers take every task (this process takes only what they have not)
    results = batch.results()
    assert [square for square, _ in results] == [n * n for n in tasks]
    assert any(by_worker for _, by_worker in results)  # the workers did take some


def test_without_workers_every_task_runs_here() -> None:
    assert Batch("squaring", lambda n: (n, _in_worker()), [1, 2], 0).results() == [(1, False), (2, False)]


@pytest.mark.parametrize("failure", ["raises", "dies"])
def test_a_failed_worker_is_reported_and_its_task_run_here(failure: str) -> None:
    def work(n: int) -> int:
        if _in_worker() and n == 3:
            if failure == "dies":
                os._exit(9)
            raise RuntimeError("the worker fails")
        return n * 10

    told: list[str] = []
    batch = Batch("counting", work, list(range(8)), 2, describe=lambda n: f"task {n}", notify=told.append)
    wait(batch.futures)  # the workers take every task (this process takes only what they have not)
    assert batch.results() == [n * 10 for n in range(8)]
    assert len(told) == 1 and "worker process failed while counting" in told[0]
    assert "run again in the main process" in told[0]
    assert ("RuntimeError: the worker fails" in told[0]) if failure == "raises" else ("BrokenProcessPool" in told[0])


def test_a_task_that_fails_here_too_fails_the_run() -> None:
    def work(n: int) -> int:
        if n == 2:
            raise ValueError(f"task {n} cannot be done")
        return n

    told: list[str] = []
    with pytest.raises(ValueError, match="task 2 cannot be done"):
        Batch("counting", work, list(range(6)), 2, notify=told.append).results()


def test_an_answer_exception_is_raised_as_it_is() -> None:
    def work(n: int) -> int:
        if _in_worker():
            raise BundleError("over the limit")
        return n

    told: list[str] = []
    batch = Batch("reading", work, list(range(8)), 2, answers=(BundleError,), notify=told.append)
    wait(batch.futures)
    with pytest.raises(BundleError, match="over the limit"):
        batch.results()
    assert told == []


def test_an_unreadable_answer_counts_as_a_failed_worker() -> None:
    def receive(payload: bytes) -> int:
        raise ValueError("truncated")

    told: list[str] = []
    batch = Batch("counting", lambda n: n, list(range(6)), 2, send=lambda n: b"x", receive=receive, notify=told.append)
    wait(batch.futures)
    assert batch.results() == list(range(6))
    assert told and "truncated" in told[0]


def test_cancel_stops_the_workers() -> None:
    def work(n: int) -> int:
        if _in_worker():
            time.sleep(60)
        return n

    batch = Batch("sleeping", work, list(range(4)), 2)
    assert batch.pool is not None
    processes = list(batch.pool._processes.values())
    batch.cancel()
    assert processes and not any(p.is_alive() for p in processes)


def test_work_is_shared_out_by_structure() -> None:
    """Chunks of consecutive items, in order, CHUNKS_PER_JOB per process, each of at least ACCOUNTS_PER_CHUNK."""
    folders = [f"{n:012d}" for n in range(1000)]
    chunks = chunked(folders, 2)
    assert [f for chunk in chunks for f in chunk] == folders
    assert len(chunks) == 2 * parallel.CHUNKS_PER_JOB
    assert chunked(folders[:40], 8) == [folders[:20], folders[20:40]]
    assert chunked(folders, 1) == [folders]
    assert chunked([], 4) == []
    small = 2 * parallel.ACCOUNTS_PER_CHUNK
    assert worth_processes(small, 2) and not worth_processes(small - 1, 2) and not worth_processes(1000, 1)


def test_jobs_default_to_the_cpus() -> None:
    assert parallel.resolve_jobs(None) == parallel.available_cpus() >= 1
    assert parallel.resolve_jobs(3) == 3


# --------------------------------------------------------------------------- loading


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("parallel") / "org"
    generate(out, SynthOptions(accounts=12, seed=4, regions=2, defect_rate=1.0))
    return out


def _documents(snapshot: Snapshot) -> Iterator[PolicyDocument]:
    for evidence in snapshot.accounts.values():
        for holder in (*evidence.users, *evidence.groups, *evidence.roles):
            for source in getattr(holder, "inline_policies", ()):
                yield source.document
        for role in evidence.roles:
            if isinstance(role.trust_policy, PolicySource):
                yield role.trust_policy.document


def test_loading_on_workers_gives_the_one_process_snapshot(bundle: Path, small_chunks: list[int]) -> None:
    alone = load_bundle(bundle, jobs=1)
    assert small_chunks == []
    shared = load_bundle(bundle, jobs=3)
    assert small_chunks == [2]
    assert shared == alone
    assert shared.inventory == alone.inventory and shared.states == alone.states


def test_identical_policy_documents_stay_one_object(bundle: Path, small_chunks: list[int]) -> None:
    by_value: dict[PolicyDocument, set[int]] = {}
    for document in _documents(load_bundle(bundle, jobs=3)):
        by_value.setdefault(document, set()).add(id(document))
    assert by_value and all(len(ids) == 1 for ids in by_value.values())


def test_a_worker_that_dies_while_reading_is_replaced(
    bundle: Path, small_chunks: list[int], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from analyzer.evidence import loader

    def read(b: Bundle, member: Any, cache: dict[str, PolicyDocument], parser: Any = None) -> Any:
        _die_in_a_worker(5, "reading")
        return read_member(b, member, cache, parser)

    alone = load_bundle(bundle, jobs=1)
    monkeypatch.setattr(loader, "read_member", read)
    assert load_bundle(bundle, jobs=3) == alone
    assert "a worker process failed while reading the evidence (account folder" in capsys.readouterr().err


def test_evidence_outside_a_chunk_about_its_accounts_is_resolved_together(
    bundle: Path, tmp_path: Path, small_chunks: list[int]
) -> None:
    copy = tmp_path / "org"
    shutil.copytree(bundle, copy)
    with Bundle(copy) as opened:
        account = opened.account_folders()[-1]
    stray = copy / "misc" / account / "iam" / "get-account-summary.json"
    stray.parent.mkdir(parents=True)
    shutil.copy(copy / account / "iam" / "get-account-summary.json", stray)
    alone = load_bundle(copy, jobs=1)
    assert load_bundle(copy, jobs=3) == alone
    row = next(r for r in alone.inventory if r.path == f"misc/{account}/iam/get-account-summary.json")
    assert row.status is FileStatus.LOADED and "identical copy" in row.reason
    # The same, once the stray copy says something else: a conflict, found by both ways of loading.
    stray.write_text(stray.read_text().replace('"Users"', '"Users": 999, "Usersx"', 1))
    alone = load_bundle(copy, jobs=1)
    assert load_bundle(copy, jobs=3) == alone
    row = next(r for r in alone.inventory if r.path == f"misc/{account}/iam/get-account-summary.json")
    assert row.status is FileStatus.INVALID and "conflicting evidence" in row.reason


def test_archives_and_small_bundles_are_read_in_one_process(
    bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pools: list[int] = []
    monkeypatch.setattr(parallel, "_pool", lambda *a: pools.append(1))
    load_bundle(bundle, jobs=8)  # 12 account folders: fewer than two chunks' worth
    archive = tmp_path / "org.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
            out.write(path, str(path.relative_to(bundle)))
    monkeypatch.setattr(parallel, "ACCOUNTS_PER_CHUNK", 1)
    assert load_bundle(archive, jobs=8).accounts  # one file handle: never shared between processes
    assert pools == []


# --------------------------------------------------------------------------- rules


@pytest.fixture(scope="module")
def ctx(bundle: Path) -> RuleContext:
    snapshot = load_bundle(bundle, jobs=1)
    shape = resolve_shape(snapshot, Settings())
    return RuleContext(snapshot, build_access_graph(snapshot, shape), Settings(), shape)


def test_rules_not_marked_reads_graph_run_without_a_graph(ctx: RuleContext) -> None:
    """The rules the workers start before the graph exists must not need it (RuleMeta.reads_graph)."""
    early = without_graph(ctx.snapshot, ctx.settings, ctx.shape)
    for rule in default_registry():
        if rule.meta.reads_graph:
            continue
        run = run_rule(rule, early)
        assert run.error is None, f"{rule.id} reads the access graph: mark it reads_graph=True ({run.error})"
        assert run.findings == run_rule(rule, ctx).findings


def test_the_rules_on_workers_give_the_one_process_runs(ctx: RuleContext, small_chunks: list[int]) -> None:
    rules = list(default_registry())
    batch = start_rules(ctx.snapshot, ctx.settings, ctx.shape, rules, 3)
    assert small_chunks == [2] and batch.tasks and not any(r.meta.reads_graph for r in batch.tasks)
    progress: list[int] = []
    assert finish_rules(batch, ctx, rules, progress.append) == [run_rule(rule, ctx) for rule in rules]
    assert progress == list(range(1, len(rules) + 1))


def test_a_rule_that_reads_the_graph_on_a_worker_is_run_again_here(ctx: RuleContext, small_chunks: list[int]) -> None:
    """A rule wrongly left unmarked fails on a worker (GraphNotBuilt) and is run again with the graph."""
    idn003 = next(r for r in default_registry() if r.id == "IDN-003")
    unmarked = Rule(replace(idn003.meta, reads_graph=False), idn003.check)
    assert "not built yet" in (run_rule(unmarked, without_graph(ctx.snapshot, ctx.settings, ctx.shape)).error or "")
    rules = [unmarked, *(r for r in default_registry() if r.id != "IDN-003")]
    batch = start_rules(ctx.snapshot, ctx.settings, ctx.shape, rules, 2)
    assert unmarked in batch.tasks
    (run, *_) = finish_rules(batch, ctx, rules)
    assert run.error is None and run.findings == run_rule(idn003, ctx).findings


def test_a_worker_that_dies_running_a_rule_is_replaced(
    ctx: RuleContext, small_chunks: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    def dies(check: Callable[[RuleContext], Any]) -> Callable[[RuleContext], Any]:
        def checked(c: RuleContext) -> Any:
            _die_in_a_worker(6, "rules")
            return check(c)

        return checked

    rules = [Rule(r.meta, dies(r.check)) for r in default_registry()]
    batch = start_rules(ctx.snapshot, ctx.settings, ctx.shape, rules, 3)
    runs = finish_rules(batch, ctx, rules)
    assert [(r.findings, r.error) for r in runs] == [(run_rule(r, ctx).findings, None) for r in default_registry()]
    assert "a worker process failed while running the rules" in capsys.readouterr().err


def test_the_whole_analysis_is_the_same_on_workers(ctx: RuleContext, small_chunks: list[int]) -> None:
    alone = analyze_snapshot(ctx.snapshot, jobs=1)
    assert small_chunks == []
    shared = analyze_snapshot(ctx.snapshot, jobs=3)
    assert small_chunks == [2]
    assert shared.findings == alone.findings and shared.runs == alone.runs
