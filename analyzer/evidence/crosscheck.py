"""Facts AWS reports twice, compared: where the sources disagree, the evidence is not used.

The bundle comes from the party being audited. Leaving a user out of the authorization details, a
role out of its role list or a row out of the credential report removes that principal's failures
without a trace, unless another export of the same account still counts or names it. AWS reports
several facts twice:

* IAM users: the authorization details (``UserDetailList``), the credential report (one row per
  user, IAM User Guide "Getting credential reports for your AWS account"), ``get-account-summary``
  (``Users``) and the users that virtual MFA devices are assigned to.
* Roles, groups and customer managed policies: the authorization details and the summary's
  ``Roles``, ``Groups`` and ``Policies`` (IAM API reference, GetAccountSummary: ``Policies`` counts
  customer managed policies).
* The organization: ``describe-organization`` and the ARNs of ``list-accounts`` (each
  ``arn:aws:organizations::<management account>:account/<organization id>/<account id>``), and the
  accounts that ``list-targets-for-policy`` names.
* The credential report's ``GeneratedTime`` and the bundle's collection time.

Each disagreement names the sources, what differs and the places, and turns the evidence that can no
longer be trusted ``inconsistent``: the checks that need it are not evaluated. Evidence that is
missing or unusable is not compared (its own state already says so).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime, timedelta

from analyzer.model.entities import ManagedPolicy
from analyzer.model.evidence import EvidenceRef, EvidenceState, EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.model.snapshot import AccountEvidence, Disagreement, Snapshot

#: How much older than the collection a credential report may be. AWS generates a new report at
#: most every four hours (IAM User Guide, "Getting credential reports"); a collector generates one
#: and then reads it, so a day leaves room for a slow collection of a large organization.
REPORT_MAX_AGE = timedelta(hours=24)
#: How far after the collection time a report may have been generated (clock skew, a long run).
REPORT_MAX_LEAD = timedelta(hours=1)

#: The summary's counts and what the authorization details list for each.
_COUNTED: tuple[tuple[str, str], ...] = (("Users", "users"), ("Groups", "groups"), ("Roles", "roles"))

_LISTED_MAX = 5  # names listed in one message; the rest are counted


def _names(items: Iterable[str]) -> str:
    ordered = sorted(items)
    shown = ", ".join(ordered[:_LISTED_MAX])
    more = len(ordered) - _LISTED_MAX
    return f"{shown} and {more} more" if more > 0 else shown


class _Findings:
    """The disagreements found so far and the evidence states they make inconsistent."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.found: list[Disagreement] = []
        self.states: dict[tuple[str, str, str, str], EvidenceState] = {}

    def usable(self, kind: Kind, account: str | None = None) -> bool:
        return self.snapshot.state(kind, account).usable

    def add(self, account: str | None, kinds: tuple[Kind, ...], message: str, refs: Iterable[EvidenceRef]) -> None:
        self.found.append(Disagreement(account, tuple(k.value for k in kinds), message, tuple(sorted(set(refs)))))
        for kind in kinds:
            key = (account or "", "", kind.value, "")
            state = self.states.get(key) or self.snapshot.state(kind, account)
            reason = f"disagrees with another source: {message}"
            if state.status is EvidenceStatus.INCONSISTENT:
                reason = f"{state.reason}; {message}"
            self.states[key] = dataclasses.replace(state, status=EvidenceStatus.INCONSISTENT, reason=reason)


# --------------------------------------------------------------------------- one account


def _users(out: _Findings, account: str, evidence: AccountEvidence) -> None:
    """Users of the authorization details vs credential-report rows vs MFA device assignments."""
    has_gaad = out.usable(Kind.IAM_AUTH_DETAILS, account)
    report = evidence.credential_report
    if has_gaad and report is not None and out.usable(Kind.IAM_CREDENTIAL_REPORT, account):
        listed = {u.arn: u for u in evidence.users}
        rows = {r.arn: r for r in report.rows if not r.is_root}
        if extra := set(rows) - set(listed):
            out.add(
                account,
                (Kind.IAM_AUTH_DETAILS,),
                f"the credential report lists user(s) the authorization details do not: {_names(extra)}",
                [rows[a].ref for a in extra],
            )
        if absent := set(listed) - set(rows):
            late = {a for a in absent if report.generated and (c := listed[a].created) and c > report.generated}
            when = f" ({len(late)} created after the report was generated)" if late else ""
            out.add(
                account,
                (Kind.IAM_CREDENTIAL_REPORT,),
                f"the authorization details list user(s) the credential report does not: {_names(absent)}{when}",
                [listed[a].ref for a in absent] + [report.ref],
            )
    if has_gaad and out.usable(Kind.IAM_VIRTUAL_MFA, account):
        known = {u.arn for u in evidence.users}
        assigned = {d.user_arn: d for d in evidence.mfa_devices if d.user_arn and ":user/" in d.user_arn}
        if extra := set(assigned) - known:
            out.add(
                account,
                (Kind.IAM_AUTH_DETAILS,),
                f"virtual MFA devices are assigned to user(s) the authorization details do not list: {_names(extra)}",
                [assigned[a].ref for a in extra],
            )


