"""Findings as they leave the engine: one per outcome, with fingerprint and suppression state."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
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


@dataclass(slots=True, kw_only=True)
class Finding:
    """One rule result. Read-only by convention, not frozen: the engine builds 100,000 per 1,000
    accounts, and a frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``
    (several times slower). Change one with :func:`dataclasses.replace`."""

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
    #: what the verdict is about, when that is coarser than the result (see ``Outcome.about``); None: the fingerprint
    subject_fingerprint: str | None = None

    def __reduce__(self) -> tuple[Callable[..., Finding], tuple[Any, ...]]:
        """Pickled as its field values (the rules' child process sends its findings back): the default state
        of a frozen slotted dataclass costs a ``fields()`` walk per object and is restored one
        ``object.__setattr__`` at a time, which showed at 100,000 findings."""
        return _unpickled, (
            self.rule,
            self.status,
            self.severity,
            self.account,
            self.region,
            self.resource,
            self.message,
            self.evidence,
            self.fingerprint,
            self.subject,
            self.suppressed,
            self.baseline,
            self.details,
            self.subject_fingerprint,
        )

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


def _unpickled(
    rule: str,
    status: Status,
    severity: Severity,
    account: str | None,
    region: str | None,
    resource: str | None,
    message: str,
    evidence: tuple[EvidenceRef, ...],
    fingerprint: str,
    subject: str | None,
    suppressed: SuppressionState | None,
    baseline: str | None,
    details: Mapping[str, Any],
    subject_fingerprint: str | None,
) -> Finding:
    """The :class:`Finding` that :meth:`Finding.__reduce__` took apart."""
    return Finding(
        rule=rule,
        status=status,
        severity=severity,
        account=account,
        region=region,
        resource=resource,
        message=message,
        evidence=evidence,
        fingerprint=fingerprint,
        subject=subject,
        suppressed=suppressed,
        baseline=baseline,
        details=details,
        subject_fingerprint=subject_fingerprint,
    )


def fingerprint(rule: str, account: str | None, region: str | None, resource: str | None, subject: str | None) -> str:
    """Stable across runs for the same rule and subject; independent of status and message."""
    key = "\x1f".join((rule, account or "", region or "", resource or "", subject or ""))
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def subject_fingerprint(rule: str, about: str) -> str:
    """The fingerprint of what a verdict is about (``Outcome.about``), shared by its results at every grain.

    Built like :func:`fingerprint` but from the rule and the subject alone, with a marker that keeps it apart
    from any result's own fingerprint.
    """
    key = "\x1f".join((rule, "about", about))
    return hashlib.sha256(key.encode()).hexdigest()[:20]
