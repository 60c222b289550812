"""Config cases planted by ``trustmap synth --config-snapshots``, listed in ``EXPECTED.json`` under
``config_snapshots`` (:class:`ConfigCases`). They are drawn from a random source of their own, so the rest
of the bundle is the same with or without them:

* ``deleted-role`` / ``deleted-user``: a history of ``ResourceDiscovered`` then ``ResourceDeleted``
  for a role trusting an outside account and an IAM user of a member account, both gone before the
  collection (a reader that kept them would report IDN-004 / IDN-001 failures that do not exist);
* ``newer-than-collection``: a role created two hours after ``collected_at``, trusting an outside
  account (to be noted, not used);
* ``drift`` (``--config-drift``, with exports only): a member account's CrossAccountReadOnly whose
  trust in Config asks MFA by age (``NumericLessThan aws:MultiFactorAuthAge``) where the export asks
  ``aws:MultiFactorAuthPresent``; either the Config capture is newer than the export
  (``config-newer``: captured 40 minutes after ``collected_at``, in a history file) or older
  (``export-newer``: captured 9 hours before it, in the snapshot). Both trusts require MFA, so the
  IDN verdicts do not depend on which one is used; the drift itself is expected as an EVD-004
  (sources disagree) failure of the account.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from analyzer.synth import documents as docs
from analyzer.synth import ids
from analyzer.synth import shapes_config as cfg
from analyzer.synth import shapes_iam as iam_shapes
from analyzer.synth.defect_base import Planted, fail, label
from analyzer.synth.expected import ExpectedFailure
from analyzer.synth.gen_iam import READONLY_ROLE
from analyzer.synth.org_plan import AccountPlan, OrgPlan

Json = dict[str, Any]

DRIFT_VARIANTS = ("config-newer", "export-newer")
OUTSIDER = "444455556666"


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One planted item in a history file: the item, and the time its file was delivered."""

    account: str
    region: str
    item: Json
    delivered: datetime


@dataclass
class ConfigCases:
    drift_variant: str | None = None
    drift_account: str | None = None
    events: list[HistoryEvent] = field(default_factory=list)
    records: list[Json] = field(default_factory=list)  # EXPECTED.json config_snapshots.planted
    planted: list[Planted] = field(default_factory=list)  # defects with failures (the drift)
    iam_accounts: set[str] = field(default_factory=set)  # accounts whose global IAM items were written
    bucket_item: bool = False  # whether the central bucket's own item (its policy) was written

    def events_of(self, account: str) -> list[HistoryEvent]:
        return [e for e in self.events if e.account == account]


def delivering(plan: OrgPlan, account: AccountPlan) -> bool:
    """Whether the central bucket receives the account's Config files (see the module docstring)."""
    knobs = plan.bucket_knobs
    refused = account.id in knobs.config_omitted or account.id in knobs.source_omitted
    return not (account.knobs.no_evidence or refused)


def _quiet(plan: OrgPlan, account: AccountPlan) -> bool:
    """A workload account no defect touched, whose home region records and delivers global items."""
    return (
        account.kind == "workload"
        and f"account:{account.id}" not in plan.used_slots
        and not account.knobs.logging
        and not account.knobs.extra_roles
        and delivering(plan, account)
    )


def _role_detail(account: str, name: str, trust: Json, created: datetime, plan: OrgPlan) -> Json:
    return iam_shapes.role_detail(
        account,
        name,
        created=created,
        trust_policy=trust,
        attached_policy_arns=[ids.aws_managed_policy_arn("ReadOnlyAccess")],
        partition=plan.partition,
    )


def iam_item(account: str, resource_type: str, detail: Json, captured: datetime, *, status: str, config: Json) -> Json:
    kind = resource_type.rsplit("::", 1)[-1]
    return cfg.configuration_item(
        account_id=account,
        region=cfg.GLOBAL,
        resource_type=resource_type,
        resource_id=detail[f"{kind}Id"],
        resource_name=detail[f"{kind}Name"],
        arn=detail["Arn"],
        captured=captured,
        configuration=config,
        status=status,
        created=ids.utc(detail["CreateDate"]),
    )


def _lifecycle(
    plan: OrgPlan, account: AccountPlan, resource_type: str, detail: Json, config: Json, times: Sequence[datetime]
) -> list[HistoryEvent]:
    """History events of a resource discovered at ``times[0]`` (and deleted at ``times[1]``)."""
    statuses = ("ResourceDiscovered", "ResourceDeleted")
    events = []
    for status, captured in zip(statuses, times, strict=False):
        item = iam_item(account.id, resource_type, detail, captured, status=status, config=config)
        delivered = captured + timedelta(minutes=ids.stable_int(detail["Arn"] + status, 5, 50))
        events.append(HistoryEvent(account.id, plan.home, item, delivered))
    return events


def _record(case: str, account: AccountPlan, events: Sequence[HistoryEvent], expect: str, **extra: Any) -> Json:
    first = events[0].item
    return {
        "case": case,
        "account": account.id,
        "region": events[0].region,
        "resource_type": first["resourceType"],
        "resource_id": first["resourceId"],
        "arn": first["ARN"],
        "items": [
            {
                "status": e.item["configurationItemStatus"],
                "captured": e.item["configurationItemCaptureTime"],
                "configuration_state_id": e.item["configurationStateId"],
                "key": history_key_of(e),
            }
            for e in events
        ],
        "expect": expect,
        **extra,
    }


def history_key_of(event: HistoryEvent) -> str:
    captured = ids.utc(event.item["configurationItemCaptureTime"])
    return cfg.history_key(event.account, event.region, event.item["resourceType"], captured, event.delivered)


