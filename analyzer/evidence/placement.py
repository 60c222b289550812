"""Which account and region a file describes: from its path, checked against (or, failing the path,
taken from) the ARNs of the principals and resources it owns."""

from __future__ import annotations

from collections import Counter
from typing import Any

from analyzer.evidence.layout import ACCOUNT_RE, ARN_ACCOUNT_RE, accounts_in
from analyzer.evidence.outcome import Outcome, Reading
from analyzer.evidence.readers.credentials import decode_content
from analyzer.model.kinds import SCOPE, Kind, Scope

#: Kinds whose ARNs name the account the file was exported from. Other kinds name foreign accounts
#: legitimately (an organization trail's ARN, a bucket policy's principals) or hold no ARN at all.
_SELF_DESCRIBING = frozenset(
    {
        Kind.IAM_AUTH_DETAILS,
        Kind.IAM_VIRTUAL_MFA,
        Kind.IAM_CREDENTIAL_REPORT,
        Kind.CONFIG_RECORDERS,
        Kind.CONFIG_RECORDER_STATUS,
    }
)
_GAAD_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList")


def _arn_account(arn: Any) -> str | None:
    if not isinstance(arn, str):
        return None
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 and ACCOUNT_RE.fullmatch(parts[4]) else None


def content_accounts(kind: Kind, document: Any) -> Counter[str] | None:
    """Accounts that own the principals/resources in a file (not ones it merely mentions); None when
    the kind does not say (most files: no counter is made for them)."""
    if kind not in _SELF_DESCRIBING or not isinstance(document, dict):
        return None
    if kind is Kind.IAM_AUTH_DETAILS:
        entries = [e for key in _GAAD_LISTS if isinstance(lst := document.get(key), list) for e in lst]
        return Counter(a for e in entries if isinstance(e, dict) and (a := _arn_account(e.get("Arn"))))
    if kind is Kind.IAM_CREDENTIAL_REPORT:
        content = document.get("Content")
        text = decode_content(content) if isinstance(content, str) else None
        return csv_accounts(text or "")
    return accounts_in(document)


def csv_accounts(text: str) -> Counter[str]:
    return Counter(ARN_ACCOUNT_RE.findall(text))


def _dominant(accounts: Counter[str]) -> str | None:
    """The one account a file is about: the only one named, or one named over twice as often as any other."""
    ranked = accounts.most_common(2)
    if len(ranked) == 1 or (len(ranked) == 2 and ranked[0][1] > 2 * ranked[1][1]):
        return ranked[0][0]
    return None


def place(reading: Reading, kind: Kind, accounts: Counter[str] | None) -> tuple[str | None, str | None] | Outcome:
    """The (account, region) of a file, or the outcome that says why it cannot be placed.

    ``accounts``: the accounts its content names as owners (None: the content does not say).
    """
    scope = SCOPE[kind]
    if scope in (Scope.BUNDLE, Scope.ORGANIZATION, Scope.POLICY):
        return None, None
    account = reading.info.account_id
    if account is None:
        account = _dominant(accounts) if accounts else None
        if account is None:
            return reading.ignored(
                "cannot tell which account this file belongs to: put it under a <12-digit account id>/ folder",
                kind=kind,
            )
    elif accounts and account not in accounts:
        owner = _dominant(accounts) or accounts.most_common(1)[0][0]
        return reading.invalid_because(
            f"placed under account {account} but its content belongs to account {owner}",
            f"move it to {owner}/ or re-export it from {account}",
            kind=kind,
            account=account,
        )
    if scope in (Scope.REGION, Scope.TRAIL, Scope.OBJECT):
        region = reading.info.region
        if region is None:
            return reading.ignored(
                "cannot tell which region this file describes: put it under <account>/<region>/",
                kind=kind,
                account=account,
            )
        return account, region
    return account, None
