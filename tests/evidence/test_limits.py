"""Issue 11, "hostile input has a bounded cost": each limit refuses with a clear message and gives way
to its override, and names that are not UTF-8 make one file invalid instead of stopping the audit.

Each test builds the attack at a small size against a small limit; the full-size cases (a million
files, a 100 MB role name, 25 nested gzip members of 500 MB) are measured by benchmarks/hostile.py.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from analyzer import parallel
from analyzer.cli.analyze import analyze as analyze_command
from analyzer.cli.validate import validate
from analyzer.evidence import BundleError, Limits, load_bundle
from analyzer.findings.result import Status
from analyzer.model.kinds import Kind
from analyzer.model.snapshot import FileStatus, Snapshot
from analyzer.pipeline import analyze
from tests.evidence import conftest as shapes
from tests.evidence.conftest import DEV, IDENTITY, BundleBuilder, tar_tree, zip_tree

GAAD = f"{DEV}/iam/get-account-authorization-details.json"


@pytest.fixture
def standard(builder: BundleBuilder) -> BundleBuilder:
    return builder.standard()


def _rows(snapshot: Snapshot) -> dict[str, Any]:
    return {row.path: row for row in snapshot.inventory}


def _archive(kind: str, root: Path, target: Path) -> Path:
    return zip_tree(root, target) if kind == "zip" else tar_tree(root, target)


def _gz_list(size: int) -> bytes:
    """A .json.gz of a JSON list padded with spaces to ``size`` bytes: a few hundred bytes compressed."""
    return gzip.compress(b"[" + b" " * (size - 2) + b"]", compresslevel=9)


# --------------------------------------------------------------------------- nested gzip (zip bombs)


@pytest.mark.parametrize("container", ["directory", "zip", "tar"])
def test_gzip_members_count_their_expanded_size_against_the_bundle(
    standard: BundleBuilder, tmp_path: Path, container: str
) -> None:
    """Three .json.gz members of 100 KB each, every one under the per-file limit: together they
    are over a 250 KB bundle limit. Before, only the archive's own (compressed) sizes counted, so 25
    members of 500 MB got past the 2 GiB cap."""
    for index in range(3):
        standard.write(f"padding/big-{index}.json.gz", _gz_list(100_000))
    on_disk = sum(p.stat().st_size for p in standard.root.rglob("*") if p.is_file())
    bundle = standard.root if container == "directory" else _archive(container, standard.root, tmp_path / "b")
    with pytest.raises(BundleError, match=r"\.json\.gz files (hold|expand to).*--max-expanded-bytes"):
        load_bundle(bundle, Limits(max_expanded_bytes=on_disk + 250_000))
    rows = _rows(load_bundle(bundle, Limits(max_expanded_bytes=on_disk + 400_000)))
    assert rows["padding/big-0.json.gz"].status is FileStatus.IGNORED  # read, expanded, not evidence


def test_gzip_expansion_stops_at_what_is_left_of_the_bundle(standard: BundleBuilder, tmp_path: Path) -> None:
    """A member is expanded no further than the bundle's remaining room, not to its own per-file limit."""
    standard.write("padding/huge.json.gz", _gz_list(5_000_000))
    with pytest.raises(BundleError, match="expand to more than 1,000,000 bytes"):
        load_bundle(standard.root, Limits(max_expanded_bytes=1_000_000, max_member_bytes=10_000_000))


