"""Files that are not a command's JSON output: recorded export failures, the credential report as
CSV, and the bundle's manifest."""

from __future__ import annotations

import json
from typing import Any

from analyzer.evidence import errors
from analyzer.evidence.decode import DecodeError, Duplicates, loads_json
from analyzer.evidence.layout import slot_for
from analyzer.evidence.outcome import Outcome, Reading, duplicate_key_problems, finish
from analyzer.evidence.placement import csv_accounts, place
from analyzer.evidence.readers import Collector, FileContext
from analyzer.evidence.readers.credentials import looks_like_report_csv, read_report_csv
from analyzer.evidence.readers.iam import default_password_policy
from analyzer.evidence.schemas import check as schema_check
from analyzer.model.evidence import EvidenceRef, EvidenceState, EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.model.policy import PolicyDocument
from analyzer.model.snapshot import FileStatus


def _error_code(reading: Reading, text: str, kind: Kind) -> tuple[str | None, str] | Outcome:
    """(code, message) of an error record; (None, its first line) when no AWS error code can be read in it.

    A record that repeats a key is the one exception: it has two readings, so it is invalid, like
    any other file that does.
    """
    if reading.path.endswith(".json") or text.lstrip().startswith("{"):
        duplicates = Duplicates()
        try:
            document = loads_json(text, duplicates)
        except DecodeError:
            document = None
        if duplicates:
            return reading.invalid(duplicate_key_problems(document, duplicates))
        found = errors.code_from_record(document)
        if found is not None:
            return found
        if document is not None:  # a JSON record: its first line is "{"; quote it on one line instead
            text = json.dumps(document, ensure_ascii=False, separators=(", ", ": "))
    found = errors.code_from_stderr(text, kind)
    if found is not None:
        return found
    return None, errors.first_line(text)


def read_error_record(reading: Reading, text: str) -> Outcome:
    """A failed export call: NoSuchEntity and its kin mean "nothing configured", AccessDenied "not evaluated".

    A record whose error code cannot be read is a failed call all the same (status ``error``): its
    checks are not evaluated, quoting the record's first line.
    """
    kind = reading.info.kind
    if kind is None:
        return reading.ignored("an error record of a command trustmap does not read")
    found = _error_code(reading, text, kind)
    if isinstance(found, Outcome):
        return found
    code, message = found
    placed = place(reading, kind, None)
    if isinstance(placed, Outcome):
        return placed
    account, region = placed
    collected: Collector | None = None
    if code is None:
        status = EvidenceStatus.ERROR
        said = f": {message!r}" if message else " (the record is empty)"
        reason = f"the export call failed; its error record names no AWS error code trustmap can read{said}"
    else:
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


def read_credential_csv(reading: Reading, text: str, policy_cache: dict[str, PolicyDocument]) -> Outcome:
    """``<account>/iam/credential-report.csv``: the report as AWS delivers it, without the JSON wrapper."""
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
    ctx = FileContext(reading.path, account, None, None, None, policy_cache)
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
