"""What each account's AWS Config delivers to the central bucket (``trustmap synth --config-snapshots``).

Every item is derived from the account's own CLI exports as the generator writes them (GAAD, the
owned trail's describe-trails entry, the recorders, the delivery channel and its status, the central
bucket's policy), so a bundle of Config files states the same facts as the exports: same users,
groups, roles, trusts, customer managed policies, trail and bucket policy. Where the exports say a
region has no recorder, a stopped one, or a channel to another bucket, the central bucket holds
nothing (or nothing after the stop) for it; where the bucket policy refuses the account's deliveries
(LOG-009 defects), it holds nothing for the account. The snapshot of a region is dated at its
channel status's last successful snapshot delivery, its routine history file at the last successful
history delivery, so the files and ``describe-delivery-channel-status`` agree.

Global IAM items (``awsRegion`` ``global``) are in the snapshots of the regions whose recorder
includes global resource types only (the home region, unless a LOG-007 defect changed it).
AWS-managed policies are not recorded (``AWS::IAM::Policy`` items are the account's customer managed
policies); an identity's attachment to one is in its ``attachedManagedPolicies`` all the same.

The planted cases are drawn by :mod:`analyzer.synth.config_cases`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from analyzer.synth import documents as docs
from analyzer.synth import ids, layout
from analyzer.synth import shapes_config as cfg
from analyzer.synth.config_cases import ConfigCases, HistoryEvent, delivering, drift_capture, history_key_of, iam_item
from analyzer.synth.config_only import config_only_outcomes
from analyzer.synth.defect_base import Planted
from analyzer.synth.gen_iam import READONLY_ROLE
from analyzer.synth.org_plan import CONFIG_PREFIX, AccountPlan, OrgPlan

Json = dict[str, Any]

#: What the exports say and AWS Config does not record: no such resource type in the AWS Config resource
#: schema (github.com/awslabs/aws-config-resource-schema); AWS-managed policies are not recorded as items.
NOT_IN_CONFIG = (
    "credential report",
    "account password policy",
    "MFA devices",
    "AWS-managed policy documents",
    "trail status (get-trail-status) and event selectors",
    "delivery channels and their status",
    "Organizations: accounts, OUs, SCPs",
)


def bucket_folder(plan: OrgPlan) -> str:
    """The bundle folder of the copy of the central bucket (the activity logs sit beside it)."""
    return f"{plan.log_archive.id}/s3/{plan.bucket}"


def config_folder(plan: OrgPlan) -> str:
    """Where the bucket's ``config/AWSLogs/`` tree (the delivery channels' ``s3KeyPrefix``) is copied."""
    return f"{bucket_folder(plan)}/{CONFIG_PREFIX}"


# --------------------------------------------------------------------------- one account's files


def _rfc_time(text: str) -> datetime:
    return ids.utc(text)


@dataclass(frozen=True, slots=True)
class RegionRecording:
    """What one region's Config exports say about recording and delivery to the central bucket."""

    region: str
    recorder: Json
    recording: bool
    global_types: bool
    snapshot_at: datetime
    history_at: datetime | None


def _recordings(plan: OrgPlan, account_id: str, files: Mapping[str, Any]) -> Iterator[RegionRecording]:
    for region in plan.regions:
        outputs = {
            cmd: files[layout.regional_path(account_id, region, "config", cmd)] for cmd in layout.CONFIG_COMMANDS
        }
        recorders = outputs["describe-configuration-recorders"]["ConfigurationRecorders"]
        channels = outputs["describe-delivery-channels"]["DeliveryChannels"]
        if not recorders or not channels:
            continue
        channel = channels[0]
        if channel["s3BucketName"] != plan.bucket or channel.get("s3KeyPrefix") != CONFIG_PREFIX:
            continue
        status = outputs["describe-configuration-recorder-status"]["ConfigurationRecordersStatus"][0]
        delivery = outputs["describe-delivery-channel-status"]["DeliveryChannelsStatus"][0]
        snapshot = delivery["configSnapshotDeliveryInfo"].get("lastSuccessfulTime")
        history = delivery["configHistoryDeliveryInfo"].get("lastSuccessfulTime")
        if snapshot is None:
            continue
        yield RegionRecording(
            region=region,
            recorder=recorders[0],
            recording=bool(status["recording"]),
            global_types=bool(recorders[0]["recordingGroup"]["includeGlobalResourceTypes"]),
            snapshot_at=_rfc_time(snapshot),
            history_at=_rfc_time(history) if history else None,
        )


