"""``trustmap synth``: a synthetic organization's evidence bundle with known answers.

:func:`generate` draws a clean organization from the seed (:mod:`analyzer.synth.org_plan`),
plants defects at the requested rate (:mod:`analyzer.synth.defects`), streams every export into
the bundle (directory or ``.zip``) one account at a time, and writes ``EXPECTED.json``: the exact
set of ``fail`` results a correct analyzer reports, with the story of each planted defect.
Same options, same bytes: nothing reads the clock, every random choice comes from the seed.
"""

from __future__ import annotations

import dataclasses
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.synth import compose_org, ids, layout
from analyzer.synth import documents as docs
from analyzer.synth import shapes_credentials as creds
from analyzer.synth import shapes_iam as shapes
from analyzer.synth import synth_policies as pol
from analyzer.synth.config_cases import ConfigCases, plan_config_cases
from analyzer.synth.defect_base import PlantContext, Planted
from analyzer.synth.defects import plant_defects
from analyzer.synth.defects_activity import plant_activity
from analyzer.synth.expected import ExpectedFailure
from analyzer.synth.gen_activity import activity_files, activity_period
from analyzer.synth.gen_config import account_config_files, bucket_folder, config_expected, supplied_exports
from analyzer.synth.gen_iam import account_iam_files
from analyzer.synth.gen_logging import account_logging_files, bucket_files, org_trail_evidence
from analyzer.synth.org_plan import STAGES, OrgPlan, activity_period_days, plan_organization
from analyzer.synth.shapes_logging import error_record
from analyzer.synth.sink import BundleSink

Json = dict[str, Any]
EXPECTED_FILE = "EXPECTED.json"

