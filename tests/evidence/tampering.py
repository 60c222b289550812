"""Doctored copies of the sample organization, as a malicious auditee would make them.

Each :class:`Tamper` edits a copy of ``fixtures/sample-org`` the way the evidence-integrity issue
saw verdicts bought: a duplicate key, a second copy of a file under another name or folder, a row or
a principal left out, a forged header. :func:`broken_promises` compares the doctored bundle's
findings with the untouched one's: a planted failure may stay a failure, or become
``not_evaluated`` for the same rule and account; it may never pass or vanish. :func:`tamper_seen`
says whether the doctoring itself is visible (an evidence rule fails, or the inventory names the
file), so a mutation that changes nothing is not counted as caught by accident.
"""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.findings.result import Finding
from analyzer.rules.base import Status

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample-org"

IDENTITY = "123456789012"
TEST_ACCT = "565392545552"
STAGING = "565392545553"
SANDBOX = "210987654321"


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _write(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=4), encoding="utf-8")


def _gaad(bundle: Path, account: str) -> Path:
    return bundle / account / "iam" / "get-account-authorization-details.json"


def _report_path(bundle: Path, account: str) -> Path:
    return bundle / account / "iam" / "get-credential-report.json"


def _report_csv(bundle: Path, account: str) -> str:
    return base64.b64decode(_read(_report_path(bundle, account))["Content"]).decode()


def _write_report_csv(bundle: Path, account: str, text: str, **extra: Any) -> None:
    path = _report_path(bundle, account)
    document = _read(path)
    document["Content"] = base64.b64encode(text.encode()).decode()
    document.update(extra)
    _write(path, document)


# --------------------------------------------------------------------------- the doctoring


def _trail_validation_twice(bundle: Path) -> None:
    """LOG-003's failing trail says ``false`` then ``true``: json keeps the last value."""
    path = bundle / STAGING / "us-east-1" / "cloudtrail" / "describe-trails.json"
    text = path.read_text(encoding="utf-8")
    assert '"LogFileValidationEnabled": false' in text
    path.write_text(
        text.replace(
            '"LogFileValidationEnabled": false', '"LogFileValidationEnabled": false, "LogFileValidationEnabled": true'
        ),
        encoding="utf-8",
    )


def _clean_role_list_appended(bundle: Path) -> None:
    """A second ``RoleDetailList`` without the failing roles, after the real one."""
    path = _gaad(bundle, TEST_ACCT)
    document = _read(path)
    clean = [r for r in document["RoleDetailList"] if "ReadOnly" not in r["RoleName"]]
    text = json.dumps(document, indent=4)
    path.write_text(text[:-1].rstrip() + ',\n    "RoleDetailList": ' + json.dumps(clean) + "\n}", encoding="utf-8")


def _accounts_twice(bundle: Path) -> None:
    """``Accounts`` twice in list-accounts: the second list leaves the account without evidence out."""
    path = bundle / "organization" / "list-accounts.json"
    document = _read(path)
    clean = [a for a in document["Accounts"] if a["Id"] != SANDBOX]
    text = json.dumps(document, indent=4)
    path.write_text(text[:-1].rstrip() + ',\n    "Accounts": ' + json.dumps(clean) + "\n}", encoding="utf-8")


def _second_mfa_column(bundle: Path) -> None:
    """An appended second ``mfa_active`` column saying ``true`` for every row."""
    lines = _report_csv(bundle, IDENTITY).splitlines()
    out = [lines[0] + ",mfa_active"] + [line + ",true" for line in lines[1:]]
    _write_report_csv(bundle, IDENTITY, "\n".join(out) + "\n")


def _clean_gaad(bundle: Path, account: str) -> dict[str, Any]:
    document = _read(_gaad(bundle, account))
    document["UserDetailList"] = [
        {**u, "UserPolicyList": [], "AttachedManagedPolicies": []} for u in document["UserDetailList"]
    ]
    document["RoleDetailList"] = [r for r in document["RoleDetailList"] if "ReadOnly" not in r["RoleName"]]
    return document


