"""Rule behaviour the fixture driver cannot state: evidence of roles sharing one trust document (IDN-002
reads each document once), LOG-010 staying silent (no pass) on what it cannot decide, and LOG-009 deciding
the Config deliveries of several regions from the checks of one."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from analyzer.findings.result import Finding
from analyzer.pipeline import analyze
from analyzer.rules.base import Status
from analyzer.rules.catalog import log_009_bucket_policy_delivery as log_009
from tests.rule_cases import BASE, all_cases

AUTH = "iam/get-account-authorization-details.json"
WEAK_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}},
        }
    ],
}


def _with_weak_role(bundle: Path, account: str, position: int) -> None:
    """Give ``account`` a role ``Shared`` with the weak trust, as the ``position``-th role of its file."""
    path = bundle / account / AUTH
    details = json.loads(path.read_text())
    template = json.loads((BASE / "222222222222" / AUTH).read_text())["RoleDetailList"][0]
    role = copy.deepcopy(template)
    role.update(
        RoleName="Shared",
        RoleId=f"AROASHARED{account}",
        Arn=f"arn:aws:iam::{account}:role/Shared",
        AssumeRolePolicyDocument=WEAK_TRUST,
        AttachedManagedPolicies=[],
    )
    roles = details["RoleDetailList"]
    roles.insert(min(position, len(roles)), role)
    path.write_text(json.dumps(details))
    summary_path = bundle / account / "iam" / "get-account-summary.json"  # the summary counts it too
    summary = json.loads(summary_path.read_text())
    summary["SummaryMap"]["Roles"] = len(roles)
    summary_path.write_text(json.dumps(summary))


def test_idn_002_roles_sharing_a_trust_document_each_cite_their_own_file(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(BASE, bundle)
    _with_weak_role(bundle, "222222222222", 1)  # after Dev-Admin-Role: /RoleDetailList/1
    _with_weak_role(bundle, "333333333333", 0)  # the only role: /RoleDetailList/0
    findings = [f for f in analyze(bundle, only=["IDN-002"]).findings if f.status is Status.FAIL]
    by_account = {f.account or "": f for f in findings}
    assert sorted(by_account) == ["222222222222", "333333333333"], [f.message for f in findings]
    for account, index in (("222222222222", 1), ("333333333333", 0)):
        finding = by_account[account]
        assert finding.resource == f"arn:aws:iam::{account}:role/Shared"
        assert "weak MFA condition" in finding.message
        assert [(e.file, e.pointer) for e in finding.evidence] == [
            (f"{account}/{AUTH}", f"/RoleDetailList/{index}/AssumeRolePolicyDocument/Statement/0")
        ]


def _log_010(case_name: str, tmp_path: Path) -> dict[Status, list[str]]:
    case = next(c for c in all_cases() if c.id == f"LOG-010/{case_name}")
    findings = analyze(case.materialize(tmp_path / "bundle"), only=["LOG-010"]).findings
    out: dict[Status, list[str]] = {}
    for finding in findings:
        out.setdefault(finding.status, []).append(finding.subject or "")
    return {status: sorted(subjects) for status, subjects in out.items()}


def test_log_010_without_account_list_leaves_unknown_accounts_undecided_and_does_not_pass(tmp_path: Path) -> None:
    got = _log_010("account-list-missing-unknown-accounts-not-evaluated", tmp_path)
    assert got == {Status.NOT_EVALUATED: ["AWSCloudTrailWrite#confused-deputy", "PartnerUpload#open-write"]}


def test_log_010_without_account_list_still_decides_what_membership_does_not_change(tmp_path: Path) -> None:
    got = _log_010("account-list-missing-other-weaknesses-still-decided", tmp_path)
    assert got == {
        Status.FAIL: [
            "AWSLoggingBucketDelivery#confused-deputy",
            "AWSLoggingBucketPermissionsCheck#confused-deputy",
            "OpenUpload#open-write",
        ],
        Status.NOT_EVALUATED: ["PartnerUpload#open-write"],
    }


# ---------------------------------------------------------------------------------- LOG-009 across regions
DEV = "222222222222"


def _config_in_regions(bundle: Path, prefixes: dict[str, str]) -> None:
    """Enable each region of ``prefixes`` in the Development account, with its Config delivering under that prefix."""
    regions_file = bundle / DEV / "ec2" / "describe-regions.json"
    listed = json.loads(regions_file.read_text())
    for region in prefixes:
        if region != "us-east-1":
            listed["Regions"].append(
                {"Endpoint": f"ec2.{region}.amazonaws.com", "RegionName": region, "OptInStatus": "opt-in-not-required"}
            )
            shutil.copytree(bundle / DEV / "us-east-1" / "config", bundle / DEV / region / "config")
        channels_file = bundle / DEV / region / "config" / "describe-delivery-channels.json"
        channels = json.loads(channels_file.read_text())
        channels["DeliveryChannels"][0]["s3KeyPrefix"] = prefixes[region]
        channels_file.write_text(json.dumps(channels))
    regions_file.write_text(json.dumps(listed))


def _log_009(bundle: Path, monkeypatch: pytest.MonkeyPatch, *, neutral: bool) -> list[Finding]:
    """LOG-009's findings for the Development account; ``neutral=False`` judges every region's checks itself."""
    if not neutral:
        monkeypatch.setattr(log_009.Judge, "of", classmethod(lambda cls, lookup: cls(lookup, False)))
    findings = analyze(bundle, only=["LOG-009"]).findings
    monkeypatch.undo()
    return [f for f in findings if f.account == DEV]


@pytest.mark.parametrize(
    "prefixes",
    [
        {"us-east-1": "config", "eu-west-1": "config", "ap-southeast-2": "elsewhere"},
        {"us-east-1": "elsewhere", "eu-west-1": "elsewhere", "ap-southeast-2": "elsewhere"},
    ],
    ids=["one-region-refused", "every-region-refused"],
)
def test_log_009_checks_shared_across_regions_decide_as_each_region_alone(
    prefixes: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(BASE, bundle)
    _config_in_regions(bundle, prefixes)
    shared = _log_009(bundle, monkeypatch, neutral=True)
    assert shared == _log_009(bundle, monkeypatch, neutral=False)
    (finding,) = shared
    assert finding.status is Status.FAIL
    refused = sorted(region for region, prefix in prefixes.items() if prefix == "elsewhere")
    config_part = finding.message.split("Config for delivery channel default in ")[1]
    assert config_part.startswith(", ".join(refused) + ":"), finding.message
    cited = {e.file for e in finding.evidence}
    for region in prefixes:
        assert f"{DEV}/{region}/config/describe-delivery-channels.json" in cited


RECORDER_ROLE = f"arn:aws:iam::{DEV}:role/ConfigRecorder"
BUCKET_POLICY = "111111111111/s3/central-logs-111111111111/get-bucket-policy.json"


def _recorder_role_for_one_region(bundle: Path, region: str) -> None:
    """Config records as a customer role whose own policy lets it write only ``region``'s files; the bucket
    policy lets the role write too (so where the role may not, Config falls back to its service principal)."""
    path = bundle / DEV / AUTH
    details = json.loads(path.read_text())
    role = copy.deepcopy(details["RoleDetailList"][0])
    own = f"arn:aws:s3:::central-logs-111111111111/config/AWSLogs/{DEV}/Config/{region}/*"
    role.update(
        RoleName="ConfigRecorder",
        RoleId="AROACONFIGRECORDER01",
        Arn=RECORDER_ROLE,
        AttachedManagedPolicies=[],
        RolePolicyList=[
            {
                "PolicyName": "Deliver",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": own},
                        {
                            "Effect": "Allow",
                            "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
                            "Resource": "arn:aws:s3:::central-logs-111111111111",
                        },
                    ],
                },
            }
        ],
    )
    details["RoleDetailList"].append(role)
    path.write_text(json.dumps(details))
    for recorders_file in (bundle / DEV).glob("*/config/describe-configuration-recorders.json"):
        recorders = json.loads(recorders_file.read_text())
        recorders["ConfigurationRecorders"][0]["roleARN"] = RECORDER_ROLE
        recorders_file.write_text(json.dumps(recorders))
    bucket_file = bundle / BUCKET_POLICY
    wrapper = json.loads(bucket_file.read_text())
    policy = json.loads(wrapper["Policy"])
    policy["Statement"].append(
        {
            "Sid": "RecorderRole",
            "Effect": "Allow",
            "Principal": {"AWS": RECORDER_ROLE},
            "Action": ["s3:GetBucketAcl", "s3:ListBucket", "s3:PutObject"],
            "Resource": ["arn:aws:s3:::central-logs-111111111111", "arn:aws:s3:::central-logs-111111111111/*"],
        }
    )
    wrapper["Policy"] = json.dumps(policy)
    bucket_file.write_text(json.dumps(wrapper))


def test_log_009_does_not_share_checks_across_regions_when_the_recorder_role_tells_regions_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(BASE, bundle)
    _config_in_regions(bundle, {"us-east-1": "config", "eu-west-1": "config"})
    _recorder_role_for_one_region(bundle, "us-east-1")
    shared = _log_009(bundle, monkeypatch, neutral=True)
    assert shared == _log_009(bundle, monkeypatch, neutral=False)
    (finding,) = shared
    assert finding.status is Status.PASS, finding.message
    # us-east-1 delivers as the role; eu-west-1, which the role's policy leaves out, as Config's service principal
    assert f"Config writes as recorder role {RECORDER_ROLE}" in finding.message
    assert "AWSConfigWrite" in finding.message, finding.message
