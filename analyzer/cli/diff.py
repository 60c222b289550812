"""``trustmap diff OLD/findings.json NEW/findings.json``: new, resolved and unchanged failures."""

from __future__ import annotations

import json
from pathlib import Path

import click

from analyzer.cli.console import EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE, terminal_safe
from analyzer.report.baseline import (
    BaselineError,
    Diff,
    Record,
    Resolved,
    diff_records,
    different_organizations,
    load_findings,
)


def _line(r: Record) -> str:
    """Two lines per failure; the text comes from a findings.json, so it is escaped for the terminal."""
    where = " ".join(x for x in (r.account, r.region) if x)
    suppressed = " [suppressed]" if r.suppressed else ""
    head = terminal_safe(f"{r.severity:<8} {r.rule}  {where}{suppressed}")
    return f"  {head}\n           {terminal_safe(r.message)}"


def _fixed_line(r: Resolved) -> str:
    """A fix recognised at another grain (the person's pass for a path's failure) says what passes now."""
    return _line(r.old) + (f"\n           now: {terminal_safe(r.how)}" if r.subject_now else "")


def _block(title: str, lines: list[str]) -> list[str]:
    return [f"{title} ({len(lines)}):", *(lines or ["  none"]), ""]


def render_text(diff: Diff, old: Path, new: Path) -> str:
    fixed = [r for r in diff.resolved if r.fixed]
    vanished = [r for r in diff.resolved if not r.fixed]
    head = [
        terminal_safe(f"trustmap diff {old} -> {new}"),
        f"{len(diff.new)} new, {len(fixed)} fixed, {len(vanished)} no longer failing without a pass, "
        f"{len(diff.unchanged)} unchanged failures",
        "",
    ]
    return "\n".join(
        [
            *head,
            *_block("New failures", [_line(r) for r in diff.new]),
            *_block("Fixed (the check now passes)", [_fixed_line(r) for r in fixed]),
            *_block(
                "No longer failing, but not shown to pass (less evidence is not a fix)",
                [_line(r.old) + f"\n           now: {terminal_safe(r.how)}" for r in vanished],
            ),
            *_block("Unchanged failures", [_line(r) for r in diff.unchanged]),
        ]
    ).rstrip("\n")


@click.command()
@click.argument("old", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("new", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--fail-on-new", is_flag=True, help="Exit 1 when NEW has an unsuppressed failure OLD did not have.")
@click.option("--force", is_flag=True, help="Compare even when OLD and NEW describe different organizations.")
def diff(old: Path, new: Path, fmt: str, fail_on_new: bool, force: bool) -> None:
    """Compare two findings.json files by fingerprint: failures that are new, resolved and unchanged.

    A failure "resolved" because its check is now not evaluated (missing evidence) says so: that is
    less evidence, not a fix. A failure reported per path is fixed by the pass of its person (the
    results' subject fingerprint). Two files of different organizations (organization id, management
    account, or no account in common) are not compared without --force. Exit 0, 1 with --fail-on-new
    when there are new failures, 2 when a file cannot be read or the organizations differ.
    """
    try:
        before, after = load_findings(old), load_findings(new)
    except BaselineError as exc:
        click.echo(f"trustmap: {exc}", err=True)
        raise SystemExit(EXIT_UNREADABLE) from exc
    differ = different_organizations(before.organization, after.organization)
    if differ is not None:
        what = terminal_safe(f"{old} and {new} describe different organizations: {differ}")
        if not force:
            click.echo(
                f"trustmap: {what}; every failure would look new or fixed. Pass --force to compare them anyway.",
                err=True,
            )
            raise SystemExit(EXIT_UNREADABLE)
        click.echo(f"trustmap: warning: {what}; compared anyway (--force).", err=True)
    result = diff_records(before.records, after.records)
    if fmt == "json":
        click.echo(json.dumps(result.as_json(), indent=2, sort_keys=True, ensure_ascii=False))
    else:
        click.echo(render_text(result, old, new))
    if fail_on_new and any(not r.suppressed for r in result.new):
        raise SystemExit(EXIT_FINDINGS)
    raise SystemExit(EXIT_OK)


COMMANDS = [diff]
