"""``findings.json``: the stable machine interface (``schemas/findings.schema.json``).

Sorted keys, sorted results, no wall-clock time: the same bundle and config give the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

from analyzer import __version__
from analyzer.evidence.timestamps import format_ts
from analyzer.findings.result import Finding
from analyzer.pipeline import ScanResult
from analyzer.rules.base import Status

SCHEMA_VERSION = "1"


def finding_json(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": f.rule,
        "status": f.status.value,
        "severity": f.severity.value,
        "account": f.account,
        "region": f.region,
        "resource": f.resource,
        "message": f.message,
        "evidence": [
            {"file": e.file, "pointer": e.pointer, **({"inner": e.inner} if e.inner is not None else {})}
            for e in f.evidence
        ],
        "fingerprint": f.fingerprint,
        "suppressed": (
            None
            if f.suppressed is None
            else {
                "reason": f.suppressed.reason,
                "expires": f.suppressed.expires,
                "source": f.suppressed.source,
                "expired": f.suppressed.expired,
            }
        ),
    }
    if f.baseline is not None:
        out["baseline"] = f.baseline
    if f.details or f.subject:
        out["details"] = {**({"subject": f.subject} if f.subject else {}), **_plain(dict(f.details))}
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def summary(result: ScanResult) -> dict[str, Any]:
    counts: dict[str, int] = {s.value: 0 for s in Status}
    failing: dict[str, int] = {}
    suppressed = 0
    for f in result.findings:
        counts[f.status.value] += 1
        if f.status is Status.FAIL:
            if f.is_suppressed:
                suppressed += 1
            else:
                failing[f.severity.value] = failing.get(f.severity.value, 0) + 1
    return {"by_status": counts, "failures_by_severity": dict(sorted(failing.items())), "suppressed": suppressed}


def scan_json(result: ScanResult) -> dict[str, Any]:
    snap = result.snapshot
    shape = result.shape
    org = snap.organization
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "trustmap", "version": __version__},
        "bundle": {
            "sha256": snap.bundle_sha256,
            "collected_at": format_ts(snap.manifest.collected_at),
            "collected_at_source": snap.manifest.collected_at_source,
        },
        "organization": {"id": org.id if org else None, "management_account": shape.management_account},
        "identity_account": {
            "id": shape.identity.value,
            "source": shape.identity.source,
            "reason": shape.identity.reason,
        },
        "log_bucket": {
            "name": shape.log_bucket.value,
            "source": shape.log_bucket.source,
            "reason": shape.log_bucket.reason,
        },
        "accounts": [{"id": a.id, "name": a.name, "role": a.role, "state": a.state} for a in shape.accounts],
        "rules": [
            {
                "id": r.rule.id,
                "title": r.rule.meta.title,
                "severity": r.rule.meta.severity.value,
                "pillar": r.rule.meta.pillar.value,
            }
            for r in result.runs
        ],
        "results": [finding_json(f) for f in result.findings],
        "summary": summary(result),
    }


def render(result: ScanResult) -> str:
    return json.dumps(scan_json(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
