"""The OCSF and ASFF outputs: valid against their published models, complete, deterministic.

OCSF is checked with py-ocsf-models (the OCSF 1.5.0 Compliance Finding and Cloud objects, the models
Prowler publishes): each record must validate and survive a round trip through the model unchanged,
so no member is one the schema does not know. ASFF is checked with botocore's own Security Hub
service model (the BatchImportFindings request), plus the documented text limits.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from analyzer.pipeline import ScanResult, analyze
from analyzer.report import asff, ocsf
from analyzer.report.interchange import resource_type
from analyzer.rules.base import Status

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample-org"


@pytest.fixture(scope="module")
def result() -> ScanResult:
    return analyze(SAMPLE)


def _ocsf_records(result: ScanResult) -> list[dict[str, Any]]:
    return [json.loads(line) for line in ocsf.render(result)["findings.ocsf.jsonl"].decode().splitlines()]


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def test_every_result_is_one_valid_ocsf_compliance_finding(result: ScanResult) -> None:
    from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
    from py_ocsf_models.objects.cloud import Cloud

    records = _ocsf_records(result)
    assert len(records) == len(result.findings)
    for record in records:
        body = {k: v for k, v in record.items() if k != "cloud"}  # the cloud profile's object, checked below
        model = ComplianceFinding.model_validate(body)
        assert _without_nulls(model.model_dump(mode="json", exclude_unset=True)) == body, record["metadata"]["uid"]
        cloud = Cloud.model_validate(record["cloud"])
        assert _without_nulls(cloud.model_dump(mode="json", exclude_unset=True)) == record["cloud"]
        assert record["type_uid"] == record["class_uid"] * 100 + record["activity_id"]


def test_ocsf_carries_status_remediation_compliance_and_evidence(result: ScanResult) -> None:
    by_uid = {r["finding_info"]["uid"]: r for r in _ocsf_records(result)}
    collected = int(result.snapshot.manifest.collected_at.timestamp() * 1000)  # type: ignore[union-attr]
    for finding in result.findings:
        record = by_uid[finding.fingerprint]
        assert record["compliance"]["status_id"] == {"pass": 1, "fail": 3}.get(finding.status.value, 0)
        assert record["unmapped"]["result_status"] == finding.status.value
        assert record["compliance"]["control"] == finding.rule
        assert record["time"] == collected  # the collection time, never the clock
        assert record["remediation"]["desc"]
        assert [e["data"]["file"] for e in record.get("evidences", [])] == [e.file for e in finding.evidence]
        assert record["status_id"] == (3 if finding.is_suppressed else 1)
    cis = next(r for r in by_uid.values() if r["compliance"]["control"] == "CRD-001")
    assert "CIS AWS Foundations v3.0.0 1.5" in cis["compliance"]["requirements"]


def _asff_validator_report(body: dict[str, Any]) -> str:
    import botocore.session
    from botocore.validate import ParamValidator

    model = botocore.session.get_session().get_service_model("securityhub")
    shape = model.operation_model("BatchImportFindings").input_shape
    return ParamValidator().validate(body, shape).generate_report()


def test_asff_is_a_valid_batch_import_findings_request(result: ScanResult) -> None:
    files = asff.render(result)
    assert set(files) == {"findings.asff.json"}  # every result had an account to be filed under
    body = json.loads(files["findings.asff.json"])
    assert _asff_validator_report(body) == ""
    findings = body["Findings"]
    assert len(findings) == len(result.findings)
    assert len({f["Id"] for f in findings}) == len(findings)  # stable, unique ids: a re-import updates
    for item in findings:
        assert len(item["Title"]) <= 256 and len(item["Description"]) <= 1024
        assert len(item["Remediation"]["Recommendation"]["Text"]) <= 512
        assert item["ProductArn"].endswith(f":{item['AwsAccountId']}:product/{item['AwsAccountId']}/default")
        assert item["CreatedAt"] == item["UpdatedAt"] == "2026-11-20T10:00:00Z"
    statuses = {(f["ProductFields"]["trustmap/Status"], f["Compliance"]["Status"]) for f in findings}
    assert statuses == {("pass", "PASSED"), ("fail", "FAILED"), ("not_evaluated", "NOT_AVAILABLE")}


def test_asff_files_organization_results_and_cuts_long_text(result: ScanResult) -> None:
    organization = next(f for f in result.findings if f.account is None)
    long = dataclasses.replace(organization, message="word " * 400)
    cut = dataclasses.replace(result, runs=result.runs)
    cut._sorted = (tuple(result.runs), [long])  # this one result only
    body = json.loads(asff.render(cut)["findings.asff.json"])
    (item,) = body["Findings"]
    assert item["AwsAccountId"] == result.shape.management_account
    assert item["ProductFields"]["trustmap/Scope"].startswith("organization")
    assert len(item["Description"]) <= 1024 and item["Description"].endswith("…")
    assert _asff_validator_report(body) == ""


def test_asff_leaves_out_and_lists_what_no_account_can_be_filed_under(result: ScanResult) -> None:
    organization = next(f for f in result.findings if f.account is None)
    shape = dataclasses.replace(
        result.shape,
        identity=dataclasses.replace(result.shape.identity, value=None),
        management_account=None,
    )
    alone = dataclasses.replace(result, shape=shape)
    alone._sorted = (tuple(result.runs), [organization])
    files = asff.render(alone)
    assert json.loads(files["findings.asff.json"]) == {"Findings": []}
    omitted = json.loads(files["findings.asff.omitted.json"])
    assert omitted["results"] == [{"fingerprint": organization.fingerprint, "rule": organization.rule}]


def test_outputs_are_byte_identical_run_to_run(result: ScanResult) -> None:
    again = analyze(SAMPLE)
    assert ocsf.render(result) == ocsf.render(again)
    assert asff.render(result) == asff.render(again)


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ("arn:aws:iam::123456789012:role/Admin", "AWS::IAM::Role"),
        ("arn:aws:iam::123456789012:user/path/alice", "AWS::IAM::User"),
        ("arn:aws:iam::123456789012:policy/Ops", "AWS::IAM::Policy"),
        ("arn:aws:cloudtrail:us-east-1:123456789012:trail/org", "AWS::CloudTrail::Trail"),
        ("arn:aws:s3:::central-logs", "AWS::S3::Bucket"),
        ("arn:aws:iam::1:user/a -> arn:aws:iam::2:role/b", "trustmap::AccessPath"),
        ("111111111111/iam/list-virtual-mfa-devices.error.json", "trustmap::EvidenceFile"),
        (None, "AWS::::Account"),
    ],
)
def test_resource_types(resource: str | None, expected: str) -> None:
    assert resource_type(resource) == expected


def test_interchange_formats_are_opt_in() -> None:
    from analyzer.report.writer import FORMATS, default_formats

    assert {"ocsf", "asff"} <= set(FORMATS)
    assert not {"ocsf", "asff"} & set(default_formats())
    assert set(ocsf.COMPLIANCE_STATUS) == set(asff.COMPLIANCE_STATUS) == set(Status)