#: The IAM action each exported command needs (for AccessDenied messages).
_ACTIONS = {
    "list-virtual-mfa-devices": "iam:ListVirtualMFADevices",
    "get-account-password-policy": "iam:GetAccountPasswordPolicy",
    "describe-delivery-channel-status": "config:DescribeDeliveryChannelStatus",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class SynthOptions:
    accounts: int = 20
    seed: int = 0
    regions: int = 15
    defect_rate: float = 0.05
    activity_days: int = 0  # synth --activity DAYS: every account delivers over DAYS days (0: planters only)
    config_snapshots: bool = False  # also write what each account's AWS Config delivers to the central bucket
    config_only: bool = False  # write only the central bucket's contents (implies config_snapshots)
    config_drift: str | None = None  # plant a trust drift between export and Config (gen_config.DRIFT_VARIANTS)

    @property
    def with_config(self) -> bool:
        return self.config_snapshots or self.config_only


@dataclass(frozen=True, slots=True)
class SynthSummary:
    out: Path
    files: int
    bytes: int
    plan: OrgPlan
    defects: tuple[Planted, ...]
    failures: tuple[ExpectedFailure, ...]


def _denied(path: str, account_id: str) -> Json:
    command = path.rsplit("/", 1)[-1].removesuffix(".json")
    action = _ACTIONS.get(command, command)
    return error_record(
        "AccessDenied",
        f"User: arn:aws:sts::{account_id}:assumed-role/SecurityAuditExport/trustmap-collector is not authorized "
        f"to perform: {action} because no identity-based policy allows the {action} action",
    )


def _apply_evidence_knobs(files: dict[str, Any], denied: list[str], missing: list[str], account_id: str) -> None:
    for path in denied:
        files.pop(path, None)
        files[layout.error_path(path)] = _denied(path, account_id)
    for path in missing:
        files.pop(path, None)


def organization_files(plan: OrgPlan) -> dict[str, Json]:
    members = [
        compose_org.MemberAccount(
            id=a.id, name=a.name, email=a.email, joined=a.joined, ou=a.ou, joined_method=a.joined_method
        )
        for a in plan.accounts
    ]
    used_ous = {a.ou for a in plan.accounts if a.ou}
    ous = [ou for ou in ("Security", *(name for _, name in STAGES)) if ou in used_ous]
    workload_ous = tuple(ou for ou in ous if ou != "Security")
    scps = [
        compose_org.full_aws_access(["Root", *ous, *(a.id for a in plan.accounts)]),
        compose_org.Scp(
            name="DenyLeaveOrganization",
            document=docs.deny_actions_scp(["organizations:LeaveOrganization"], "DenyLeavingTheOrganization"),
            targets=("Root",),
            description="Member accounts cannot leave the organization",
        ),
    ]
    if workload_ous:
        scps.append(
            compose_org.Scp(
                name="ProtectLogging",
                document=pol.protect_logging_scp(),
                targets=workload_ous,
                description="Workload accounts cannot switch their logging off",
            )
        )
    if plan.scp_blocked_roles:
        scps.append(
            compose_org.Scp(
                name="DenyDecommissionedDeployRoles",
                document=pol.deny_assume_roles_scp(sorted(plan.scp_blocked_roles)),
                targets=("Security",),
                description="Retired CI deployment paths",
            )
        )
    return compose_org.organization_files(plan.management.id, members, ous=ous, scps=scps, partition=plan.partition)


def former_account_files(account_id: str) -> dict[str, Any]:
    """A little, clean evidence from an account that left the organization (EVD-003)."""
    created = ids.utc("2015-11-03T15:27:09Z")
    rows = [
        creds.root_credential_row(
            account_id, created=created, password_last_used=ids.utc("2019-02-11T10:41:27Z"), mfa_active=True
        )
    ]
    summary = shapes.account_summary(
        users=0,
        groups=0,
        roles=1,
        policies=0,
        mfa_devices=1,
        mfa_devices_in_use=1,
        root_mfa=True,
        root_access_keys=False,
    )
    return {
        layout.iam_path(account_id, "get-account-summary"): summary,
        f"{account_id}/iam/credential-report.csv": creds.credential_report_csv(rows),
    }


def _options_document(options: SynthOptions) -> Json:
    document: Json = {
        "accounts": options.accounts,
        "seed": options.seed,
        "regions": options.regions,
        "defect_rate": options.defect_rate,
    }
    if options.activity_days:
        document["activity_days"] = options.activity_days
    if options.with_config:  # only then, so that bundles without Config files stay byte-identical
        document.update(config_snapshots=True, config_only=options.config_only, config_drift=options.config_drift)
    return document


def expected_document(
    options: SynthOptions, plan: OrgPlan, planted: list[Planted], config_cases: ConfigCases | None = None
) -> Json:
    failures = sorted({f.key for p in planted for f in p.failures})
    document: Json = {
        "generator": "trustmap synth",
        "options": _options_document(options),
        "organization": {
            "trail_design": "organization trail" if plan.org_trail else "per-account trails",
            "identity": plan.identity.id,
            "central_bucket": plan.bucket,
        },
        "failures": [dict(zip(("rule", "account", "region", "resource"), key, strict=True)) for key in failures],
        "defects": [
            {
                "rule": p.rule,
                "variant": p.variant,
                "where": p.where,
                "story": p.story,
                "failures": [
                    {
                        "rule": f.rule,
                        "account": f.account,
                        "region": f.region,
                        "resource": f.resource,
                        "defect": f.defect,
                    }
                    for f in p.failures
                ],
            }
            for p in planted
        ],
    }
    if config_cases is not None:
        document["config_snapshots"] = config_expected(plan, config_cases, planted, config_only=options.config_only)
    return document


def generate(out: Path, options: SynthOptions, *, replace: bool = False) -> SynthSummary:
    """Write the bundle for ``options`` to ``out`` (a directory, or a ``.zip`` file)."""
    plan = plan_organization(options.seed, options.accounts, options.regions)
    planted: list[Planted] = []
    if options.activity_days:
        plan.activity_days = activity_period_days(options.activity_days)
        plan.activity_everywhere = True
        rng = random.Random(f"trustmap-synth-activity:{options.seed}")  # noqa: S311 (seeded, not secret)
        planted += plant_activity(PlantContext(plan, rng))
    planted += plant_defects(plan, options.defect_rate, random.Random(f"trustmap-synth-defects:{options.seed}"))  # noqa: S311 (seeded, not secret)
    org_trail = org_trail_evidence(plan) if plan.org_trail else None
    if options.config_drift is not None and (options.config_only or not options.with_config):
        raise ValueError("a Config drift needs both the exports and the Config files (--config-snapshots)")
    cases = plan_config_cases(plan, options.config_drift) if options.with_config else None
    if cases is not None:
        planted = planted + cases.planted
    exports = not options.config_only
    supplied: set[str] = set()  # accounts whose missing exports their Config files supply
    with BundleSink(out, replace=replace) as sink:
        manifest: Json = {
            "collected_at": "2026-11-20T10:00:00Z",
            "identity_account": plan.identity.id,
            "log_bucket": plan.bucket,
            "partition": plan.partition,
        }
        if plan.activity or plan.activity_everywhere:
            manifest["activity_period"] = activity_period(plan)
        sink.add(layout.MANIFEST, manifest)
        bucket = bucket_files(plan)
        if exports:
            sink.add_all(organization_files(plan))
            sink.add_all(bucket)
        for account in plan.accounts:
            if account.knobs.no_evidence:
                continue
            files = account_iam_files(plan, account)
            files.update(account_logging_files(plan, account, org_trail))
            if cases is not None:
                known = {**files, **bucket} if account.id == plan.log_archive.id else files
                sink.add_all(account_config_files(plan, account, known, cases))
                if account.knobs.missing and set(account.knobs.missing) <= supplied_exports(plan, account, known):
                    supplied.add(account.id)
            if not exports:
                continue
            _apply_evidence_knobs(files, account.knobs.denied, account.knobs.missing, account.id)
            sink.add_all(files)
        if exports:
            for former in plan.former_accounts:
                sink.add_all(former_account_files(former))
        planted = [_supplied_by_config(p, supplied) for p in planted]
        activity = activity_files(plan)
        if not exports:  # the bucket's CloudTrail objects only (no list-public-keys: not in the bucket)
            activity = {path: data for path, data in activity.items() if path.startswith(bucket_folder(plan) + "/")}
        sink.add_all(activity)
        document = expected_document(options, plan, planted, cases)
        sink.add(EXPECTED_FILE, json.dumps(document, indent=2, sort_keys=True) + "\n")
    failures = tuple(f for p in planted for f in p.failures)
    return SynthSummary(out, sink.files, sink.bytes, plan, tuple(planted), failures)


def _supplied_by_config(planted: Planted, accounts: set[str]) -> Planted:
    """An EVD-001 export left out of an account whose Config files state the same facts is no missing
    evidence: the defect stays in EXPECTED.json's stories, without its failure."""
    kept = tuple(f for f in planted.failures if not (f.rule == "EVD-001" and f.account in accounts))
    if kept == planted.failures:
        return planted
    story = f"{planted.story} AWS Config's recorder item in the bucket states the same facts: nothing is missing."
    return dataclasses.replace(planted, story=story, failures=kept)


def read_expected(bundle: Path) -> set[tuple[str, str, str, str]]:
    """The (rule, account, region, resource) keys of a generated bundle's ``EXPECTED.json``."""
    if bundle.suffix == ".zip":
        import zipfile

        with zipfile.ZipFile(bundle) as archive:
            document = json.loads(archive.read(EXPECTED_FILE))
    else:
        document = json.loads((bundle / EXPECTED_FILE).read_text(encoding="utf-8"))
    return {(f["rule"], f["account"], f["region"], f["resource"]) for f in document["failures"]}
