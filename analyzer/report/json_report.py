"""``findings.json``: the stable machine interface (``schemas/findings.schema.json``).

Sorted keys, sorted results, no wall-clock time: the same bundle and config give the same bytes.
The document is indented, except that each result (and each account and rule) is one line: a
result per line reads and greps well, and lets the C JSON encoder write the bulk of the file
(Python's indenting encoder is pure Python, several times slower on 100,000 results).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from analyzer import __version__
from analyzer.evidence.timestamps import format_ts
from analyzer.findings.result import Finding
from analyzer.model.evidence import EvidenceRef
from analyzer.pipeline import ScanResult
from analyzer.rules.base import Severity, Status

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
    if f.subject_fingerprint is not None:
        out["subject_fingerprint"] = f.subject_fingerprint
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


_STATUS_TEXT: dict[Status, str] = {s: s.value for s in Status}


def summary(result: ScanResult) -> dict[str, Any]:
    counts: dict[str, int] = {s.value: 0 for s in Status}
    failing: dict[str, int] = {}
    suppressed = 0
    for f in result.findings:
        counts[_STATUS_TEXT[f.status]] += 1
        if f.status is Status.FAIL:
            if f.is_suppressed:
                suppressed += 1
            else:
                failing[f.severity.value] = failing.get(f.severity.value, 0) + 1
    return {"by_status": counts, "failures_by_severity": dict(sorted(failing.items())), "suppressed": suppressed}


def scan_json(result: ScanResult) -> dict[str, Any]:
    """The whole document as plain values (``render`` writes the same document, faster)."""
    return {**_head(result), "results": [finding_json(f) for f in result.findings]}


def _head(result: ScanResult) -> dict[str, Any]:
    """Everything but the results."""
    snap = result.snapshot
    shape = result.shape
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "trustmap", "version": __version__},
        "bundle": {
            "sha256": snap.bundle_sha256,
            "collected_at": format_ts(snap.manifest.collected_at),
            "collected_at_source": snap.manifest.collected_at_source,
        },
        "organization": {"id": shape.organization_id, "management_account": shape.management_account},
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
                "rationale": r.rule.meta.rationale,
                "remediation": r.rule.meta.remediation,
                "compliance": [{"framework": c.framework, "control": c.control} for c in r.rule.meta.compliance],
                "references": list(r.rule.meta.references),
            }
            for r in result.runs
        ],
        "summary": summary(result),
    }


#: Lists of flat records written one record per line.
PER_LINE = frozenset({"results", "accounts", "rules"})


def dumps_readable(document: dict[str, Any], per_line: frozenset[str] = PER_LINE) -> str:
    """``document`` as JSON with sorted keys: indented, the lists named in ``per_line`` one item a line."""
    encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(", ", ": ")).encode
    members = []
    for key, value in sorted(document.items()):
        name = json.dumps(key, ensure_ascii=False)
        if key in per_line and isinstance(value, list) and value:
            items = ",\n    ".join(encode(item) for item in value)
            members.append(f"  {name}: [\n    {items}\n  ]")
        else:  # JSON text holds no raw line break, so re-indenting by lines is safe
            members.append(
                f"  {name}: " + json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).replace("\n", "\n  ")
            )
    return "{\n" + ",\n".join(members) + "\n}\n" if members else "{}\n"


_LINE_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(", ", ": "))


def _text(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def _ref(ref: EvidenceRef) -> str:
    if ref.inner is None:
        return f'{{"file": {encode_basestring(ref.file)}, "pointer": {encode_basestring(ref.pointer)}}}'
    return (
        f'{{"file": {encode_basestring(ref.file)}, "inner": {encode_basestring(ref.inner)}, '
        f'"pointer": {encode_basestring(ref.pointer)}}}'
    )


#: Status and severity as JSON strings, looked up by hash (an enum's ``.value`` is a Python-level call).
_STATUS_JSON: dict[Status, str] = {s: encode_basestring(s.value) for s in Status}
_SEVERITY_JSON: dict[Severity, str] = {s: encode_basestring(s.value) for s in Severity}


def result_line(f: Finding) -> str:
    """``finding_json(f)`` encoded as ``dumps_readable`` writes a result line, written out directly.

    The same text, key for key (sorted), about three times faster than building the dictionary and
    encoding it: findings.json of a large organization holds a hundred thousand results. A field of
    another type than its declared one (never, by the types) falls back to the general encoder.
    """
    try:
        return _direct_line(f)
    except (TypeError, KeyError):
        return _LINE_ENCODER.encode(finding_json(f))


def _direct_line(f: Finding) -> str:
    optional = "" if f.baseline is None else f', "baseline": {encode_basestring(f.baseline)}'
    if f.details:
        details = {**({"subject": f.subject} if f.subject else {}), **_plain(dict(f.details))}
        optional += f', "details": {_LINE_ENCODER.encode(details)}'
    elif f.subject:  # the usual details: the subject alone
        optional += f', "details": {{"subject": {encode_basestring(f.subject)}}}'
    suppressed = "null" if f.suppressed is None else _LINE_ENCODER.encode(finding_json(f)["suppressed"])
    about = (
        "" if f.subject_fingerprint is None else f', "subject_fingerprint": {encode_basestring(f.subject_fingerprint)}'
    )
    return (
        f'{{"account": {_text(f.account)}{optional}, "evidence": [{", ".join(map(_ref, f.evidence))}], '
        f'"fingerprint": {encode_basestring(f.fingerprint)}, "message": {encode_basestring(f.message)}, '
        f'"region": {_text(f.region)}, "resource": {_text(f.resource)}, "rule": {encode_basestring(f.rule)}, '
        f'"severity": {_SEVERITY_JSON[f.severity]}, "status": {_STATUS_JSON[f.status]}{about}, '
        f'"suppressed": {suppressed}}}'
    )


def _parts(result: ScanResult) -> Iterator[str]:
    """The document in pieces: the head up to the results, the results a few thousand lines at a time, the rest."""
    findings = result.findings
    if not findings:
        yield dumps_readable({**_head(result), "results": []})
        return
    # "results" sorts between "organization" and "rules": it goes right before the "rules" member
    before, marker, after = dumps_readable(_head(result)).partition('\n  "rules": ')
    yield f'{before}\n  "results": [\n    '
    for start in range(0, len(findings), _BATCH):
        separator = ",\n    " if start else ""
        yield separator + ",\n    ".join(map(result_line, findings[start : start + _BATCH]))
    yield f"\n  ],{marker}{after}"


_BATCH = 4096


def render(result: ScanResult) -> str:
    return "".join(_parts(result))


def write(result: ScanResult, path: Path) -> None:
    """findings.json written to ``path`` piece by piece (the same bytes as ``render(result).encode()``)."""
    with path.open("w", encoding="utf-8", errors="backslashreplace", newline="") as handle:
        for part in _parts(result):
            handle.write(part)