def _captured(seed: str, dates: Sequence[str], ceiling: datetime) -> datetime:
    """After the resource's last change (its newest date), never after ``ceiling``."""
    latest = max(ids.utc(d) for d in dates)
    moment = latest + timedelta(milliseconds=ids.stable_int(seed, 40_000, 3_600_000))
    return min(moment, ceiling - timedelta(seconds=61))


def _iam_items(
    plan: OrgPlan, account_id: str, gaad: Json, ceiling: datetime, drift: tuple[str, datetime] | None
) -> list[Json]:
    customer = [p for p in gaad["Policies"] if ":iam::aws:policy/" not in p["Arn"]]
    policy_ids = {p["Arn"]: p["PolicyId"] for p in customer}
    items: list[Json] = []

    def add(
        resource_type: str, detail: Json, config: Json, dates: Sequence[str], captured: datetime | None = None
    ) -> None:
        when = captured or _captured(detail["Arn"], dates, ceiling)
        item = iam_item(account_id, resource_type, detail, when, status="OK", config=config)
        attached = detail.get("AttachedManagedPolicies", [])
        item["relationships"] = cfg.policy_relationships(attached, policy_ids)
        items.append(item)

    for user in gaad["UserDetailList"]:
        add("AWS::IAM::User", user, cfg.user_configuration(user), [user["CreateDate"]])
    for group in gaad["GroupDetailList"]:
        add("AWS::IAM::Group", group, cfg.group_configuration(group), [group["CreateDate"]])
    for role in gaad["RoleDetailList"]:
        if drift is not None and role["Arn"] == drift[0]:
            trust = docs.account_trust(plan.identity.id, mfa="age", partition=plan.partition)
            add("AWS::IAM::Role", role, cfg.role_configuration(role, trust), [], captured=drift[1])
            continue
        used = role["RoleLastUsed"].get("LastUsedDate")  # Config's roleLastUsed: captured after it
        add("AWS::IAM::Role", role, cfg.role_configuration(role), [role["CreateDate"], *([used] if used else [])])
    for policy in customer:
        dates = [policy["CreateDate"], policy["UpdateDate"]] + [v["CreateDate"] for v in policy["PolicyVersionList"]]
        add("AWS::IAM::Policy", policy, cfg.policy_configuration(policy), dates)
    return items


def _regional_items(plan: OrgPlan, account: AccountPlan, rec: RegionRecording, files: Mapping[str, Any]) -> list[Json]:
    """The recorder, the owned trail (home region), the central bucket (Log Archive) and unrelated
    EC2 resources, every one captured before the snapshot."""
    acct, region, ceiling = account.id, rec.region, rec.snapshot_at
    since = account.joined + timedelta(days=3)
    recorder = rec.recorder
    items = [
        cfg.configuration_item(
            account_id=acct,
            region=region,
            resource_type="AWS::Config::ConfigurationRecorder",
            resource_id=recorder["name"],
            resource_name=recorder["name"],
            arn=recorder["arn"],
            captured=_captured(recorder["arn"], [ids.cli_timestamp(since)], ceiling),
            configuration=cfg.recorder_configuration(recorder, recording=rec.recording),
            availability_zone="Regional",
            created=since,
        )
    ]
    for trail in files[layout.regional_path(acct, region, "cloudtrail", "describe-trails")]["trailList"]:
        if trail["HomeRegion"] != region or trail["TrailARN"].split(":")[4] != acct:
            continue  # a shadow of a trail homed elsewhere or owned by another account: not recorded here
        items.append(
            cfg.configuration_item(
                account_id=acct,
                region=region,
                resource_type="AWS::CloudTrail::Trail",
                resource_id=trail["Name"],
                resource_name=trail["Name"],
                arn=trail["TrailARN"],
                captured=_captured(trail["TrailARN"], [ids.cli_timestamp(since)], ceiling),
                configuration=cfg.trail_configuration(trail),
                availability_zone="Regional",
            )
        )
    policy_path = layout.bucket_path(acct, plan.bucket)
    if policy_path in files and region == plan.home:
        created = account.joined + timedelta(days=1, minutes=17)
        items.append(
            cfg.configuration_item(
                account_id=acct,
                region=region,
                resource_type="AWS::S3::Bucket",
                resource_id=plan.bucket,
                resource_name=plan.bucket,
                arn=ids.s3_arn(plan.bucket, partition=plan.partition),
                captured=_captured(plan.bucket, [ids.cli_timestamp(created)], ceiling),
                configuration=cfg.bucket_configuration(plan.bucket, ids.hex_token(acct + "canonical", 64), created),
                supplementary=cfg.bucket_supplementary(files[policy_path]["Policy"]),
                availability_zone="Regional",
                created=created,
            )
        )
    items += unrelated_items(acct, region, ceiling, plan.partition)
    return items


