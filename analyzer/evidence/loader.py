"""Load a bundle file by file into an immutable :class:`Snapshot` plus its inventory.

Each file goes through the same steps: read (size-limited) -> decode -> recognise its kind from
name and content -> place it (account, region) -> schema check -> pagination check -> read into
the model. A failure at any step makes that one file ``invalid`` (or ``ignored``) with a precise
reason; the rest of the bundle still loads. Raw documents are dropped as soon as a file is read,
so memory holds the normalized model, not the JSON.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.evidence import errors
from analyzer.evidence.bundle import Bundle, BundleError, Limits, Member
from analyzer.evidence.decode import (
    DecodeError,
    decode_text,
    decompress_if_gzip,
    loads_json,
    loads_json_marking_duplicates,
)
from analyzer.evidence.layout import ACCOUNT_RE, PathInfo, accounts_in, kind_from_content, read_path
from analyzer.evidence.readers import READERS, Collector, FileContext
from analyzer.evidence.readers.iam import default_password_policy, read_credential_report_csv
from analyzer.evidence.schemas import check as schema_check
from analyzer.evidence.snapshot_builder import build_snapshot
from analyzer.evidence.timestamps import parse_ts
from analyzer.model.evidence import EvidenceRef, EvidenceState, EvidenceStatus
from analyzer.model.kinds import SCOPE, Kind, Scope
from analyzer.model.snapshot import FileStatus, InventoryRow, Manifest, Problem, Snapshot

_EVIDENCE_SUFFIXES = (".json", ".json.gz", ".csv", ".err")


@dataclass
class _Run:
    bundle: Bundle
    collector: Collector
    rows: list[InventoryRow]
    states: dict[tuple[str, str, str, str], EvidenceState]
    manifest_raw: dict[str, Any] | None = None


def load_bundle(path: Path | str, limits: Limits | None = None) -> Snapshot:
    """Read every file of a bundle. Raises :class:`BundleError` only when the bundle itself is unreadable."""
    with Bundle(Path(path), limits) as bundle:
        run = _Run(bundle, Collector(), [], {})
        digest = hashlib.sha256()
        for member in bundle.members:
            row = _load_member(run, member)
            run.rows.append(row)
            digest.update(f"{row.path}\0{row.sha256}\n".encode())
        manifest = _manifest(run)
        return build_snapshot(
            name=bundle.name,
            sha256=digest.hexdigest(),
            manifest=manifest,
            collector=run.collector,
            rows=tuple(run.rows),
            states=run.states,
        )


# --------------------------------------------------------------------------- one file


def _row(
    member: Member,
    info: PathInfo | None,
    status: FileStatus,
    reason: str,
    sha: str = "",
    kind: Kind | None = None,
    account: str | None = None,
    region: str | None = None,
    problems: tuple[Problem, ...] = (),
) -> InventoryRow:
    return InventoryRow(
        path=member.path,
        kind=(kind or (info.kind if info else None)) and str(kind or (info.kind if info else None)),
        account_id=account if account is not None else (info.account_id if info else None),
        region=region if region is not None else (info.region if info else None),
        size=member.size,
        sha256=sha,
        status=status,
        reason=reason,
        problems=problems,
    )


def _set_state(
    run: _Run, kind: Kind, account: str | None, region: str | None, item: str | None, state: EvidenceState
) -> None:
    key = (account or "", region or "", kind.value, item or "")
    previous = run.states.get(key)
    if previous is not None and previous.status.usable and not state.status.usable:
        return  # a loaded copy beats a failed duplicate
    if previous is not None:
        state = EvidenceState(state.kind, state.status, state.reason, previous.files + state.files, state.error_code)
    run.states[key] = state


def _load_member(run: _Run, member: Member) -> InventoryRow:
    info = read_path(member.path)
    if member.problem:
        status = FileStatus.IGNORED if "symbolic link" in member.problem else FileStatus.INVALID
        return _row(member, info, status, member.problem)
    if not member.path.endswith(_EVIDENCE_SUFFIXES):
        return _row(member, info, FileStatus.IGNORED, "not an evidence file (.json, .json.gz, .csv, .err expected)")
    try:
        data = run.bundle.read(member.path)
    except BundleError as exc:
        return _row(member, info, FileStatus.INVALID, str(exc))
    except OSError as exc:
        return _row(member, info, FileStatus.INVALID, f"cannot read the file: {exc}")
    sha = hashlib.sha256(data).hexdigest()
    try:
        return _load_content(run, member, info, data, sha)
    except DecodeError as exc:
        hint = f"; {exc.hint}" if exc.hint else ""
        if info.kind is not None and not info.error_record:
            region = info.region if SCOPE[info.kind] in (Scope.REGION, Scope.TRAIL) else None
            _set_state(
                run,
                info.kind,
                info.account_id,
                region,
                info.item,
                EvidenceState(info.kind.value, EvidenceStatus.INVALID, exc.message, (member.path,)),
            )
        return _row(
            member,
            info,
            FileStatus.INVALID,
            exc.message + hint,
            sha,
            problems=(Problem(exc.pointer, exc.message, exc.hint),),
        )


def _load_content(run: _Run, member: Member, info: PathInfo, data: bytes, sha: str) -> InventoryRow:
    raw = decompress_if_gzip(data, run.bundle.limits.max_member_bytes)
    text, _encoding = decode_text(raw)
    if info.error_record:
        return _load_error_record(run, member, info, text, sha)
    if info.csv or (info.kind is Kind.IAM_CREDENTIAL_REPORT and text.lstrip().startswith("user,arn")):
        return _load_credential_csv(run, member, info, text, sha)
    document = loads_json_marking_duplicates(text) if info.kind is Kind.IAM_AUTH_DETAILS else loads_json(text)
    if info.kind is Kind.MANIFEST and "/" not in member.path:
        run.manifest_raw = document if isinstance(document, dict) else None
        problems = schema_check(Kind.MANIFEST.value, document)
        status = FileStatus.INVALID if problems else FileStatus.LOADED
        return _row(member, info, status, _summary(problems), sha, problems=problems)
    content_kind = kind_from_content(document)
    kind = info.kind or content_kind
    if kind is None:
        return _row(
            member,
            info,
            FileStatus.IGNORED,
            "neither the file name nor its top-level keys match an evidence kind trustmap reads",
            sha,
        )
    if content_kind is not None and info.kind is not None and content_kind is not info.kind:
        return _row(
            member,
            info,
            FileStatus.INVALID,
            f"named as {info.kind.value} but holds {content_kind.value} output; "
            "rename or move the file to where its content belongs",
            sha,
            kind=info.kind,
        )
    if kind is Kind.MANIFEST:
        return _row(member, info, FileStatus.IGNORED, "a manifest is only read at the bundle's top level", sha)
    placed = _place(member, info, kind, document, sha)
    if isinstance(placed, InventoryRow):
        return placed
    account, region = placed
    problems = schema_check(kind.value, document)
    if problems:
        row = _row(member, info, FileStatus.INVALID, _summary(problems), sha, kind, account, region, problems)
        _set_state(
            run,
            kind,
            account,
            region,
            info.item,
            EvidenceState(kind.value, EvidenceStatus.INVALID, row.reason, (member.path,)),
        )
        return row
    truncated = pagination_markers(document)
    ctx = FileContext(member.path, account, region, info.item)
    READERS[kind](document, ctx, run.collector)
    del document
    return _finish(run, member, info, kind, account, region, sha, tuple(ctx.problems), ctx.fatal, truncated)


def pagination_markers(document: Any) -> list[str]:
    """The pagination keys that say more results remain (``IsTruncated: true``, a Marker, a NextToken)."""
    if not isinstance(document, dict):
        return []
    found = []
    if document.get("IsTruncated") is True:
        found.append("IsTruncated")
    found.extend(k for k in ("Marker", "NextToken") if document.get(k))
    return found


def _finish(
    run: _Run,
    member: Member,
    info: PathInfo,
    kind: Kind,
    account: str | None,
    region: str | None,
    sha: str,
    problems: tuple[Problem, ...],
    fatal: bool,
    truncated: list[str],
) -> InventoryRow:
    if fatal:
        status, evidence = FileStatus.INVALID, EvidenceStatus.INVALID
        reason = _summary(problems)
    elif truncated:
        status, evidence = FileStatus.INCOMPLETE, EvidenceStatus.INCOMPLETE
        reason = (
            f"the export is paginated and incomplete ({', '.join(truncated)} present); "
            "re-run the command without --max-items/--no-paginate"
        )
        problems = (*problems, Problem("/" + truncated[0], "more results remain on the server", reason))
    else:
        status, evidence = FileStatus.LOADED, EvidenceStatus.LOADED
        reason = _summary(problems) if problems else ""
    _set_state(run, kind, account, region, info.item, EvidenceState(kind.value, evidence, reason, (member.path,)))
    return _row(member, info, status, reason, sha, kind, account, region, problems)


def _summary(problems: tuple[Problem, ...]) -> str:
    if not problems:
        return ""
    first = problems[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{first.pointer or '/'}: {first.message}{more}"


def _place(
    member: Member, info: PathInfo, kind: Kind, document: Any, sha: str
) -> tuple[str | None, str | None] | InventoryRow:
    """The account and region of a file, or the inventory row that says why it cannot be placed."""
    scope = SCOPE[kind]
    if scope in (Scope.ORGANIZATION, Scope.POLICY, Scope.BUNDLE):
        return None, None
    content_accounts = _content_accounts(kind, document)
    account = info.account_id
    if account is None:
        if len(content_accounts) == 1 or (
            content_accounts and content_accounts.most_common(2)[0][1] > 2 * content_accounts.most_common(2)[-1][1]
        ):
            account = content_accounts.most_common(1)[0][0]
        else:
            return _row(
                member,
                info,
                FileStatus.IGNORED,
                "cannot tell which account this file belongs to: put it under a <12-digit account id>/ folder",
                sha,
                kind,
            )
    elif content_accounts and account not in content_accounts:
        owner = content_accounts.most_common(1)[0][0]
        return _row(
            member,
            info,
            FileStatus.INVALID,
            f"placed under account {account} but its content belongs to account {owner}; "
            f"move it to {owner}/ or re-export it from {account}",
            sha,
            kind,
            account,
        )
    region = info.region
    if scope in (Scope.REGION, Scope.TRAIL) and region is None:
        return _row(
            member,
            info,
            FileStatus.IGNORED,
            "cannot tell which region this file describes: put it under <account>/<region>/",
            sha,
            kind,
            account,
        )
    return account, region if scope in (Scope.REGION, Scope.TRAIL) else None


def _content_accounts(kind: Kind, document: Any) -> Counter[str]:
    """Accounts that own the principals/resources in a file (not ones it merely mentions)."""
    if not isinstance(document, dict):
        return Counter()
    if kind is Kind.IAM_AUTH_DETAILS:
        arns = [
            item.get("Arn", "")
            for key in ("UserDetailList", "GroupDetailList", "RoleDetailList")
            for item in document.get(key) or []
            if isinstance(item, dict)
        ]
        return Counter(
            a.split(":")[4]
            for a in arns
            if isinstance(a, str) and a.count(":") >= 5 and ACCOUNT_RE.match(a.split(":")[4])
        )
    if kind in (Kind.IAM_VIRTUAL_MFA, Kind.CONFIG_RECORDERS, Kind.CONFIG_RECORDER_STATUS):
        return accounts_in(document)
    return Counter()


# --------------------------------------------------------------------------- special files


def _load_error_record(run: _Run, member: Member, info: PathInfo, text: str, sha: str) -> InventoryRow:
    if info.kind is None:
        return _row(member, info, FileStatus.IGNORED, "an error record for a command trustmap does not read", sha)
    found = None
    if member.path.endswith(".json"):
        try:
            found = errors.code_from_record(loads_json(text))
        except DecodeError:
            found = None
    else:
        found = errors.code_from_stderr(text)
    if found is None:
        return _row(
            member,
            info,
            FileStatus.INVALID,
            'an error record without an AWS error code; expected {"Error": {"Code": ...}} or the CLI\'s '
            '"An error occurred (Code) when calling ..." text',
            sha,
        )
    code, message = found
    kind = info.kind
    account = info.account_id
    region = info.region if SCOPE[kind] in (Scope.REGION, Scope.TRAIL) else None
    status = errors.status_for(kind, code)
    reason = f"the export call failed with {code}" + (f": {message}" if message else "")
    if status is EvidenceStatus.ABSENT_IN_AWS:
        reason = f"AWS answered {code}: nothing is configured"
        if kind is Kind.IAM_PASSWORD_POLICY and account:
            parts = run.collector.account(account)
            parts.password_policy = default_password_policy(account, EvidenceRef(member.path))
    _set_state(
        run,
        kind,
        account,
        region,
        info.item,
        EvidenceState(kind.value, status, reason, (member.path,), error_code=code),
    )
    return _row(member, info, FileStatus.ERROR_RECORD, reason, sha, kind, account, region)


def _load_credential_csv(run: _Run, member: Member, info: PathInfo, text: str, sha: str) -> InventoryRow:
    kind = Kind.IAM_CREDENTIAL_REPORT
    if not text.lstrip().startswith("user,arn"):
        return _row(member, info, FileStatus.IGNORED, "a CSV file that is not a credential report", sha)
    account = info.account_id
    if account is None:
        first_arn = next((part for part in text.split(",") if part.startswith("arn:")), "")
        account = first_arn.split(":")[4] if first_arn.count(":") >= 5 else None
    if account is None:
        return _row(
            member,
            info,
            FileStatus.IGNORED,
            "cannot tell which account this credential report is for",
            sha,
            kind,
        )
    ctx = FileContext(member.path, account, None, None)
    read_credential_report_csv(text, ctx, run.collector)
    return _finish(run, member, info, kind, account, None, sha, tuple(ctx.problems), ctx.fatal, [])


def _manifest(run: _Run) -> Manifest:
    raw = run.manifest_raw or {}
    collected = None
    source = "unknown"
    try:
        collected = parse_ts(raw.get("collected_at"))
        source = "manifest" if collected else source
    except ValueError:
        collected = None
    if collected is None:
        generated = [
            p.credential_report.generated
            for p in run.collector.accounts.values()
            if p.credential_report and p.credential_report.generated
        ]
        if generated:
            collected, source = max(generated), "credential-report"
    identity = raw.get("identity_account")
    bucket = raw.get("log_bucket")
    partition = raw.get("partition")
    return Manifest(
        collected_at=collected,
        collected_at_source=source,
        identity_account=str(identity) if isinstance(identity, str) and ACCOUNT_RE.match(identity) else None,
        log_bucket=str(bucket) if isinstance(bucket, str) and bucket else None,
        partition=str(partition) if partition in ("aws", "aws-cn", "aws-us-gov") else "aws",
    )