def test_forked_reader_counts_toward_the_same_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A directory read by several processes is held to one limit: the workers' counts are added to this one's."""
    monkeypatch.setattr(parallel, "ACCOUNTS_PER_CHUNK", 1)  # every account folder a task of its own
    builder = BundleBuilder(tmp_path / "bundle").standard()
    for account in (IDENTITY, DEV):
        builder.write(f"{account}/padding/big.json.gz", _gz_list(150_000))
    limits = Limits(max_expanded_bytes=250_000)
    with pytest.raises(BundleError, match=r"json\.gz files expand to more than 250,000 bytes"):
        load_bundle(builder.root, limits, jobs=3)
    with pytest.raises(BundleError, match=r"json\.gz files expand to more than 250,000 bytes"):
        load_bundle(builder.root, limits, jobs=1)
    entries = sum(1 for _ in builder.root.rglob("*"))
    with pytest.raises(BundleError, match="more than"):
        load_bundle(builder.root, Limits(max_members=entries - 1), jobs=3)
    assert load_bundle(builder.root, Limits(max_members=entries), jobs=3).inventory


# --------------------------------------------------------------------------- entries per bundle


@pytest.mark.parametrize("container", ["directory", "zip", "tar"])
def test_more_entries_than_the_limit_refuse_the_bundle(standard: BundleBuilder, tmp_path: Path, container: str) -> None:
    for index in range(30):
        standard.write(f"padding/{index:03d}.json", b"")
    bundle = standard.root if container == "directory" else _archive(container, standard.root, tmp_path / "b")
    with pytest.raises(BundleError, match=r"more than 20 files and folders.*raise --max-members"):
        load_bundle(bundle, Limits(max_members=20))
    assert len(load_bundle(bundle, Limits(max_members=1000)).inventory) > 30


def test_tar_listing_stops_at_the_entry_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A .tar.gz of many empty files is refused once the limit is passed, not after listing them all
    (a million empty files took 112 s and 2 GB to list and report)."""
    target = tmp_path / "many.tar.gz"
    with tarfile.open(target, "w:gz") as archive:
        for index in range(2000):
            archive.addfile(tarfile.TarInfo(f"filler/{index:05d}.json"))
    headers_read = 0
    real_next = tarfile.TarFile.next

    def counting_next(self: tarfile.TarFile) -> tarfile.TarInfo | None:
        nonlocal headers_read
        headers_read += 1
        return real_next(self)

    monkeypatch.setattr(tarfile.TarFile, "next", counting_next)
    with pytest.raises(BundleError, match="more than 100 files"):
        load_bundle(target, Limits(max_members=100))
    assert headers_read <= 102


def test_zip_declaring_too_many_entries_is_refused_before_its_directory_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "many.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for index in range(200):
            archive.writestr(f"filler/{index:04d}.json", b"")

    def no_reading(self: zipfile.ZipFile) -> None:
        raise AssertionError("the table of contents was read")

    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", no_reading)
    with pytest.raises(BundleError, match="more than 100 files"):
        load_bundle(target, Limits(max_members=100))


# --------------------------------------------------------------------------- one string's length


def _long_report(account: str, users: int) -> dict[str, Any]:
    rows = [shapes.report_csv(account).rstrip("\n")]
    rows += [
        f"user{i},arn:aws:iam::{account}:user/user{i},2022-01-01T00:00:00+00:00,false" + ",N/A" * 18
        for i in range(users)
    ]
    return shapes.credential_report(account, "\n".join(rows) + "\n")


def test_a_string_over_the_limit_makes_its_file_invalid(standard: BundleBuilder) -> None:
    """A 10 MB role name in a 110 KB zip took 7.6 s, 2.25 GB and wrote 972 MB of reports: it was
    copied into everything that names the role. Over the limit, the file is invalid at that pointer."""
    long_name = "r" * 3000
    standard.write(GAAD, shapes.gaad(DEV, roles=[shapes.role(DEV, "Admin"), shapes.role(DEV, long_name)]))
    standard.write(f"{DEV}/iam/get-credential-report.json", _long_report(DEV, 60))  # base64 Content: exempt
    snapshot = load_bundle(standard.root, Limits(max_string_length=2500))
    row = _rows(snapshot)[GAAD]
    assert row.status is FileStatus.INVALID
    (problem,) = row.problems
    assert problem.pointer == "/RoleDetailList/1/RoleName"
    assert "a string of 3,000 characters, over the 2,500-character limit" in problem.message
    assert "raise --max-string-length" in problem.hint
    assert not snapshot.state(Kind.IAM_AUTH_DETAILS, DEV).usable
    assert _rows(snapshot)[f"{DEV}/iam/get-credential-report.json"].status is FileStatus.LOADED
    assert (
        _rows(load_bundle(standard.root, Limits(max_string_length=3100)))[GAAD].status is FileStatus.LOADED
    )  # the ARN too


def test_a_policy_held_as_text_is_exempt_but_its_own_strings_are_not(standard: BundleBuilder) -> None:
    """A bucket policy is JSON text (up to 20 KB): the text may be long, a Resource in it may not."""
    document = json.loads(shapes.bucket_policy_text())
    document["Statement"][1]["Resource"] = "arn:aws:s3:::" + "b" * 700
    path = f"{IDENTITY}/s3/{shapes.BUCKET}/get-bucket-policy.json"
    standard.write(path, {"Policy": json.dumps(document) + " " * 1000})
    row = _rows(load_bundle(standard.root, Limits(max_string_length=500)))[path]
    (problem,) = row.problems
    assert problem.pointer == "/Policy (embedded document /Statement/1/Resource)"
    assert "a string of 713 characters, over the 500-character limit" in problem.message
    assert _rows(load_bundle(standard.root, Limits(max_string_length=713)))[path].problems == ()