def unrelated_items(account_id: str, region: str, ceiling: datetime, partition: str = "aws") -> list[Json]:
    """A default VPC, its subnets and security groups: resources no trustmap rule reads (a reader filters)."""
    seed = f"{account_id}:{region}"
    vpc = "vpc-" + ids.hex_token(seed + "vpc", 17)
    made = ceiling - timedelta(days=ids.stable_int(seed, 30, 900))
    at = _captured(seed, [ids.cli_timestamp(made)], ceiling)
    arn = f"arn:{partition}:ec2:{region}:{account_id}"
    items = [
        cfg.configuration_item(
            account_id=account_id,
            region=region,
            resource_type="AWS::EC2::VPC",
            resource_id=vpc,
            resource_name=None,
            arn=f"{arn}:vpc/{vpc}",
            captured=at,
            configuration={
                "cidrBlock": "172.31.0.0/16",
                "dhcpOptionsId": "dopt-" + ids.hex_token(seed + "dopt", 17),
                "state": "available",
                "vpcId": vpc,
                "ownerId": account_id,
                "instanceTenancy": "default",
                "isDefault": True,
                "tags": [],
            },
            availability_zone="Multiple Availability Zones",
        )
    ]
    for n in range(ids.stable_int(seed + "subnets", 2, 6)):
        subnet = "subnet-" + ids.hex_token(f"{seed}subnet{n}", 17)
        zone = f"{region}{'abcdef'[n]}"
        items.append(
            cfg.configuration_item(
                account_id=account_id,
                region=region,
                resource_type="AWS::EC2::Subnet",
                resource_id=subnet,
                resource_name=None,
                arn=f"{arn}:subnet/{subnet}",
                captured=at,
                configuration={
                    "availabilityZone": zone,
                    "cidrBlock": f"172.31.{16 * n}.0/20",
                    "defaultForAz": True,
                    "mapPublicIpOnLaunch": True,
                    "state": "available",
                    "subnetId": subnet,
                    "vpcId": vpc,
                    "ownerId": account_id,
                    "tags": [],
                },
                relationships=[{"resourceType": "AWS::EC2::VPC", "resourceId": vpc, "name": "Is contained in Vpc"}],
                availability_zone=zone,
            )
        )
    for n in range(ids.stable_int(seed + "groups", 1, 8)):
        group = "sg-" + ids.hex_token(f"{seed}sg{n}", 17)
        name = "default" if n == 0 else f"app-{ids.hex_token(f'{seed}sgname{n}', 6)}"
        items.append(
            cfg.configuration_item(
                account_id=account_id,
                region=region,
                resource_type="AWS::EC2::SecurityGroup",
                resource_id=group,
                resource_name=name,
                arn=f"{arn}:security-group/{group}",
                captured=at,
                configuration={
                    "description": "default VPC security group" if n == 0 else f"{name} tier",
                    "groupName": name,
                    "ipPermissions": [
                        {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "ipv4Ranges": [{"cidrIp": "10.0.0.0/8"}]}
                    ],
                    "ownerId": account_id,
                    "groupId": group,
                    "ipPermissionsEgress": [{"ipProtocol": "-1", "ipv4Ranges": [{"cidrIp": "0.0.0.0/0"}]}],
                    "vpcId": vpc,
                    "tags": [],
                },
                relationships=[{"resourceType": "AWS::EC2::VPC", "resourceId": vpc, "name": "Is contained in Vpc"}],
                availability_zone="Not Applicable",
            )
        )
    return items


def _routine_history(account_id: str, region: str, history_at: datetime, partition: str) -> tuple[str, bytes]:
    """A security group changed shortly before the region's last history delivery."""
    changed = history_at - timedelta(minutes=ids.stable_int(f"{account_id}{region}change", 20, 300))
    group = next(
        i
        for i in unrelated_items(account_id, region, history_at, partition)
        if i["resourceType"] == "AWS::EC2::SecurityGroup"
    )
    item = cfg.configuration_item(
        account_id=account_id,
        region=region,
        resource_type=group["resourceType"],
        resource_id=group["resourceId"],
        resource_name=group["resourceName"],
        arn=group["ARN"],
        captured=changed,
        configuration={**group["configuration"], "ipPermissions": []},
        relationships=group["relationships"],
        availability_zone=group["availabilityZone"],
    )
    key = cfg.history_key(account_id, region, item["resourceType"], changed, history_at)
    return key, cfg.gzipped(cfg.history_file([item]))


