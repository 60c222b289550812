"""EVD-001: every active organization account has the evidence the rules need.

Required kinds: ``REQUIRED_ACCOUNT_KINDS`` per account and ``REQUIRED_REGION_KINDS`` per expected
region (settings, else describe-regions, else the regions with evidence), within the collection's
scope; the enabled regions the collection left out (``manifest.json`` ``regions``) are named in one
``not_evaluated`` result per account. A bundle of one account without any organization evidence
(collected without ``--org``) is a valid scope: not evaluated, not failed. Only *absent* files count
here: a present but unusable file (denied, truncated, invalid) is EVD-002's finding, and an AWS
answer such as NoSuchEntity for the password policy is evidence. The message names the rules each
gap leaves not evaluated, from the registered rules' ``requires``.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.model.evidence import EvidenceRef, EvidenceStatus
from analyzer.model.kinds import REQUIRED_REGION_KINDS, Kind
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, not_evaluated, passed
from analyzer.rules.context import RuleContext
from analyzer.rules.support.evidence import Coverage, account_label, accounts_with_files, coverage, rules_reading
from analyzer.rules.support.scope import NOT_COLLECTED, scope_text

META = RuleMeta(
    id="EVD-001",
    title="Organization account without (complete) evidence",
    severity=Severity.HIGH,
    pillar=Pillar.EVIDENCE,
    rationale=(
        "An audit is only as complete as its evidence. An account or region that was not exported cannot "
        "fail any check, so a clean report could simply mean nothing was looked at. Naming every gap, and the "
        "checks it silences, keeps the verdict honest."
    ),
    remediation=(
        "Re-run the export for the listed account and kinds with a role that can read them (the SecurityAudit "
        "managed policy covers every call), into <account-id>/... as the bundle layout describes; for regional "
        "kinds run the calls in every listed region."
    ),
    references=(
        "https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html",
        "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/SecurityAudit.html",
    ),
    requires=(Kind.ORG_ACCOUNTS,),
    applies_to="account",
)


def _gaps(cov: Coverage) -> str:
    parts = []
    if cov.missing_account:
        parts.append("no " + ", ".join(k.value for k in cov.missing_account))
    for region, kinds in cov.missing_regional:
        parts.append(f"no {', '.join(k.value for k in kinds)} in {region}")
    if not cov.regions.regions:
        parts.append(
            "no regional evidence in any region (and no describe-regions or expected_regions to say "
            "which regions to expect)"
        )
    return "; ".join(parts)


def _verdict(ctx: RuleContext, account: str, ref: EvidenceRef, with_files: frozenset[str]) -> Outcome:
    label = account_label(ctx, account)
    cov = coverage(ctx, account, with_files)
    silenced = ", ".join(rules_reading(cov.missing_kinds())) or "none"
    if not cov.has_files:
        return fail(
            f"active {label} has no evidence at all: no rule can judge it (rules that read the missing evidence, "
            f"not evaluated where they need it: {silenced})",
            account=account,
            evidence=(ref,),
        )
    gaps = _gaps(cov)
    if gaps:
        return fail(
            f"{label} lacks evidence: {gaps}; rules that read the missing evidence, not evaluated where they need "
            f"it: {silenced}",
            account=account,
            evidence=(ref,),
            details={"missing": list(cov.missing_kinds())},
        )
    regions = f"{', '.join(cov.regions.regions)} (from {cov.regions.source})"
    unusable = (
        (f"; {len(cov.unusable)} file(s) present but unusable ({', '.join(s.kind for s in cov.unusable)}): see EVD-002")
        if cov.unusable
        else ""
    )
    return passed(
        f"{label} has every required kind of evidence, account-wide and in {regions}{unusable}",
        account=account,
        evidence=(ref,),
    )


def _uncollected(ctx: RuleContext, account: str) -> Iterator[Outcome]:
    """The account's enabled regions the collection left out (``collect --regions``), once per account."""
    scope = ctx.regions(account)
    if scope.uncollected:
        rules = ", ".join(rules_reading(k.value for k in REQUIRED_REGION_KINDS)) or "none"
        yield not_evaluated(
            f"{account_label(ctx, account)}: {scope_text(scope)}; the regional checks there are not evaluated "
            f"({rules}); collect with --regions all to cover them",
            account=account,
            subject=NOT_COLLECTED,
            details={"cause": NOT_COLLECTED, "regions": list(scope.uncollected)},
        )


def _single_account_scope(ctx: RuleContext) -> bool:
    """A bundle of one account and no organization evidence at all: collected without ``--org``
    (Organizations not in use, or not asked for), a valid scope with nothing to check coverage against."""
    organization_files = any(r.kind is not None and r.kind.startswith("organizations-") for r in ctx.snapshot.inventory)
    return not organization_files and len(accounts_with_files(ctx.snapshot)) <= 1


def check(ctx: RuleContext) -> Iterator[Outcome]:
    blocked = ctx.blocking((Kind.ORG_ACCOUNTS,))
    if blocked and _single_account_scope(ctx):
        yield not_evaluated(
            "not evaluated: no organization evidence: the bundle holds one account and no AWS Organizations "
            "export (collected without --org), so organization coverage cannot be judged; collect with --org "
            "from the management account to audit the organization"
        )
        for account in sorted(accounts_with_files(ctx.snapshot)):
            yield from _uncollected(ctx, account)
        return
    if blocked:
        # The account list is itself the evidence this rule is about: without it, a whole account can be
        # missing from the bundle unnoticed, so its absence fails (a gate on `high` must not pass it).
        yield fail(
            "the organization's account list is unusable ("
            + "; ".join(s.describe() for s in blocked)
            + "): no one can tell whether any account's evidence is missing; export "
            "`aws organizations list-accounts` from the management or a delegated-admin account",
            evidence=tuple(EvidenceRef(f) for s in blocked for f in s.files),
        )
        return
    state = ctx.snapshot.state(Kind.ORG_ACCOUNTS)
    if state.status is EvidenceStatus.ABSENT_IN_AWS:
        yield not_evaluated(
            f"not evaluated: AWS Organizations is not in use ({state.reason}): there is no account "
            "list to check coverage against"
        )
        return
    with_files = accounts_with_files(ctx.snapshot)
    for org_account in ctx.snapshot.org_accounts:
        if org_account.active:
            yield _verdict(ctx, org_account.id, org_account.ref, with_files)
            yield from _uncollected(ctx, org_account.id)


RULE = Rule(META, check)
