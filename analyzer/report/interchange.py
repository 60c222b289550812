"""What the OCSF and ASFF outputs share: each result with its rule, its resource and its time.

Both formats want a resource type, a time and the rule's remediation and compliance references for
every result; they are worked out here once. The only time is the evidence's collection time (never
the clock), so the outputs stay reproducible; a bundle whose collection time is unknown gets the
epoch, and says so in each record.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from analyzer.findings.result import Finding
from analyzer.pipeline import ScanResult
from analyzer.rules.base import RuleMeta

#: ARN service and resource type -> the CloudFormation-style type both formats name resources by.
_ARN_TYPES: dict[tuple[str, str], str] = {
    ("iam", "user"): "AWS::IAM::User",
    ("iam", "role"): "AWS::IAM::Role",
    ("iam", "group"): "AWS::IAM::Group",
    ("iam", "policy"): "AWS::IAM::Policy",
    ("cloudtrail", "trail"): "AWS::CloudTrail::Trail",
    ("s3", ""): "AWS::S3::Bucket",
}
ACCOUNT_TYPE = "AWS::::Account"
PATH_TYPE = "trustmap::AccessPath"  # "<principal ARN> -> <role ARN>": one way in, not one AWS resource
FILE_TYPE = "trustmap::EvidenceFile"  # EVD results about one file of the bundle

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def resource_type(resource: str | None) -> str:
    """The type of the resource a result names (its account when it names none)."""
    if not resource:
        return ACCOUNT_TYPE
    if " -> " in resource:
        return PATH_TYPE
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return FILE_TYPE
    service, rest = parts[2], parts[5]
    kind = rest.split("/", 1)[0] if "/" in rest else ""
    return _ARN_TYPES.get((service, kind), f"AWS::{service.upper()}::Resource")


@dataclass(frozen=True, slots=True)
class Record:
    """One result, with what the interchange formats need besides the finding itself."""

    finding: Finding
    meta: RuleMeta
    resource_id: str
    resource_type: str
    time: datetime
    partition: str
    organization_id: str | None
    account_name: str | None


def records(result: ScanResult) -> Iterator[Record]:
    """Every result of the run in findings.json's order."""
    metas = {run.rule.id: run.rule.meta for run in result.runs}
    snapshot = result.snapshot
    collected = snapshot.manifest.collected_at or EPOCH
    org = snapshot.organization.id if snapshot.organization else None
    names = {a.id: a.name for a in result.shape.accounts}
    for finding in result.findings:
        account = finding.account
        yield Record(
            finding=finding,
            meta=metas[finding.rule],
            resource_id=finding.resource or account or "organization",
            resource_type=resource_type(finding.resource) if finding.resource or account else "trustmap::Organization",
            time=collected,
            partition=snapshot.manifest.partition,
            organization_id=org,
            account_name=names.get(account) if account else None,
        )


def collection_time_known(result: ScanResult) -> bool:
    return result.snapshot.manifest.collected_at is not None


__all__ = ["ACCOUNT_TYPE", "EPOCH", "PATH_TYPE", "Record", "collection_time_known", "records", "resource_type"]
