"""What the HTML report shows, computed from a ScanResult: plain data for the template, no markup.

Keeping the DOM lean for 1,000 accounts is decided here, with the caps below: failures are always
listed (with their evidence up to ``DETAILED_FAILURES`` per rule), passes are collapsed and capped,
and the big matrices show problem accounts first up to a row cap, summarizing the rest.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from analyzer.findings.result import Finding
from analyzer.model.evidence import EvidenceRef
from analyzer.model.snapshot import InventoryRow
from analyzer.report.statements import Segment, StatementIndex, marked_segments, windowed
from analyzer.rules.base import Pillar, RuleMeta, Severity, Status

if TYPE_CHECKING:
    from analyzer.findings.engine import RuleRun
    from analyzer.pipeline import ScanResult

DETAILED_FAILURES = 100  # per rule, with evidence; further results are listed without it
PROBLEMS_SHOWN = 250  # per rule: non-pass results listed at all, worst first (findings.csv has all)
PASSES_SHOWN = 100  # per rule
PASS_EVIDENCE_UP_TO = 3000  # results in the run: above this, passes are listed without their evidence
EVIDENCE_SHOWN = {"problem": 12, "pass": 3}  # references shown per result; findings.json has them all
SEARCH_REFS = 20  # evidence references per result the page's search reads (findings.json has them all)
MATRIX_ROWS = 250  # coverage and log matrices
ACCOUNT_SECTIONS = 200
ACCOUNT_ROWS = 10  # results listed per account section

#: display status -> (symbol, label); the order is "worst first".
STATUS_LOOK: dict[str, tuple[str, str]] = {
    "fail": ("✖", "fail"),
    "error": ("!", "engine error"),
    "not_evaluated": ("?", "not evaluated"),
    "suppressed": ("⊘", "suppressed"),
    "pass": ("✔", "pass"),
    "none": ("·", "no result"),
}
STATUS_RANK = {name: rank for rank, name in enumerate(reversed(list(STATUS_LOOK)))}
_STATUS_OF_RANK = {rank: name for name, rank in STATUS_RANK.items()}
SEVERITIES = [s.value for s in sorted(Severity, key=lambda s: -s.rank)]


#: Status -> its text, looked up by hash (an enum's ``.value`` is a Python-level descriptor call, and
#: the reports ask for the status of each of a hundred thousand results several times).
_STATUS_TEXT: dict[Status, str] = {s: s.value for s in Status}
_FAIL = Status.FAIL


def display_status(f: Finding) -> str:
    """The status a reader sees: a failure accepted by a live suppression reads "suppressed"."""
    status = f.status
    if status is _FAIL and f.is_suppressed:
        return "suppressed"
    return _STATUS_TEXT[status]


def worst(statuses: Iterable[str]) -> str:
    """The worst of ``statuses`` ("none" for none), compared by rank in C (no key function per item)."""
    return _STATUS_OF_RANK[max(map(STATUS_RANK.__getitem__, statuses), default=STATUS_RANK["none"])]


def finding_anchor(f: Finding) -> str:
    return f"f-{f.fingerprint}"


def account_anchor(account: str | None) -> str:
    return f"acct-{account}" if account else "acct-org"


@dataclass(frozen=True, slots=True)
class StatementView:
    policy: str  # "trust policy of role X", ...
    sid: str | None
    segments: tuple[Segment, ...]
    marked_path: str  # the deciding part as a pointer below the statement, "" for all of it
    anchor: str  # id of the first rendering of this statement (and deciding part) in its rule
    same_as: bool = False  # already shown above in the same rule: link to it instead of repeating it


@dataclass(slots=True)
class ShownStatements:
    """Statements already printed in one rule's section: a repeat links to the first instead."""

    prefix: str
    anchors: dict[tuple[object, ...], str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EvidenceView:
    file: str
    pointer: str
    inner: str | None
    sha256: str | None
    statement: StatementView | None


@dataclass(frozen=True, slots=True)
class FindingView:
    finding: Finding
    anchor: str
    status: str  # display status
    account_label: str
    evidence: tuple[EvidenceView, ...]
    detailed: bool
    link: str = ""  # where a mention elsewhere points: the result, or its rule when the result is not listed
    search: str = ""  # what the page's search matches besides the line shown: ARNs, account, files, pointers


@dataclass(frozen=True, slots=True)
class RuleView:
    meta: RuleMeta
    anchor: str
    status: str  # worst display status among its results
    counts: dict[str, int]
    problems: tuple[FindingView, ...]  # non-pass results, worst first (capped)
    problems_total: int
    passes: tuple[FindingView, ...]
    passes_total: int
    error: str | None
    #: the not-evaluated results grouped by cause, for the printout (every one counted, each cause once)
    undecided: tuple[CauseGroup, ...] = ()


@dataclass(frozen=True, slots=True)
class CauseGroup:
    """Not-evaluated results of one rule that give the same reason, but for the accounts and resources
    they name: printed once, with how many there are and which accounts."""

    message: str  # the first one's message, as written
    count: int
    accounts: str  # the accounts it covers, a few named and the rest counted


#: What differs between two results of one cause: account ids, ARNs, and the quoted names in them.
_SUBJECTS = re.compile(r"arn:aws[a-z-]*:[^\s,;)]*|\b\d{12}\b|\([^()]*\)|_[0-9a-f]{16}(?![0-9a-f])")


def _cause(message: str) -> str:
    return _SUBJECTS.sub("\u2026", message)


def cause_groups(findings: Iterable[Finding], views: Views, shown_accounts: int = 6) -> tuple[CauseGroup, ...]:
    """``findings`` (the not-evaluated ones of a rule) grouped by :func:`_cause`, largest group first."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(_cause(f.message), []).append(f)
    out = []
    for members in sorted(groups.values(), key=lambda g: (-len(g), g[0].message)):
        accounts = sorted({f.account or "" for f in members} - {""})
        named = ", ".join(views.account_label(a) for a in accounts[:shown_accounts])
        more = f" and {len(accounts) - shown_accounts} more" if len(accounts) > shown_accounts else ""
        out.append(CauseGroup(members[0].message, len(members), f"{named}{more}" if accounts else "the organization"))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Cell:
    status: str
    href: str
    title: str

    @property
    def symbol(self) -> str:
        return STATUS_LOOK[self.status][0]


@dataclass(frozen=True, slots=True)
class MatrixRow:
    account: str | None
    label: str
    anchor: str
    status: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class PillarVerdict:
    pillar: str
    status: str
    text: str
    rules: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AccountSection:
    account: str | None
    label: str
    role: str
    anchor: str
    counts: dict[str, int]
    status: str
    problems: tuple[FindingView, ...]
    problems_total: int


@dataclass(frozen=True, slots=True)
class Hidden:
    """What a capped table left out, said in one line."""

    count: int
    text: str


_POLICY_WORDS = {
    "inline": "inline policy",
    "managed": "managed policy",
    "trust": "trust policy",
    "boundary": "permissions boundary",
    "bucket": "bucket policy",
    "scp": "service control policy",
    "unresolved": "policy",
}


class Views:
    """Shared lookups (labels, statement index, inventory by path) for one result."""

    def __init__(self, result: ScanResult) -> None:
        self.result = result
        self.index = StatementIndex(result.snapshot)
        self.sha: dict[str, InventoryRow] = {row.path: row for row in result.snapshot.inventory}
        self.labels = {a.id: (f"{a.name} ({a.id})" if a.name else a.id) for a in result.shape.accounts}

    def account_label(self, account: str | None) -> str:
        if account is None:
            return "Organization-wide"
        return self.labels.get(account, account)

    def evidence(self, ref: EvidenceRef, shown: ShownStatements | None) -> EvidenceView:
        """The place, the file's hash and (with ``shown``) the statement it names; None: no statement."""
        row = self.sha.get(ref.file)
        statement = None
        hit = self.index.resolve(ref) if shown is not None else None
        if hit is not None and shown is not None:
            owner = hit.source.arn or hit.source.name
            words = _POLICY_WORDS.get(hit.source.kind, "policy")
            policy = f"{words} {hit.source.name}" + (f" of {owner}" if owner != hit.source.name else "")
            key = (hit.source.ref, hit.statement.pointer, hit.rest)
            seen = key in shown.anchors
            anchor = shown.anchors.setdefault(key, f"{shown.prefix}{len(shown.anchors) + 1}")
            segments = () if seen else tuple(windowed(marked_segments(hit.statement.source_text, hit.rest)))
            statement = StatementView(
                policy=policy,
                sid=hit.statement.sid,
                segments=segments,
                marked_path="/" + "/".join(hit.rest) if hit.rest else "",
                anchor=anchor,
                same_as=seen,
            )
        return EvidenceView(ref.file, ref.pointer, ref.inner, row.sha256 if row else None, statement)

    def finding(self, f: Finding, detailed: bool, shown: ShownStatements | None = None) -> FindingView:
        cap = EVIDENCE_SHOWN["pass" if f.status is Status.PASS else "problem"]
        evidence = tuple(self.evidence(r, shown) for r in f.evidence[:cap]) if detailed else ()
        label = self.account_label(f.account)
        return FindingView(
            f, finding_anchor(f), display_status(f), label, evidence, detailed, search=search_text(f, label)
        )


def search_text(f: Finding, account_label: str) -> str:
    """The words a result is found by, beyond its one-line message: its resource and subject (ARNs,
    hence resource names), its account's name and id, its region, and each evidence reference as
    ``file#pointer`` (the form findings.json and the evidence list print), up to SEARCH_REFS of them."""
    refs = (f"{r.file}#{r.pointer}" + (f"#{r.inner}" if r.inner is not None else "") for r in f.evidence[:SEARCH_REFS])
    words = (f.resource, f.subject, f.account, account_label, f.region, *refs)
    return " ".join(dict.fromkeys(w for w in words if w))


def _counts(findings: Iterable[Finding]) -> dict[str, int]:
    return _count_statuses(map(display_status, findings))


def _count_statuses(statuses: Iterable[str]) -> dict[str, int]:
    counts = dict.fromkeys(STATUS_LOOK, 0)
    del counts["none"]
    for status, n in Counter(statuses).items():
        counts[status] += n
    return counts


def _worst_first(f: Finding) -> tuple[int, int, tuple[str, ...]]:
    """The order problems are listed in: worst status, then highest severity, then the usual order."""
    return (-STATUS_RANK[display_status(f)], -f.severity.rank, f.sort_key)


def _rule_order(run: RuleRun) -> tuple[int, int, str]:
    failing = [f for f in run.findings if display_status(f) == "fail"]
    top = max((f.severity.rank for f in failing), default=-1)
    return (0 if failing else 1, -top, run.rule.id)


def rule_views(views: Views) -> list[RuleView]:
    out = []
    pass_evidence = sum(len(run.findings) for run in views.result.runs) <= PASS_EVIDENCE_UP_TO
    for run in sorted(views.result.runs, key=_rule_order):
        statuses = list(map(display_status, run.findings))
        problems = [f for f, status in zip(run.findings, statuses, strict=True) if status != "pass"]
        problems.sort(key=_worst_first)
        passes = [f for f, status in zip(run.findings, statuses, strict=True) if status == "pass"]
        counts = _count_statuses(statuses)
        shown = ShownStatements(f"st-{run.rule.id}-")
        out.append(
            RuleView(
                meta=run.rule.meta,
                anchor=f"rule-{run.rule.id}",
                status=worst(counts_nonzero(counts)),
                counts=counts,
                problems=tuple(
                    views.finding(f, i < DETAILED_FAILURES, shown) for i, f in enumerate(problems[:PROBLEMS_SHOWN])
                ),
                problems_total=len(problems),
                passes=tuple(views.finding(f, pass_evidence) for f in passes[:PASSES_SHOWN]),
                passes_total=len(passes),
                error=run.error,
                undecided=cause_groups(
                    (f for f, status in zip(run.findings, statuses, strict=True) if status == "not_evaluated"), views
                ),
            )
        )
    return out


def counts_nonzero(counts: dict[str, int]) -> list[str]:
    return [status for status, n in counts.items() if n]


def rendered_anchors(rules: Iterable[RuleView]) -> set[str]:
    return {fv.anchor for r in rules for fv in (*r.problems, *r.passes)}


def _by_account(findings: Iterable[Finding]) -> dict[str | None, list[Finding]]:
    grouped: dict[str | None, list[Finding]] = defaultdict(list)
    for f in findings:
        grouped[f.account].append(f)
    return grouped


def account_ids(views: Views) -> list[str | None]:
    """Organization-wide first, then every account of the shape and any other account a result names."""
    known = [a.id for a in views.result.shape.accounts]
    named = {f.account for f in views.result.findings}
    extra = sorted(a for a in named.difference(known) if a)
    org = [None] if None in named else []
    return [*org, *known, *extra]


def worst_first_order(statuses: dict[str | None, str], label: Callable[[str | None], str]) -> list[str | None]:
    """Accounts worst status first, then by name (their label, case-folded), then by id: the failing
    accounts of a thousand lead the table instead of sitting wherever their id sorts."""
    return sorted(statuses, key=lambda a: (-STATUS_RANK[statuses[a]], label(a).casefold(), a or ""))


def pick_rows(
    statuses: dict[str | None, str], label: Callable[[str | None], str], cap: int
) -> tuple[list[str | None], Hidden]:
    """Every row worst first, then by name, up to ``cap``; what is left out is said in one line."""
    ranked = worst_first_order(statuses, label)
    if len(ranked) <= cap:
        return ranked, Hidden(0, "")
    shown, rest = ranked[:cap], ranked[cap:]
    problems = sum(1 for a in rest if statuses[a] not in ("pass", "none", "suppressed"))
    text = (
        f"{len(rest)} more accounts not shown ({problems} with problems, {len(rest) - problems} without): "
        "accounts.csv and findings.csv hold every row"
    )
    return shown, Hidden(len(rest), text)


def coverage(views: Views, rules: list[RuleView], anchors: set[str]) -> tuple[list[MatrixRow], Hidden]:
    rule_ids = sorted(r.meta.id for r in rules)
    grid: dict[tuple[str | None, str], list[Finding]] = defaultdict(list)
    for f in views.result.findings:
        grid[(f.account, f.rule)].append(f)
    order = account_ids(views)
    cell_status = {key: worst(map(display_status, found)) for key, found in grid.items()}
    row_status = {a: worst(cell_status[(a, r)] for r in rule_ids if (a, r) in cell_status) for a in order}
    shown, hidden = pick_rows(row_status, views.account_label, MATRIX_ROWS)
    rows = []
    for account in shown:
        cells = []
        for rule in rule_ids:
            found = grid.get((account, rule), [])
            status = cell_status.get((account, rule), "none")
            lead = max(found, key=lambda f: STATUS_RANK[display_status(f)], default=None)
            if lead is not None and finding_anchor(lead) in anchors:
                href = "#" + finding_anchor(lead)
            else:
                href = f"#rule-{rule}"
            n = sum(1 for f in found if display_status(f) == status)
            title = f"{rule}: {STATUS_LOOK[status][1]}" + (f" ({n})" if n > 1 else "")
            cells.append(Cell(status, href, title))
        rows.append(
            MatrixRow(account, views.account_label(account), account_anchor(account), row_status[account], tuple(cells))
        )
    return rows, hidden


def pillar_verdicts(views: Views) -> list[PillarVerdict]:
    by_pillar: dict[Pillar, list[RuleRun]] = defaultdict(list)
    for run in views.result.runs:
        by_pillar[run.rule.meta.pillar].append(run)
    out = []
    for pillar in Pillar:
        runs = by_pillar.get(pillar, [])
        findings = [f for run in runs for f in run.findings]
        counts = _counts(findings)
        ids = tuple(run.rule.id for run in runs)
        failing_rules = sorted({f.rule for f in findings if display_status(f) == "fail"})
        if not runs:
            status, text = "none", "no rule of this pillar ran"
        elif counts["fail"]:
            top = max((f for f in findings if display_status(f) == "fail"), key=lambda f: f.severity.rank)
            status = "fail"
            text = (
                f"{counts['fail']} failure{'s' if counts['fail'] != 1 else ''} in {len(failing_rules)} of "
                f"{len(runs)} rule{'s' if len(runs) != 1 else ''} (worst: {top.severity.value}; "
                f"{', '.join(failing_rules[:4])}"
                f"{' …' if len(failing_rules) > 4 else ''})"
            ) + _unknown_suffix(counts)
        elif counts["error"]:
            status, text = "error", f"{counts['error']} engine error(s): the verdict is unknown"
        elif counts["not_evaluated"] and not counts["pass"]:
            status = "not_evaluated"
            text = f"no verdict: none of its {counts['not_evaluated']} result(s) could be evaluated"
        elif counts["not_evaluated"]:
            status = "not_evaluated"
            text = (
                f"no failure in {counts['pass']} check{'s' if counts['pass'] != 1 else ''}, but "
                f"{counts['not_evaluated']} result(s) could not be evaluated"
            )
        elif counts["suppressed"]:
            status, text = "suppressed", f"passes, with {counts['suppressed']} accepted (suppressed) failure(s)"
        elif not counts["pass"]:
            status, text = "none", f"no result: none of its {len(runs)} rule(s) applied to the evidence"
        else:
            rules = "the rule passes" if len(runs) == 1 else f"all {len(runs)} rules pass"
            status, text = "pass", f"{rules} ({counts['pass']} check{'s' if counts['pass'] != 1 else ''})"
        out.append(PillarVerdict(pillar.value, status, text, ids))
    return out


#: The rule whose results say whether every path into the member accounts requires MFA.
PATH_RULE = "IDN-003"


@dataclass(frozen=True, slots=True)
class PathVerdict:
    """What the access map may say of the paths as a whole: read from the path rule's results only."""

    status: str
    text: str


def path_verdict(views: Views) -> PathVerdict:
    """The access map's one-line verdict on the paths, derived from :data:`PATH_RULE`'s results.

    A pass is stated only when the rule ran, produced results, and every one of them passes; a
    result that could not be evaluated makes the sentence say so, with its first reason.
    """
    run = next((r for r in views.result.runs if r.rule.id == PATH_RULE), None)
    if run is None:
        return PathVerdict("none", f"{PATH_RULE} did not run, so nothing is said here about MFA on the paths.")
    counts = _counts(run.findings)
    if counts["error"]:
        return PathVerdict(
            "error", f"{PATH_RULE} failed with an engine error: whether every path requires MFA is unknown."
        )
    if counts["fail"]:
        return PathVerdict("fail", f"{counts['fail']} path(s) without MFA on any hop ({PATH_RULE}); listed above.")
    if counts["not_evaluated"]:
        first = next(f for f in run.findings if display_status(f) == "not_evaluated")
        return PathVerdict(
            "not_evaluated",
            f"Not every path could be followed: {counts['not_evaluated']} result(s) of {PATH_RULE} are not evaluated "
            f"({first.message})",
        )
    if not counts["pass"]:
        return PathVerdict(
            "none", f"{PATH_RULE} has no result: no principal of the Identity account was found to check."
        )
    suppressed = f", {counts['suppressed']} accepted failure(s)" if counts["suppressed"] else ""
    return PathVerdict(
        "suppressed" if counts["suppressed"] else "pass",
        f"Every path from an Identity-account principal into a member-account role requires MFA on some hop "
        f"({PATH_RULE}: {counts['pass']} principal(s) checked{suppressed}).",
    )


def _unknown_suffix(counts: dict[str, int]) -> str:
    """What a failing pillar also could not judge: a failure does not make the rest of it known."""
    unknown = counts["not_evaluated"] + counts["error"]
    return f"; {unknown} more result(s) not evaluated" if unknown else ""


def account_sections(views: Views, anchors: set[str]) -> tuple[list[AccountSection], Hidden]:
    grouped = _by_account(views.result.findings)
    order = account_ids(views)
    statuses = {a: worst(map(display_status, grouped.get(a, ()))) for a in order}
    shown, hidden = pick_rows(statuses, views.account_label, ACCOUNT_SECTIONS)
    roles = {a.id: a.role for a in views.result.shape.accounts}
    out = []
    for account in shown:
        found = grouped.get(account, [])
        problems = sorted((f for f in found if display_status(f) != "pass"), key=_worst_first)
        role = "organization" if account is None else roles.get(account, "outside the organization")
        out.append(
            AccountSection(
                account,
                views.account_label(account),
                role,
                account_anchor(account),
                _counts(found),
                statuses[account],
                tuple(_mention(views, f, anchors) for f in problems[:ACCOUNT_ROWS]),
                len(problems),
            )
        )
    return out, hidden


def _mention(views: Views, f: Finding, anchors: set[str]) -> FindingView:
    listed = finding_anchor(f) in anchors
    return replace(views.finding(f, False), link="#" + (finding_anchor(f) if listed else f"rule-{f.rule}"))


#: Rules listed under the verdict (failing rules, worst first); the rest are one line away.
TOP_RULES = 10
TOP_ACCOUNTS_NAMED = 3


@dataclass(frozen=True, slots=True)
class AccountLink:
    label: str
    href: str  # "" when the account has no section on the page


@dataclass(frozen=True, slots=True)
class TopFinding:
    """One failing rule under the verdict: its worst severity, failure count and accounts affected."""

    meta: RuleMeta
    severity: str  # the highest severity among its failures
    failures: int
    href: str  # the first failure listed (worst first), so the symbol links to a failure
    accounts: tuple[AccountLink, ...]  # the first few affected accounts, by name
    accounts_total: int


def top_findings(views: Views, rules: list[RuleView], sections: Iterable[AccountSection]) -> list[TopFinding]:
    """Every failing rule, critical and high first, then by number of failures: what to fix first.

    Read from the same results as the rule's section; the symbol's link goes to the rule's first
    listed result, which is a failure because problems are listed worst first.
    """
    with_section = {s.account: s.anchor for s in sections}
    failing: dict[str, list[Finding]] = defaultdict(list)
    for f in views.result.findings:
        if display_status(f) == "fail":
            failing[f.rule].append(f)
    out = []
    for rule in rules:
        found = failing.get(rule.meta.id)
        if not found or not rule.problems:
            continue
        top = max(f.severity.rank for f in found)
        accounts = sorted({f.account for f in found}, key=lambda a: (views.account_label(a).casefold(), a or ""))
        named = tuple(
            AccountLink(views.account_label(a), "#" + with_section[a] if a in with_section else "")
            for a in accounts[:TOP_ACCOUNTS_NAMED]
        )
        severity = next(f.severity.value for f in found if f.severity.rank == top)
        out.append(TopFinding(rule.meta, severity, len(found), "#" + rule.problems[0].anchor, named, len(accounts)))
    out.sort(key=lambda t: (-Severity(t.severity).rank, -t.failures, t.meta.id))
    return out
