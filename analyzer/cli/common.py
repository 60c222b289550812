"""Options and helpers shared by commands."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from analyzer.cli.console import EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE, terminal_safe
from analyzer.evidence import BundleError, Limits, load_bundle
from analyzer.evidence.bundle import (
    DEFAULT_MAX_EXPANDED_BYTES,
    DEFAULT_MAX_JSON_CONTAINERS,
    DEFAULT_MAX_MEMBER_BYTES,
    DEFAULT_MAX_MEMBERS,
    DEFAULT_MAX_POLICY_VALUES,
    DEFAULT_MAX_STRING_LENGTH,
)
from analyzer.model.kinds import Kind
from analyzer.model.snapshot import FileStatus, Snapshot

F = TypeVar("F", bound=Callable[..., Any])

#: Re-exported: commands that load a bundle take everything shared from here.
__all__ = [
    "EXIT_FINDINGS",
    "EXIT_OK",
    "EXIT_UNREADABLE",
    "bundle_argument",
    "current_jobs",
    "no_evidence_reason",
    "open_snapshot",
    "refuse_without_evidence",
    "terminal_safe",
]


#: The limits without a parameter of their own in each command: (option, Limits field, default, help).
#: Their values are kept in the click context (:func:`_keep_limit`) and read by :func:`open_snapshot`.
_MORE_LIMITS = (
    (
        "--max-members",
        "max_members",
        DEFAULT_MAX_MEMBERS,
        "Refuse bundles of more than this many files and folders.",
    ),
    (
        "--max-string-length",
        "max_string_length",
        DEFAULT_MAX_STRING_LENGTH,
        "A file holding a longer JSON string (name, ARN, policy text) is invalid.",
    ),
    (
        "--max-policy-values",
        "max_policy_values",
        DEFAULT_MAX_POLICY_VALUES,
        "A policy with more values in one element (condition key, Action, Resource, principal list) is not evaluated.",
    ),
    (
        "--max-json-containers",
        "max_json_containers",
        DEFAULT_MAX_JSON_CONTAINERS,
        "A file holding more JSON objects and arrays is invalid.",
    ),
)
_LIMITS_KEY = "trustmap.limits"


def _keep_limit(ctx: click.Context, param: click.Parameter, value: int) -> int:
    ctx.meta.setdefault(_LIMITS_KEY, {})[param.name] = value
    return value


_JOBS_KEY = "trustmap.jobs"


def _keep_jobs(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    ctx.meta[_JOBS_KEY] = value
    return value


def current_jobs() -> int | None:
    """The command's ``--jobs`` (None: not given, one process per CPU; see :mod:`analyzer.parallel`)."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(_JOBS_KEY) if ctx is not None else None


def bundle_argument(func: F) -> F:
    func = click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=1),
        default=None,
        expose_value=False,
        callback=_keep_jobs,
        help="Processes to work with (default: one per CPU; 1: everything in this process). A bundle of "
        "few accounts is read and analyzed in one process whatever this says. Same output for any value.",
    )(func)
    for option, name, default, text in reversed(_MORE_LIMITS):
        func = click.option(
            option,
            name,
            type=click.IntRange(min=1),
            default=default,
            show_default=True,
            expose_value=False,
            callback=_keep_limit,
            help=text,
        )(func)
    func = click.option(
        "--max-expanded-bytes",
        type=click.IntRange(min=1),
        default=DEFAULT_MAX_EXPANDED_BYTES,
        show_default=True,
        help="Refuse bundles that expand to more than this: archive members and .json.gz contents (zip-bomb guard).",
    )(func)
    func = click.option(
        "--max-member-bytes",
        type=click.IntRange(min=1),
        default=DEFAULT_MAX_MEMBER_BYTES,
        show_default=True,
        help="Refuse any single file larger than this.",
    )(func)
    return click.argument("bundle", type=click.Path(path_type=Path))(func)


def open_snapshot(
    bundle: Path, max_expanded_bytes: int, max_member_bytes: int, progress: Callable[[int, int], None] | None = None
) -> Snapshot:
    """Load a bundle or exit with code 2 and a message saying what to do (``progress``: see load_bundle).

    The limits other than the two given come from the command's options (:data:`_MORE_LIMITS`).
    """
    ctx = click.get_current_context(silent=True)
    more: dict[str, int] = ctx.meta.get(_LIMITS_KEY, {}) if ctx is not None else {}
    try:
        limits = Limits(max_expanded_bytes, max_member_bytes, **more)
        return load_bundle(bundle, limits, jobs=current_jobs(), progress=progress)
    except BundleError as exc:
        click.echo(terminal_safe(f"trustmap: cannot read the bundle: {exc}"), err=True)
        raise SystemExit(EXIT_UNREADABLE) from exc


#: Files that are evidence, good or bad: an ignored file or the manifest alone is not.
_EVIDENCE_STATUSES = frozenset({FileStatus.LOADED, FileStatus.INCOMPLETE, FileStatus.ERROR_RECORD, FileStatus.INVALID})
_LAYOUT_HINT = (
    "give the folder (or archive) the export wrote: organization/ and one <12-digit account id>/ folder "
    "per account at its top"
)


def no_evidence_reason(snapshot: Snapshot, *, usable: bool = False) -> str | None:
    """Why the bundle cannot be audited at all, or None.

    Without ``usable``: no file is an AWS export trustmap reads (an empty or wrong folder). With it,
    also when no export is usable (every file invalid, truncated or an access-denied record, as a
    collector without permissions writes). Either way every rule would be ``not_evaluated`` and a
    ``--fail-on`` gate would pass on no evidence.
    """
    evidence = [r for r in snapshot.inventory if r.status in _EVIDENCE_STATUSES and r.kind != Kind.MANIFEST.value]
    if not evidence:
        found = len(snapshot.inventory)
        what = "is empty" if not found else f"holds {found} file(s), none of them an AWS export trustmap reads"
        return f"the bundle {what}; {_LAYOUT_HINT}"
    if not usable or any(
        state.status.usable for state in snapshot.states.values() if state.kind != Kind.MANIFEST.value
    ):
        return None
    counts = Counter(r.status.value for r in evidence)
    listed = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    return (
        f"none of the bundle's {len(evidence)} evidence file(s) is usable ({listed}); "
        "run `trustmap validate` on it to see what is wrong with each"
    )


def refuse_without_evidence(snapshot: Snapshot, *, usable: bool = False) -> None:
    """Exit 2 with the reason when the bundle holds no evidence (no usable evidence, with ``usable``)."""
    reason = no_evidence_reason(snapshot, usable=usable)
    if reason is not None:
        click.echo(f"trustmap: nothing to audit: {terminal_safe(reason)}", err=True)
        raise SystemExit(EXIT_UNREADABLE)
