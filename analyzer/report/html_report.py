"""``index.html``: one self-contained page an auditor can open from disk, offline, scripts or not.

Rendered with Jinja2 (autoescape on: every evidence string is escaped; nothing from the evidence
is ever marked safe; control, bidi and invisible characters are shown as their code points). The
stylesheet, the script and the SVG access map are inlined; a Content-Security-Policy meta tag
forbids every network load and lets only our own script run (by its hash), so even a
markup-injection slip could not execute. Output is a pure function of the result: no clock, no
random ids.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from importlib import resources
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from analyzer import __version__
from analyzer.evidence.timestamps import format_ts
from analyzer.graph.bounded import plan_cut
from analyzer.model.evidence import EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.model.snapshot import FileStatus, InventoryRow, Snapshot
from analyzer.report.access_map import build_access_map
from analyzer.report.compliance_view import framework_views
from analyzer.report.log_matrix import FACETS, log_matrix
from analyzer.report.prose import spans
from analyzer.report.view import (
    SEVERITIES,
    STATUS_LOOK,
    TOP_RULES,
    Hidden,
    Views,
    account_sections,
    coverage,
    display_status,
    path_verdict,
    pillar_verdicts,
    rendered_anchors,
    rule_views,
    top_findings,
)
from analyzer.rules.base import Status
from analyzer.rules.support.scope import NOT_COLLECTED
from analyzer.text import visible

if TYPE_CHECKING:
    from analyzer.findings.result import Finding
    from analyzer.pipeline import ScanResult

INVENTORY_ROWS = 400  # files listed one by one; above, per account totals
INVENTORY_PROBLEM_ROWS = 300  # files not loaded, listed one by one (inventory.csv has every file)


@dataclass(frozen=True, slots=True)
class InventoryTotal:
    account: str
    files: int
    size: int
    statuses: str


def _static(name: str) -> str:
    return resources.files("analyzer.report").joinpath("static", name).read_text(encoding="utf-8")


def script_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def content_security_policy(script: str) -> str:
    """No network at all: no default source, inline styles, our one script by hash, images as data: only."""
    return (
        f"default-src 'none'; style-src 'unsafe-inline'; script-src '{script_hash(script)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


@dataclass(frozen=True, slots=True)
class InventoryProblem:
    """A file that did not load as plain evidence, with how its status reads (``look``: a CSS class)."""

    row: InventoryRow
    label: str
    look: str


def _problem_item(row: InventoryRow, evidence: dict[str, EvidenceStatus]) -> InventoryProblem:
    """An export failure whose code means "nothing configured" is AWS's answer, not missing evidence."""
    state = evidence.get(row.path)
    if row.status is FileStatus.ERROR_RECORD and state is EvidenceStatus.ABSENT_IN_AWS:
        return InventoryProblem(row, "AWS answer: not configured", "absent")
    if row.status is FileStatus.ERROR_RECORD and state is EvidenceStatus.DENIED:
        return InventoryProblem(row, "export denied", row.status.value)
    return InventoryProblem(row, row.status.value, row.status.value)


def _inventory(snapshot: Snapshot) -> dict[str, Any]:
    ordered = sorted(snapshot.inventory, key=attrgetter("path"))
    not_loaded = [r for r in ordered if r.status is not FileStatus.LOADED]
    listed = not_loaded[:INVENTORY_PROBLEM_ROWS]
    evidence = {path: state.status for state in snapshot.states.values() for path in state.files} if listed else {}
    problems = [_problem_item(r, evidence) for r in listed]
    loaded = [r for r in ordered if r.status is FileStatus.LOADED]
    totals: list[InventoryTotal] = []
    if len(loaded) > INVENTORY_ROWS:
        grouped: dict[str, list[InventoryRow]] = defaultdict(list)
        for r in ordered:
            grouped[r.account_id or "organization / bundle"].append(r)
        for account, items in sorted(grouped.items()):
            by_status = Counter(r.status for r in items)  # counted by member, named once per status
            statuses = ", ".join(f"{n} {s}" for s, n in sorted((s.value, n) for s, n in by_status.items()))
            totals.append(InventoryTotal(account, len(items), sum(r.size for r in items), statuses))
        loaded = []
    return {
        "problems": problems,
        "problems_total": len(not_loaded),
        "loaded": loaded,
        "totals": totals,
        "count": len(ordered),
        "size": sum(r.size for r in ordered),
        "loaded_count": sum(1 for r in ordered if r.status is FileStatus.LOADED),
    }