def _copy_sorting_first(bundle: Path) -> None:
    """``iam/a.json``: a doctored authorization-details file that sorts before the real one."""
    _write(bundle / TEST_ACCT / "iam" / "a.json", _clean_gaad(bundle, TEST_ACCT))


def _copy_upper_case_folder(bundle: Path) -> None:
    _write(bundle / TEST_ACCT / "IAM" / "get-account-authorization-details.json", _clean_gaad(bundle, TEST_ACCT))


def _copy_other_top_folder(bundle: Path) -> None:
    _write(
        bundle / "0-extra" / TEST_ACCT / "iam" / "get-account-authorization-details.json",
        _clean_gaad(bundle, TEST_ACCT),
    )


def _copy_account_root(bundle: Path) -> None:
    _write(bundle / TEST_ACCT / "get-account-authorization-details.json", _clean_gaad(bundle, TEST_ACCT))


def _identity_user_removed(bundle: Path) -> None:
    """The Identity user with an inline policy (IDN-007) and no MFA left out of the authorization details."""
    path = _gaad(bundle, IDENTITY)
    document = _read(path)
    document["UserDetailList"] = [u for u in document["UserDetailList"] if u["UserName"] != "dana.kowalski"]
    _write(path, document)


def _member_user_removed(bundle: Path) -> None:
    path = _gaad(bundle, TEST_ACCT)
    document = _read(path)
    document["UserDetailList"] = [u for u in document["UserDetailList"] if u["UserName"] != "build-agent"]
    _write(path, document)


def _member_role_removed(bundle: Path) -> None:
    path = _gaad(bundle, TEST_ACCT)
    document = _read(path)
    document["RoleDetailList"] = [r for r in document["RoleDetailList"] if r["RoleName"] != "Test-ReadOnly-Role"]
    _write(path, document)


def _report_row_removed(bundle: Path) -> None:
    lines = _report_csv(bundle, IDENTITY).splitlines()
    kept = [line for line in lines if not line.startswith("george.lindqvist,")]
    assert len(kept) == len(lines) - 1
    _write_report_csv(bundle, IDENTITY, "\n".join(kept) + "\n")


def _report_row_twice(bundle: Path) -> None:
    """The user without MFA twice: the second row says MFA is active."""
    lines = _report_csv(bundle, IDENTITY).splitlines()
    header = lines[0].split(",")
    mfa = header.index("mfa_active")
    row = next(line for line in lines if line.startswith("george.lindqvist,")).split(",")
    row[mfa] = "true"
    _write_report_csv(bundle, IDENTITY, "\n".join([*lines, ",".join(row)]) + "\n")


def _report_from_2019(bundle: Path) -> None:
    _write_report_csv(bundle, IDENTITY, _report_csv(bundle, IDENTITY), GeneratedTime="2019-03-01T08:00:00+00:00")


def _role_twice(bundle: Path) -> None:
    """The failing role listed again, the second copy with an MFA condition."""
    path = _gaad(bundle, TEST_ACCT)
    document = _read(path)
    role = next(r for r in document["RoleDetailList"] if r["RoleName"] == "Test-ReadOnly-Role")
    fixed = json.loads(json.dumps(role).replace("BoolIfExists", "Bool"))
    document["RoleDetailList"].append(fixed)
    _write(path, document)


def _gz_copy(bundle: Path) -> None:
    """A gzip copy of the trail list beside the real one, with validation switched on."""
    import gzip

    path = bundle / STAGING / "us-east-1" / "cloudtrail" / "describe-trails.json"
    text = path.read_text(encoding="utf-8").replace(
        '"LogFileValidationEnabled": false', '"LogFileValidationEnabled": true'
    )
    (path.parent / "describe-trails.json.gz").write_bytes(gzip.compress(text.encode(), mtime=0))