def _deleted_role(plan: OrgPlan, account: AccountPlan, cases: ConfigCases) -> None:
    created = plan.collected_at - timedelta(days=20, hours=3, minutes=11)
    detail = _role_detail(
        account.id, "legacy-vendor-access", docs.external_trust(ids.root_arn(OUTSIDER)), created, plan
    )
    times = (created + timedelta(minutes=4, seconds=7), plan.collected_at - timedelta(days=3, hours=5))
    events = _lifecycle(plan, account, "AWS::IAM::Role", detail, cfg.role_configuration(detail), times)
    cases.events += events
    cases.records.append(
        _record(
            "deleted-role",
            account,
            events,
            "deleted before the collection: not in the model; if it were, IDN-004 would fail (trust of an outside "
            "account without conditions)",
        )
    )


def _deleted_user(plan: OrgPlan, account: AccountPlan, cases: ConfigCases) -> None:
    created = plan.collected_at - timedelta(days=41, hours=7, minutes=2)
    upload = docs.allow_actions_policy(["s3:PutObject"], [f"arn:{plan.partition}:s3:::{account.name}-handover/*"])
    detail = iam_shapes.user_detail(
        account.id,
        "temp-contractor",
        created=created,
        inline_policies=[iam_shapes.inline_policy("Handover", upload)],
        partition=plan.partition,
    )
    times = (created + timedelta(minutes=2, seconds=41), plan.collected_at - timedelta(days=6, hours=2))
    events = _lifecycle(plan, account, "AWS::IAM::User", detail, cfg.user_configuration(detail), times)
    cases.events += events
    cases.records.append(
        _record(
            "deleted-user",
            account,
            events,
            "deleted before the collection: not in the model; if it were, IDN-001 would fail (an IAM user in a "
            "member account)",
        )
    )


def _newer_role(plan: OrgPlan, account: AccountPlan, cases: ConfigCases) -> None:
    created = plan.collected_at + timedelta(hours=2, minutes=3, seconds=17)
    detail = _role_detail(account.id, "vendor-break-glass", docs.external_trust(ids.root_arn(OUTSIDER)), created, plan)
    events = _lifecycle(
        plan, account, "AWS::IAM::Role", detail, cfg.role_configuration(detail), (created + timedelta(seconds=52),)
    )
    cases.events += events
    cases.records.append(
        _record(
            "newer-than-collection",
            account,
            events,
            "captured after the manifest's collected_at: noted, not used; if it were, IDN-004 would fail",
            collected_at=cfg.config_time(plan.collected_at),
        )
    )


def _drift(plan: OrgPlan, account: AccountPlan, variant: str, cases: ConfigCases) -> None:
    """Only the choice and its record: the drifted item is written by :func:`account_config_files`."""
    cases.drift_account, cases.drift_variant = account.id, variant
    identity = plan.identity.id
    arn = ids.iam_arn(account.id, "role", READONLY_ROLE, partition=plan.partition)
    captured = drift_capture(plan, variant)
    cases.records.append(
        {
            "case": "drift",
            "variant": variant,
            "account": account.id,
            "region": plan.home,
            "resource_type": "AWS::IAM::Role",
            "arn": arn,
            "export_trust": docs.account_trust(identity, mfa="bool", partition=plan.partition),
            "config_trust": docs.account_trust(identity, mfa="age", partition=plan.partition),
            "export_captured": cfg.config_time(plan.collected_at),
            "config_captured": cfg.config_time(captured),
            "newer": "config" if variant == "config-newer" else "export",
            "expect": "an evidence finding (EVD-004) naming the role's two trusts and capture times; the verdicts "
            "use the newer capture, and both trusts require MFA, so no IDN result changes",
        }
    )
    failure: ExpectedFailure = fail("EVD-004", account.id, f"trust policy drift between export and Config ({variant})")
    cases.planted.append(
        Planted(
            "EVD-004",
            f"config-drift-{variant}",
            f"{label(account)}, role `{READONLY_ROLE}`",
            "The role's trust in AWS Config asks MFA by age; the export's asks aws:MultiFactorAuthPresent "
            f"({'Config' if variant == 'config-newer' else 'the export'} is the newer capture).",
            (failure,),
        )
    )


def drift_capture(plan: OrgPlan, variant: str) -> datetime:
    """``config-newer``: 40 minutes after the collection, in a history file; ``export-newer``: 9 hours
    before it, so before any snapshot of the day (snapshots are 1 to 8.3 hours old at collection)."""
    if variant == "config-newer":
        return plan.collected_at + timedelta(minutes=40, seconds=12)
    return plan.collected_at - timedelta(hours=9, minutes=13, seconds=5)


def plan_config_cases(plan: OrgPlan, drift: str | None = None) -> ConfigCases:
    """Choose the accounts of the planted cases (a random source of their own; no slot claimed)."""
    if drift is not None and drift not in DRIFT_VARIANTS:
        raise ValueError(f"drift must be one of {DRIFT_VARIANTS}")
    rng = random.Random(f"trustmap-synth-config:{plan.seed}")  # noqa: S311 (seeded, not secret)
    quiet = [a for a in plan.accounts if _quiet(plan, a)]
    rng.shuffle(quiet)
    cases = ConfigCases()
    planters = [_deleted_role, _deleted_user, _newer_role]
    for index, planter in enumerate(planters):
        if quiet:
            planter(plan, quiet[index % len(quiet)], cases)
    if drift is not None and len(quiet) > len(planters):
        _drift(plan, quiet[len(planters)], drift, cases)
    elif drift is not None and quiet:
        _drift(plan, quiet[-1], drift, cases)
    return cases
