"""Files that are not a command's JSON output: recorded export failures, the credential report as
CSV, and the bundle's manifest."""

from __future__ import annotations

from typing import Any

from analyzer.evidence import errors
from analyzer.evidence.decode import loads_json
from analyzer.evidence.layout import slot_for
from analyzer.evidence.outcome import Outcome, Reading, finish
from analyzer.evidence.placement import csv_accounts, place
from analyzer.evidence.readers import Collector, FileContext
from analyzer.evidence.readers.credentials import looks_like_report_csv, read_report_csv
from analyzer.evidence.readers.iam import default_password_policy
from analyzer.evidence.schemas import check as schema_check
from analyzer.model.evidence import EvidenceRef, EvidenceState, EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.model.policy import PolicyDocument
from analyzer.model.snapshot import FileStatus, Problem

_RECORD_SHAPE = (
    'expected {"Error": {"Code": "...", "Message": "..."}} in <name>.error.json, or the AWS CLI\'s '
    '"An error occurred (Code) when calling ..." text in <name>.err'
)


def _error_code(reading: Reading, text: str) -> tuple[str, str] | Outcome:
    """(code, message) of an error record, or the invalid outcome of a record that names no AWS error."""
    if reading.path.endswith(".json") or text.lstrip().startswith("{"):
        document = loads_json(text)
        found = errors.code_from_record(document)
        if found is None:
            detail = tuple(p for p in schema_check("error-record", document) if p.pointer)
            return reading.invalid((Problem("", "an error record without an AWS error code", _RECORD_SHAPE), *detail))
        return found
    found = errors.code_from_stderr(text)
    if found is not None:
        return found
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not first_line:
        return reading.invalid_because("the error record is empty", _RECORD_SHAPE)
    return reading.invalid_because(f"an error record without an AWS error code ({first_line[:200]})", _RECORD_SHAPE)


def read_error_record(reading: Reading, text: str) -> Outcome:
    """A failed export call: NoSuchEntity and its kin mean "nothing configured", AccessDenied "not evaluated"."""
    kind = reading.info.kind
    if kind is None:
        return reading.ignored("an error record of a command trustmap does not read")
    found = _error_code(reading, text)
    if isinstance(found, Outcome):
        return found
    code, message = found
    placed = place(reading, kind, None)
    if isinstance(placed, Outcome):
        return placed
    account, region = placed
    collected: Collector | None = None
    status = errors.status_for(kind, code)
    reason = f"the export call failed with {code}" + (f": {message}" if message else "")
    if status is EvidenceStatus.ABSENT_IN_AWS:
        reason = f"AWS answered {code}: nothing is configured, AWS defaults apply"
        if kind is Kind.IAM_PASSWORD_POLICY and account:
            collected = Collector()
            collected.account(account).password_policy = default_password_policy(account, EvidenceRef(reading.path))
    slot = slot_for(kind, account, region, reading.info.item)
    state = EvidenceState(kind.value, status, reason, (reading.path,), error_code=code)
    row = reading.row(FileStatus.ERROR_RECORD, reason, kind=kind, account=account, region=region)
    return Outcome(row, slot, state, collected)


def read_credential_csv(
    reading: Reading, text: str, policy_cache: dict[str, PolicyDocument], max_string_length: int | None = None
) -> Outcome:
    """``<account>/iam/credential-report.csv``: the report as AWS delivers it, without the JSON wrapper.

    ``max_string_length``: the longest field (``Limits.max_string_length``)."""
    kind = Kind.IAM_CREDENTIAL_REPORT
    if not looks_like_report_csv(text):
        if reading.info.kind is kind:
            return reading.invalid_because(
                "not a credential report: the first line must be the header user,arn,user_creation_time,...",
                "save the decoded report CSV as it is",
            )
        return reading.ignored("a CSV file that is not a credential report")
    placed = place(reading, kind, csv_accounts(text))
    if isinstance(placed, Outcome):
        return placed
    account, _ = placed
    ctx = FileContext(reading.path, account, None, None, None, policy_cache, max_string_length=max_string_length)
    collected = Collector()
    read_report_csv(text, ctx, collected)
    return finish(reading, kind, ctx, collected, [])


def read_manifest(reading: Reading, document: Any) -> Outcome:
    """The top-level ``manifest.json``; its facts are used only when it matches its schema."""
    problems = schema_check(Kind.MANIFEST.value, document)
    if problems:
        return reading.invalid(problems, kind=Kind.MANIFEST)
    slot = slot_for(Kind.MANIFEST, None, None, None)
    state = EvidenceState(Kind.MANIFEST.value, EvidenceStatus.LOADED, "", (reading.path,))
    row = reading.row(FileStatus.LOADED, reading.note, kind=Kind.MANIFEST)
    return Outcome(row, slot, state, manifest=document)