@pytest.mark.parametrize("form", ["json", "csv"])
def test_a_credential_report_field_over_the_limit_makes_the_report_invalid(standard: BundleBuilder, form: str) -> None:
    """The report's base64 Content may be long; the user names in it may not."""
    report = _long_report(DEV, 60)
    csv_text = base64.b64decode(report["Content"]).decode().replace("user7,", "u" * 3000 + ",", 1)
    path = f"{DEV}/iam/get-credential-report.json"
    if form == "csv":
        (standard.root / path).unlink()
        path = f"{DEV}/iam/credential-report.csv"
        standard.write(path, csv_text)
    else:
        standard.write(path, shapes.credential_report(DEV, csv_text))
    row = _rows(load_bundle(standard.root, Limits(max_string_length=2500)))[path]
    assert row.status is FileStatus.INVALID
    assert "a field of 3,000 characters, over the 2,500-character limit" in row.problems[0].message
    assert _rows(load_bundle(standard.root, Limits(max_string_length=3000)))[path].status is FileStatus.LOADED


def test_an_overlong_key_and_error_record_are_invalid_too(standard: BundleBuilder) -> None:
    standard.write(f"{DEV}/iam/get-account-summary.json", {"SummaryMap": {"k" * 600: 1}})
    standard.write(f"{DEV}/iam/list-virtual-mfa-devices.err", "An error occurred (AccessDenied) " + "x" * 600)
    rows = _rows(load_bundle(standard.root, Limits(max_string_length=500)))
    summary = rows[f"{DEV}/iam/get-account-summary.json"]
    assert summary.status is FileStatus.INVALID
    assert summary.problems[0].pointer.startswith("/SummaryMap/kkkk") and summary.problems[0].pointer.endswith("...")
    assert rows[f"{DEV}/iam/list-virtual-mfa-devices.err"].status is FileStatus.INVALID


def test_overlong_role_name_leaves_the_checks_that_need_it_not_evaluated(standard: BundleBuilder) -> None:
    standard.write(GAAD, shapes.gaad(DEV, roles=[shapes.role(DEV, "x" * 600)]))
    result = analyze(standard.root, limits=Limits(max_string_length=500))
    trust_checks = [f for f in result.findings if f.rule in ("IDN-002", "IDN-005") and f.account == DEV]
    assert trust_checks and all(f.status is Status.NOT_EVALUATED for f in trust_checks)


# --------------------------------------------------------------------------- values per policy element

#: AWS documents the trust policy of a role as limited in size ("IAM and AWS STS quotas", role trust
#: policy length), and every policy to a few KB: no genuine policy holds thousands of values.
MANY = [f"arn:aws:iam::{IDENTITY}:user/person-{index:03d}" for index in range(12)]


def _trust_with_condition(values: list[str]) -> dict[str, Any]:
    trust = json.loads(json.dumps(shapes.MFA_TRUST))
    trust["Statement"][0]["Condition"]["StringEquals"] = {"aws:PrincipalArn": values}
    return trust


def test_a_condition_with_more_values_than_the_limit_is_not_evaluated(standard: BundleBuilder) -> None:
    """100,000 values in one condition took 99 s (each evaluation hashed all of them, once per caller the
    values describe). Over the limit the policy is unreadable: its checks are not evaluated, never passed."""
    standard.write(GAAD, shapes.gaad(DEV, roles=[shapes.role(DEV, "Many", _trust_with_condition(MANY))]))
    limited = analyze(standard.root, limits=Limits(max_policy_values=10))
    (problem,) = _rows(limited.snapshot)[GAAD].problems
    assert (
        problem.pointer
        == "/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0/Condition/StringEquals/aws:PrincipalArn"
    )
    assert "12 values, more than the 10 one policy element may hold" in problem.message
    assert problem.hint == "raise --max-policy-values if the policy is genuine"
    on_role = [f for f in limited.findings if f.rule == "IDN-002" and f.resource and f.resource.endswith("role/Many")]
    assert on_role and all(f.status is Status.NOT_EVALUATED for f in on_role)
    default = analyze(standard.root)
    assert not _rows(default.snapshot)[GAAD].problems
    assert any(
        f.status is not Status.NOT_EVALUATED for f in default.findings if f.rule == "IDN-002" and f.account == DEV
    )


