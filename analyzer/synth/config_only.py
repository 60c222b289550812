"""What a Config-only bundle (``trustmap synth --config-only``) analyzes to, written in ``EXPECTED.json``
under ``config_snapshots``: ``failures``, the organization's failures the central bucket evidences (and
the one it adds), and ``not_evaluated`` / ``not_visible``, the others with why.

The bucket holds AWS Config's snapshot and history files and CloudTrail's logs and digests; no CLI
export. So a planted defect's failure is found when its rule reads only what those carry (IAM users,
groups, roles, customer managed policies, trails' settings, the bucket policy, Config's recorders, the
delivered files themselves, CloudTrail records); it is ``not_evaluated``, naming what is missing, when
the rule needs what AWS Config does not record (the credential report, password policy, account summary,
trail status and selectors, delivery channels: no such resource type in
https://docs.aws.amazon.com/config/latest/developerguide/resource-config-reference.html) or the
Organizations exports; and it is not visible at all when the defect leaves nothing in the bucket (an
account or region that delivers nothing there, a defect of an export the bucket does not hold).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from analyzer.synth.defect_base import Planted

Json = dict[str, Any]

_SUMMARY = "AWS Config does not record the account summary"
_CREDENTIALS = "AWS Config does not record the credential report"
_PASSWORD = "AWS Config does not record the account password policy"
_TRAIL_STATUS = "cloudtrail-get-trail-status"
_SELECTORS = "AWS Config records only whether a trail has custom event selectors"
_CHANNELS = "AWS Config records no item for its delivery channel"
_ACCOUNTS = "organizations-list-accounts missing"
_NO_SUMMARY = "fewer than two usable exports"
#: an organization trail, recorded only in the management account's Config, may cover the account
_TRAIL_LIST = "the trails that apply may not all be known"

#: rule -> ("fail", "") when the bucket evidences the failure, ("not_evaluated", a text of the result's
#: message), or ("not_visible", why); a (rule, variant) entry overrides its rule's.
_BY_RULE: dict[str, tuple[str, str]] = {
    **{f"ACT-00{n}": ("fail", "") for n in range(1, 8)},
    "CRD-001": ("not_evaluated", _SUMMARY),
    "CRD-002": ("not_evaluated", _SUMMARY),
    "CRD-003": ("not_evaluated", _CREDENTIALS),
    "CRD-004": ("not_evaluated", _PASSWORD),
    "CRD-005": ("not_evaluated", _CREDENTIALS),
    "CRD-006": ("not_evaluated", _CREDENTIALS),
    "EVD-001": ("not_visible", "no account list in the bucket: the organization's EVD-001 fails instead"),
    "EVD-002": ("not_visible", "a defect of a CLI export: the bucket holds none"),
    "EVD-003": ("not_evaluated", "organizations-list-accounts missing"),
    "EVD-004": ("not_evaluated", _NO_SUMMARY),
    **{f"IDN-0{n:02d}": ("fail", "") for n in range(1, 11)},
    "IDN-004": ("not_evaluated", _ACCOUNTS),
    "LOG-001": ("not_evaluated", _TRAIL_STATUS),
    "LOG-002": ("not_evaluated", _TRAIL_STATUS),
    "LOG-003": ("fail", ""),
    "LOG-004": ("not_evaluated", _TRAIL_STATUS),
    "LOG-005": ("not_evaluated", _SELECTORS),
    "LOG-006": ("fail", ""),
    "LOG-007": ("fail", ""),
    "LOG-008": ("fail", ""),
    "LOG-009": ("not_visible", "the bucket policy refuses the account's Config files: the bucket holds none of it"),
    "LOG-010": ("fail", ""),
    "LOG-011": ("fail", ""),
}
_NO_FILES = "no AWS Config file of this account from"  # nothing of that account and region reaches the bucket
_BY_VARIANT: dict[tuple[str, str], tuple[str, str]] = {
    ("IDN-008", "partner-role"): ("not_evaluated", _ACCOUNTS),
    ("LOG-001", "single-region"): ("not_evaluated", _TRAIL_LIST),
    ("LOG-002", "local-bucket"): ("not_evaluated", _TRAIL_LIST),
    ("LOG-006", "no-recorder"): ("not_evaluated", _NO_FILES),
    ("LOG-008", "no-recorder"): ("not_evaluated", _NO_FILES),
    ("LOG-008", "local-bucket"): ("not_evaluated", _NO_FILES),
    ("LOG-009", "trail-prefix"): ("fail", ""),
    ("LOG-008", "failing"): (
        "not_visible",
        "only history deliveries fail, and history files come only when a resource changed: the bucket's "
        "recent snapshot shows delivery working (the failure is in describe-delivery-channel-status only)",
    ),
    ("LOG-010", "external-writer"): ("not_evaluated", _ACCOUNTS),
    ("LOG-010", "source-outsider"): ("not_evaluated", _ACCOUNTS),
    ("LOG-011", "channel-without-sns"): ("not_evaluated", _CHANNELS),
}

#: Always failed by a Config-only bundle: no organizations-list-accounts, so whether an account's
#: evidence is missing cannot be known (EVD-001 fails for the organization).
ORGANIZATION_FAILURES = ({"rule": "EVD-001", "account": "-", "region": "-", "resource": "-"},)


_OUTSIDE = "IDN-004 judges it, not evaluated without organizations-list-accounts"
_SILENT = "nothing of the account is in the bucket (see accounts_without_files)"


_NO_IAM = "iam-get-account-authorization-details missing"
_KIND_MISSING = {
    _SUMMARY: "iam-get-account-summary missing",
    _CREDENTIALS: "iam-get-credential-report missing",
    _PASSWORD: "iam-get-account-password-policy missing",
}
_NO_BUCKET = "the central bucket's own item (with its policy) is not in the bucket: its home region delivers elsewhere"
#: The rules that read the central bucket's policy.
_BUCKET_RULES = frozenset({"LOG-009", "LOG-010"})


def config_only_outcomes(
    planted: Sequence[Planted],
    *,
    silent: Collection[str],
    without_iam: Collection[str],
    identity: str,
    bucket_item: bool,
    scp_blocked: Sequence[tuple[str, str]],
    lateral_trusts: Mapping[str, str],
) -> Json:
    """``failures``, ``not_evaluated`` and ``not_visible`` of a Config-only bundle (see the module).

    ``silent``: the accounts whose files the bucket does not hold; ``without_iam``: the accounts whose
    global IAM items it does not hold (no region delivering to it records them); ``bucket_item``: whether
    it holds its own ``AWS::S3::Bucket`` item; ``scp_blocked``: (caller, role) of the paths only an SCP
    denies; ``lateral_trusts``: role ARN -> the member its trust names. A member in no file of the bucket
    is, without the account list, an account of unknown membership: its trust is IDN-004's (not evaluated
    for want of organizations-list-accounts), not IDN-006's. SCPs are Organizations' and not in the
    bucket, so a path only an SCP denies is reported (IDN-003 fails on the IAM policies alone, as for
    any bundle without the SCPs)."""

    def judged(rule: str, variant: str, account: str, resource: str = "-") -> tuple[str, str]:
        if account in silent:
            return "not_visible", _SILENT
        outcome, why = _BY_VARIANT.get((rule, variant)) or _BY_RULE[rule]
        readers = {account, identity} if rule == "IDN-003" else {account}  # whose IAM the rule reads
        if rule.startswith("IDN") and readers & set(without_iam):
            return "not_evaluated", _NO_IAM
        if rule == "IDN-006" and lateral_trusts.get(resource) in silent:
            return "not_visible", "the trusted member is in no file of the bucket: " + _OUTSIDE
        if account in without_iam and why in _KIND_MISSING:  # the IAM is not from Config: no word on it
            return outcome, _KIND_MISSING[why]
        if rule in _BUCKET_RULES and not bucket_item:
            return "not_visible", _NO_BUCKET
        return outcome, why

    failures: dict[tuple[str, ...], Json] = {tuple(f.values()): dict(f) for f in ORGANIZATION_FAILURES}
    other: dict[str, dict[tuple[str, ...], Json]] = {"not_evaluated": {}, "not_visible": {}}
    for caller, role in scp_blocked:
        row = {"rule": "IDN-003", "account": role.split(":")[4], "region": "-", "resource": f"{caller} -> {role}"}
        if (
            judged("IDN-003", "scp-blocked", caller.split(":")[4])[0]
            == judged("IDN-003", "", row["account"])[0]
            == "fail"
        ):
            failures[tuple(row.values())] = row
    for defect in planted:
        for failure in defect.failures:
            key = failure.key
            row = dict(zip(("rule", "account", "region", "resource"), key, strict=True))
            outcome, why = judged(failure.rule, defect.variant, failure.account, failure.resource)
            if outcome == "fail":
                failures[key] = row
            else:
                other[outcome].setdefault(key, {**row, "variant": defect.variant, "why": why})
    return {
        "failures": [failures[k] for k in sorted(failures)],
        **{name: [rows[k] for k in sorted(rows) if k not in failures] for name, rows in other.items()},
    }
