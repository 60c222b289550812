"""Log delivery by account and region: trail, Config recorder, and whether the central bucket admits it.

Each facet's verdict comes from the logging rules' findings (so the matrix can never disagree with
them): a rule of the "Complete log delivery" pillar belongs to the facet of the evidence it reads
(bucket policy first, then Config, then CloudTrail). Facts from the model (trail name, whether it
logs, the recorder's state, the bucket a channel delivers to) explain each cell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analyzer.findings.result import Finding
from analyzer.model.kinds import Kind
from analyzer.model.snapshot import AccountEvidence, Snapshot
from analyzer.report.view import (
    MATRIX_ROWS,
    STATUS_LOOK,
    STATUS_RANK,
    Hidden,
    Views,
    account_anchor,
    display_status,
    finding_anchor,
    pick_rows,
    worst,
)
from analyzer.rules.base import Pillar, Rule

if TYPE_CHECKING:
    from analyzer.audit.settings import Settings

FACETS: tuple[tuple[str, str, frozenset[Kind]], ...] = (
    ("bucket", "Central bucket policy admits it", frozenset({Kind.S3_BUCKET_POLICY})),
    (
        "config",
        "AWS Config recorder and channel",
        frozenset(
            {
                Kind.CONFIG_RECORDERS,
                Kind.CONFIG_RECORDER_STATUS,
                Kind.CONFIG_CHANNELS,
                Kind.CONFIG_CHANNEL_STATUS,
            }
        ),
    ),
    ("trail", "CloudTrail", frozenset({Kind.TRAILS, Kind.TRAIL_STATUS, Kind.TRAIL_SELECTORS})),
)
FACET_ORDER = ("trail", "config", "bucket")
FACET_LETTER = {"trail": "T", "config": "C", "bucket": "B"}


@dataclass(frozen=True, slots=True)
class FacetCell:
    facet: str
    status: str
    href: str
    title: str

    @property
    def symbol(self) -> str:
        return STATUS_LOOK[self.status][0]

    @property
    def letter(self) -> str:
        return FACET_LETTER[self.facet]


@dataclass(frozen=True, slots=True)
class RegionCell:
    region: str
    expected: bool
    facets: tuple[FacetCell, ...]


@dataclass(frozen=True, slots=True)
class LogRow:
    account: str
    label: str
    anchor: str
    status: str
    region_source: str
    cells: tuple[RegionCell, ...]


@dataclass(frozen=True, slots=True)
class LogMatrix:
    regions: tuple[str, ...]
    rows: tuple[LogRow, ...]
    hidden: Hidden
    rules: dict[str, tuple[str, ...]]  # facet -> rule ids


def facet_of(rule: Rule) -> str | None:
    if rule.meta.pillar is not Pillar.LOGGING:
        return None
    needs = set(rule.meta.requires)
    return next((name for name, _, kinds in FACETS if needs & kinds), None)


def expected_regions(account: AccountEvidence | None, settings: Settings) -> tuple[tuple[str, ...], str]:
    """The same region scope the rules use (config, then describe-regions, then what was exported)."""
    if settings.expected_regions:
        return settings.expected_regions, "config"
    if account is not None and account.enabled_regions is not None:
        return account.enabled_regions, "describe-regions"
    if account is not None and account.regions_seen:
        return account.regions_seen, "evidence"
    return (), "unknown"


def _unusable(snapshot: Snapshot, kinds: tuple[Kind, ...], account: str, region: str) -> str | None:
    """Why the evidence of ``kinds`` for this account and region cannot be read, or None when it can."""
    states = [snapshot.state(kind, account, region) for kind in kinds]
    bad = [s for s in states if not s.usable]
    return "; ".join(f"{s.kind} {s.status.value}" for s in bad) if bad else None


def _facts(snapshot: Snapshot, account_id: str, region: str, bucket: str | None) -> dict[str, str]:
    """What the evidence shows of each facet, as a hover text; an absence is stated only where the
    evidence that would show it could be read (else the text says which evidence is unusable)."""
    account = snapshot.account(account_id)
    if account is None:
        return dict.fromkeys(FACET_ORDER, "no evidence for this account")
    trails = [t for t in account.trails if t.multi_region or t.home_region == region]
    trail_text = "; ".join(
        f"trail {t.name} → {t.s3_bucket or 'no bucket'}"
        + ("" if t.status is None else (", logging" if t.status.is_logging else ", NOT logging"))
        for t in sorted(trails, key=lambda t: t.arn)
    )
    if not trail_text:
        unusable = _unusable(snapshot, (Kind.TRAILS,), account_id, region)
        trail_text = f"no usable trail evidence ({unusable})" if unusable else "no trail covers this region"
    recorders = [r for r in account.recorders if r.region == region]
    channels = [c for c in account.channels if c.region == region]
    config_text = "; ".join(
        [
            f"recorder {r.name}" + {True: ", recording", False: ", NOT recording", None: ""}[r.recording]
            for r in sorted(recorders, key=lambda r: r.name)
        ]
        + [f"channel {c.name} → {c.s3_bucket or 'no bucket'}" for c in sorted(channels, key=lambda c: c.name)]
    )
    if not config_text:
        unusable = _unusable(snapshot, (Kind.CONFIG_RECORDERS, Kind.CONFIG_CHANNELS), account_id, region)
        config_text = f"no usable Config evidence ({unusable})" if unusable else "no Config recorder in this region"
    delivered = sorted({t.s3_bucket for t in trails if t.s3_bucket} | {c.s3_bucket for c in channels if c.s3_bucket})
    bucket_text = (f"delivers to {', '.join(delivered)}" if delivered else "no delivery seen") + (
        f"; central bucket {bucket}" if bucket else "; central bucket unknown"
    )
    return {"trail": trail_text, "config": config_text, "bucket": bucket_text}


def log_matrix(views: Views) -> LogMatrix:
    """The matrix of every account's log delivery; rows beyond MATRIX_ROWS are left out, problems kept.

    Each row's status is computed for every account (it decides which rows are shown) from the worst
    status per (account, facet, region); the cells' texts and links only for the rows shown.
    """
    result = views.result
    facet_rules: dict[str, list[str]] = defaultdict(list)
    facet_by_rule: dict[str, str] = {}
    for run in result.runs:
        facet = facet_of(run.rule)
        if facet:
            facet_rules[facet].append(run.rule.id)
            facet_by_rule[run.rule.id] = facet
    found: dict[tuple[str, str], list[Finding]] = defaultdict(list)  # (account, facet)
    for f in result.findings:
        if f.rule in facet_by_rule and f.account:
            found[(f.account, facet_by_rule[f.rule])].append(f)
    # (account, facet) -> region (None: every region) -> the worst status of its results there
    worst_in: dict[tuple[str, str], dict[str | None, str]] = {}
    for key, items in found.items():
        by_region: dict[str | None, list[str]] = defaultdict(list)
        for f in items:
            by_region[f.region].append(display_status(f))
        worst_in[key] = {region: worst(statuses) for region, statuses in by_region.items()}
    bucket = result.shape.log_bucket.value
    accounts = [a.id for a in result.shape.accounts]
    scopes = {a: expected_regions(result.snapshot.account(a), result.settings) for a in accounts}
    regions = tuple(sorted({r for scope, _ in scopes.values() for r in scope}))

    def expected(account: str, region: str) -> bool:
        # an account whose region scope is unknown is expected everywhere: its results say why
        return region in scopes[account][0] or scopes[account][1] == "unknown"

    def row_status(account: str) -> str:
        """The worst cell of the row: of each facet's results in the expected regions and in none."""
        scope, source = scopes[account]
        in_scope = regions if source == "unknown" else scope
        if not in_scope:  # no expected region: every cell reads "none"
            return "none"
        found_here = []
        for facet in FACET_ORDER:
            here = worst_in.get((account, facet), {})
            found_here += [here[region] for region in (None, *in_scope) if region in here]
        return worst(found_here)

    statuses: dict[str | None, str] = {account: row_status(account) for account in accounts}
    shown, hidden = pick_rows(statuses, views.account_label, MATRIX_ROWS)
    rows = [
        LogRow(
            account,
            views.account_label(account),
            account_anchor(account),
            statuses[account],
            scopes[account][1],
            _region_cells(account, regions, found, expected, bucket, result.snapshot),
        )
        for account in shown
        if account is not None
    ]
    return LogMatrix(regions, tuple(rows), hidden, {k: tuple(v) for k, v in sorted(facet_rules.items())})


def _region_cells(
    account: str,
    regions: tuple[str, ...],
    found: dict[tuple[str, str], list[Finding]],
    expected: Callable[[str, str], bool],
    bucket: str | None,
    snapshot: Snapshot,
) -> tuple[RegionCell, ...]:
    """One shown row's cells: each facet's verdict, the result it links to, and the facts behind it."""
    cells = []
    for region in regions:
        is_expected = expected(account, region)
        facts = _facts(snapshot, account, region, bucket)
        facets = []
        for facet in FACET_ORDER:
            here = [f for f in found.get((account, facet), []) if f.region in (None, region)]
            status = worst(display_status(f) for f in here) if is_expected else "none"
            lead = max(here, key=lambda f: STATUS_RANK[display_status(f)], default=None)
            href = "#" + finding_anchor(lead) if lead is not None and is_expected else "#" + account_anchor(account)
            verdict = STATUS_LOOK[status][1] if here or not is_expected else "no logging rule result"
            facets.append(FacetCell(facet, status, href, f"{region} {facet}: {verdict} — {facts[facet]}"))
        cells.append(RegionCell(region, is_expected, tuple(facets)))
    return tuple(cells)
