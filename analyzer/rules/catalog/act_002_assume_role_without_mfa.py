"""ACT-002: roles of member accounts assumed without MFA, set against the access graph's verdict."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from analyzer.graph.access import MfaStatus
from analyzer.model.activity import ActivityEvent, ActivityEvidence
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, not_evaluated, not_evaluated_in
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.activity import (
    NO_ACTIVITY,
    PASS_BASIS,
    activity_of,
    events_in,
    not_covered,
    pass_blocked,
    pass_unless_blocked,
    when,
)
from analyzer.rules.support.identity import identity_unknown_message

META = RuleMeta(
    id="ACT-002",
    title="Member-account role assumed without MFA",
    severity=Severity.HIGH,
    pillar=Pillar.ACTIVITY,
    rationale=(
        "IDN-002/IDN-003 judge from the policies whether MFA stands on every way into a member account. "
        "The AssumeRole events show what happened: a session without MFA into a member role is a control "
        "that did not operate. Where the access graph says that edge enforces MFA, the two contradict each "
        "other, and the evidence or the policy engine's reading is wrong: that is reported as critical."
    )
    + PASS_BASIS,
    remediation=(
        "Require MFA in the role's trust policy (Bool aws:MultiFactorAuthPresent true) and in the callers' "
        "policies; for a contradiction, compare the trust policy in force at the event's time with the "
        "exported one (UpdateAssumeRolePolicy events, ACT-005)."
    ),
    compliance=refs(("NIST", "IA-2(1)"), ("NIST", "AU-6"), ("PCI", "8.4.2")),
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html",
    ),
    applies_to="role",
    reads_graph=True,
)

_NOT_ATTESTABLE = ("SAMLUser", "WebIdentityUser")


def _role_account(role_arn: str) -> str:
    parts = role_arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def _mfa(event: ActivityEvent) -> bool | None:
    """Whether the call carried MFA: the caller's session said so (mfaAuthenticated), or a long-term-key
    caller presented a device (serialNumber, no errorCode). None: this copy cannot tell."""
    if event.session_mfa == "true" or event.mfa_used:
        return True
    if event.identity_type in ("AWSAccount", "AWSService", *_NOT_ATTESTABLE):
        return None
    return False


def _caller(event: ActivityEvent) -> str:
    return event.issuer_arn if event.identity_type == "AssumedRole" and event.issuer_arn else event.principal_arn


def _deciding(activity: ActivityEvidence) -> dict[str, set[str]]:
    """Role account -> the accounts whose copies showed whether MFA was used, over the period."""
    start, end = activity.period or (date.min, date.max)
    found: dict[str, set[str]] = {}
    for role_account, account_id, day in activity.mfa_deciders:
        if day is None or start <= day <= end:
            found.setdefault(role_account, set()).add(account_id)
    return found


def check(ctx: RuleContext) -> Iterator[Outcome]:
    activity = activity_of(ctx)
    if activity is None:
        yield from not_evaluated_in(ctx.audited_accounts(), NO_ACTIVITY)
        return
    if ctx.identity_account is None:
        yield from not_evaluated_in(ctx.audited_accounts(), identity_unknown_message(ctx))
        return
    # The events are the assumptions without MFA, those no copy of the call decides, and the copies with
    # MFA of a call another copy shows without it (assume_role.sql); the rest are only counted. A copy
    # showing MFA never hides one without it: copies that disagree are reported, naming the other copy.
    calls = events_in(activity, "assume_role")
    caller_copies = {e.shared_event_id for e in calls if _mfa(e) is not None}
    with_mfa = {e.shared_event_id: e.account_id for e in calls if e.shared_event_id and _mfa(e)}
    by_account: dict[str, list[ActivityEvent]] = {}
    unknown: dict[str, int] = {}
    deciding = _deciding(activity)
    reported: set[str] = set()
    # Only successful calls into a role of a named account come back (assume_role.sql); those into the
    # Identity account's own roles are collected here but judged by no account below.
    for event in calls:
        role_account = _role_account(event.target)
        verdict = _mfa(event)
        if verdict is None:
            if not event.shared_event_id or event.shared_event_id not in caller_copies:  # no id: a copy of none
                unknown[role_account] = unknown.get(role_account, 0) + 1
            continue
        if verdict or (event.shared_event_id and event.shared_event_id in reported):
            continue  # decided by a copy without MFA, or the other account's copy of a call already reported
        reported.add(event.shared_event_id)
        by_account.setdefault(role_account, []).append(event)
    for account_id in ctx.non_identity_accounts():
        uncovered = not_covered(activity, account_id)
        found = by_account.get(account_id, [])
        if uncovered and not found:
            yield not_evaluated(uncovered, account=account_id)
            continue
        for event in found:
            caller = _caller(event)
            edge = ctx.graph.edge(caller, event.target)
            message = (
                f"{caller or event.identity_type} assumed {event.target} without MFA at {when(event)} from "
                f"{event.source_ip or 'an unknown address'} (event {event.event_id})"
            )
            if event.shared_event_id in with_mfa:
                other = with_mfa[event.shared_event_id]
                message += f"; the copy of this call in account {other} shows MFA: the copies disagree"
            severity = None
            if edge is not None and edge.mfa is MfaStatus.ENFORCED:
                message = "CONTRADICTION: the access graph says this edge enforces MFA, yet " + message
                severity = Severity.CRITICAL
            elif edge is not None:
                message += f"; the access graph agrees: MFA {edge.mfa.value} on this edge"
            else:
                message += "; the access graph has no such edge (policies changed since, or a way in it does not model)"
            yield fail(
                message,
                account=account_id,
                resource=event.target,
                evidence=(event.ref,),
                severity=severity,
                subject=event.event_id,
            )
        if found:
            continue
        reasons = [pass_blocked(activity, account_id) or ""]
        for caller_account in sorted(deciding.get(account_id, set()) - {account_id}):
            caller_blocked = pass_blocked(activity, caller_account)
            if caller_blocked:  # the MFA shown by the caller's copy rests on that account's evidence
                reasons.append(
                    f"the callers' copies of the role assumptions, in account {caller_account}, cannot be relied on: "
                    + caller_blocked.removeprefix("not evaluated: ")
                )
        if unknown.get(account_id):
            reasons.append(
                f"{unknown[account_id]} role assumption(s) whose MFA this account's copy cannot show "
                "(the caller's account's records are not in the bundle, or SAML/web identity)"
            )
        blocked = "; ".join(r.removeprefix("not evaluated: ") for r in reasons if r)
        if blocked:
            yield not_evaluated("not evaluated: " + blocked, account=account_id)
        else:
            yield pass_unless_blocked(
                activity, account_id, f"every role assumption into account {account_id} carried MFA"
            )


RULE = Rule(META, check)