def _summary(result: ScanResult, views: Views) -> dict[str, Any]:
    by_status = {name: 0 for name in STATUS_LOOK if name != "none"}
    by_severity = dict.fromkeys(SEVERITIES, 0)
    new_failures = 0
    uncollected = _Uncollected()
    for f in result.findings:
        status = display_status(f)
        by_status[status] += 1
        if status == "fail":
            by_severity[f.severity.value] += 1
            new_failures += f.baseline == "new"
        elif status == "not_evaluated" and f.details.get("cause") == NOT_COLLECTED:
            uncollected.add(f)
    snap = result.snapshot
    return {
        "organization": result.shape.organization_id,
        "management": result.shape.management_account,
        # shown only when describe-organization did not say (derived from list-accounts, or unknown)
        "management_note": "" if result.shape.management.source == "describe-organization" else result.shape.management,
        "identity": result.shape.identity,
        "identity_label": views.account_label(result.shape.identity.value) if result.shape.identity.value else None,
        "management_label": views.account_label(result.shape.management_account),
        "bucket": result.shape.log_bucket,
        "collected_at": format_ts(snap.manifest.collected_at),
        "collected_source": snap.manifest.collected_at_source,
        "bundle": snap.bundle_name,
        "bundle_sha256": snap.bundle_sha256,
        "accounts": len(result.shape.accounts),
        "account_list": _account_list(snap),
        "rules": len(result.runs),
        "by_status": by_status,
        "by_severity": by_severity,
        "verdict": _verdict(by_status, uncollected),
        "baseline": any(f.baseline for f in result.findings),
        "new_failures": new_failures,
        "version": __version__,
    }


def _account_list(snapshot: Snapshot) -> str | None:
    """Why the organization's account list cannot be trusted (None when it loaded): then the accounts
    audited are only those the bundle happens to hold, and a missing account goes unnoticed."""
    state = snapshot.state(Kind.ORG_ACCOUNTS)
    if state.status.usable:
        return None
    return (
        f"{state.status.value}: {state.reason}. Only accounts found in the evidence were audited; an account "
        "missing from the bundle cannot be noticed"
    )


class _Uncollected:
    """The results left not evaluated because their regions were not collected (``collect --regions``)."""

    def __init__(self) -> None:
        self.results = 0
        self.regions: set[str] = set()
        self.accounts: set[str] = set()

    def add(self, finding: Finding) -> None:
        self.results += 1
        self.regions.update(str(r) for r in finding.details.get("regions", ()))
        if finding.account:
            self.accounts.add(finding.account)

    def text(self) -> str:
        regions, accounts = len(self.regions), len(self.accounts)
        return (
            f"{self.results:,} for the {regions} enabled region{'s' if regions != 1 else ''} not collected in "
            f"{accounts} account{'s' if accounts != 1 else ''}"
        )


def _verdict(by_status: dict[str, int], uncollected: _Uncollected | None = None) -> dict[str, str]:
    """The headline: a clean result only when every result was evaluated; missing evidence is never green.

    The results not evaluated are counted by cause: the regions the collection left out (``collect
    --regions``), and evidence missing or unusable.
    """
    fails, unknown, errors = by_status["fail"], by_status["not_evaluated"], by_status["error"]
    gaps = []
    scoped = uncollected.results if uncollected is not None else 0
    if unknown and uncollected is not None and scoped:
        plural = "s" if unknown != 1 else ""
        rest = unknown - scoped
        other = f", {rest:,} with evidence missing or unusable" if rest else ""
        gaps.append(f"{unknown:,} result{plural} could not be evaluated: {uncollected.text()}{other}")
    elif unknown:
        plural = "s" if unknown != 1 else ""
        gaps.append(f"{unknown:,} result{plural} could not be evaluated (evidence missing or unusable)")
    if errors:
        gaps.append(f"{errors:,} rule{'s' if errors != 1 else ''} could not run (engine error)")
    gap_text = "; ".join(gaps)
    if fails:
        text = f"{fails:,} unsuppressed failure{'s' if fails != 1 else ''}" + (f"; {gap_text}." if gaps else ".")
        return {"status": "fail", "symbol": "fail", "text": text}
    if gaps:
        text = f"No failure found, but the audit is incomplete: {gap_text}. Absence of evidence is not compliance."
        return {"status": "incomplete", "symbol": "error" if errors else "not_evaluated", "text": text}
    accepted = by_status["suppressed"]
    text = "Every result was evaluated, and passes" + (
        f" ({accepted:,} accepted failure{'s' if accepted != 1 else ''} suppressed)." if accepted else "."
    )
    return {"status": "pass", "symbol": "pass", "text": text}


