"""``findings.asff.json``: every result in the AWS Security Finding Format, ready for Security Hub.

The file is the request body of ``securityhub batch-import-findings`` (``{"Findings": [...]}``), in
findings.json's order; AWS accepts at most 100 findings a call, so split it before importing (see the
README). Each finding is a compliance check (``Compliance.Status`` PASSED, FAILED, or NOT_AVAILABLE for
``not_evaluated``) with a stable ``Id`` from the result's fingerprint, so a later run updates the same
findings instead of adding new ones.

ASFF needs an account and a region for every finding (``AwsAccountId``, and the region in
``ProductArn``, the importing account's default product ``product/<account>/default``). A result that
concerns no one account is filed under the management account (else the Identity account); one
without a region under the partition's home region (:data:`HOME_REGION`). A result with no account
at all to file it under is left out of the import file and listed in ``findings.asff.omitted.json``.

Text limits are AWS's (Title 256, Description 1,024, Remediation text 512 characters): a longer
message is cut at a word with "…", and findings.json keeps it whole. The only time is the
evidence's collection time.
"""

from __future__ import annotations

import json
from typing import Any

from analyzer.evidence.timestamps import format_ts
from analyzer.pipeline import ScanResult
from analyzer.report.interchange import EPOCH, Record, records
from analyzer.rules.base import Severity, Status

SCHEMA_VERSION = "2018-10-08"
#: The region a finding without one is filed in, per partition.
HOME_REGION = {"aws": "us-east-1", "aws-us-gov": "us-gov-west-1", "aws-cn": "cn-north-1"}

SEVERITY_LABEL: dict[Severity, str] = {
    Severity.INFO: "INFORMATIONAL",
    Severity.LOW: "LOW",
    Severity.MEDIUM: "MEDIUM",
    Severity.HIGH: "HIGH",
    Severity.CRITICAL: "CRITICAL",
}
COMPLIANCE_STATUS: dict[Status, str] = {
    Status.PASS: "PASSED",
    Status.FAIL: "FAILED",
    Status.NOT_EVALUATED: "NOT_AVAILABLE",
    Status.ERROR: "NOT_AVAILABLE",
}
#: Our resource types -> ASFF resource types (anything else is "Other").
RESOURCE_TYPES: dict[str, str] = {
    "AWS::IAM::User": "AwsIamUser",
    "AWS::IAM::Role": "AwsIamRole",
    "AWS::IAM::Group": "AwsIamGroup",
    "AWS::IAM::Policy": "AwsIamPolicy",
    "AWS::CloudTrail::Trail": "AwsCloudTrailTrail",
    "AWS::S3::Bucket": "AwsS3Bucket",
    "AWS::::Account": "AwsAccount",
}
LIMITS = {"Title": 256, "Description": 1024, "Recommendation": 512, "ProductField": 2048}
MAX_REQUIREMENTS = 32


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head) + "…"


def _types(record: Record) -> list[str]:
    frameworks = {c.framework for c in record.meta.compliance}
    if any(name.startswith("CIS") for name in frameworks):
        return ["Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"]
    return ["Software and Configuration Checks/AWS Security Best Practices"]


def asff_finding(record: Record, account: str, fallback_account_used: bool) -> dict[str, Any]:
    """One result as an ASFF finding (plain JSON values)."""
    f, meta = record.finding, record.meta
    region = f.region or HOME_REGION.get(record.partition, "us-east-1")
    when = format_ts(record.time) or format_ts(EPOCH)
    evidence = "; ".join(f"{e.file}#{e.pointer}" + (f" ({e.inner})" if e.inner else "") for e in f.evidence)
    product_fields = {
        "trustmap/Rule": meta.id,
        "trustmap/Status": f.status.value,
        "trustmap/Pillar": meta.pillar.value,
        "trustmap/Fingerprint": f.fingerprint,
    }
    if evidence:
        product_fields["trustmap/Evidence"] = _cut(evidence, LIMITS["ProductField"])
    if fallback_account_used:
        product_fields["trustmap/Scope"] = "organization (filed under this account)"
    if f.suppressed is not None and f.is_suppressed:
        product_fields["trustmap/Suppression"] = _cut(f.suppressed.reason, LIMITS["ProductField"])
    remediation: dict[str, Any] = {"Text": _cut(meta.remediation, LIMITS["Recommendation"])}
    if meta.references:
        remediation["Url"] = meta.references[0]
    compliance: dict[str, Any] = {"Status": COMPLIANCE_STATUS[f.status]}
    if meta.compliance:
        compliance["RelatedRequirements"] = [str(c) for c in meta.compliance][:MAX_REQUIREMENTS]
    resource: dict[str, Any] = {
        "Type": RESOURCE_TYPES.get(record.resource_type, "Other"),
        "Id": record.resource_id,
        "Partition": record.partition,
        "Region": region,
    }
    return {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": f"trustmap/{meta.id}/{f.fingerprint}",
        "ProductArn": f"arn:{record.partition}:securityhub:{region}:{account}:product/{account}/default",
        "ProductName": "trustmap",
        "CompanyName": "trustmap",
        "GeneratorId": f"trustmap/{meta.id}",
        "AwsAccountId": account,
        "Region": region,
        "Types": _types(record),
        "CreatedAt": when,
        "UpdatedAt": when,
        "Severity": {"Label": SEVERITY_LABEL[f.severity], "Original": f.severity.value},
        "Title": _cut(meta.title, LIMITS["Title"]),
        "Description": _cut(f.message, LIMITS["Description"]),
        "Remediation": {"Recommendation": remediation},
        "ProductFields": product_fields,
        "Resources": [resource],
        "Compliance": compliance,
        "Workflow": {"Status": "SUPPRESSED" if f.is_suppressed else "NEW"},
        "RecordState": "ACTIVE",
    }


def document(result: ScanResult) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """``{"Findings": [...]}``, and the results no account could be named for (left out of it)."""
    fallback = result.shape.management_account or result.shape.identity_account
    findings = []
    omitted = []
    for record in records(result):
        account = record.finding.account or fallback
        if account is None:
            omitted.append({"fingerprint": record.finding.fingerprint, "rule": record.meta.id})
            continue
        findings.append(asff_finding(record, account, record.finding.account is None))
    return {"Findings": findings}, omitted


def _dumps(value: Any) -> bytes:
    return (json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def render(result: ScanResult) -> dict[str, bytes]:
    body, omitted = document(result)
    files = {"findings.asff.json": _dumps(body)}
    if omitted:
        reason = "no account to file them under: the bundle names neither a management nor an Identity account"
        files["findings.asff.omitted.json"] = _dumps({"reason": reason, "results": omitted})
    return files


FORMATS = {"asff": render}