def test_action_and_principal_lists_are_held_to_the_same_limit(standard: BundleBuilder) -> None:
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": MANY, "Resource": "*"}]}
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": MANY}, "Action": "sts:AssumeRole"}],
    }
    user = shapes.user(DEV, "alice", UserPolicyList=[{"PolicyName": "wide", "PolicyDocument": policy}])
    standard.write(GAAD, shapes.gaad(DEV, users=[user], roles=[shapes.role(DEV, "Named", trust)]))
    problems = _rows(load_bundle(standard.root, Limits(max_policy_values=10)))[GAAD].problems
    assert [p.pointer for p in problems] == [
        "/UserDetailList/0/UserPolicyList/0/PolicyDocument/Statement/0/Action",
        "/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0/Principal/AWS",
    ]


# --------------------------------------------------------------------------- names that are not UTF-8


def test_file_and_folder_names_that_are_not_utf8_are_invalid_entries(standard: BundleBuilder) -> None:
    """Such a name crashed the loader (UnicodeEncodeError while hashing the inventory) and so the audit."""
    root = os.fsencode(standard.root)
    with open(root + b"/" + os.fsencode(DEV) + b"/bad\xff.json", "wb") as handle:
        handle.write(b"{}")
    os.mkdir(root + b"/folder\xfe")
    with open(root + b"/folder\xfe/inside.json", "wb") as handle:
        handle.write(b"{}")
    rows = _rows(load_bundle(standard.root))
    assert rows[f"{DEV}/bad\\xff.json"].status is FileStatus.INVALID
    assert "not valid UTF-8" in rows[f"{DEV}/bad\\xff.json"].reason
    assert rows["folder\\xfe"].status is FileStatus.INVALID and "its files were not read" in rows["folder\\xfe"].reason
    assert not any("inside.json" in path for path in rows)
    assert rows[GAAD].status is FileStatus.LOADED


def test_tar_member_name_that_is_not_utf8_is_an_invalid_entry(standard: BundleBuilder, tmp_path: Path) -> None:
    target = tar_tree(standard.root, tmp_path / "b.tar.gz", prefix="org/")
    with tarfile.open(target, "r:gz") as source, tarfile.open(tmp_path / "c.tar.gz", "w:gz") as copy:
        for info in source:
            copy.addfile(info, source.extractfile(info))
        bad = tarfile.TarInfo("org/bad" + b"\xff".decode("utf-8", "surrogateescape") + ".json")
        bad.size = 2
        copy.addfile(bad, __import__("io").BytesIO(b"{}"))
    rows = _rows(load_bundle(tmp_path / "c.tar.gz"))
    assert rows["bad\\xff.json"].status is FileStatus.INVALID  # the archive's top folder stripped as for the rest
    assert rows[GAAD].status is FileStatus.LOADED


def _flag_name_utf8(target: Path, placeholder: bytes, raw: bytes) -> None:
    """Rename one member to ``raw`` (not UTF-8) and set its UTF-8 flag, as a broken archiver would."""
    data = bytearray(target.read_bytes().replace(placeholder, raw))
    entry = data.rindex(b"PK\x01\x02")  # the last central directory entry: the renamed member
    flags = int.from_bytes(data[entry + 8 : entry + 10], "little") | 0x800
    data[entry + 8 : entry + 10] = flags.to_bytes(2, "little")
    target.write_bytes(bytes(data))


def test_zip_member_flagged_utf8_that_is_not_is_an_invalid_entry(standard: BundleBuilder, tmp_path: Path) -> None:
    """zipfile refuses the whole archive for one such name; only that member is invalid."""
    target = zip_tree(standard.root, tmp_path / "b.zip")
    with zipfile.ZipFile(target, "a") as archive:
        archive.writestr("badXX.json", b"{}")
    _flag_name_utf8(target, b"badXX", b"bad\xff\xfe")
    rows = _rows(load_bundle(target))
    assert rows["bad\\xff\\xfe.json"].status is FileStatus.INVALID
    assert rows[GAAD].status is FileStatus.LOADED


