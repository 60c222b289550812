"""``trustmap collect``: export the evidence bundle from AWS (read-only), one account or a whole organization.

boto3 is an optional dependency (``pip install 'trustmap[collect]'``): it is imported only when the
command runs, so the analyzer works without it.
"""

from __future__ import annotations

import re
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from analyzer.cli.console import EXIT_UNREADABLE

INSTALL_HINT = "trustmap collect needs boto3: pip install 'trustmap[collect]'"
_ACCOUNT = re.compile(r"[0-9]{12}")
_REGION = re.compile(r"[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}")


def _accounts(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[str, ...] | None:
    if not value:
        return None
    items = tuple(sorted({v.strip() for v in value.split(",") if v.strip()}))
    bad = [v for v in items if not _ACCOUNT.fullmatch(v)]
    if bad:
        raise click.BadParameter(f"not 12-digit account IDs: {', '.join(bad)}")
    return items


def _account(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not _ACCOUNT.fullmatch(value):
        raise click.BadParameter(f"not a 12-digit account ID: {value}")
    return value


def _regions(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, ...] | None:
    if value.strip().lower() == "all":
        return None
    items = tuple(sorted({v.strip() for v in value.split(",") if v.strip()}))
    bad = [v for v in items if not _REGION.fullmatch(v)]
    if bad or not items:
        raise click.BadParameter(f"expected 'all' or region names such as us-east-1,eu-west-1: {value}")
    return items


class _BarProgress:
    """click's progress bar, fed from worker threads (its own updates are not thread-safe)."""

    def __init__(self, bar: Any) -> None:
        self._bar = bar
        self._lock = threading.Lock()

    def expect(self, count: int) -> None:
        with self._lock:
            self._bar.length = (self._bar.length or 0) + count
            self._bar.finished = self._bar.pos >= self._bar.length  # click latches "finished" once caught up
            self._bar.render_progress()

    def advance(self, count: int = 1) -> None:
        with self._lock:
            self._bar.update(count)


@click.command("collect")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path, file_okay=True, dir_okay=True),
    help="Bundle to write: a directory (rerun into it to resume), or a .zip.",
)
@click.option(
    "--org",
    is_flag=True,
    help="Collect every ACTIVE account of the organization (from the management "
    "or a delegated-admin account), assuming --role-name in each.",
)
@click.option(
    "--role-name",
    default="OrganizationAccountAccessRole",
    show_default=True,
    help="Role assumed in every account other than the caller's.",
)
@click.option("--accounts", callback=_accounts, help="Only these accounts (comma-separated IDs).")
@click.option(
    "--regions",
    default="all",
    show_default=True,
    callback=_regions,
    help="'all' (every region enabled in each account) or a comma-separated list.",
)
@click.option("--profile", help="AWS profile of the calling account (default: the usual AWS credential chain).")
@click.option("--log-bucket", help="Central log bucket (default: the bucket most trails deliver to).")
@click.option(
    "--log-bucket-account",
    callback=_account,
    help="Account that owns --log-bucket (default: the account whose s3 list-buckets holds it).",
)
@click.option("--identity-account", callback=_account, help="Identity account, recorded in manifest.json.")
@click.option("--workers", type=click.IntRange(1, 64), default=8, show_default=True, help="Parallel calls.")
@click.option(
    "--max-attempts",
    type=click.IntRange(1, 20),
    default=10,
    show_default=True,
    help="Attempts per call (botocore adaptive retry mode).",
)
@click.option(
    "--activity",
    is_flag=True,
    help="Also copy the period's CloudTrail log and digest files from the central bucket (with head-object of "
    "each digest, the listings and list-public-keys), or, where the bucket cannot be read, lookup-events.",
)
@click.option(
    "--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="With --activity: the period's first day (UTC)."
)
@click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="With --activity: the period's last day, included (default: yesterday, UTC).",
)
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: when a terminal).")
def collect(
    out: Path,
    org: bool,
    role_name: str,
    accounts: tuple[str, ...] | None,
    regions: tuple[str, ...] | None,
    profile: str | None,
    log_bucket: str | None,
    log_bucket_account: str | None,
    identity_account: str | None,
    workers: int,
    max_attempts: int,
    activity: bool,
    since: datetime | None,
    until: datetime | None,
    progress: bool | None,
) -> None:
    """Collect the evidence bundle from AWS with read-only calls (describe/get/list only).

    Failed calls are kept as <name>.error.json beside where their output would be; every call is
    listed in manifest.json. Credentials are never written.
    """
    try:
        from analyzer.collect.aws import CollectError
        from analyzer.collect.run import CollectOptions
        from analyzer.collect.run import collect as run_collect
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in ("boto3", "botocore"):
            click.echo(f"trustmap: {INSTALL_HINT}", err=True)
            raise SystemExit(EXIT_UNREADABLE) from exc
        raise
    period = _period(activity, since, until)
    options = CollectOptions(
        out=out,
        org=org,
        role_name=role_name,
        accounts=accounts,
        regions=regions,
        profile=profile,
        log_bucket=log_bucket,
        log_bucket_account=log_bucket_account,
        identity_account=identity_account,
        workers=workers,
        max_attempts=max_attempts,
        activity=period,
    )
    show = sys.stderr.isatty() if progress is None else progress
    try:
        if show:
            with click.progressbar(length=0, label="collecting", file=sys.stderr, show_pos=True) as bar:
                summary = run_collect(options, progress=_BarProgress(bar))
        else:
            summary = run_collect(options)
    except CollectError as exc:
        click.echo(f"trustmap: {exc}", err=True)
        raise SystemExit(EXIT_UNREADABLE) from exc
    failed = sum(summary.failed.values())
    codes = ", ".join(f"{code} x{n}" for code, n in summary.failed.items())
    click.echo(
        f"collected {len(summary.accounts)} account(s) into {summary.bundle}: {summary.calls} calls, "
        f"{summary.reused} reused, {failed} failed" + (f" ({codes})" if codes else ""),
        err=True,
    )
    if summary.log_bucket:
        click.echo(f"central log bucket: {summary.log_bucket} (account {summary.log_bucket_account})", err=True)
    for warning in summary.warnings:
        click.echo(f"warning: {warning}", err=True)


def _period(activity: bool, since: datetime | None, until: datetime | None) -> Any:
    """The --activity period (an ``analyzer.collect.activity.Period``), or None without --activity."""
    if not activity:
        if since or until:
            raise click.UsageError("--since and --until go with --activity")
        return None
    if since is None:
        raise click.UsageError("--activity needs --since DATE (the period's first day, YYYY-MM-DD)")
    from analyzer.collect.activity import Period

    last = until.date() if until else datetime.now(UTC).date() - timedelta(days=1)
    if last < since.date():
        raise click.UsageError(f"--until {last} is before --since {since.date()}")
    return Period(since.date(), last)


COMMANDS = [collect]
