"""``trustmap synth OUT --accounts N``: write a synthetic organization's bundle with its known answers."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from analyzer.cli.console import EXIT_UNREADABLE
from analyzer.synth.config_cases import DRIFT_VARIANTS
from analyzer.synth.generator import EXPECTED_FILE, SynthOptions, generate
from analyzer.synth.org_plan import REGION_ORDER
from analyzer.synth.single_account import generate_single_account


@click.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--accounts", type=click.IntRange(min=3), help="Accounts in the organization (at least 3).")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same bytes.")
@click.option(
    "--regions",
    type=click.IntRange(1, len(REGION_ORDER)),
    default=15,
    show_default=True,
    help="Enabled regions per account (real region names, us-east-1 first).",
)
@click.option(
    "--defect-rate",
    type=click.FloatRange(min=0.0),
    default=0.05,
    show_default=True,
    help="Planted defects per account, each drawn among every rule of the catalog.",
)
@click.option(
    "--single-account-principals",
    type=click.IntRange(min=2),
    help="Instead of an organization: one account with this many principals (peer-tool comparisons).",
)
@click.option(
    "--diverse",
    is_flag=True,
    help="With --single-account-principals: no two principals alike, with sts:AssumeRole grants and trusts "
    "of every shape (a real access graph; its findings are not predicted in EXPECTED.json).",
)
@click.option(
    "--config-snapshots",
    is_flag=True,
    help="Also write what each account's AWS Config delivers to the central bucket: configuration snapshot "
    "and history files (.json.gz) under <log-archive>/s3/<bucket>/config/AWSLogs/.",
)
@click.option(
    "--config-only",
    is_flag=True,
    help="Write only the central bucket's contents (Config files, and the CloudTrail logs and digests of the "
    "accounts with activity), with manifest.json and EXPECTED.json: no CLI export. Implies --config-snapshots.",
)
@click.option(
    "--config-drift",
    type=click.Choice(DRIFT_VARIANTS),
    help="With --config-snapshots: one role's trust differs between its export and its Config item, the "
    "Config capture being newer (config-newer) or older (export-newer) than the export.",
)
@click.option(
    "--activity",
    "activity_days",
    type=click.IntRange(1, 90),
    help="Every account delivers CloudTrail log files over this many days before the collection (signed "
    "digests, a bucket listing), with each ACT defect planted once, a delivery gap, a modified log file and a "
    "broken digest chain among them.",
)
@click.option("--force", is_flag=True, help="Replace OUT when it already exists.")
def synth(
    out: Path,
    accounts: int | None,
    seed: int,
    regions: int,
    defect_rate: float,
    single_account_principals: int | None,
    diverse: bool,
    config_snapshots: bool,
    config_only: bool,
    config_drift: str | None,
    activity_days: int | None,
    force: bool,
) -> None:
    """Write a synthetic organization's evidence bundle to OUT (a directory, or a .zip) and
    OUT/EXPECTED.json: the exact fail results a correct analyzer reports for it.

    Deterministic: the same options always write the same bytes.
    """
    try:
        if single_account_principals is not None:
            if config_snapshots or config_only or config_drift:
                raise click.UsageError("the --config-* options write an organization's bucket: give --accounts N")
            files, size = generate_single_account(
                out, single_account_principals, seed=seed, regions=regions, replace=force, diverse=diverse
            )
            click.echo(
                f"wrote {files} files ({size:,} bytes) to {out}: one account, {single_account_principals} principals"
            )
            return
        if accounts is None:
            raise click.UsageError("give --accounts N (or --single-account-principals P)")
        if config_drift is not None and (config_only or not config_snapshots):
            raise click.UsageError(
                "--config-drift compares exports with Config: give --config-snapshots, not --config-only"
            )
        options = SynthOptions(
            accounts=accounts,
            seed=seed,
            regions=regions,
            defect_rate=defect_rate,
            config_snapshots=config_snapshots,
            config_only=config_only,
            config_drift=config_drift,
            activity_days=activity_days or 0,
        )
        summary = generate(out, options, replace=force)
    except FileExistsError as exc:
        click.echo(f"trustmap: {exc}; use --force to replace it", err=True)
        raise SystemExit(EXIT_UNREADABLE) from exc
    design = "an organization trail" if summary.plan.org_trail else "per-account trails"
    contents = {(False, False): "", (True, False): ", with Config files", (True, True): ", the central bucket only"}
    click.echo(
        f"wrote {summary.files} files ({summary.bytes:,} bytes) to {out}: {accounts} accounts, "
        f"{regions} regions, {design}{contents[options.with_config, options.config_only]}"
    )
    by_rule = Counter(d.rule for d in summary.defects)
    planted = ", ".join(f"{rule} x{n}" if n > 1 else rule for rule, n in sorted(by_rule.items())) or "none"
    click.echo(
        f"planted {len(summary.defects)} defects ({planted}); "
        f"{len({f.key for f in summary.failures})} expected failures in {EXPECTED_FILE}"
    )


COMMANDS = [synth]