def test_cli_reports_a_name_that_is_not_utf8_and_goes_on(standard: BundleBuilder, tmp_path: Path) -> None:
    root = os.fsencode(standard.root)
    with open(root + b"/" + os.fsencode(DEV) + b"/bad\xff.json", "wb") as handle:
        handle.write(b"{}")
    checked = CliRunner().invoke(validate, [str(standard.root)])
    assert checked.exit_code == 1, checked.output
    assert f"{DEV}/bad\\xff.json: /: the file name is not valid UTF-8" in checked.output
    analyzed = CliRunner().invoke(analyze_command, [str(standard.root), "--out", str(tmp_path / "out")])
    assert analyzed.exit_code == 0, analyzed.output
    assert "bad\\\\xff.json" in (tmp_path / "out" / "findings.json").read_text()


# --------------------------------------------------------------------------- the overrides on the command line


def test_each_limit_has_a_command_line_override(standard: BundleBuilder) -> None:
    standard.write(GAAD, shapes.gaad(DEV, roles=[shapes.role(DEV, "Many", _trust_with_condition(MANY))]))
    standard.write(f"{DEV}/iam/get-account-summary.json", {"SummaryMap": {"k" * 600: 1}})
    run = CliRunner().invoke
    refused = run(validate, [str(standard.root), "--max-members", "5"])
    assert refused.exit_code == 2 and "raise --max-members" in refused.output
    limited = run(validate, [str(standard.root), "--max-string-length", "500", "--max-policy-values", "10"])
    assert limited.exit_code == 1
    assert "over the 500-character limit" in limited.output and "more than the 10 one policy" in limited.output
    assert run(validate, [str(standard.root)]).exit_code == 0


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts open files in /proc")
@pytest.mark.parametrize("suffix", [".zip", ".tar.gz"])
def test_a_refused_archive_is_closed(standard: BundleBuilder, tmp_path: Path, suffix: str) -> None:
    target = (zip_tree if suffix == ".zip" else tar_tree)(standard.root, tmp_path / f"b{suffix}")
    before = len(os.listdir("/proc/self/fd"))
    with pytest.raises(BundleError, match="more than 3 files") as refused:
        load_bundle(target, Limits(max_members=3))
    assert refused.traceback  # the traceback keeps the bundle alive: only close() can have closed the file
    assert len(os.listdir("/proc/self/fd")) == before


# --------------------------------------------------------------------------- dense JSON


def test_a_file_of_empty_objects_is_refused_before_it_is_parsed(standard: BundleBuilder) -> None:
    """30 MB of ``{},{},...`` (10 million objects) took 5.7 s and 870 MB to validate: each ``{}`` of
    3 bytes is a dict of about 70 once parsed, and a file may be 256 MiB. Over the limit of objects
    and arrays the file is invalid, counted before anything is parsed."""
    path = f"{DEV}/iam/list-virtual-mfa-devices.json"
    standard.write(path, "[" + ",".join(["{}", "[]"] * 1_500) + "]")
    snapshot = load_bundle(standard.root, Limits(max_json_containers=2_000))
    row = _rows(snapshot)[path]
    assert row.status is FileStatus.INVALID
    (problem,) = row.problems
    assert "more than 2,000 JSON objects and arrays (3,001)" in problem.message
    assert "raise --max-json-containers" in problem.hint
    assert not snapshot.state(Kind.IAM_VIRTUAL_MFA, DEV).usable


def test_brackets_inside_strings_are_not_counted(standard: BundleBuilder) -> None:
    """A policy held as text, an error message: brackets in strings are no objects."""
    standard.write(GAAD, shapes.gaad(DEV, roles=[shapes.role(DEV, "Admin", Description="{[" * 3_000)]))
    snapshot = load_bundle(standard.root, Limits(max_json_containers=2_000))
    assert _rows(snapshot)[GAAD].status is FileStatus.LOADED


def test_the_object_limit_is_an_option_of_every_command(standard: BundleBuilder) -> None:
    path = f"{DEV}/iam/list-virtual-mfa-devices.json"
    standard.write(path, "[" + ",".join(["{}"] * 3_000) + "]")
    refused = CliRunner().invoke(validate, [str(standard.root), "--max-json-containers", "2000"])
    assert "more than 2,000 JSON objects and arrays" in refused.output
    allowed = CliRunner().invoke(validate, [str(standard.root), "--max-json-containers", "5000"])
    assert "JSON objects and arrays" not in allowed.output
