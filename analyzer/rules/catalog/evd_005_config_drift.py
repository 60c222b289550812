"""EVD-005: a CLI export and AWS Config's items describe the same resource differently.

Where an account's IAM comes both from ``get-account-authorization-details`` and from AWS Config's
configuration items (snapshots and history delivered to the central bucket, or the Config API),
:mod:`analyzer.evidence.config_resolve` compares them resource by resource as of the collection
time. A difference (a trust policy changed between the captures, a role one source lacks) is drift:
the verdicts use the more recent capture, the CLI export taken at the collection time, and this rule
names each drift, the two places and the capture times. One result per account with both sources:
fail with every drift, pass when they agree, not evaluated when one of them cannot be used.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.model.config_items import ConfigComparison, Drift
from analyzer.model.evidence import EvidenceRef
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, not_evaluated, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.evidence import account_label

META = RuleMeta(
    id="EVD-005",
    title="CLI exports and AWS Config disagree",
    severity=Severity.MEDIUM,
    pillar=Pillar.EVIDENCE,
    rationale=(
        "AWS Config records every change to users, groups, roles and policies and delivers the items to the "
        "central bucket, out of the audited account's hands once delivered. A role whose trust policy in the "
        "CLI export differs from the one Config last recorded changed between the two captures, or one of "
        "the sources was edited: either way the verdict rests on one capture, and the auditor must know "
        "which and why the other differs."
    ),
    remediation=(
        "Find the change in CloudTrail (UpdateAssumeRolePolicy, PutRolePolicy, AttachRolePolicy ...) between "
        "the two capture times; if there is none, one of the sources was altered: re-collect both."
    ),
    compliance=refs(("NIST", "CM-3"), ("NIST", "AU-9")),
    references=(
        "https://docs.aws.amazon.com/config/latest/developerguide/config-item-table.html",
        "https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html",
    ),
    requires=(),
    applies_to="account",
)


def _describe(drift: Drift) -> str:
    config = drift.config
    if config is None:
        return f"{drift.resource}: {drift.what} ({drift.cli})"
    captured = config.captured.strftime("%Y-%m-%dT%H:%M:%SZ") if config.captured else "unknown"
    return f"{drift.resource}: {drift.what} (AWS Config item captured {captured}, {config.ref})"


def _evidence(comparison: ConfigComparison) -> tuple[EvidenceRef, ...]:
    found: list[EvidenceRef] = []
    for drift in comparison.drifts:
        found.extend(ref for ref in (drift.cli, drift.config.ref if drift.config else None) if ref is not None)
    return tuple(dict.fromkeys(found))


def _outcome(ctx: RuleContext, comparison: ConfigComparison) -> Outcome:
    account = comparison.account_id
    label = account_label(ctx, account)
    notes = "".join(f"; {note}" for note in comparison.notes)
    if comparison.blocked:
        return not_evaluated(
            f"not evaluated: {label}'s CLI export and AWS Config items cannot be compared: {comparison.blocked}{notes}",
            account=account,
        )
    if comparison.drifts:
        return fail(
            f"{label}: the CLI export and AWS Config's items differ on {len(comparison.drifts)} point(s): "
            + "; ".join(_describe(d) for d in comparison.drifts)
            + f"; {comparison.drifts[0].used}{notes}",
            account=account,
            evidence=_evidence(comparison),
        )
    return passed(
        f"{label}: the CLI export and AWS Config's items agree on the {comparison.compared} {comparison.what} "
        f"resource(s) both describe{notes}",
        account=account,
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    for comparison in sorted(ctx.snapshot.config_comparisons, key=lambda c: (c.account_id, c.what)):
        yield _outcome(ctx, comparison)


RULE = Rule(META, check)
