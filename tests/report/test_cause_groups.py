"""The printout lists not-evaluated results once per cause, every one counted (issue 15 §4)."""

from __future__ import annotations

from analyzer.findings.result import Finding
from analyzer.report.view import cause_groups
from analyzer.rules.base import Severity, Status


class _Views:
    def account_label(self, account: str) -> str:
        return f"account {account}"


def _ne(message: str, account: str | None) -> Finding:
    return Finding(
        rule="ACT-001", status=Status.NOT_EVALUATED, severity=Severity.HIGH, account=account, region=None,
        resource=None, message=message, evidence=(), fingerprint=message + str(account),
    )  # fmt: skip


def test_results_differing_only_by_their_subjects_are_one_cause() -> None:
    findings = [
        _ne(f"not evaluated: no activity evidence for account {a} ({n})", a)
        for a, n in (("111111111111", "Dev"), ("222222222222", "Test"), ("333333333333", "Prod"))
    ] + [
        _ne("not evaluated: AWSSSO_24d399aedf21ed81_DO_NOT_DELETE reaches arn:aws:iam::1:role/a", "111111111111"),
        _ne("not evaluated: AWSSSO_0a1b2c3d4e5f6a7b_DO_NOT_DELETE reaches arn:aws:iam::2:role/b", "222222222222"),
        _ne("not evaluated: the organization's account list is missing", None),
    ]
    groups = cause_groups(findings, _Views(), shown_accounts=2)  # type: ignore[arg-type]
    assert [(g.count, g.accounts) for g in groups] == [
        (3, "account 111111111111, account 222222222222 and 1 more"),
        (2, "account 111111111111, account 222222222222"),
        (1, "the organization"),
    ]
    assert groups[0].message == findings[0].message  # the first one's message, as written
    assert sum(g.count for g in groups) == len(findings)  # every result counted
