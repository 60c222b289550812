"""Streaming bundle output: each file is rendered and written as it is produced, never collected.

A directory, or a ``.zip`` written entry by entry with fixed timestamps and permissions, so the
same entries in the same order always give the same bytes. JSON is rendered as the AWS CLI prints
it (:func:`analyzer.synth.writer.render_file`); a caller that writes the same document many times
can pass the rendered bytes.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any

from analyzer.synth.writer import render_file

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class BundleSink:
    """``with BundleSink(out) as sink: sink.add(path, content)``; ``out`` ending in ``.zip`` makes a zip."""

    def __init__(self, out: Path, *, replace: bool = False) -> None:
        self.out = out
        self.files = 0
        self.bytes = 0
        self._zip: zipfile.ZipFile | None = None
        self._made: set[Path] = set()
        if replace and out.exists():
            if out.is_dir():
                shutil.rmtree(out)
            else:
                out.unlink()
        elif out.exists() and (out.is_file() or any(out.iterdir())):
            raise FileExistsError(f"{out} already exists and is not empty")

    def __enter__(self) -> BundleSink:
        if self.out.suffix == ".zip":
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self._zip = zipfile.ZipFile(self.out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        else:
            self.out.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._zip is not None:
            self._zip.close()

    def add(self, relative: str, content: Any) -> None:
        parts = relative.split("/")
        if any(p in ("", ".", "..") for p in parts) or "\\" in relative:
            raise ValueError(f"bundle paths must be relative and normalized: {relative!r}")
        data = render_file(content)
        self.files += 1
        self.bytes += len(data)
        if self._zip is not None:
            info = zipfile.ZipInfo(relative, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            self._zip.writestr(info, data)
            return
        target = self.out.joinpath(*PurePosixPath(relative).parts)
        parent = target.parent
        if parent not in self._made:
            parent.mkdir(parents=True, exist_ok=True)
            self._made.add(parent)
        target.write_bytes(data)

    def add_all(self, files: dict[str, Any]) -> None:
        for relative in sorted(files):
            self.add(relative, files[relative])
