"""Render and write an evidence bundle given as ``{relative path: content}``.

JSON content is written the way the AWS CLI writes it (``json.dumps(indent=4)``, non-ASCII
kept) plus a final newline; ``str`` content (a CSV credential report, CLI stderr text) is
written as is. Paths are written in sorted order, so the same bundle always gives the same
bytes and the same directory listing.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

Bundle = Mapping[str, Any]


def render_file(content: Any) -> bytes:
    """The bytes one bundle entry is written as."""
    if isinstance(content, bytes):
        return content
    if isinstance(content, str):
        return content.encode("utf-8")
    return (json.dumps(content, indent=4, ensure_ascii=False) + "\n").encode("utf-8")


def _checked(relative: str) -> PurePosixPath:
    parts = relative.split("/")
    if any(p in ("", ".", "..") for p in parts) or "\\" in relative:
        raise ValueError(f"bundle paths must be relative and normalized: {relative!r}")
    return PurePosixPath(relative)


def render_bundle(bundle: Bundle) -> dict[str, bytes]:
    """Every entry rendered to bytes, keyed by its relative path, in sorted path order."""
    return {str(_checked(rel)): render_file(bundle[rel]) for rel in sorted(bundle)}


def write_bundle(bundle: Bundle, directory: Path, *, replace: bool = False) -> list[str]:
    """Write ``bundle`` under ``directory``; returns the relative paths written, sorted.

    With ``replace=True`` an existing ``directory`` is removed first, so the result holds
    exactly the bundle (a regeneration from scratch).
    """
    rendered = render_bundle(bundle)
    if replace and directory.exists():
        shutil.rmtree(directory)
    for relative, data in rendered.items():
        target = directory.joinpath(*PurePosixPath(relative).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return list(rendered)


def read_tree(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` as ``{posix relative path: bytes}`` (for comparisons)."""
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }
