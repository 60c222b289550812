"""The IAM credential report: ``get-credential-report`` JSON (base64 ``Content``) or the CSV itself.

Columns are mapped by header name (user names may hold commas, and AWS may add columns); the
placeholders ``N/A``, ``no_information`` and ``not_supported`` mean "no value"; booleans come in
either case. The root row's ``password_enabled`` is always ``not_supported`` and stays None.
"""

from __future__ import annotations

import ast
import base64
import binascii
import csv
import io
from typing import Any

from analyzer.evidence.readers.base import Collector, FileContext, as_bool
from analyzer.model.entities import CREDENTIAL_REPORT_COLUMNS, AccessKeyInfo, CredentialReport, CredentialReportRow
from analyzer.model.evidence import EvidenceRef

COLUMNS = CREDENTIAL_REPORT_COLUMNS  # each exactly once: a second mfa_active must not decide a verdict
_KNOWN = frozenset(COLUMNS)
ROOT_USER = "<root_account>"


def looks_like_report_csv(text: str) -> bool:
    """Whether text starts with a credential report header (``user,arn,...``)."""
    header = text.lstrip("\ufeff \t\r\n").split("\n", 1)[0]
    columns = {c.strip().strip('"').lower() for c in header.split(",")}
    return {"user", "arn"} <= columns


def decode_content(content: str) -> str | None:
    """The CSV held by ``Content``: base64 (CLI), a Python bytes repr (boto3 ``default=str``), or the CSV."""
    try:
        return _decode_content(content.strip())
    except UnicodeDecodeError:
        return None


def _decode_content(content: str) -> str | None:
    if content.startswith(("b'", 'b"')):
        try:
            raw = ast.literal_eval(content)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
        return raw.decode("utf-8-sig", errors="strict") if isinstance(raw, bytes) else None
    if looks_like_report_csv(content):
        return content
    try:
        return base64.b64decode("".join(content.split()), validate=True).decode("utf-8-sig")
    except (binascii.Error, ValueError):
        return None


def report_csv_text(doc: Any, ctx: FileContext) -> str | None:
    """The CSV inside a get-credential-report JSON, or None with a problem that makes the file invalid."""
    content = doc.get("Content") if isinstance(doc, dict) else None
    if not isinstance(content, str):
        ctx.fail(ctx.ref("Content"), "Content is not a base64 string", "export with the AWS CLI v2")
        return None
    text = decode_content(content)
    if text is None:
        ctx.fail(
            ctx.ref("Content"),
            "Content is neither base64 of the report CSV nor the CSV itself",
            "re-export with `aws iam get-credential-report`, or save the CSV as iam/credential-report.csv",
        )
    return text


def _row_ref(base: EvidenceRef, line: int) -> EvidenceRef:
    if base.inner is not None:
        return EvidenceRef(base.file, base.pointer, f"/line/{line}")
    return EvidenceRef(base.file, f"/line/{line}")


def _access_keys(clean: dict[str, str], ref: EvidenceRef, ctx: FileContext) -> tuple[AccessKeyInfo, ...]:
    keys = []
    for slot in (1, 2):
        prefix = f"access_key_{slot}"
        active = as_bool(clean.get(f"{prefix}_active", "false"))
        rotated = ctx.timestamp(clean.get(f"{prefix}_last_rotated"), ref, f"{prefix}_last_rotated")
        if active or rotated:  # an inactive key still shows its rotation date
            keys.append(
                AccessKeyInfo(
                    slot=slot,
                    active=bool(active),
                    last_rotated=rotated,
                    last_used=ctx.timestamp(clean.get(f"{prefix}_last_used_date"), ref, f"{prefix}_last_used_date"),
                )
            )
    return tuple(keys)


