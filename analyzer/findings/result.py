"""Findings as they leave the engine: one per outcome, with fingerprint and suppression state."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from analyzer.model.evidence import EvidenceRef
from analyzer.rules.base import Severity, Status


@dataclass(frozen=True, slots=True)
class SuppressionState:
    reason: str
    expires: str | None
    source: str
    expired: bool = False  # an expired suppression no longer suppresses, and says so


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    rule: str
    status: Status
    severity: Severity
    account: str | None
    region: str | None
    resource: str | None
    message: str
    evidence: tuple[EvidenceRef, ...]
    fingerprint: str
    subject: str | None = None
    suppressed: SuppressionState | None = None
    baseline: str | None = None  # new | existing, when compared with a baseline
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_suppressed(self) -> bool:
        return self.suppressed is not None and not self.suppressed.expired

    @property
    def sort_key(self) -> tuple[str, str, str, str, str, str]:
        return (
            self.rule,
            self.account or "",
            self.region or "",
            self.resource or "",
            self.subject or "",
            self.status.value,
        )


def fingerprint(rule: str, account: str | None, region: str | None, resource: str | None, subject: str | None) -> str:
    """Stable across runs for the same rule and subject; independent of status and message."""
    key = "\x1f".join((rule, account or "", region or "", resource or "", subject or ""))
    return hashlib.sha256(key.encode()).hexdigest()[:20]