def _error_record_beside_output(bundle: Path) -> None:
    """A recorded failure beside the output of the same call (the account list)."""
    _write(
        bundle / "organization" / "list-accounts.error.json",
        {"Error": {"Code": "AccessDenied", "Message": "not authorized"}},
    )


def _summary_root_mfa_forged(bundle: Path) -> None:
    """The credential report's root row forged to MFA active while the account summary says no root MFA."""
    account = next(
        a
        for a in sorted(p.name for p in bundle.iterdir() if p.name.isdigit())
        if _report_path(bundle, a).exists()
        and _read(bundle / a / "iam" / "get-account-summary.json")["SummaryMap"].get("AccountMFAEnabled") == 0
    )
    lines = _report_csv(bundle, account).splitlines()
    header = lines[0].split(",")
    mfa = header.index("mfa_active")
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        if cells[0] == "<root_account>":
            cells[mfa] = "true"
        out.append(",".join(cells))
    _write_report_csv(bundle, account, "\n".join(out) + "\n")


@dataclass(frozen=True)
class Tamper:
    name: str
    apply: Callable[[Path], None]
    witness: str = "EVD-"  # the rules (id prefix) whose new failure shows the doctoring


TAMPERS: tuple[Tamper, ...] = (
    Tamper("trail key twice", _trail_validation_twice),
    Tamper("role list twice", _clean_role_list_appended),
    Tamper("account list twice", _accounts_twice),
    Tamper("second mfa_active column", _second_mfa_column),
    Tamper("copy sorting first", _copy_sorting_first),
    Tamper("copy in upper-case folder", _copy_upper_case_folder),
    Tamper("copy under another top folder", _copy_other_top_folder),
    Tamper("copy at the account root", _copy_account_root),
    Tamper("identity user removed", _identity_user_removed),
    Tamper("member user removed", _member_user_removed),
    Tamper("member role removed", _member_role_removed),
    Tamper("report row removed", _report_row_removed),
    Tamper("report row twice", _report_row_twice),
    Tamper("report from 2019", _report_from_2019),
    Tamper("role listed twice", _role_twice),
    Tamper("gzip copy differs", _gz_copy),
    Tamper("error record beside output", _error_record_beside_output),
    Tamper("root MFA forged in the report", _summary_root_mfa_forged, witness="CRD-001"),
)


def doctored(tamper: Tamper, where: Path) -> Path:
    bundle = where / "bundle"
    shutil.copytree(SAMPLE, bundle)
    tamper.apply(bundle)
    return bundle


def broken_promises(before: list[Finding], after: list[Finding]) -> list[str]:
    """Planted failures that passed or vanished without a ``not_evaluated`` of the same rule and account.

    A result of the same rule for no account in particular (the organization's evidence is unusable,
    so nothing per account can be said) covers every account, whether it fails or is not evaluated.
    """
    failing_now = {(f.rule, f.account, f.region, f.resource) for f in after if f.status is Status.FAIL}
    undecided = {(f.rule, f.account) for f in after if f.status is Status.NOT_EVALUATED}
    organization_wide = {f.rule for f in after if f.account is None and f.status is not Status.PASS}
    broken = []
    for f in before:
        if f.status is not Status.FAIL or (f.rule, f.account, f.region, f.resource) in failing_now:
            continue
        if (f.rule, f.account) not in undecided and f.rule not in organization_wide:
            broken.append(f"{f.rule} {f.account} {f.region} {f.resource}")
    return broken


def tamper_seen(before: list[Finding], after: list[Finding], witness: str = "EVD-") -> list[str]:
    """The failures of the ``witness`` rules that the doctored bundle has and the untouched one has not."""
    had = {(f.rule, f.account, f.region, f.resource, f.message) for f in before if f.status is Status.FAIL}
    return sorted(
        f"{f.rule} {f.account} {f.resource}: {f.message}"
        for f in after
        if f.rule.startswith(witness)
        and f.status is Status.FAIL
        and (f.rule, f.account, f.region, f.resource, f.message) not in had
    )