def _row(clean: dict[str, str], ref: EvidenceRef, ctx: FileContext) -> CredentialReportRow:
    arn = clean.get("arn", "")
    is_root = clean.get("user") == ROOT_USER or arn.endswith(":root")
    return CredentialReportRow(
        account_id=ctx.account_id or "",
        user=clean.get("user", ""),
        arn=arn,
        ref=ref,
        is_root=is_root,
        created=ctx.timestamp(clean.get("user_creation_time"), ref, "user_creation_time"),
        password_enabled=None if is_root else as_bool(clean.get("password_enabled", "")),
        password_last_used=ctx.timestamp(clean.get("password_last_used"), ref, "password_last_used"),
        password_last_changed=ctx.timestamp(clean.get("password_last_changed"), ref, "password_last_changed"),
        mfa_active=bool(as_bool(clean.get("mfa_active", "false"))),
        access_keys=_access_keys(clean, ref, ctx),
    )


def header_problem(header: list[str]) -> str | None:
    """What is wrong with a report's header (columns repeated, missing or unknown), or None."""
    seen: set[str] = set()
    repeated = sorted({c for c in header if c in seen or seen.add(c)})  # type: ignore[func-returns-value]
    missing = [c for c in COLUMNS if c not in seen]
    unknown = sorted(seen - _KNOWN)
    parts = [
        f"{what} column(s) {', '.join(names)}"
        for what, names in (("repeated", repeated), ("missing", missing), ("unknown", unknown))
        if names
    ]
    return "; ".join(parts) or None


def read_report_csv(text: str, ctx: FileContext, out: Collector, generated: Any = None) -> None:
    """Read the report's CSV; ``generated`` is the JSON form's ``GeneratedTime``.

    The header must be AWS's (:data:`COLUMNS`), every row as wide as the header, and each user listed
    once: a repeated row is read once when it is identical and makes the report unusable when it is
    not (which of two rows about one user is AWS's cannot be told).
    """
    base = ctx.ref("Content").embedded() if not ctx.path.endswith(".csv") else ctx.ref()
    rows: dict[str, CredentialReportRow] = {}
    lines: dict[str, tuple[int, list[str]]] = {}
    try:
        reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
        header = [h.strip().lower() for h in next(reader, [])]
        wrong = header_problem(header)
        if wrong:
            ctx.fail(
                _row_ref(base, 1),
                f"the credential report's header is not AWS's: {wrong}",
                "re-export the report with `aws iam get-credential-report`; do not edit it",
            )
            return
        limit = ctx.max_string_length if ctx.max_string_length is not None and len(text) > ctx.max_string_length else 0
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            line = reader.line_num
            if limit and any(len(v) > limit for v in values):
                longest = max(len(v) for v in values)
                ctx.fail(
                    _row_ref(base, line),
                    f"a field of {longest:,} characters, over the {limit:,}-character limit for one value",
                    "this is not a credential report AWS wrote; raise --max-string-length if it is genuine",
                )
                return
            if len(values) != len(header):
                ctx.fail(
                    _row_ref(base, line),
                    f"line {line} has {len(values)} cells where the header has {len(header)}",
                    "re-export the report; a row that does not fit the header cannot be read safely",
                )
                return
            clean = [value.strip() for value in values]
            key = clean[1] or clean[0]
            if key in lines:
                first_line, first = lines[key]
                if first != clean:
                    ctx.fail(
                        _row_ref(base, line),
                        f"{key} is listed on line {first_line} and again on line {line} with other values",
                        "re-export the report; AWS lists each user once",
                    )
                    return
                continue
            lines[key] = (line, clean)
            rows[key] = _row(dict(zip(header, clean, strict=True)), _row_ref(base, line), ctx)
    except csv.Error as exc:
        ctx.fail(base, f"the credential report is not readable CSV ({exc})", "re-export the report")
        return
    out.account(ctx.account_id or "").credential_report = CredentialReport(
        account_id=ctx.account_id or "",
        ref=ctx.ref(),
        generated=ctx.timestamp(generated, ctx.ref("GeneratedTime")) if generated else None,
        rows=tuple(rows.values()),
    )


def read_credential_report(doc: Any, ctx: FileContext, out: Collector) -> None:
    text = report_csv_text(doc, ctx)
    if text is not None:
        read_report_csv(text, ctx, out, doc.get("GeneratedTime"))
