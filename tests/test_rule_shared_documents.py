"""Rule behaviour the fixture driver cannot state: evidence of roles sharing one trust document (IDN-002
reads each document once), and LOG-010 staying silent (no pass) on what it cannot decide."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

from analyzer.pipeline import analyze
from analyzer.rules.base import Status
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