def account_config_files(
    plan: OrgPlan, account: AccountPlan, files: Mapping[str, Any], cases: ConfigCases
) -> dict[str, bytes]:
    """The account's Config objects in the central bucket, ``{bundle path: gzip bytes}``.

    ``files`` are the account's CLI exports before any evidence knob removed one (the Log Archive
    account's also hold the bucket policy); empty when the bucket receives nothing from it.
    """
    if not delivering(plan, account):
        return {}
    out: dict[str, bytes] = {}
    gaad = files[layout.iam_path(account.id, "get-account-authorization-details")]
    drift_arn = ids.iam_arn(account.id, "role", READONLY_ROLE, partition=plan.partition)
    for rec in _recordings(plan, account.id, files):
        items = _regional_items(plan, account, rec, files)
        cases.bucket_item |= any(i["resourceType"] == "AWS::S3::Bucket" for i in items)
        if rec.global_types:
            drift = None
            if cases.drift_account == account.id and cases.drift_variant == "export-newer":
                drift = (drift_arn, drift_capture(plan, "export-newer"))
            items += _iam_items(plan, account.id, gaad, rec.snapshot_at, drift)
            cases.iam_accounts.add(account.id)
        items.sort(key=lambda i: (i["resourceType"], i["resourceId"]))
        snapshot = cfg.snapshot_id(f"{account.id}:{rec.region}:{rec.snapshot_at}")
        key = cfg.snapshot_key(account.id, rec.region, rec.snapshot_at, snapshot)
        out[f"{config_folder(plan)}/{key}"] = cfg.gzipped(cfg.snapshot_file(snapshot, items))
        if rec.history_at is not None:
            key, data = _routine_history(account.id, rec.region, rec.history_at, plan.partition)
            out[f"{config_folder(plan)}/{key}"] = data
        if rec.global_types and cases.drift_account == account.id and cases.drift_variant == "config-newer":
            role = next(r for r in gaad["RoleDetailList"] if r["Arn"] == drift_arn)
            trust = docs.account_trust(plan.identity.id, mfa="age", partition=plan.partition)
            captured = drift_capture(plan, "config-newer")
            item = iam_item(
                account.id, "AWS::IAM::Role", role, captured, status="OK", config=cfg.role_configuration(role, trust)
            )
            event = HistoryEvent(account.id, rec.region, item, captured + timedelta(minutes=23))
            out[f"{config_folder(plan)}/{history_key_of(event)}"] = cfg.gzipped(cfg.history_file([item]))
    for event in cases.events_of(account.id):
        out[f"{config_folder(plan)}/{history_key_of(event)}"] = cfg.gzipped(cfg.history_file([event.item]))
    return out


def supplied_exports(plan: OrgPlan, account: AccountPlan, files: Mapping[str, Any]) -> frozenset[str]:
    """The account's CLI export paths whose facts its delivered Config files state in a form a reader
    uses in their place: ``describe-configuration-recorders`` of each region whose snapshot holds the
    recorder's ``AWS::Config::ConfigurationRecorder`` item (AWS Config resource type list:
    https://docs.aws.amazon.com/config/latest/developerguide/resource-config-reference.html). A bundle
    missing such an export (an EVD-001 defect) misses no evidence when the Config files are in it.
    ``files`` as for :func:`account_config_files`."""
    if not delivering(plan, account):
        return frozenset()
    return frozenset(
        layout.regional_path(account.id, rec.region, "config", "describe-configuration-recorders")
        for rec in _recordings(plan, account.id, files)
    )


def config_expected(plan: OrgPlan, cases: ConfigCases, planted: Sequence[Planted], *, config_only: bool) -> Json:
    """The ``config_snapshots`` section of ``EXPECTED.json`` (with, for a Config-only bundle, what it
    analyzes to: :mod:`analyzer.synth.config_only`)."""
    silent = [
        {
            "account": a.id,
            "why": "no evidence at all (EVD-001 defect)"
            if a.knobs.no_evidence
            else "the bucket policy refuses its deliveries (LOG-009 defect)",
        }
        for a in plan.accounts
        if not delivering(plan, a)
    ]
    document: Json = {
        "bundle": "config-only" if config_only else "with-exports",
        "folder": f"{config_folder(plan)}/AWSLogs/",
        "accounts_without_files": silent,
        "planted": cases.records,
        # ``failures`` above are the organization's; these facts are in the exports only, so a Config-only
        # bundle leaves the checks that need them not evaluated
        "not_in_config": list(NOT_IN_CONFIG),
    }
    if config_only:
        document |= config_only_outcomes(
            planted,
            silent={row["account"] for row in silent},
            without_iam={a.id for a in plan.accounts if a.id not in cases.iam_accounts},
            identity=plan.identity.id,
            bucket_item=cases.bucket_item,
            scp_blocked=plan.scp_blocked_paths,
            lateral_trusts=plan.lateral_trusts,
        )
    return document
