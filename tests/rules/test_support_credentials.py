"""analyzer/rules/support/credentials.py tested alone: the dates the CRD rules print, whole calendar days in
UTC whatever the machine's time zone, when a credential report was generated, and what the password policy
says about users changing their own password for an account the bundle has no evidence of.

The rest of the module (root rows, centralized root access, key and password ages, the password baseline)
is pinned through the CRD and IDN-009 fixture cases (fixtures/rules/CRD-*, IDN-009), which read it as an
auditor does.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from analyzer.audit.org_shape import resolve_shape
from analyzer.audit.settings import Settings
from analyzer.evidence import load_bundle
from analyzer.model.entities import CredentialReport
from analyzer.model.evidence import EvidenceRef
from analyzer.pipeline import without_graph
from analyzer.rules.context import RuleContext
from analyzer.rules.support.credentials import day, days_between, password_change_setting, report_when

BASE = Path(__file__).resolve().parents[2] / "fixtures" / "rules" / "base"


@pytest.fixture
def local_time_zone() -> Iterator[None]:
    """The process's local time zone set to UTC-8 (no daylight saving), restored afterwards."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "ETC+8")  # POSIX TZ: 8 hours west of UTC
        time.tzset()
        assert time.timezone == 8 * 3600
        yield
    time.tzset()


def test_day_is_the_utc_date_or_unknown() -> None:
    assert day(datetime(2026, 5, 1, 23, 59, 59, tzinfo=UTC)) == "2026-05-01"
    # a time given in another offset is printed as its UTC date
    assert day(datetime(2026, 5, 1, 20, 0, tzinfo=timezone(timedelta(hours=-5)))) == "2026-05-02"
    assert day(None) == "unknown"


@pytest.mark.usefixtures("local_time_zone")
def test_days_between_counts_utc_calendar_days_whatever_the_machines_time_zone() -> None:
    """1:00 UTC on consecutive days is one day apart; in UTC-8 both moments fall on the previous local date,
    and one of them converted locally would make it 0 or 2 days: the output must not depend on the machine."""
    earlier = datetime(2026, 2, 10, 1, 0, tzinfo=UTC)
    later = datetime(2026, 2, 11, 1, 0, tzinfo=UTC)
    assert days_between(earlier, later) == 1
    assert days_between(datetime(2026, 2, 10, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC)) == 283
    # offsets other than UTC are converted, not read as they stand
    assert days_between(datetime(2026, 2, 10, 20, 0, tzinfo=timezone(timedelta(hours=-5))), later) == 0


def test_report_when_quotes_the_generation_time_or_says_it_is_not_recorded() -> None:
    ref = EvidenceRef("111111111111/iam/credential-report.csv")
    generated = CredentialReport(
        account_id="111111111111", ref=ref, generated=datetime(2026, 11, 20, 9, 55, tzinfo=UTC), rows=()
    )
    assert report_when(generated) == "generated 2026-11-20T09:55:00Z"
    assert report_when(CredentialReport(account_id="111111111111", ref=ref, generated=None, rows=())) == (
        "generation time not recorded"
    )


@pytest.fixture(scope="module")
def base_context() -> RuleContext:
    snapshot = load_bundle(BASE)
    settings = Settings()
    return without_graph(snapshot, settings, resolve_shape(snapshot, settings))


def test_password_change_setting_of_an_account_without_evidence_is_unknown(base_context: RuleContext) -> None:
    setting = password_change_setting(base_context, "999999999999")
    assert setting.allows is None
    assert setting.text == (
        "the password policy is unknown (iam-get-account-password-policy missing: no "
        "iam-get-account-password-policy file in the bundle for 999999999999), and its "
        "AllowUsersToChangePassword would let every IAM user change its own password"
    )
    assert setting.evidence == ()


def test_password_change_setting_read_from_the_policy(base_context: RuleContext) -> None:
    """The base Identity account's policy sets AllowUsersToChangePassword true (IAM User Guide, "Permit IAM
    users to change their own passwords": https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_enable-user-change.html)."""
    setting = password_change_setting(base_context, "111111111111")
    assert setting.allows is True
    assert setting.text == "the password policy sets AllowUsersToChangePassword true"
    assert setting.evidence == (
        EvidenceRef("111111111111/iam/get-account-password-policy.json", "/PasswordPolicy/AllowUsersToChangePassword"),
    )
