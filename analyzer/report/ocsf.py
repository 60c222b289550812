"""``findings.ocsf.jsonl``: every result as an OCSF 1.5.0 Compliance Finding, one JSON object a line.

trustmap's results are checks of configuration against a model, which is what OCSF's Compliance
Finding (class 2003) is for: the check (``compliance.control``: the rule), the standards and
requirements it serves, its status (Pass, Fail, or Unknown for ``not_evaluated``), the remediation,
the resource, and the evidence each verdict rests on (file and JSON pointer). The cloud profile adds
the account, region and organization. Activity-based results (CloudTrail events) would be Detection
Findings; none exists yet.

Deterministic: results in findings.json's order, keys sorted, and the only time the evidence's
collection time (epoch milliseconds; 0 with ``unmapped.collected_at_known`` false when unknown).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from analyzer import __version__
from analyzer.findings.result import SuppressionState
from analyzer.pipeline import ScanResult
from analyzer.report.interchange import Record, collection_time_known, records
from analyzer.rules.base import Severity, Status

OCSF_VERSION = "1.5.0"
CLASS_UID = 2003  # Compliance Finding
CATEGORY_UID = 2  # Findings
ACTIVITY_CREATE = 1

#: trustmap severity -> OCSF severity_id (Informational 1 ... Critical 5).
SEVERITY_ID: dict[Severity, tuple[int, str]] = {
    Severity.INFO: (1, "Informational"),
    Severity.LOW: (2, "Low"),
    Severity.MEDIUM: (3, "Medium"),
    Severity.HIGH: (4, "High"),
    Severity.CRITICAL: (5, "Critical"),
}
#: result status -> OCSF compliance.status_id (Unknown 0, Pass 1, Fail 3) and status_code.
COMPLIANCE_STATUS: dict[Status, tuple[int, str]] = {
    Status.PASS: (1, "PASS"),
    Status.FAIL: (3, "FAIL"),
    Status.NOT_EVALUATED: (0, "NOT_EVALUATED"),
    Status.ERROR: (0, "ERROR"),
}
AWS_ACCOUNT_TYPE_ID = 10


def _millis(record: Record) -> int:
    return int(record.time.timestamp() * 1000)


def ocsf_record(record: Record, time_known: bool) -> dict[str, Any]:
    """One result as an OCSF Compliance Finding (plain JSON values)."""
    f, meta = record.finding, record.meta
    severity_id, severity = SEVERITY_ID[f.severity]
    compliance_status, code = COMPLIANCE_STATUS[f.status]
    suppressed = f.is_suppressed
    when = _millis(record)
    out: dict[str, Any] = {
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_name": "Findings",
        "category_uid": CATEGORY_UID,
        "class_name": "Compliance Finding",
        "class_uid": CLASS_UID,
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Compliance Finding: Create",
        "time": when,
        "severity_id": severity_id,
        "severity": severity,
        "status_id": 3 if suppressed else 1,
        "status": "Suppressed" if suppressed else "New",
        "status_code": code,
        "status_detail": f.message,
        "message": f.message,
        "metadata": {
            "product": {"name": "trustmap", "uid": "trustmap", "vendor_name": "trustmap", "version": __version__},
            "profiles": ["cloud"],
            "uid": f.fingerprint,
            "version": OCSF_VERSION,
        },
        "finding_info": {
            "uid": f.fingerprint,
            "title": meta.title,
            "desc": f.message,
            "types": [meta.pillar.value],
            "created_time": when,
            "data_sources": sorted({e.file for e in f.evidence}),
        },
        "compliance": {
            "control": meta.id,
            "desc": meta.rationale,
            "standards": sorted({c.framework for c in meta.compliance}),
            "requirements": [str(c) for c in meta.compliance],
            "status_id": compliance_status,
        },
        "remediation": {"desc": meta.remediation, "references": list(meta.references)},
        "resources": [_resource(record)],
        "cloud": _cloud(record),
        "unmapped": {
            "rule": meta.id,
            "result_status": f.status.value,
            "collected_at_known": time_known,
            **(
                {"suppression": {"reason": f.suppressed.reason, "expires": f.suppressed.expires}}
                if f.suppressed
                else {}
            ),
            **({"baseline": f.baseline} if f.baseline else {}),
        },
    }
    if f.evidence:
        out["evidences"] = [
            {"name": e.file, "data": {"file": e.file, "pointer": e.pointer, **({"inner": e.inner} if e.inner else {})}}
            for e in f.evidence
        ]
    return out


def _suppression(state: SuppressionState) -> dict[str, Any]:
    return {"reason": state.reason, "expires": state.expires, "expired": state.expired}


def _resource(record: Record) -> dict[str, Any]:
    f = record.finding
    out: dict[str, Any] = {
        "uid": record.resource_id,
        "type": record.resource_type,
        "cloud_partition": record.partition,
    }
    if f.region:
        out["region"] = f.region
    return out


def _cloud(record: Record) -> dict[str, Any]:
    f = record.finding
    out: dict[str, Any] = {"provider": "AWS"}
    if f.account:
        # OCSF requires a name: the organization's name for the account, else its id
        name = record.account_name or f.account
        out["account"] = {"uid": f.account, "name": name, "type": "AWS Account", "type_id": AWS_ACCOUNT_TYPE_ID}
    if f.region:
        out["region"] = f.region
    if record.organization_id:
        out["org"] = {"uid": record.organization_id}
    return out


_ENCODE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def lines(result: ScanResult) -> Iterator[str]:
    known = collection_time_known(result)
    for record in records(result):
        yield _ENCODE(ocsf_record(record, known)) + "\n"


def render(result: ScanResult) -> dict[str, bytes]:
    return {"findings.ocsf.jsonl": "".join(lines(result)).encode("utf-8")}


FORMATS = {"ocsf": render}
