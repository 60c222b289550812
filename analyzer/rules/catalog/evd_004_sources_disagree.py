"""EVD-004: exports that report the same facts differently.

AWS reports users, roles, groups and policies in several exports of one account, and the
organization's membership in several organization exports; :mod:`analyzer.evidence.crosscheck`
compares them while the bundle loads. A disagreement is how a principal left out of one export (and
with it its failures) shows, and the evidence it casts doubt on is not used: the checks that need
it are not evaluated. One result per account (and one for the organization's own exports): fail
with every disagreement, pass when at least two sources could be compared and agree.

AWS Config's configuration items are one more source: where an account's IAM comes both from the
CLI export and from Config's items (:mod:`analyzer.evidence.config_resolve`), a resource they
describe differently (a trust policy changed between the two captures, a role one side lacks) is
**drift**. Drift fails the account too, naming both places and the capture times, but unlike a
disagreement it costs no verdict: the verdicts use the export, the state at the collection time, and
the message names the more recent capture (Config's, when it captured the resource again after).
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.model.config_items import ConfigComparison, Drift
from analyzer.model.evidence import EvidenceRef
from analyzer.model.kinds import Kind
from analyzer.model.snapshot import Disagreement
from analyzer.rules.base import (
    Outcome,
    Pillar,
    Rule,
    RuleMeta,
    Severity,
    fail,
    missing_message,
    not_evaluated,
    passed,
)
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.evidence import account_label, rules_reading

META = RuleMeta(
    id="EVD-004",
    title="Evidence sources disagree",
    severity=Severity.HIGH,
    pillar=Pillar.EVIDENCE,
    rationale=(
        "The evidence is handed over by the party being audited. A user missing from the authorization "
        "details but present in the credential report, a role count in the account summary that the role "
        "list does not reach, or a credential report generated long before the collection means one export "
        "does not describe the account as it is, whether through a broken collection or an edit. Verdicts "
        "built on it could hide exactly the principals that were left out."
    ),
    remediation=(
        "Re-collect the account in one run (`trustmap collect`, or the AWS CLI script), generating a new "
        "credential report first (`aws iam generate-credential-report`), and hand over the files unedited. "
        "If the sources still disagree, find out why before relying on the audit."
    ),
    compliance=refs(("NIST", "AU-9"), ("NIST", "CA-7")),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html",
        "https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountSummary.html",
        "https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html",
    ),
    requires=(),
    applies_to="account",
)

#: The account-level exports that are compared, and what each is called in a pass message.
_COMPARED: tuple[tuple[Kind, str], ...] = (
    (Kind.IAM_AUTH_DETAILS, "authorization details"),
    (Kind.IAM_CREDENTIAL_REPORT, "credential report"),
    (Kind.IAM_SUMMARY, "account summary"),
    (Kind.IAM_VIRTUAL_MFA, "virtual MFA devices"),
)
_OTHERS = ", ".join(name for _, name in _COMPARED[1:])


def _failure(
    ctx: RuleContext, account: str | None, found: list[Disagreement], config: ConfigComparison | None = None
) -> Outcome:
    kinds = sorted({k for d in found for k in d.kinds})
    where = account_label(ctx, account) if account else "the organization's exports"
    parts = []
    if found:
        parts.append(
            "; ".join(d.message for d in found) + f". Not used: {', '.join(kinds)}; "
            f"the checks that need them are not evaluated ({', '.join(rules_reading(kinds)) or 'none'})"
        )
    if config is not None and config.drifts:
        parts.append(_drift_text(config))
    evidence = [ref for d in found for ref in d.evidence]
    if config is not None:
        evidence.extend(_drift_evidence(config))
    return fail(
        f"{where}: " + ". ".join(parts),
        account=account,
        evidence=tuple(dict.fromkeys(evidence)),
        details={"kinds": kinds},
    )


def _merged(comparisons: tuple[ConfigComparison, ...]) -> dict[str, ConfigComparison]:
    """One comparison per account (IAM and each region's trails together)."""
    out: dict[str, ConfigComparison] = {}
    for c in comparisons:
        seen = out.get(c.account_id)
        if seen is None:
            out[c.account_id] = c
            continue
        out[c.account_id] = ConfigComparison(
            account_id=c.account_id,
            what=f"{seen.what}, {c.what}",
            compared=seen.compared + c.compared,
            drifts=seen.drifts + c.drifts,
            blocked="; ".join(b for b in (seen.blocked, c.blocked) if b),
            notes=tuple(dict.fromkeys(seen.notes + c.notes)),
        )
    return out


def _describe(drift: Drift) -> str:
    config = drift.config
    if config is None:
        return f"{drift.resource}: {drift.what} ({drift.cli})"
    captured = config.captured.strftime("%Y-%m-%dT%H:%M:%SZ") if config.captured else "unknown"
    return f"{drift.resource}: {drift.what} (AWS Config item captured {captured}, {config.ref})"


def _drift_text(config: ConfigComparison) -> str:
    notes = "".join(f"; {note}" for note in config.notes)
    return (
        f"the CLI export and AWS Config's items differ on {len(config.drifts)} point(s) (drift): "
        + "; ".join(_describe(d) for d in config.drifts)
        + "; "
        + "; ".join(dict.fromkeys(d.used for d in config.drifts))
        + notes
    )


def _drift_evidence(config: ConfigComparison) -> list[EvidenceRef]:
    found: list[EvidenceRef] = []
    for drift in config.drifts:
        found.extend(ref for ref in (drift.cli, drift.config.ref if drift.config else None) if ref is not None)
    return found


def check(ctx: RuleContext) -> Iterator[Outcome]:
    snapshot = ctx.snapshot
    by_account: dict[str | None, list[Disagreement]] = {}
    for disagreement in snapshot.disagreements:
        by_account.setdefault(disagreement.account_id, []).append(disagreement)
    if None in by_account:
        yield _failure(ctx, None, by_account[None])
    elif blocked := ctx.blocking((Kind.ORG_ACCOUNTS, Kind.ORG_DESCRIBE)):
        yield not_evaluated(missing_message(blocked) + ": the organization's exports cannot be compared")
    else:
        yield passed("describe-organization, list-accounts and the policies' targets agree")
    configs = _merged(snapshot.config_comparisons)
    for account in sorted(snapshot.accounts):
        config = configs.get(account)
        if account in by_account or (config is not None and config.drifts):
            yield _failure(ctx, account, by_account.get(account, []), config)
            continue
        compared = [name for kind, name in _COMPARED if not ctx.blocking((kind,), account)]
        if config is not None and not config.blocked and compared:
            compared.append("AWS Config's items")
        label = account_label(ctx, account)
        aside = (
            f"; AWS Config's items could not be compared: {config.blocked}"
            if config is not None and config.blocked
            else ""
        )
        details_blocked = ctx.blocking((Kind.IAM_AUTH_DETAILS,), account)
        if details_blocked:
            # Every comparison is with the authorization details: the others may all be usable.
            yield not_evaluated(
                f"{missing_message(details_blocked)}: every comparison is with the authorization details, so the "
                f"other exports of {label} ({', '.join(compared) or 'none usable'}) cannot be checked{aside}",
                account=account,
            )
        elif len(compared) >= 2:
            yield passed(f"{label}: the {', '.join(compared)} agree{aside}", account=account)
        else:  # the authorization details alone: none of the others, and no Config item to compare
            yield not_evaluated(
                f"not evaluated: {label} has fewer than two usable exports: none of its {_OTHERS} is usable to "
                f"compare with its authorization details{aside}",
                account=account,
            )


RULE = Rule(META, check)
