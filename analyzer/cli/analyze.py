"""``trustmap analyze BUNDLE --out DIR``: the verdict, written as findings.json (and reports)."""

from __future__ import annotations

import atexit
import gc
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TextIO

import click

from analyzer.audit.settings import ConfigError, load_settings
from analyzer.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_UNREADABLE,
    bundle_argument,
    current_jobs,
    open_snapshot,
    refuse_without_evidence,
    terminal_safe,
)
from analyzer.evidence import Limits
from analyzer.evidence.loader import collector_paused
from analyzer.findings.result import Finding
from analyzer.graph.bounded import plan_cut
from analyzer.pipeline import ScanResult, analyze_snapshot, with_activity
from analyzer.report.baseline import BaselineError, apply_baseline, load_records, new_failures
from analyzer.report.compliance_view import filter_to_framework
from analyzer.report.out_dir import OutputRefused, check_out_dir
from analyzer.report.writer import FORMATS, ReportWriter, default_formats
from analyzer.rules.base import Severity, Status
from analyzer.rules.compliance import FRAMEWORKS

SEVERITIES = [s.value for s in Severity]


PHASES = {"load": "loading the evidence", "graph": "building the access graph", "write": "writing the reports"}
#: Phases shown as a bar (done of total) rather than one line.
BARS = {"load": "loading the evidence files", "rules": "running the rules"}


