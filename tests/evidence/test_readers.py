"""What the readers make of each kind: the entities, their values and their evidence refs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from analyzer.evidence import load_bundle
from analyzer.model.evidence import EvidenceRef
from analyzer.model.snapshot import AccountEvidence, Snapshot
from tests.evidence import conftest as shapes
from tests.evidence.conftest import BUCKET, DEV, IDENTITY, MGMT, REGION, BundleBuilder

GAAD = f"{IDENTITY}/iam/get-account-authorization-details.json"


def _load(builder: BundleBuilder, files: dict[str, Any]) -> Snapshot:
    for rel, content in files.items():
        builder.write(rel, content)
    snapshot = load_bundle(builder.root)
    bad = [(r.path, r.status.value, r.reason) for r in snapshot.inventory if r.problems or r.status.value != "loaded"]
    assert not bad, bad
    return snapshot


def _account(builder: BundleBuilder, files: dict[str, Any], account: str = IDENTITY) -> AccountEvidence:
    return _load(builder, files).accounts[account]


# --------------------------------------------------------------------------- IAM


def test_authorization_details_entities(builder: BundleBuilder) -> None:
    boundary = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": f"arn:aws:iam::{IDENTITY}:policy/Bound"}
    attached = [
        {"PolicyName": "Assume", "PolicyArn": f"arn:aws:iam::{IDENTITY}:policy/Assume"},
        {"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
    ]
    doc = shapes.gaad(
        IDENTITY,
        users=[
            shapes.user(
                IDENTITY,
                "alice",
                GroupList=["Staff"],
                AttachedManagedPolicies=attached,
                PermissionsBoundary=boundary,
                Tags=[{"Key": "team", "Value": "ops"}],
                UserPolicyList=[{"PolicyName": "Self", "PolicyDocument": shapes.ASSUME_POLICY}],
            )
        ],
        roles=[
            shapes.role(
                IDENTITY,
                "Admin",
                Path="/aws-reserved/sso.amazonaws.com/eu-west-1/",
                RoleLastUsed={"LastUsedDate": "2026-03-01T12:00:00+00:00", "Region": REGION},
            )
        ],
        policies=[
            shapes.managed_policy(IDENTITY, "Assume", shapes.ASSUME_POLICY, versions=3),
            shapes.managed_policy(IDENTITY, "Bound", shapes.ASSUME_POLICY),
        ],
    )
    account = _account(builder, {GAAD: doc})
    (alice,) = account.users
    assert (alice.name, alice.group_names, alice.tags) == ("alice", ("Staff",), (("team", "ops"),))
    assert alice.created == datetime(2026, 3, 2, 9, 14, 51, tzinfo=UTC)
    assert alice.ref == EvidenceRef(GAAD, "/UserDetailList/0")
    assert [p.name for p in alice.inline_policies] == ["Self"]
    assert alice.inline_policies[0].ref == EvidenceRef(GAAD, "/UserDetailList/0/UserPolicyList/0/PolicyDocument")
    assume, read_only = alice.attached_policies
    assert assume.policy is not None and assume.policy.kind == "managed"
    # only the default version (v3) is read, never the older Deny-all versions
    assert assume.policy.ref == EvidenceRef(GAAD, "/Policies/0/PolicyVersionList/2/Document")
    assert assume.policy.document.statements[0].effect == "Allow"
    assert read_only.policy is None  # not in the export: unresolved, not empty
    assert alice.boundary is not None and alice.boundary.policy is not None
    assert account.user("ALICE") is alice
    assert account.group("staff") is account.groups[0]
    (admin,) = account.roles
    assert admin.is_sso and admin.last_used == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert admin.trust_policy is not None and admin.trust_policy.kind == "trust"
    assert [p.default_version for p in account.managed_policies] == ["v3", "v1"]
    assert not any(p.aws_managed for p in account.managed_policies)


def test_managed_policy_without_default_version_is_unresolved(builder: BundleBuilder) -> None:
    policy = shapes.managed_policy(IDENTITY, "Broken", shapes.ASSUME_POLICY)
    policy["PolicyVersionList"] = []
    builder.write(GAAD, shapes.gaad(IDENTITY, policies=[policy]))
    snapshot = load_bundle(builder.root)
    (row,) = snapshot.inventory
    assert row.status.value == "loaded"
    assert [p.pointer for p in row.problems] == ["/Policies/0"]
    assert snapshot.accounts[IDENTITY].managed_policies[0].source is None


def test_invalid_policy_grammar_is_a_problem_with_a_pointer(builder: BundleBuilder) -> None:
    bad = {"Version": "2012-10-17", "Statement": [{"Effect": "Permit", "Action": "*", "Resource": "*"}]}
    builder.write(GAAD, shapes.gaad(IDENTITY, roles=[shapes.role(IDENTITY, "Odd", trust=bad)]))
    (row,) = load_bundle(builder.root).inventory
    assert [p.pointer for p in row.problems] == ["/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0/Effect"]
    assert "trust policy 'Odd'" in row.problems[0].message


def test_password_policy_summary_mfa_regions_and_features(builder: BundleBuilder) -> None:
    account = _account(
        builder,
        {
            f"{IDENTITY}/iam/get-account-password-policy.json": shapes.password_policy(MinimumPasswordLength=16),
            f"{IDENTITY}/iam/get-account-summary.json": shapes.account_summary(AccountMFAEnabled=0),
            f"{IDENTITY}/iam/list-virtual-mfa-devices.json": shapes.mfa_devices(IDENTITY),
            f"{IDENTITY}/iam/list-organizations-features.json": {"EnabledFeatures": ["RootCredentialsManagement"]},
            f"{IDENTITY}/ec2/describe-regions.json": {
                "Regions": [
                    {"RegionName": REGION, "OptInStatus": "opt-in-not-required"},
                    {"RegionName": "af-south-1", "OptInStatus": "not-opted-in"},
                    {"RegionName": "me-central-1", "OptInStatus": "opted-in"},
                ]
            },
        },
    )
    policy = account.password_policy
    assert policy is not None and not policy.is_default
    assert (policy.minimum_length, policy.max_age_days, policy.reuse_prevention) == (16, 90, 24)
    summary = account.summary
    assert summary is not None
    assert (summary.root_mfa_enabled, summary.root_access_keys_present, summary.root_password_present) == (
        False,
        False,
        None,
    )
    alice_device, root_device = account.mfa_devices  # sorted by serial
    assert root_device.is_root and not alice_device.is_root
    assert alice_device.enabled == datetime(2026, 3, 2, 9, 20, tzinfo=UTC)  # boto3 space format
    assert account.enabled_regions == ("me-central-1", REGION)
    assert account.root_credentials_managed_centrally


def test_credential_report_rows(builder: BundleBuilder) -> None:
    rel = f"{IDENTITY}/iam/get-credential-report.json"
    account = _account(builder, {rel: shapes.credential_report(IDENTITY)})
    report = account.credential_report
    assert report is not None
    assert report.generated == datetime(2026, 3, 2, 8, tzinfo=UTC)
    root, alice, odd = report.rows
    assert root.is_root and root.password_enabled is None and root.mfa_active
    assert root.password_last_changed is None  # not_supported
    assert root.access_keys == ()
    assert alice.password_enabled is True and alice.password_last_used is None  # no_information
    (key,) = alice.access_keys
    assert key.active and key.last_used == datetime(2024, 5, 2, 13, tzinfo=UTC)
    assert odd.user == "ops,bot" and odd.password_enabled is False and not odd.mfa_active  # FALSE
    (inactive,) = odd.access_keys
    assert not inactive.active and inactive.last_rotated == datetime(2023, 1, 1, tzinfo=UTC)
    assert alice.ref == EvidenceRef(rel, "/Content", "/line/3")


def test_credential_report_csv_file(builder: BundleBuilder) -> None:
    rel = f"{IDENTITY}/iam/credential-report.csv"
    reordered = shapes.report_csv(IDENTITY).splitlines()
    header = reordered[0].split(",")
    swap = [header.index("mfa_active"), header.index("user")]

    def swapped(line: str) -> str:
        import csv
        import io

        cells = next(csv.reader(io.StringIO(line)))
        cells[swap[0]], cells[swap[1]] = cells[swap[1]], cells[swap[0]]
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(cells)
        return out.getvalue()

    text = "\ufeff" + "\r\n".join(swapped(line) for line in reordered) + "\r\n"  # columns mapped by name, BOM, CRLF
    account = _account(builder, {rel: text})
    report = account.credential_report
    assert report is not None and report.generated is None
    assert [(r.user, r.mfa_active) for r in report.rows] == [
        ("<root_account>", True),
        ("alice", True),
        ("ops,bot", False),
    ]
    assert report.rows[1].ref == EvidenceRef(rel, "/line/3")


def test_bad_dates_in_the_report_are_problems_not_failures(builder: BundleBuilder) -> None:
    text = shapes.report_csv(IDENTITY).replace("2021-04-12T08:15:02+00:00", "last tuesday")
    rel = f"{IDENTITY}/iam/credential-report.csv"
    builder.write(rel, text)
    (row,) = load_bundle(builder.root).inventory
    assert row.status.value == "loaded"
    assert [p.pointer for p in row.problems] == ["/line/3/user_creation_time"]


# --------------------------------------------------------------------------- CloudTrail


def test_trails_are_deduplicated_by_arn_with_status_from_the_home_region(builder: BundleBuilder) -> None:
    base = f"{IDENTITY}"
    home = shapes.trail(IDENTITY, REGION, "main")
    local = shapes.trail(IDENTITY, "eu-west-1", "main", IsMultiRegionTrail=False, IsOrganizationTrail=False)
    files = {
        # the multi-region trail as seen from its home and from eu-west-1 (a shadow copy)
        f"{base}/{REGION}/cloudtrail/describe-trails.json": {"trailList": [home]},
        f"{base}/eu-west-1/cloudtrail/describe-trails.json": {"trailList": [home, local]},
        f"{base}/{REGION}/cloudtrail/get-trail-status/main.json": shapes.trail_status(logging=True),
        f"{base}/eu-west-1/cloudtrail/get-trail-status/main.json": shapes.trail_status(logging=False),
    }
    account = _account(builder, files)
    trails = {t.arn: t for t in account.trails}
    assert len(account.trails) == 2
    multi = trails[home["TrailARN"]]
    assert (multi.seen_in_region, multi.home_region, multi.owner_account_id) == (REGION, REGION, IDENTITY)
    assert multi.status is not None and multi.status.is_logging is True
    assert multi.status.ref == EvidenceRef(f"{base}/{REGION}/cloudtrail/get-trail-status/main.json")
    single = trails[local["TrailARN"]]
    assert single.status is not None and single.status.is_logging is False  # its own region's status
    assert (multi.s3_bucket, multi.s3_prefix, multi.kms_key, multi.sns_topic) == (BUCKET, "cloudtrail", None, None)


def test_status_is_never_borrowed_from_another_trail_of_the_same_name(builder: BundleBuilder) -> None:
    local = shapes.trail(IDENTITY, "eu-west-1", "main", IsMultiRegionTrail=False)
    files = {
        f"{IDENTITY}/eu-west-1/cloudtrail/describe-trails.json": {"trailList": [local]},
        f"{IDENTITY}/{REGION}/cloudtrail/describe-trails.json": {"trailList": []},
        f"{IDENTITY}/{REGION}/cloudtrail/get-trail-status/main.json": shapes.trail_status(),
    }
    (trail,) = _account(builder, files).trails
    assert trail.status is None


def test_organization_trail_seen_from_a_member(builder: BundleBuilder) -> None:
    builder.logging(DEV)
    (trail,) = load_bundle(builder.root).accounts[DEV].trails
    assert (trail.owner_account_id, trail.seen_in_account, trail.organization_trail) == (MGMT, DEV, True)
    assert trail.selectors is not None and trail.selectors.management_events


def test_basic_event_selectors_are_summarized(builder: BundleBuilder) -> None:
    arn = shapes.trail(IDENTITY, REGION)["TrailARN"]
    doc = {
        "TrailARN": arn,
        "EventSelectors": [
            {"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True, "ExcludeManagementEventSources": []},
            {
                "ReadWriteType": "WriteOnly",
                "IncludeManagementEvents": True,
                "ExcludeManagementEventSources": ["kms.amazonaws.com"],
            },
            {"ReadWriteType": "All", "IncludeManagementEvents": False, "DataResources": [{"Type": "AWS::S3::Object"}]},
        ],
    }
    files = {
        f"{IDENTITY}/{REGION}/cloudtrail/describe-trails.json": {"trailList": [shapes.trail(IDENTITY, REGION)]},
        f"{IDENTITY}/{REGION}/cloudtrail/get-event-selectors/org-audit.json": doc,
    }
    (trail,) = _account(builder, files).trails
    summary = trail.selectors
    assert summary is not None
    assert (summary.advanced, summary.management_events, summary.read_write, summary.excluded_sources) == (
        False,
        True,
        "All",
        (),  # kms is excluded by one selector but logged (for reads) by the other
    )


def test_advanced_event_selectors_are_summarized(builder: BundleBuilder) -> None:
    arn = shapes.trail(IDENTITY, REGION)["TrailARN"]
    doc = {
        "TrailARN": arn,
        "AdvancedEventSelectors": [
            {
                "Name": "Management writes, no KMS",
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Management"]},
                    {"Field": "readOnly", "Equals": ["false"]},
                    {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com", "rdsdata.amazonaws.com"]},
                ],
            },
            {
                "Name": "S3 data",
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Data"]},
                    {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                ],
            },
        ],
    }
    files = {
        f"{IDENTITY}/{REGION}/cloudtrail/describe-trails.json": {"trailList": [shapes.trail(IDENTITY, REGION)]},
        f"{IDENTITY}/{REGION}/cloudtrail/get-event-selectors/org-audit.json": doc,
    }
    (trail,) = _account(builder, files).trails
    summary = trail.selectors
    assert summary is not None
    assert (summary.advanced, summary.management_events, summary.read_write) == (True, True, "WriteOnly")
    assert summary.excluded_sources == ("kms.amazonaws.com", "rdsdata.amazonaws.com")
    assert summary.ref == EvidenceRef(
        f"{IDENTITY}/{REGION}/cloudtrail/get-event-selectors/org-audit.json", "/AdvancedEventSelectors"
    )


def test_advanced_selectors_without_management_events(builder: BundleBuilder) -> None:
    doc = {
        "TrailARN": shapes.trail(IDENTITY, REGION)["TrailARN"],
        "AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]}]}],
    }
    files = {
        f"{IDENTITY}/{REGION}/cloudtrail/describe-trails.json": {"trailList": [shapes.trail(IDENTITY, REGION)]},
        f"{IDENTITY}/{REGION}/cloudtrail/get-event-selectors/org-audit.json": doc,
    }
    (trail,) = _account(builder, files).trails
    assert trail.selectors is not None
    assert (trail.selectors.management_events, trail.selectors.read_write) == (False, "None")


# --------------------------------------------------------------------------- Config


def test_config_recorder_and_channel_status_are_linked(builder: BundleBuilder) -> None:
    base = f"{IDENTITY}/{REGION}/config"
    files = {
        f"{base}/describe-configuration-recorders.json": shapes.recorders(IDENTITY, include_global=False),
        f"{base}/describe-configuration-recorder-status.json": shapes.recorder_status(
            recording=False, last_status="Failure"
        ),
        f"{base}/describe-delivery-channels.json": shapes.channels(),
        f"{base}/describe-delivery-channel-status.json": shapes.channel_status(history="FAILURE", error="AccessDenied"),
    }
    account = _account(builder, files)
    (recorder,) = account.recorders
    assert (recorder.region, recorder.name, recorder.recording, recorder.last_status) == (
        REGION,
        "default",
        False,
        "FAILURE",
    )
    assert recorder.status_ref == EvidenceRef(
        f"{base}/describe-configuration-recorder-status.json", "/ConfigurationRecordersStatus/0"
    )
    assert recorder.all_supported and not recorder.records_global_iam()
    (channel,) = account.channels
    assert (channel.s3_bucket, channel.s3_prefix, channel.last_status, channel.last_error) == (
        BUCKET,
        "config",
        "FAILURE",
        "AccessDenied",
    )
    # Which delivery failed, and the status entry kept for itself (LOG-008 reads it when the
    # channel's settings are not in the bundle; API_DeliveryChannelStatus.html).
    assert channel.failed_delivery == "configHistoryDeliveryInfo"
    (status,) = account.channel_statuses
    assert (status.region, status.name, status.last_status, status.last_error, status.failed_delivery) == (
        REGION,
        "default",
        "FAILURE",
        "AccessDenied",
        "configHistoryDeliveryInfo",
    )
    assert status.ref == channel.status_ref
    assert account.regions_seen == (REGION,)


def test_channel_status_success_beside_not_applicable_is_success(builder: BundleBuilder) -> None:
    """History Not_Applicable (nothing to deliver) beside a successful snapshot delivery: SUCCESS, not
    "nothing delivered yet" (ConfigExportDeliveryInfo lastStatus Success | Failure | Not_Applicable,
    https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigExportDeliveryInfo.html)."""
    base = f"{IDENTITY}/{REGION}/config"
    files = {
        f"{base}/describe-delivery-channels.json": shapes.channels(),
        f"{base}/describe-delivery-channel-status.json": shapes.channel_status(history="Not_Applicable"),
    }
    (status,) = _account(builder, files).channel_statuses
    assert (status.last_status, status.failed_delivery) == ("SUCCESS", None)
    files[f"{base}/describe-delivery-channel-status.json"] = shapes.channel_status(
        history="Not_Applicable", snapshot="Not_Applicable"
    )
    (status,) = _account(builder, files).channel_statuses
    assert status.last_status == "NOT_APPLICABLE"


def test_channel_status_without_its_channel_is_kept(builder: BundleBuilder) -> None:
    """describe-delivery-channel-status without describe-delivery-channels: the failing snapshot delivery
    is still evidence (AWS Config API Reference, DeliveryChannelStatus / ConfigExportDeliveryInfo)."""
    rel = f"{IDENTITY}/{REGION}/config/describe-delivery-channel-status.json"
    account = _account(builder, {rel: shapes.channel_status(snapshot="FAILURE")})
    assert account.channels == ()
    (status,) = account.channel_statuses
    assert (status.account_id, status.last_status, status.last_error, status.failed_delivery) == (
        IDENTITY,
        "FAILURE",
        None,  # the snapshot's info carries no error code here
        "configSnapshotDeliveryInfo",
    )
    assert status.ref == EvidenceRef(rel, "/DeliveryChannelsStatus/0")


def test_recorder_without_status_file_has_unknown_recording(builder: BundleBuilder) -> None:
    rel = f"{IDENTITY}/{REGION}/config/describe-configuration-recorders.json"
    (recorder,) = _account(builder, {rel: shapes.recorders(IDENTITY)}).recorders
    assert recorder.recording is None and recorder.status_ref is None
    assert recorder.records_global_iam()


# --------------------------------------------------------------------------- Organizations and S3


def test_organization_accounts_and_scp(builder: BundleBuilder) -> None:
    content = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Sid": "NoLeave",
                "Effect": "Deny",
                "Action": "organizations:LeaveOrganization",
                "Resource": "*",
            },
        },
        indent=2,
    )
    accounts = shapes.list_accounts(IDENTITY, DEV)
    accounts["Accounts"][1]["Paths"] = [f"o-abcdefghij/r-ab12/ou-ab12-abcdefgh/{DEV}/"]
    accounts["Accounts"][1]["State"] = "SUSPENDED"
    snapshot = _load(
        builder,
        {
            "organization/describe-organization.json": shapes.describe_organization(),
            "organization/list-accounts.json": accounts,
            "organization/policies/p-abcd1234.json": shapes.scp("p-abcd1234", content),
            "organization/targets/p-abcd1234.json": shapes.targets("r-ab12", DEV),
        },
    )
    assert snapshot.organization is not None and snapshot.organization.management_account_id == MGMT
    dev = snapshot.org_account(DEV)
    assert dev is not None and not dev.active and dev.parent_path == ("r-ab12", "ou-ab12-abcdefgh")
    assert snapshot.org_account(IDENTITY) is not None and snapshot.org_account("999999999999") is None
    (policy,) = snapshot.scps
    assert (policy.id, policy.name, policy.targets, policy.targets_known) == (
        "p-abcd1234",
        "DenyLeave",
        (DEV, "r-ab12"),
        True,
    )
    assert snapshot.scps_complete
    statement = policy.source.document.statements[0]
    assert statement.effect == "Deny"
    # refs point into the document embedded as a string in Content
    assert policy.source.ref == EvidenceRef("organization/policies/p-abcd1234.json", "/Policy/Content", "")
    assert policy.source.statement_ref(statement) == EvidenceRef(
        "organization/policies/p-abcd1234.json", "/Policy/Content", "/Statement"
    )


def test_scp_without_targets_is_not_complete(builder: BundleBuilder) -> None:
    content = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    snapshot = _load(builder, {"organization/policies/p-FullAWSAccess.json": shapes.scp("p-FullAWSAccess", content)})
    assert not snapshot.scps_complete and not snapshot.scps[0].targets_known


def test_bucket_policy_string_is_parsed_with_refs_into_the_embedded_document(builder: BundleBuilder) -> None:
    rel = f"{IDENTITY}/s3/{BUCKET}/get-bucket-policy.json"
    snapshot = _load(builder, {rel: {"Policy": shapes.bucket_policy_text()}})
    policy = snapshot.bucket_policy(BUCKET)
    assert policy is not None and policy.account_id == IDENTITY
    assert policy.source.kind == "bucket" and policy.source.arn == f"arn:aws:s3:::{BUCKET}"
    write = policy.source.document.statements[1]
    assert write.sid == "AWSCloudTrailWrite"
    assert write.principal is not None and write.principal.service == ("cloudtrail.amazonaws.com",)
    assert policy.source.statement_ref(write) == EvidenceRef(rel, "/Policy", "/Statement/1")
    assert str(policy.source.statement_ref(write)) == f"{rel}#/Policy (in the embedded document: /Statement/1)"


def test_duplicate_key_in_a_bucket_policy_points_into_the_embedded_document(builder: BundleBuilder) -> None:
    rel = f"{IDENTITY}/s3/{BUCKET}/get-bucket-policy.json"
    text = (
        '{"Version": "2012-10-17", "Statement": '
        '[{"Effect": "Deny", "Effect": "Allow", "Action": "s3:*", "Principal": "*"}]}'
    )
    builder.write(rel, {"Policy": text})
    snapshot = load_bundle(builder.root)
    (row,) = snapshot.inventory
    assert row.status.value == "invalid"
    assert row.problems[0].pointer == "/Policy (embedded document /Statement/0)"
    assert snapshot.bucket_policy(BUCKET) is None


def test_organizations_features_not_enabled_is_an_answer_not_a_failure() -> None:
    from analyzer.evidence.errors import status_for
    from analyzer.model.evidence import EvidenceStatus
    from analyzer.model.kinds import Kind

    for code in ("ServiceAccessNotEnabledException", "OrganizationNotFoundException"):
        assert status_for(Kind.IAM_ORG_FEATURES, code) is EvidenceStatus.ABSENT_IN_AWS
    assert status_for(Kind.IAM_ORG_FEATURES, "AccessDenied") is EvidenceStatus.DENIED
