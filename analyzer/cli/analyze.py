"""``trustmap analyze BUNDLE --out DIR``: the verdict, written as findings.json (and reports)."""

from __future__ import annotations

from pathlib import Path

import click

from analyzer.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE, bundle_argument, open_snapshot
from analyzer.findings.settings import ConfigError, load_settings
from analyzer.pipeline import ScanResult, analyze_snapshot
from analyzer.report.writer import FORMATS, write_outputs
from analyzer.rules.base import Severity, Status

SEVERITIES = [s.value for s in Severity]


def gate(result: ScanResult, fail_on: str | None) -> int:
    if fail_on is None:
        return EXIT_OK
    floor = Severity(fail_on).rank
    for finding in result.findings:
        if finding.status is Status.FAIL and not finding.is_suppressed and finding.severity.rank >= floor:
            return EXIT_FINDINGS
    return EXIT_OK


@click.command()
@bundle_argument
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("reports/latest"), show_default=True,
              help="Directory to write the reports into (replaced atomically).")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="TOML config: identity_account, log_bucket, suppressions, thresholds ...")
@click.option("--format", "formats", multiple=True, type=click.Choice(sorted(FORMATS)),
              help="Outputs to write (repeatable); default all.")
@click.option("--fail-on", type=click.Choice(SEVERITIES),
              help="Exit 1 when an unsuppressed failure at or above this severity exists (CI gate).")
def analyze(bundle: Path, max_expanded_bytes: int, max_member_bytes: int, out_dir: Path,
            config_path: Path | None, formats: tuple[str, ...], fail_on: str | None) -> None:
    """Verify the centralized identity model in BUNDLE, rule by rule, and write the reports.

    Exit 0 when the analysis completed, 1 with --fail-on when a failure at that severity exists,
    2 when the bundle or the config cannot be read.
    """
    try:
        settings = load_settings(config_path)
    except ConfigError as exc:
        click.echo(f"trustmap: {exc}", err=True)
        raise SystemExit(EXIT_UNREADABLE) from exc
    snapshot = open_snapshot(bundle, max_expanded_bytes, max_member_bytes)
    result = analyze_snapshot(snapshot, settings)
    written = write_outputs(result, out_dir, formats or sorted(FORMATS))
    counts = {s: 0 for s in Status}
    for finding in result.findings:
        counts[finding.status] += 1
    click.echo(
        f"{len(result.runs)} rules over {len(result.shape.accounts)} accounts: "
        f"{counts[Status.FAIL]} fail, {counts[Status.PASS]} pass, {counts[Status.NOT_EVALUATED]} not evaluated"
        + (f", {counts[Status.ERROR]} engine errors" if counts[Status.ERROR] else "")
    )
    for path in written:
        click.echo(f"wrote {path}")
    raise SystemExit(gate(result, fail_on))


COMMANDS = [analyze]