class ProgressDisplay:
    """Phase messages, and a bar over the evidence files and over the rules, on stderr, only when
    stderr is a terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream: TextIO = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty()
        self._bar: Any = None
        self._bar_phase = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._bar is not None and phase != self._bar_phase:  # a phase that ended without saying so
            self._bar.__exit__(None, None, None)
            self._bar = None
        if phase in BARS:
            if self._bar is None:
                self._bar_phase = phase
                self._bar = click.progressbar(length=total, label=BARS[phase], file=self.stream)
                self._bar.__enter__()
            self._bar.update(done - self._bar.pos)
            if done >= total:
                self._bar.__exit__(None, None, None)
                self._bar = None
        elif done == 0:
            click.echo(f"trustmap: {PHASES.get(phase, phase)}…", file=self.stream)


def gate_reasons(result: ScanResult, fail_on: str | None, only_new: bool = False) -> list[str]:
    """Why the CI gate fails (empty: it passes). No gate is asked for without ``fail_on`` or ``only_new``.

    It fails on unsuppressed failures at or above ``fail_on`` (only new ones with ``only_new``; then
    ``fail_on`` is optional), and on rules at or above ``fail_on`` that raised (engine errors): a rule
    that could not run has an unknown verdict, which a gate must never count as a pass.
    """
    if fail_on is None and not only_new:
        return []
    floor = Severity(fail_on) if fail_on else None
    scope = f" at or above {floor.value}" if floor else ""

    def at_floor(finding: Finding) -> bool:
        return floor is None or finding.severity.rank >= floor.rank

    if only_new:
        failing = new_failures(result, floor)
        what = "new unsuppressed failure(s)"
    else:
        failing = [f for f in result.findings if f.status is Status.FAIL and not f.is_suppressed and at_floor(f)]
        what = "unsuppressed failure(s)"
    errors = sorted({f.rule for f in result.findings if f.status is Status.ERROR and at_floor(f)})
    reasons = [f"{len(failing)} {what}{scope}"] if failing else []
    if errors:
        reasons.append(f"{len(errors)} rule(s){scope} could not run (engine error: {', '.join(errors)})")
    return reasons


def gate(result: ScanResult, fail_on: str | None, only_new: bool = False) -> int:
    """Exit 1 when the gate fails (see :func:`gate_reasons`), else 0."""
    return EXIT_FINDINGS if gate_reasons(result, fail_on, only_new) else EXIT_OK


@click.command()
@bundle_argument
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("reports/latest"),
    show_default=True,
    help="Directory to write the reports into: a new or empty folder, or an earlier trustmap report "
    "(replaced whole, atomically).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="TOML config: identity_account, log_bucket, suppressions, thresholds ...",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(sorted(FORMATS)),
    help="Outputs to write (repeatable); default all but the interchange formats ocsf and asff.",
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    help="Exit 1 when an unsuppressed failure at or above this severity exists (CI gate).",
)
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A previous run's findings.json: mark each failure new or existing (by fingerprint).",
)
@click.option(
    "--fail-on-new", is_flag=True, help="With --baseline: gate only on new failures (at or above --fail-on when given)."
)
@click.option(
    "--compliance",
    "framework",
    type=click.Choice(sorted(FRAMEWORKS), case_sensitive=False),
    help="Only the rules citing this framework, and their results, in every output (and the gate): "
    + ", ".join(f"{key} ({name})" for key, name in FRAMEWORKS.items())
    + ".",
)
def analyze(
    bundle: Path,
    max_expanded_bytes: int,
    max_member_bytes: int,
    out_dir: Path,
    config_path: Path | None,
    formats: tuple[str, ...],
    fail_on: str | None,
    baseline_path: Path | None,
    fail_on_new: bool,
    framework: str | None,
) -> None:
    """Verify the centralized identity model in BUNDLE, rule by rule, and write the reports.

    Exit 0 when the analysis completed, 1 with --fail-on when a failure at that severity exists
    (or a rule at that severity could not run), 2 when the bundle, the config or the baseline
    cannot be read, or the bundle holds no usable evidence at all.
    """
    if fail_on_new and baseline_path is None:
        raise click.UsageError("--fail-on-new needs --baseline OLD/findings.json")
    try:
        with collector_paused():  # one pause for the whole run: see analyzer.pipeline
            _analyze(
                bundle,
                max_expanded_bytes,
                max_member_bytes,
                out_dir,
                config_path,
                formats,
                fail_on,
                baseline_path,
                fail_on_new,
                framework,
            )
    finally:
        # Frozen at interpreter exit, the run's millions of objects are not walked once more by the
        # collection Python makes while shutting down (most of a second at 1,000 accounts). Done in
        # an exit hook, not here, so a process that goes on after the command (a test runner calling
        # the CLI in-process) keeps its collector exactly as it was.
        _freeze_at_exit()


_EXIT_HOOK: list[bool] = []


def _freeze_at_exit() -> None:
    if not _EXIT_HOOK:
        atexit.register(gc.freeze)
        _EXIT_HOOK.append(True)


def _analyze(
    bundle: Path,
    max_expanded_bytes: int,
    max_member_bytes: int,
    out_dir: Path,
    config_path: Path | None,
    formats: tuple[str, ...],
    fail_on: str | None,
    baseline_path: Path | None,
    fail_on_new: bool,
    framework: str | None = None,
) -> None:
    try:
        settings = load_settings(config_path)
        baseline = load_records(baseline_path) if baseline_path else None
    except (ConfigError, BaselineError) as exc:
        click.echo(f"trustmap: {exc}", err=True)
        raise SystemExit(EXIT_UNREADABLE) from exc
    _refuse_out_dir(out_dir, bundle)
    progress = ProgressDisplay()
    snapshot = open_snapshot(
        bundle, max_expanded_bytes, max_member_bytes, progress=lambda done, total: progress("load", done, total)
    )
    refuse_without_evidence(snapshot, usable=True)
    snapshot = with_activity(bundle, snapshot, Limits(max_expanded_bytes, max_member_bytes))
    with terminated_as_exit():  # a terminated run removes its staging folder as a failed one does
        try:
            writer = ReportWriter(out_dir, formats or default_formats(), jobs=current_jobs())
        except OutputRefused as exc:
            _exit_refused(exc)
        try:
            result = analyze_snapshot(snapshot, settings, progress=progress, jobs=current_jobs())
            if framework is not None:
                result = filter_to_framework(result, framework.upper())
            if baseline is not None:
                result = apply_baseline(result, baseline)
            progress("write", 0, 1)
            written = writer.finish(result)
        except OutputRefused as exc:  # the folder changed while the run went on
            writer.abort()
            _exit_refused(exc)
        except BaseException:
            writer.abort()  # nothing to remove once the report is in place
            raise
    counts = dict.fromkeys(Status, 0)
    for finding in result.findings:
        counts[finding.status] += 1
    click.echo(
        f"{_counted(len(result.runs), 'rule')} over {_counted(len(result.shape.accounts), 'account')}: "
        f"{counts[Status.FAIL]} fail, {counts[Status.PASS]} pass, {counts[Status.NOT_EVALUATED]} not evaluated"
        + (f", {_counted(counts[Status.ERROR], 'engine error')}" if counts[Status.ERROR] else "")
    )
    if baseline is not None:
        marked = [f for f in result.findings if f.baseline]
        fresh = sum(1 for f in marked if f.baseline == "new")
        click.echo(f"against the baseline: {fresh} new, {len(marked) - fresh} existing failures")
    for path in written:
        click.echo(f"wrote {path}")
    cut = plan_cut(result.graph) if "graph" in writer.formats else None
    if cut is not None:
        click.echo(terminal_safe(f"graph.graphml and graph.json: {cut.note.replace('BUNDLE', str(bundle))}"))
    reasons = gate_reasons(result, fail_on, fail_on_new)
    if reasons:
        click.echo(f"gate failed (exit {EXIT_FINDINGS}): " + "; ".join(reasons))
    raise SystemExit(EXIT_FINDINGS if reasons else EXIT_OK)


def _refuse_out_dir(out_dir: Path, bundle: Path) -> None:
    """Exit 2 with the reason when the reports may not replace ``out_dir`` (checked before any work)."""
    try:
        check_out_dir(out_dir, bundle=bundle)
    except OutputRefused as exc:
        _exit_refused(exc)


def _exit_refused(refused: OutputRefused) -> NoReturn:
    click.echo(terminal_safe(f"trustmap: {refused}"), err=True)
    raise SystemExit(EXIT_UNREADABLE) from refused


#: Signals that end a run from outside (``kill``, a closed terminal, a CI job cancelled).
TERMINATING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextmanager
def terminated_as_exit() -> Iterator[None]:
    """Within the block, a terminating signal raises SystemExit (128 + the signal) like Ctrl-C raises
    KeyboardInterrupt, so the cleanup that runs on failure (removing the staging folder, stopping the
    writer's children) runs on termination too. SIGKILL cannot be caught: the next run cleans up."""

    def leave(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, leave) for sig in TERMINATING}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


COMMANDS = [analyze]


def _counted(count: int, noun: str) -> str:
    """``1 account``, ``8 accounts``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
