"""What a path found in the graph rests on when the SCPs are not in the evidence.

The graph draws an edge where the identity and trust policies allow it; SCPs only limit what those allow
(IAM User Guide, "Policy evaluation logic"). Without the SCPs (or with some missing), a path exists unless
an SCP denies it. That is no reason to call it not evaluated: an SCP nobody can see is not evidence of a
control, and withholding the export must not buy a softer verdict. A failure on such a path says so.
"""

from __future__ import annotations

from analyzer.graph.access import AccessPath, NodeKind
from analyzer.rules.context import RuleContext

#: Why SCPs are not part of the graph's verdicts when they are not (see :mod:`analyzer.graph.scp`).
_SCPS_UNSEEN = {
    False: "no SCP was exported",
    True: "the SCP evidence is incomplete (a policy or its targets were not exported)",
}


def scp_caveat(ctx: RuleContext, path: AccessPath, calls: str) -> str:
    """The note a failure of ``path`` carries when the SCPs are not known (``calls``: what an SCP might refuse,
    e.g. "these sts:AssumeRole calls"). Empty when the SCPs were read, when the organization has no SCPs (only
    all-features organizations do, Organizations User Guide "Service control policies"), or when no caller on
    the path is one an SCP restricts (the management account, an account outside a known organization, an
    identity provider's federation)."""
    organization = ctx.snapshot.organization
    if ctx.snapshot.scps_complete or (organization is not None and organization.feature_set == "CONSOLIDATED_BILLING"):
        return ""
    members = ctx.shape.org_ids
    callers = sorted(
        {
            account
            for hop in path.hops
            if ctx.graph.kind(hop.source) in (NodeKind.USER, NodeKind.ROLE)
            and (account := ctx.graph.account_of(hop.source)) is not None
            and account != ctx.shape.management_account
            and (not members or account in members)
        }
    )
    if not callers:
        return ""
    return (
        f"; unless an SCP denies it: {_SCPS_UNSEEN[bool(ctx.snapshot.scps)]}, and an SCP on account(s) "
        f"{', '.join(callers)} may refuse {calls} (SCPs only limit; export them "
        "with aws organizations describe-policy and list-targets-for-policy)"
    )
