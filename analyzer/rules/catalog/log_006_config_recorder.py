"""LOG-006: every expected region of every account has a Config recorder that is recording.

Per account and expected region: a customer-managed recorder exists, its status says
``recording: true`` and ``lastStatus`` is SUCCESS or PENDING (compared case-insensitively: the API
model says ``Success``, the service sends ``SUCCESS``). Service-linked recorders do not count.
Where the status is not in the bundle, or says nothing of the last delivery (AWS Config's own item of
the recorder holds ``Recording`` only), a snapshot or history file Config delivered for the account
and region within 24 hours before the collection shows it recording
(:mod:`analyzer.rules.support.config_recording`).
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.model.entities import ConfigRecorder
from analyzer.model.evidence import EvidenceState, EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.rules.base import (
    Outcome,
    Pillar,
    Rule,
    RuleMeta,
    Severity,
    Status,
    fail,
    missing_message,
    not_evaluated,
    passed,
)
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.config_recording import Delivery, recent_delivery
from analyzer.rules.support.log_delivery import customer_recorders, recorder_label, region_gaps
from analyzer.rules.support.scope import uncollected_outcomes

META = RuleMeta(
    id="LOG-006",
    title="Region without a recording AWS Config recorder",
    severity=Severity.HIGH,
    pillar=Pillar.LOGGING,
    rationale=(
        "AWS Config is regional: a region without a recording recorder keeps no history of its resources, so a "
        "security group opened or an instance launched there leaves no configuration record. Attackers favour "
        "regions nobody watches. A recorder that exists but is stopped or failing records nothing."
    ),
    remediation=(
        "In each region: aws configservice put-configuration-recorder --configuration-recorder "
        "name=default,roleARN=<role> --recording-group allSupported=true, a delivery channel to the central "
        "bucket (put-delivery-channel), then aws configservice start-configuration-recorder "
        "--configuration-recorder-name default; or deploy it organization-wide with CloudFormation StackSets."
    ),
    compliance=refs(("CIS3", "3.3"), ("CIS4", "3.3"), ("NIST", "CM-8"), ("NIST", "CM-3")),
    references=(
        "https://docs.aws.amazon.com/config/latest/developerguide/stop-start-recorder.html",
        "https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigurationRecorderStatus.html",
    ),
    requires=(Kind.CONFIG_RECORDERS, Kind.CONFIG_RECORDER_STATUS),
    applies_to="region",
)

_HEALTHY = frozenset({"SUCCESS", "PENDING"})
#: ``recording`` as the status file writes it (``(absent)`` when the entry has none).
_RECORDING = {True: "true", False: "false", None: "(absent)"}


def _verdict(ctx: RuleContext, account: str, region: str) -> Outcome:
    where = {"account": account, "region": region}
    blocked = ctx.blocking((Kind.CONFIG_RECORDERS,), account, region)
    delivered = recent_delivery(ctx, account, region)
    if blocked:
        if delivered is not None and all(s.status is EvidenceStatus.MISSING for s in blocked):
            return passed(
                f"a configuration recorder of {account} in {region} is recording and delivering: "
                f"{delivered.describe()}, within 24 h before the collection (its settings are not in the bundle)",
                evidence=(delivered.ref,),
                **where,
            )
        return not_evaluated(missing_message(blocked), **where)
    recorders = customer_recorders(ctx, account, region)
    if not recorders:
        in_region = ctx.regional_config.recorders.get((account, region), ())
        linked = [r.name for r in in_region if r.service_linked]
        only = (
            f" (only service-linked recorders: {', '.join(linked)}; each records just what its service needs)"
            if linked
            else ""
        )
        return fail(f"{account} has no configuration recorder in {region}{only}: Config records nothing there", **where)
    status_blocked = ctx.blocking((Kind.CONFIG_RECORDER_STATUS,), account, region)
    outcomes = [_recorder(r, status_blocked, delivered) for r in recorders]
    # AWS allows one customer managed recorder per account and Region (API_PutConfigurationRecorder):
    # a second one listed is not AWS's output, and must not buy a pass. The worst verdict stands.
    for wanted in (Status.FAIL, Status.NOT_EVALUATED):
        found = next((o for o in outcomes if o.status is wanted), None)
        if found is not None:
            return found
    return outcomes[0]


def _recorder(recorder: ConfigRecorder, status_blocked: list[EvidenceState], delivered: Delivery | None) -> Outcome:
    where = {"account": recorder.account_id, "region": recorder.region}
    label = recorder_label(recorder)
    evidence = tuple(r for r in (recorder.ref, recorder.status_ref) if r is not None)
    if recorder.recording is False:
        return fail(f"{label} exists but is not recording (recording false)", evidence=evidence, **where)
    last = (recorder.last_status or "").upper()
    if last == "FAILURE":
        error = f": {recorder.last_error}" if recorder.last_error else ""
        return fail(f"{label} is recording but its last status is FAILURE{error}", evidence=evidence, **where)
    if delivered is not None and (recorder.status_ref is None or not last):
        # No status (or one without lastStatus, as AWS Config's own item of the recorder): Config's
        # recent delivery for this account and region is its record of recording.
        return passed(
            f"{label} is recording: {delivered.describe()}, within 24 h before the collection",
            evidence=(*evidence, delivered.ref),
            **where,
        )
    if recorder.status_ref is None:
        why = (
            missing_message(status_blocked)
            if status_blocked
            else "not evaluated: describe-configuration-recorder-status has no entry for it"
        )
        return not_evaluated(f"{why} (recording state of {label} unknown)", evidence=evidence, **where)
    if recorder.recording is True and last in _HEALTHY:
        return passed(f"{label} is recording (last status {last})", evidence=evidence, **where)
    return not_evaluated(
        f"not evaluated: the status of {label} gives recording {_RECORDING[recorder.recording]} and lastStatus "
        f"{recorder.last_status or '(absent)'}",
        evidence=evidence,
        **where,
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    for account in ctx.audited_accounts():
        regions = ctx.regions(account).regions
        if not regions:
            for _, states in region_gaps(ctx, account, (Kind.CONFIG_RECORDERS,)):
                yield not_evaluated(missing_message(states), account=account)
        for region in regions:
            yield _verdict(ctx, account, region)
    yield from uncollected_outcomes(ctx, "the configuration recorders")


RULE = Rule(META, check)
