"""What EVD-002 tells the user to do about evidence of a kind without a known export command
(:func:`analyzer.rules.support.evidence.fix_for`): the CloudTrail log and digest files, S3 object
listings and lookups the activity rules read have no entry in ``EXPORT_CALLS``, and an unrecognised
kind has none either; both get the generic wording instead of an error."""

from __future__ import annotations

import pytest

from analyzer.model.evidence import EvidenceState, EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.rules.support.evidence import EXPORT_CALLS, fix_for


@pytest.mark.parametrize("kind", [Kind.CT_LOG_FILE.value, Kind.S3_LIST_OBJECTS.value, "not-a-kind"])
def test_fix_for_a_kind_without_an_export_command(kind: str) -> None:
    assert Kind.CT_LOG_FILE not in EXPORT_CALLS
    assert fix_for(EvidenceState(kind, EvidenceStatus.DENIED)) == (
        "grant the exporting principal its read permission (e.g. via the SecurityAudit policy) "
        "and re-run the export command"
    )
    assert fix_for(EvidenceState(kind, EvidenceStatus.ERROR, error_code="Throttling")) == (
        "re-run the export command; if the error persists, fix its cause (Throttling)"
    )


def test_fix_for_names_the_command_and_permission_of_a_known_kind() -> None:
    state = EvidenceState(Kind.IAM_PASSWORD_POLICY.value, EvidenceStatus.DENIED)
    assert fix_for(state) == (
        "grant the exporting principal iam:GetAccountPasswordPolicy (e.g. via the SecurityAudit policy) "
        "and re-run aws iam get-account-password-policy"
    )
