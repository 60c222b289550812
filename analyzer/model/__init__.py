"""The normalized, immutable model that the loaders build once and every later stage reads.

Rules and the policy engine never see raw JSON: every string-or-list is a tuple, every
timestamp a timezone-aware ``datetime``, every policy document a :class:`PolicyDocument`,
and every object remembers where it came from (:class:`EvidenceRef`).
"""

from analyzer.model.evidence import EvidenceRef, EvidenceState, EvidenceStatus
from analyzer.model.policy import (
    ConditionClause,
    PolicyDocument,
    PolicySource,
    PrincipalSpec,
    Statement,
)

__all__ = [
    "ConditionClause",
    "EvidenceRef",
    "EvidenceState",
    "EvidenceStatus",
    "PolicyDocument",
    "PolicySource",
    "PrincipalSpec",
    "Statement",
]