#: Paths without enforced MFA printed (the table on the page is capped at access_map.PROBLEM_ROWS).
PRINT_PATHS = 25


def css_string(text: str) -> str:
    """``text`` as the body of a CSS string: every character but letters, digits, space and ``.:_-``
    written as a CSS hex escape, so evidence text can neither end the string nor the style element."""
    return "".join(c if c.isascii() and (c.isalnum() or c in " .:_-") else f"\\{ord(c):06x}" for c in text)


def print_css(summary: dict[str, Any]) -> Markup:
    """The printout's running header (organization, collection time, bundle digest) and page numbers,
    as page-margin boxes: every printed page says which audit it belongs to and where it sits."""
    head = css_string(
        f"trustmap audit of {summary['organization'] or 'an unknown organization'}"
        f" · evidence collected {summary['collected_at'] or 'at an unknown time'}"
    )
    digest = css_string(f"bundle sha256 {summary['bundle_sha256']}")
    rules = (
        "@media print { @page { size: A4; margin: 16mm 12mm 14mm; "
        f'@top-left {{ content: "{head}"; font: 8pt sans-serif; color: #444; }} '
        f'@bottom-left {{ content: "{digest}"; font: 7pt monospace; color: #666; }} '
        '@bottom-right { content: "page " counter(page) " of " counter(pages); font: 8pt sans-serif; } } '
        f"table.problems tbody tr:nth-child(n+{PRINT_PATHS + 1}) {{ display: none; }} }}"
    )
    return Markup(rules)  # noqa: S704 - every evidence character above is a CSS escape


def _path_breaks(path: str) -> Markup:
    """A file path that may wrap after each ``/`` (each part escaped; only ``<wbr>`` is markup)."""
    return Markup("/<wbr>").join(escape(visible(part)) for part in path.split("/"))


def _shown(value: Any) -> Any:
    """Every value the template prints, before it is escaped: evidence text with its control, bidi and
    invisible characters shown as ``[U+202E]`` (a role named with U+202E would otherwise display as
    another role's name, in text and in tooltips alike). Our own markup (a ``Markup``) and non-text
    values are left as they are."""
    if type(value) is str:
        return visible(value)
    return value


def _fmt_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB"):
        if value < 1024 or unit == "MiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("analyzer.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_shown,
    )
    env.filters["size"] = _fmt_size
    env.filters["path_breaks"] = _path_breaks
    env.filters["spans"] = spans
    env.filters["count_text"] = "{:,}".format  # 26,680: a count an auditor reads at a glance
    env.globals["STATUS_LOOK"] = STATUS_LOOK
    return env


def render_html(result: ScanResult) -> str:
    views = Views(result)
    rules = rule_views(views)
    anchors = rendered_anchors(rules)
    matrix_rows, matrix_hidden = coverage(views, rules, anchors)
    sections, sections_hidden = account_sections(views, anchors)
    script = _static("report.js")
    summary = _summary(result, views)
    context: dict[str, Any] = {
        "csp": content_security_policy(script),
        "css": Markup(_static("report.css")),  # noqa: S704 - our own stylesheet, never evidence
        "script": Markup(script),  # noqa: S704 - our own script, never evidence
        "summary": summary,
        "print_css": print_css(summary),
        "print_paths": PRINT_PATHS,
        "pillars": pillar_verdicts(views),
        "rules": rules,
        "rule_ids": sorted(r.meta.id for r in rules),
        "matrix": matrix_rows,
        "matrix_hidden": matrix_hidden,
        "access": build_access_map(result.graph, result.shape),
        "path_verdict": path_verdict(views),
        "graph_cut": plan_cut(result.graph),
        "logs": log_matrix(views),
        "facets": FACETS,
        "accounts": sections,
        "frameworks": framework_views(result),
        "account_anchors": {s.anchor for s in sections},
        "top": top_findings(views, rules, sections),
        "top_rules": TOP_RULES,
        "accounts_hidden": sections_hidden,
        "inventory": _inventory(result.snapshot),
        "catalog": sorted((run.rule.meta for run in result.runs), key=lambda m: m.id),
        "severities": SEVERITIES,
        "statuses": [s for s in STATUS_LOOK if s != "none"],
        "account_options": [(a.id, views.account_label(a.id)) for a in result.shape.accounts],
        "no_hidden": Hidden(0, ""),
        "Status": Status,
    }
    return environment().get_template("report.html.j2").render(context)


def render(result: ScanResult) -> dict[str, bytes]:
    return {"index.html": render_html(result).encode("utf-8", "backslashreplace")}


FORMATS = {"html": render}
