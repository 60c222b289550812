"""Writing some report files in a forked child while this process writes the others.

Rendering the reports of a large organization is seconds of single-threaded Python (the HTML
page, three CSV tables, findings.json, two graph files) and the machine has a second core. A
forked child shares the finished result with its parent page by page (copy-on-write: nothing is
pickled), renders its share of the formats and writes those files straight into the staging
folder; it tells the parent the names it wrote over a pipe and leaves with ``os._exit``.

If the child fails in any way (an exception, a signal, a short answer), the parent renders the
child's formats itself, so an error shows exactly as it would without the child and the files are
always the same bytes. Where ``os.fork`` does not exist everything runs in this process.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from pathlib import Path

Files = dict[str, bytes]


def write_files(folder: Path, files: Files) -> list[str]:
    """Write ``files`` into ``folder``; their names."""
    for name, data in sorted(files.items()):
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return sorted(files)


class Background:
    """One child running ``job`` (which writes report files and returns their names); :meth:`wait` collects it."""

    def __init__(self, job: Callable[[], list[str]]) -> None:
        self.job = job
        self.pid = 0
        self.pipe = -1
        if hasattr(os, "fork"):
            self._start()

    def _start(self) -> None:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child leaves through os._exit
            os.close(read_end)
            # pandas (for the CSV tables) imports numpy, whose OpenBLAS starts a thread per core that
            # spins for a while: CPU taken from the parent for nothing (the tables need no BLAS).
            os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
            status = 1
            try:
                names = self.job()
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(json.dumps(sorted(names)).encode("utf-8"))
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self.pid, self.pipe = pid, read_end

    def cancel(self) -> None:
        """Stop the child (this process failed and the staging folder is being removed)."""
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            os.close(self.pipe)
            self.pid = 0

    def wait(self) -> list[str]:
        """The names the child wrote; the job runs here when there is no child or it failed."""
        names: list[str] | None = None
        if self.pid:
            with os.fdopen(self.pipe, "rb") as pipe:
                answer = pipe.read()
            _, status = os.waitpid(self.pid, 0)
            self.pid = 0
            if status == 0:
                try:
                    names = [str(name) for name in json.loads(answer)]
                except ValueError:
                    names = None
        if names is None:
            names = sorted(self.job())
        return names


__all__ = ["Background", "Files", "write_files"]
