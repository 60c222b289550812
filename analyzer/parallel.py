"""Work shared out over processes: the one mechanism that loading, the rules and the reports use.

A :class:`Batch` is a list of independent tasks (chunks of account folders to read, rules to run,
report files to write) started on a :class:`concurrent.futures.ProcessPoolExecutor` whose workers
are forked from this process. Forking is what makes it cheap: a worker inherits the work's inputs
(the bundle, the snapshot, the finished result) page by page, so only a task's index goes to the
worker and only its result comes back, pickled. The work is given to the workers when the pool
starts (``initializer``), which with the fork start method passes it without pickling.

:meth:`Batch.results` gives the results in the order of the tasks, whoever ran them, so what the
caller merges is the same for one process or many. This process helps: when it asks for the
results it first runs the tasks no worker has taken yet (from the end of the list), then waits
for the others. A task whose worker raised or died (``BrokenProcessPool``) is run again in
this process, and the failure is reported; if the task fails here too, its exception is raised:
never a partial result.

How many processes: ``--jobs N`` (:func:`resolve_jobs`; default, the CPUs this process may use).
Whether processes pay is decided by the work's structure, not by timings of one machine: workers
are used only for an organization of at least two chunks of :data:`ACCOUNTS_PER_CHUNK` accounts
(:func:`worth_processes`), and loading cuts the account folders into such chunks (:func:`chunked`);
the rules and the report formats are tasks of their own, whoever is free takes the next, so no
task needs to be known as costly. One process when the platform cannot fork (a pool of spawned
workers would re-import everything and pickle the inputs, which costs more than it gains here).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:  # imported when a pool is made (about 10 ms): small bundles never need one
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.context import BaseContext

Task = TypeVar("Task")
Result = TypeVar("Result")

#: The fewest accounts a chunk of per-account work (reading their folders) is worth a task for, and
#: half the fewest for which workers are used at all: an account of an organization's export is
#: about 80 files, tens of milliseconds of work, while a task costs a few milliseconds (a message
#: each way, the pickling of what it sends back) and a pool the forks of its workers.
ACCOUNTS_PER_CHUNK = 16
#: Tasks per process when the work is cut into chunks: enough that a process that finishes early
#: finds more to do, few enough that each task stays well above its own cost.
CHUNKS_PER_JOB = 4

#: Seconds this process waits for the lock on the tasks' flags before it stops taking tasks itself.
CLAIM_TIMEOUT = 5.0

#: ``notify(message)``: told when a worker failed and its task was run again in this process.
Notify = Callable[[str], None]


def _stderr(message: str) -> None:
    print(f"trustmap: {message}", file=sys.stderr, flush=True)


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity where the platform says, else all of them)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - platforms without sched_getaffinity
        return max(1, os.cpu_count() or 1)


def resolve_jobs(jobs: int | None) -> int:
    """The number of processes to use: ``jobs`` when given (at least 1), else :func:`available_cpus`."""
    return max(1, jobs) if jobs else available_cpus()


def fork_context() -> BaseContext | None:
    """The fork start method where the platform has it (workers inherit the inputs), else None."""
    if not hasattr(os, "fork"):
        return None  # pragma: no cover - Windows
    import multiprocessing

    return multiprocessing.get_context("fork")


def worth_processes(accounts: int, jobs: int) -> bool:
    """Whether work over ``accounts`` accounts should use more than this process: with ``jobs`` > 1,
    on a platform that forks, and with at least two chunks of :data:`ACCOUNTS_PER_CHUNK` accounts."""
    return jobs > 1 and accounts >= 2 * ACCOUNTS_PER_CHUNK and hasattr(os, "fork")


def chunked(items: Sequence[Task], jobs: int) -> list[list[Task]]:
    """``items`` cut into consecutive chunks, in order: :data:`CHUNKS_PER_JOB` per process, each of at
    least :data:`ACCOUNTS_PER_CHUNK` items (one chunk when ``jobs`` is 1)."""
    if not items:
        return []
    wanted = 1 if jobs <= 1 else min(jobs * CHUNKS_PER_JOB, max(1, len(items) // ACCOUNTS_PER_CHUNK))
    size, extra = divmod(len(items), wanted)
    chunks: list[list[Task]] = []
    start = 0
    for index in range(wanted):
        end = start + size + (1 if index < extra else 0)
        chunks.append(list(items[start:end]))
        start = end
    return chunks


# --------------------------------------------------------------------------- in the workers

#: The work of the batch a worker belongs to (set by the pool's initializer, in the worker only).
_WORK: Callable[[int], Any] | None = None


def _install(work: Callable[[int], Any]) -> None:
    global _WORK
    _WORK = work
    # numpy/OpenBLAS (imported by some report writers) would start a spinning thread per core in
    # every worker; the work here needs no BLAS.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _call(index: int) -> Any:
    if _WORK is None:  # pragma: no cover - only a worker started without the initializer
        raise RuntimeError("a worker process ran without its work installed")
    return _WORK(index)


def _pool(workers: int, work: Callable[[int], Any]) -> ProcessPoolExecutor:
    """A pool of ``workers`` forked processes running ``work`` (a test may wrap this to watch it)."""
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=fork_context(), initializer=_install, initargs=(work,))


# --------------------------------------------------------------------------- in this process


class Batch(Generic[Task, Result]):
    """``tasks`` run by ``work``, on up to ``workers`` forked processes and this one.

    ``send``: turns a result into bytes in the worker (a faster pickling than the default), and
    ``receive`` turns the bytes back here; without them results are pickled as they are. ``name``
    says what the tasks are, in failure reports. ``answers``: exceptions that are a task's verdict, not
    a failure of its worker (a bundle over its limits): raised here as they are. With no workers
    (``workers`` < 1, nothing to do, or no fork) every task runs here, in :meth:`results`.
    """

    def __init__(
        self,
        name: str,
        work: Callable[[Task], Result],
        tasks: Sequence[Task],
        workers: int,
        *,
        send: Callable[[Result], bytes] | None = None,
        receive: Callable[[bytes], Result] | None = None,
        describe: Callable[[Task], str] = str,
        notify: Notify = _stderr,
        answers: tuple[type[Exception], ...] = (),
    ) -> None:
        self.name = name
        self.work = work
        self.tasks = list(tasks)
        self.receive = receive
        self.describe = describe
        self.notify = notify
        self.answers = answers
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Future[Any]] = []
        workers = min(workers, len(self.tasks))
        context = fork_context() if workers >= 1 else None
        if context is None:
            return
        # One flag per task, shared by all the processes (inherited through the fork): whoever sets
        # it first runs the task, the others skip it; so this process can take the tasks no worker has
        # taken (cancelling a submitted future instead trips a bug of Python 3.11's pool when a worker dies).
        self.claims: Any = context.RawArray("b", len(self.tasks))
        self.lock: Any = context.Lock()
        claims, lock = self.claims, self.lock

        def in_worker(index: int) -> tuple[bool, Any]:
            with lock:
                if claims[index]:
                    return False, None  # taken by this process
                claims[index] = 1
            result = work(self.tasks[index])
            return True, (send(result) if send is not None else result)

        self.pool = _pool(workers, in_worker)
        try:
            self.futures = [self.pool.submit(_call, index) for index in range(len(self.tasks))]
        except BaseException:
            self.cancel()
            raise

    def results(
        self, here: Callable[[Task], Result] | None = None, done: Callable[[Task], None] | None = None
    ) -> list[Result]:
        """Every task's result, in the order of the tasks.

        ``here``: how this process runs a task (default, ``work``): the tasks no worker has taken,
        and those whose worker failed (reported through ``notify`` first). ``done(task)``: called here
        as each task's result is in (for progress; the order is not the tasks' order).
        """
        run_here = here or self.work
        finished: dict[int, Result] = {}

        def keep(index: int, result: Result) -> None:
            finished[index] = result
            if done is not None:
                done(self.tasks[index])

        if self.pool is None:
            for index, task in enumerate(self.tasks):
                keep(index, run_here(task))
            return [finished[index] for index in range(len(self.tasks))]
        failed: list[tuple[int, BaseException]] = []
        taken: set[int] = set()  # the futures whose answer was taken

        def take(index: int) -> None:
            taken.add(index)
            try:
                ran, answer = self.futures[index].result()
                if ran:  # else this process ran the task (and kept its result)
                    keep(index, self.receive(answer) if self.receive is not None else answer)
            except self.answers:
                raise
            except Exception as exc:  # raised in its worker, the worker died, or an unreadable answer
                failed.append((index, exc))

        try:
            for index in reversed(range(len(self.futures))):  # what no worker has taken, from the end
                for ready in [i for i, future in enumerate(self.futures) if future.done() and i not in taken]:
                    take(ready)  # answers that came in meanwhile
                if index not in finished and self._claim(index):
                    keep(index, run_here(self.tasks[index]))
            from concurrent.futures import as_completed

            by_future = {self.futures[i]: i for i in range(len(self.futures)) if i not in taken}
            for future in as_completed(by_future):
                take(by_future[future])
            if failed:
                self._report(sorted(failed, key=lambda item: item[0]))
                for index, _ in sorted(failed, key=lambda item: item[0]):
                    keep(index, run_here(self.tasks[index]))
        except BaseException:
            self.cancel()
            raise
        self._close()
        return [finished[index] for index in range(len(self.tasks))]

    def _claim(self, index: int) -> bool:
        """Take task ``index`` for this process, unless a worker has. A worker that died holding the
        lock (a kill at that very instant) would hold it forever: then this process takes nothing more."""
        if not self.lock.acquire(timeout=CLAIM_TIMEOUT):
            return False
        try:
            if self.claims[index]:
                return False
            self.claims[index] = 1
            return True
        finally:
            self.lock.release()

    def _report(self, failed: list[tuple[int, BaseException]]) -> None:
        index, error = failed[0]
        reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        which = self.describe(self.tasks[index]) + (f" and {len(failed) - 1} more" if len(failed) > 1 else "")
        self.notify(
            f"a worker process failed while {self.name} ({which}: {reason}); "
            "that share of the work is run again in the main process"
        )

    def _close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None

    def cancel(self) -> None:
        """Stop the workers now (this process failed, or is leaving); their results are dropped."""
        pool, self.pool = self.pool, None
        if pool is None:
            return
        processes = list(pool._processes.values()) if pool._processes else []  # no public way to reach them
        for process in processes:
            if process.is_alive():
                process.kill()
        pool.shutdown(wait=True, cancel_futures=True)


__all__ = [
    "ACCOUNTS_PER_CHUNK",
    "CHUNKS_PER_JOB",
    "Batch",
    "Notify",
    "available_cpus",
    "chunked",
    "fork_context",
    "resolve_jobs",
    "worth_processes",
]
