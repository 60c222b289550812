"""Compliance frameworks as data: rules cite controls with these helpers, so names stay uniform."""

from __future__ import annotations

from analyzer.rules.base import ComplianceRef

FRAMEWORKS: dict[str, str] = {
    "CIS3": "CIS AWS Foundations v3.0.0",
    "CIS4": "CIS AWS Foundations v4.0.0",
    "NIST": "NIST SP 800-53 rev. 5",
    "PCI": "PCI DSS v4.0",
    "APRA": "APRA CPS 234",
    "MAS": "MAS TRM",
}


def refs(*pairs: tuple[str, str]) -> tuple[ComplianceRef, ...]:
    """``refs(("CIS3", "1.10"), ("NIST", "IA-2(1)"))`` -> ComplianceRefs with full framework names."""
    return tuple(ComplianceRef(FRAMEWORKS[key], control) for key, control in pairs)
