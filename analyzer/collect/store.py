"""The bundle directory being written: atomic writes, error records, resuming, and the call log.

A file is *complete* when it exists and parses as JSON; a rerun into the same directory reuses
complete files and calls AWS again only for the rest. An error record (``<name>.error.json``) is
never complete: the call is tried again, and the record is removed once it succeeds (and the
output removed when it fails), so a file and its error record never sit side by side.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.collect.cli_json import error_document, render

ERROR_SUFFIX = ".error.json"


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One entry of the manifest's ``calls`` list."""

    operation: str  # service:Operation
    account: str | None
    region: str | None  # None for global services
    file: str | None  # bundle-relative output (None for calls whose answer is only used to plan)
    status: str  # ok | reused | failed
    error: str | None = None  # the AWS error code of a failed call

    def as_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"operation": self.operation, "account": self.account, "region": self.region}
        if self.file is not None:  # calls whose answer only plans the collection leave no file
            entry["file"] = self.file
        entry["status"] = self.status
        if self.error is not None:
            entry["error"] = self.error
        return entry

    @property
    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.account or "", self.region or "", self.file or "", self.operation)


def error_path(relative: str) -> str:
    """``a/b/name.json`` -> ``a/b/name.error.json``."""
    stem = relative[: -len(".json")] if relative.endswith(".json") else relative
    return stem + ERROR_SUFFIX


class BundleStore:
    """Writes one bundle directory; safe to use from several threads (each file has one writer)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._calls: list[CallRecord] = []

    def path(self, relative: str) -> Path:
        return self.root.joinpath(*relative.split("/"))

    def complete(self, relative: str) -> Any | None:
        """The parsed content of an existing, parseable file; None when it must be (re)collected."""
        target = self.path(relative)
        try:
            return json.loads(target.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return None

    def write(self, relative: str, document: Any) -> None:
        self._write_text(relative, render(document))
        self._remove(error_path(relative))
        self._remove(stem_err(relative))

    def write_error(self, relative: str, code: str, message: str) -> None:
        self._write_text(error_path(relative), render(error_document(code, message)))
        self._remove(relative)

    def record(self, call: CallRecord) -> None:
        with self._lock:
            self._calls.append(call)

    @property
    def calls(self) -> list[CallRecord]:
        with self._lock:
            return sorted(self._calls, key=lambda c: c.sort_key)

    def _write_text(self, relative: str, text: str) -> None:
        target = self.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            Path(temporary).replace(target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def _remove(self, relative: str) -> None:
        self.path(relative).unlink(missing_ok=True)


def stem_err(relative: str) -> str:
    """``a/b/name.json`` -> ``a/b/name.err`` (the AWS CLI script's stderr record)."""
    stem = relative[: -len(".json")] if relative.endswith(".json") else relative
    return stem + ".err"