def _counts(out: _Findings, account: str, evidence: AccountEvidence) -> None:
    """The summary's counts vs the entities the authorization details list."""
    summary = evidence.summary
    if summary is None or not out.usable(Kind.IAM_SUMMARY, account) or not out.usable(Kind.IAM_AUTH_DETAILS, account):
        return
    counts = dict(summary.counts)
    customer: list[ManagedPolicy] = [p for p in evidence.managed_policies if not p.aws_managed]
    listed = {name: len(getattr(evidence, field)) for name, field in _COUNTED} | {"Policies": len(customer)}
    wrong = [
        f"{name} {counts[name]} in the summary, {listed[name]} in the authorization details"
        for name in (*(n for n, _ in _COUNTED), "Policies")
        if isinstance(counts.get(name), int) and counts[name] != listed[name]
    ]
    if wrong:
        out.add(
            account,
            (Kind.IAM_AUTH_DETAILS,),
            "get-account-summary counts other entities than the authorization details list: " + "; ".join(wrong),
            [summary.ref],
        )


def _report_age(out: _Findings, account: str, evidence: AccountEvidence) -> None:
    """A credential report much older (or newer) than the collection does not describe it."""
    manifest = out.snapshot.manifest
    report = evidence.credential_report
    if (
        report is None
        or report.generated is None
        or manifest.collected_at is None
        or manifest.collected_at_source != "manifest"
        or not out.usable(Kind.IAM_CREDENTIAL_REPORT, account)
    ):
        return
    collected = manifest.collected_at
    if report.generated < collected - REPORT_MAX_AGE:
        what = f"was generated {_age(collected - report.generated)} before the collection ({_iso(collected)})"
    elif report.generated > collected + REPORT_MAX_LEAD:
        what = f"was generated {_age(report.generated - collected)} after the collection ({_iso(collected)})"
    else:
        return
    out.add(
        account,
        (Kind.IAM_CREDENTIAL_REPORT,),
        f"the credential report ({_iso(report.generated)}) {what}: it does not show the credentials as collected, "
        "and users created since are unknown to it",
        [report.ref.child("GeneratedTime")],
    )


def _age(delta: timedelta) -> str:
    days = delta.days
    return f"{days} day(s)" if days else f"{int(delta.total_seconds() // 3600)} hour(s)"


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


# --------------------------------------------------------------------------- the organization


def _organization(out: _Findings) -> None:
    """describe-organization vs the account list's ARNs and the accounts policies are attached to."""
    snapshot = out.snapshot
    if not out.usable(Kind.ORG_ACCOUNTS):
        return
    listed = {a.id for a in snapshot.org_accounts}
    organization = snapshot.organization
    if organization is not None and out.usable(Kind.ORG_DESCRIBE):
        if organization.management_account_id and organization.management_account_id not in listed:
            out.add(
                None,
                (Kind.ORG_ACCOUNTS, Kind.ORG_DESCRIBE),
                f"describe-organization names the management account {organization.management_account_id}, "
                "which list-accounts does not list",
                [organization.ref],
            )
        wrong = [
            a
            for a in snapshot.org_accounts
            if a.arn and not _arn_agrees(a.arn, organization.id, organization.management_account_id)
        ]
        if wrong:
            out.add(
                None,
                (Kind.ORG_ACCOUNTS, Kind.ORG_DESCRIBE),
                f"list-accounts ARNs name another organization or management account than describe-organization "
                f"({organization.id}, {organization.management_account_id}): {_names(a.id for a in wrong)}",
                [organization.ref, *(a.ref for a in wrong)],
            )
    targeted = {t for scp in snapshot.scps for t in scp.targets if t.isascii() and t.isdigit()}
    if unlisted := targeted - listed:
        out.add(
            None,
            (Kind.ORG_ACCOUNTS,),
            f"service control policies are attached to account(s) list-accounts does not list: {_names(unlisted)}",
            [scp.source.ref for scp in snapshot.scps if set(scp.targets) & unlisted],
        )


def _arn_agrees(arn: str, organization_id: str, management: str) -> bool:
    """Whether ``arn:aws:organizations::<management>:account/<organization>/<id>`` names them."""
    parts = arn.split(":")
    if len(parts) < 6:
        return False
    resource = parts[5].split("/")
    owner_ok = not management or parts[4] == management
    org_ok = not organization_id or (len(resource) > 1 and resource[1] == organization_id)
    return owner_ok and org_ok


# --------------------------------------------------------------------------- the whole bundle


def cross_check(snapshot: Snapshot) -> Snapshot:
    """The snapshot with every disagreement between sources recorded and its evidence made inconsistent."""
    out = _Findings(snapshot)
    _organization(out)
    for account, evidence in snapshot.accounts.items():
        _users(out, account, evidence)
        _counts(out, account, evidence)
        _report_age(out, account, evidence)
    if not out.found:
        return snapshot
    states = {**snapshot.states, **out.states}
    return dataclasses.replace(snapshot, states=dict(sorted(states.items())), disagreements=tuple(out.found))


__all__ = ["REPORT_MAX_AGE", "cross_check"]
