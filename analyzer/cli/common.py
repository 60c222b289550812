"""Options and helpers shared by commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from analyzer.evidence import BundleError, Limits, load_bundle
from analyzer.evidence.bundle import DEFAULT_MAX_EXPANDED_BYTES, DEFAULT_MAX_MEMBER_BYTES
from analyzer.model.snapshot import Snapshot

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_UNREADABLE = 2


def bundle_argument(func: F) -> F:
    func = click.option(
        "--max-expanded-bytes",
        type=click.IntRange(min=1),
        default=DEFAULT_MAX_EXPANDED_BYTES,
        show_default=True,
        help="Refuse archives that expand to more than this (zip-bomb guard).",
    )(func)
    func = click.option(
        "--max-member-bytes",
        type=click.IntRange(min=1),
        default=DEFAULT_MAX_MEMBER_BYTES,
        show_default=True,
        help="Refuse any single file larger than this.",
    )(func)
    return click.argument("bundle", type=click.Path(path_type=Path))(func)


def open_snapshot(bundle: Path, max_expanded_bytes: int, max_member_bytes: int) -> Snapshot:
    """Load a bundle or exit with code 2 and a message saying what to do."""
    try:
        return load_bundle(bundle, Limits(max_expanded_bytes, max_member_bytes))
    except BundleError as exc:
        click.echo(f"trustmap: cannot read the bundle: {exc}", err=True)
        raise SystemExit(EXIT_UNREADABLE) from exc
