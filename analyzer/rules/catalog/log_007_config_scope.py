"""LOG-007: Config records every supported resource type, and the global IAM types exactly once.

Two kinds of result (CFGUG ``select-resources``):

* per account and expected region: the recorder records all supported types (``allSupported`` and
  no inclusion/exclusion strategy). A region without a recorder is LOG-006's finding, not this one.
* per account (region ``None``): the global IAM types (``AWS::IAM::User|Group|Role|Policy``) are
  recorded in exactly one region; zero loses IAM history, more than one duplicates every item.
  Counted over the recorders' configuration (LOG-006 says whether they actually record). When a
  region's recorders are unknown the count is undecided unless it is already above one. AWS
  Config's snapshots of every region without a single global IAM item show the IAM types not
  recorded in practice, whatever a recorder's settings say (a snapshot lists every recorded
  resource, and every account holds IAM roles: :mod:`analyzer.rules.support.config_recording`).
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.model.entities import ConfigRecorder
from analyzer.model.kinds import Kind
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, missing_message, not_evaluated, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.config_recording import snapshots_without_global_iam
from analyzer.rules.support.log_delivery import customer_recorders, gap_text, recorder_label, region_gaps
from analyzer.rules.support.scope import scope_text, uncollected_outcomes

META = RuleMeta(
    id="LOG-007",
    title="AWS Config scope incomplete",
    severity=Severity.MEDIUM,
    pillar=Pillar.LOGGING,
    rationale=(
        "A recorder limited to a list of types misses every other resource (and every type AWS adds later). "
        "IAM users, groups, roles and policies are global: recorded in no region, the history of who was given "
        "which permission is lost; recorded in several, every change is duplicated and billed several times."
    ),
    remediation=(
        "aws configservice put-configuration-recorder --configuration-recorder name=default,roleARN=<role> "
        "--recording-group allSupported=true,includeGlobalResourceTypes=true in one region (for example the "
        "home region) and allSupported=true,includeGlobalResourceTypes=false in every other region."
    ),
    compliance=refs(("CIS3", "3.3"), ("CIS4", "3.3"), ("NIST", "CM-8")),
    references=(
        "https://docs.aws.amazon.com/config/latest/developerguide/select-resources.html",
        "https://docs.aws.amazon.com/config/latest/APIReference/API_RecordingGroup.html",
    ),
    requires=(Kind.CONFIG_RECORDERS,),
    applies_to="region",
)

_PARTIAL_STRATEGIES = frozenset({"INCLUSION_BY_RESOURCE_TYPES", "EXCLUSION_BY_RESOURCE_TYPES"})


def _scope_problem(recorder: ConfigRecorder) -> str | None:
    strategy = (recorder.strategy or "").upper()
    if strategy == "EXCLUSION_BY_RESOURCE_TYPES" or recorder.excluded_types:
        excluded = ", ".join(recorder.excluded_types) or "(none listed)"
        return f"records all types except {excluded} (EXCLUSION_BY_RESOURCE_TYPES)"
    if not recorder.all_supported or strategy in _PARTIAL_STRATEGIES:
        return f"records only {len(recorder.resource_types)} listed resource types, not all supported types"
    return None


def _region(ctx: RuleContext, account: str, region: str) -> Iterator[Outcome]:
    where = {"account": account, "region": region}
    blocked = ctx.blocking((Kind.CONFIG_RECORDERS,), account, region)
    if blocked:
        yield not_evaluated(missing_message(blocked), **where)
        return
    for recorder in customer_recorders(ctx, account, region):
        problem = _scope_problem(recorder)
        evidence = (recorder.ref.child("recordingGroup"),)
        if problem:
            yield fail(f"{recorder_label(recorder)} {problem}", evidence=evidence, subject=recorder.name, **where)
        else:
            yield passed(
                f"{recorder_label(recorder)} records all supported resource types",
                evidence=evidence,
                subject=recorder.name,
                **where,
            )


def _global(ctx: RuleContext, account: str) -> Outcome:
    recording = [r for r in customer_recorders(ctx, account) if r.records_global_iam()]
    regions = sorted({r.region for r in recording})
    evidence = tuple(r.ref.child("recordingGroup") for r in recording)
    gaps = region_gaps(ctx, account, (Kind.CONFIG_RECORDERS,))
    if len(regions) > 1:
        return fail(
            f"{account} records the global IAM resource types in {len(regions)} regions ({', '.join(regions)}): "
            "keep includeGlobalResourceTypes in exactly one region",
            account=account,
            evidence=evidence,
            subject="global-iam-types",
        )
    uncollected = ctx.regions(account)
    empty = snapshots_without_global_iam(ctx, account, uncollected.regions)
    if empty is not None:
        claim = f", although the recorder in {regions[0]} sets includeGlobalResourceTypes" if regions else ""
        return fail(
            f"{account}: AWS Config's snapshots of every region hold no IAM user, group, role or policy "
            f"({'; '.join(d.describe() for d in empty)}){claim}: the global IAM types are not recorded in practice",
            account=account,
            evidence=(*evidence, *(d.ref for d in empty)),
            subject="global-iam-types",
        )
    if gaps or uncollected.uncollected:
        unknown = "; ".join(
            ([gap_text(gaps)] if gaps else []) + ([scope_text(uncollected)] if uncollected.uncollected else [])
        )
        return not_evaluated(
            f"not evaluated: global IAM types recorded in {', '.join(regions) or 'no known region'}, but recorders "
            f"unknown in {unknown}",
            account=account,
            subject="global-iam-types",
        )
    if not regions:
        return fail(
            f"{account} records the global IAM resource types (AWS::IAM::User/Group/Role/Policy) in no region: "
            "IAM changes leave no configuration history",
            account=account,
            evidence=tuple(r.ref for r in customer_recorders(ctx, account)),
            subject="global-iam-types",
        )
    return passed(
        f"{account} records the global IAM resource types in exactly one region ({regions[0]})",
        account=account,
        evidence=evidence,
        subject="global-iam-types",
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    for account in ctx.audited_accounts():
        for region in ctx.regions(account).regions:
            yield from _region(ctx, account, region)
        yield _global(ctx, account)
    yield from uncollected_outcomes(ctx, "the recording scope of the configuration recorders")


RULE = Rule(META, check)
