"""Bounded parallelism where tasks discover more tasks (accounts -> regions -> trails), and progress."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Protocol


class Progress(Protocol):
    """What the collector reports: more work is known (``expect``), some is done (``advance``)."""

    def expect(self, count: int) -> None: ...

    def advance(self, count: int = 1) -> None: ...


class NoProgress:
    def expect(self, count: int) -> None:
        return None

    def advance(self, count: int = 1) -> None:
        return None


class TaskPool:
    """A thread pool whose tasks may submit further tasks; :meth:`drain` waits for all of them.

    The first exception a task raises (a bug: AWS failures are recorded, not raised) stops the
    pool and is raised from :meth:`drain`.
    """

    def __init__(self, workers: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="trustmap-collect")
        self._lock = threading.Lock()
        self._pending: set[Future[None]] = set()

    def submit(self, task: Callable[..., None], *args: Any) -> None:
        future = self._executor.submit(task, *args)
        with self._lock:
            self._pending.add(future)

    def drain(self) -> None:
        while True:
            with self._lock:
                pending = set(self._pending)
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            with self._lock:
                self._pending -= done
            for future in done:
                error = future.exception()
                if error is not None:
                    self.close(cancel=True)
                    raise error

    def close(self, cancel: bool = False) -> None:
        self._executor.shutdown(wait=True, cancel_futures=cancel)

    def __enter__(self) -> TaskPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(cancel=exc[0] is not None)
