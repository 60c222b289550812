"""The IAM policy engine: evaluate normalized policies (:mod:`analyzer.model.policy`) offline.

Public API (see each module for the AWS semantics it encodes):

* :func:`evaluate` -> :class:`Decision` for a :class:`Request` by a :class:`Principal`, given the
  caller's identity policies, boundary, SCP levels and the resource or trust policy.
* :class:`RequestContext`: three-valued condition keys (values / absent / unknown).
* :func:`mfa_verdict` -> :class:`MfaVerdict` (``enforced`` / ``weak`` / ``absent`` / ``denied``)
  and :func:`mfa_requirement_of` for one policy alone.
* Lower level: :func:`evaluate_policy_set`, :func:`evaluate_conditions`, :func:`evaluate_clause`,
  wildcard matchers and ARN helpers.

Not modelled: session policies, resource control policies (RCPs), VPC endpoint policies, ACLs,
KMS key-policy specifics, and service-specific authorization quirks.
"""

from analyzer.iam.arn import (
    Arn,
    account_of_principal,
    account_principal,
    assumed_role_parts,
    is_account_id,
    is_service_linked_role,
    is_unique_id,
    parse_arn,
    role_name,
    root_arn,
    session_arn,
    unique_id_kind,
)
from analyzer.iam.conditions import (
    ClauseOutcome,
    ConditionsOutcome,
    Operator,
    evaluate_clause,
    evaluate_conditions,
    parse_operator,
)
from analyzer.iam.context import UNKNOWN, Lookup, RequestContext, Tri
from analyzer.iam.evaluate import (
    KIND_LABELS,
    DecidingStatement,
    Decision,
    Outcome,
    Request,
    ScpLevel,
    evaluate,
    principal_context,
)
from analyzer.iam.mfa import (
    MFA_AGE,
    MFA_PRESENT,
    MFA_STATES,
    MfaClass,
    MfaState,
    MfaVerdict,
    classify,
    mfa_requirement_of,
    mfa_verdict,
    with_mfa,
)
from analyzer.iam.principals import MatchKind, Principal, PrincipalType, match_principal
from analyzer.iam.statements import (
    PolicySetResult,
    RequestView,
    StatementHit,
    clear_compile_cache,
    compile_cache_info,
    compile_document,
    evaluate_policy_set,
    statement_label,
)
from analyzer.iam.wildcard import action_matches, arn_matches, glob_match

__all__ = [
    "KIND_LABELS",
    "MFA_AGE",
    "MFA_PRESENT",
    "MFA_STATES",
    "UNKNOWN",
    "Arn",
    "ClauseOutcome",
    "ConditionsOutcome",
    "DecidingStatement",
    "Decision",
    "Lookup",
    "MatchKind",
    "MfaClass",
    "MfaState",
    "MfaVerdict",
    "Operator",
    "Outcome",
    "PolicySetResult",
    "Principal",
    "PrincipalType",
    "Request",
    "RequestContext",
    "RequestView",
    "ScpLevel",
    "StatementHit",
    "Tri",
    "account_of_principal",
    "account_principal",
    "action_matches",
    "arn_matches",
    "assumed_role_parts",
    "classify",
    "clear_compile_cache",
    "compile_cache_info",
    "compile_document",
    "evaluate",
    "evaluate_clause",
    "evaluate_conditions",
    "evaluate_policy_set",
    "glob_match",
    "is_account_id",
    "is_service_linked_role",
    "is_unique_id",
    "match_principal",
    "mfa_requirement_of",
    "mfa_verdict",
    "parse_arn",
    "parse_operator",
    "principal_context",
    "role_name",
    "root_arn",
    "session_arn",
    "statement_label",
    "unique_id_kind",
    "with_mfa",
]
