"""Containers and archive safety: directories, zip, tar.gz; zip-slip, links, bombs, corruption."""

from __future__ import annotations

import gc
import io
import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from analyzer.evidence import BundleError, Limits, load_bundle
from analyzer.evidence.bundle import Bundle, MemberError
from analyzer.model.evidence import EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.model.snapshot import FileStatus, Snapshot
from tests.evidence.conftest import (
    DEV,
    IDENTITY,
    BundleBuilder,
    account_summary,
    tar_tree,
    tar_with,
    tree_digest,
    zip_tree,
)


def _summary(snapshot: Snapshot) -> list[tuple[str, str]]:
    return [(r.path, r.status.value) for r in snapshot.inventory]


def _states(snapshot: Snapshot) -> dict[tuple[str, str, str, str], str]:
    return {k: v.status.value for k, v in snapshot.states.items()}


@pytest.fixture
def standard(builder: BundleBuilder) -> BundleBuilder:
    return builder.standard()


# --------------------------------------------------------------------------- containers


@pytest.mark.parametrize("suffix", [".zip", ".tar.gz", ".tgz"])
@pytest.mark.parametrize("prefix", ["", "sample-org/"])
def test_archives_load_like_the_directory(standard: BundleBuilder, tmp_path: Path, suffix: str, prefix: str) -> None:
    from_dir = load_bundle(standard.root)
    target = tmp_path / f"bundle{suffix}"
    (zip_tree if suffix == ".zip" else tar_tree)(standard.root, target, prefix=prefix)
    from_archive = load_bundle(target)
    assert _summary(from_archive) == _summary(from_dir)
    assert _states(from_archive) == _states(from_dir)
    assert from_archive.bundle_sha256 == from_dir.bundle_sha256
    assert all(r.status is FileStatus.LOADED for r in from_archive.inventory)
    assert from_archive.bundle_name == target.name


def test_archive_order_does_not_change_the_result(standard: BundleBuilder, tmp_path: Path) -> None:
    standard.write(f"{DEV}/iam/get-account-summary.error.json", {"Error": {"Code": "AccessDenied"}})
    forward = load_bundle(tar_tree(standard.root, tmp_path / "a.tar.gz"))
    backward = load_bundle(tar_tree(standard.root, tmp_path / "b.tar.gz", reverse=True))
    assert _summary(forward) == _summary(backward)
    assert _states(forward) == _states(backward)
    assert forward.accounts == backward.accounts


def test_tar_members_are_read_in_archive_order(standard: BundleBuilder, tmp_path: Path) -> None:
    """A .tar.gz is read in one forward pass: members are listed in the archive's own order."""
    target = tar_tree(standard.root, tmp_path / "b.tar.gz", reverse=True)
    with Bundle(target) as bundle:
        listed = [m.path for m in bundle.members]
    assert listed == sorted(listed, reverse=True)


def test_top_folder_is_not_stripped_when_it_is_an_account(builder: BundleBuilder, tmp_path: Path) -> None:
    builder.write(f"{IDENTITY}/iam/get-account-summary.json", account_summary())
    snapshot = load_bundle(zip_tree(builder.root, tmp_path / "one.zip"))
    assert _summary(snapshot) == [(f"{IDENTITY}/iam/get-account-summary.json", "loaded")]
    assert snapshot.accounts[IDENTITY].summary is not None


def test_container_is_recognised_by_content_when_the_name_says_nothing(standard: BundleBuilder, tmp_path: Path) -> None:
    zipped = zip_tree(standard.root, tmp_path / "evidence.bin")
    tarred = tar_tree(standard.root, tmp_path / "evidence.dat")
    assert _summary(load_bundle(zipped)) == _summary(load_bundle(tarred)) == _summary(load_bundle(standard.root))


def test_macos_metadata_in_an_archive_is_ignored(standard: BundleBuilder, tmp_path: Path) -> None:
    target = zip_tree(standard.root, tmp_path / "mac.zip", prefix="export/")
    with zipfile.ZipFile(target, "a") as archive:
        archive.writestr("__MACOSX/export/._manifest.json", b"\x00\x05\x16\x07")
    snapshot = load_bundle(target)
    rows = {r.path: r for r in snapshot.inventory}
    assert rows["__MACOSX/export/._manifest.json"].status is FileStatus.IGNORED
    assert rows["manifest.json"].status is FileStatus.LOADED  # the export/ folder was still stripped


def test_duplicate_archive_member_is_reported(tmp_path: Path) -> None:
    target = tmp_path / "dup.zip"
    with zipfile.ZipFile(target, "w") as archive, pytest.warns(UserWarning, match="Duplicate name"):
        archive.writestr(f"{IDENTITY}/iam/get-account-summary.json", b'{"SummaryMap": {"Users": 1}}')
        archive.writestr(f"{IDENTITY}/iam/get-account-summary.json", b'{"SummaryMap": {"Users": 2}}')
    snapshot = load_bundle(target)
    statuses = sorted(r.status.value for r in snapshot.inventory)
    # Two members of one name: which is the export cannot be told, so neither is used.
    assert statuses == ["invalid", "invalid"]
    assert any("more than once" in p.message for r in snapshot.inventory for p in r.problems)
    assert snapshot.state(Kind.IAM_SUMMARY, IDENTITY).status is EvidenceStatus.CONFLICT
    assert IDENTITY not in snapshot.accounts or snapshot.accounts[IDENTITY].summary is None


# --------------------------------------------------------------------------- hostile archives


def _zip_with(target: Path, name: str, data: bytes = b"{}", mode: int | None = None) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr(f"{IDENTITY}/iam/get-account-summary.json", b'{"SummaryMap": {}}')
        info = zipfile.ZipInfo(name)
        if mode is not None:
            info.external_attr = mode << 16
        archive.writestr(info, data)
    return target


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("/etc/evil.json", "absolute path"),
        ("../evil.json", "'..'"),
        ("bundle/../../evil.json", "'..'"),
        ("C:/Windows/evil.json", "absolute path"),
        ("..\\evil.json", "'..'"),
    ],
)
def test_zip_slip_is_refused(tmp_path: Path, name: str, expected: str) -> None:
    target = _zip_with(tmp_path / "slip.zip", name)
    with pytest.raises(BundleError, match=expected):
        load_bundle(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slip.zip"]  # nothing was written
    assert not (tmp_path.parent / "evil.json").exists()


@pytest.mark.parametrize("name", ["/abs/evil.json", "../evil.json", "a/../../evil.json"])
def test_tar_slip_is_refused(tmp_path: Path, name: str) -> None:
    target = tar_with(tmp_path / "slip.tar.gz", [("ok/manifest.json", b"{}"), (name, b"{}")])
    with pytest.raises(BundleError, match="zip-slip"):
        load_bundle(target)


def test_symlink_member_in_zip_is_refused(tmp_path: Path) -> None:
    target = _zip_with(tmp_path / "link.zip", f"{IDENTITY}/iam/link.json", b"/etc/passwd", stat.S_IFLNK | 0o777)
    with pytest.raises(BundleError, match="symbolic link"):
        load_bundle(target)


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE])
def test_link_member_in_tar_is_refused(tmp_path: Path, kind: bytes) -> None:
    link = tarfile.TarInfo(f"{IDENTITY}/iam/get-account-summary.json")
    link.type = kind
    link.linkname = "/etc/passwd"
    target = tar_with(tmp_path / "link.tar.gz", [("manifest.json", b"{}"), link])
    with pytest.raises(BundleError, match="is a link"):
        load_bundle(target)


def test_device_member_in_tar_is_refused(tmp_path: Path) -> None:
    device = tarfile.TarInfo("dev.json")
    device.type = tarfile.CHRTYPE
    with pytest.raises(BundleError, match="device or special file"):
        load_bundle(tar_with(tmp_path / "dev.tar.gz", [device]))


@pytest.mark.parametrize("suffix", [".zip", ".tar.gz"])
def test_member_over_the_size_limit_is_refused(standard: BundleBuilder, tmp_path: Path, suffix: str) -> None:
    standard.write("padding/big.json", b"[" + b"0," * 5000 + b"0]")
    target = (zip_tree if suffix == ".zip" else tar_tree)(standard.root, tmp_path / f"b{suffix}")
    with pytest.raises(BundleError, match="limit per file"):
        load_bundle(target, Limits(max_member_bytes=8000))
    assert load_bundle(target, Limits(max_member_bytes=20000)).inventory  # the same archive under a larger limit


@pytest.mark.parametrize("suffix", [".zip", ".tar.gz"])
def test_total_over_the_expanded_limit_is_refused(standard: BundleBuilder, tmp_path: Path, suffix: str) -> None:
    target = (zip_tree if suffix == ".zip" else tar_tree)(standard.root, tmp_path / f"b{suffix}")
    total = sum(p.stat().st_size for p in standard.root.rglob("*") if p.is_file())
    with pytest.raises(BundleError, match="zip bomb"):
        load_bundle(target, Limits(max_expanded_bytes=total - 1))
    assert load_bundle(target, Limits(max_expanded_bytes=total)).inventory


def test_member_that_expands_beyond_the_checked_size_is_refused_while_reading(tmp_path: Path) -> None:
    """The sizes are checked when the archive is opened and again while reading (a header can lie)."""
    target = tmp_path / "big.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{IDENTITY}/iam/get-account-summary.json", b'{"SummaryMap": {}}' + b" " * 100_000)
    with Bundle(target) as bundle:
        bundle.limits = Limits(max_member_bytes=1000)  # as if the header had declared under 1000 bytes
        with pytest.raises(BundleError, match="declared less"):
            bundle.read(f"{IDENTITY}/iam/get-account-summary.json")


def test_forged_size_in_the_zip_directory_makes_only_that_file_invalid(tmp_path: Path) -> None:
    target = tmp_path / "forged.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", b"{}")
        archive.writestr(f"{IDENTITY}/iam/get-account-summary.json", b'{"SummaryMap": {}}' + b" " * 100_000)
    raw = bytearray(target.read_bytes())
    central = raw.rindex(b"PK\x01\x02")  # the last central directory entry: the summary
    raw[central + 24 : central + 28] = (10).to_bytes(4, "little")  # declared uncompressed size
    target.write_bytes(bytes(raw))
    rows = {r.path: r for r in load_bundle(target).inventory}
    assert rows[f"{IDENTITY}/iam/get-account-summary.json"].status is FileStatus.INVALID
    assert rows["manifest.json"].status is FileStatus.LOADED


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("broken.zip", b"PK\x03\x04 this is not really a zip archive"),
        ("broken.zip", b""),
        ("broken.tar.gz", b"\x1f\x8b\x08\x00 not gzip at all"),
        ("broken.tgz", b"plain text, not an archive"),
        ("bundle.json", b'{"SummaryMap": {}}'),
    ],
)
def test_corrupt_or_unknown_container_is_a_bundle_error(tmp_path: Path, name: str, content: bytes) -> None:
    target = tmp_path / name
    target.write_bytes(content)
    with pytest.raises(BundleError):
        load_bundle(target)


def test_truncated_tar_gz_is_a_bundle_error(standard: BundleBuilder, tmp_path: Path) -> None:
    target = tar_tree(standard.root, tmp_path / "cut.tar.gz")
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    with pytest.raises(BundleError, match="corrupt tar"):
        load_bundle(target)


def test_missing_path_is_a_bundle_error(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="no such file"):
        load_bundle(tmp_path / "nowhere")


def test_corrupt_member_data_makes_only_that_file_invalid(standard: BundleBuilder, tmp_path: Path) -> None:
    target = zip_tree(standard.root, tmp_path / "crc.zip")
    raw = bytearray(target.read_bytes())
    with zipfile.ZipFile(target) as archive:
        info = archive.getinfo("manifest.json")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    raw[start + 2] ^= 0xFF  # damage the compressed bytes of one member
    target.write_bytes(bytes(raw))
    snapshot = load_bundle(target)
    rows = {r.path: r for r in snapshot.inventory}
    assert rows["manifest.json"].status is FileStatus.INVALID
    assert "cannot read the file" in rows["manifest.json"].reason
    assert sum(r.status is FileStatus.LOADED for r in snapshot.inventory) == len(rows) - 1


# --------------------------------------------------------------------------- directories


def test_directory_links_and_odd_entries(standard: BundleBuilder, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "get-account-summary.json").write_text('{"SummaryMap": {"Users": 99}}')
    os.symlink(outside / "get-account-summary.json", standard.root / IDENTITY / "iam" / "linked.json")
    os.symlink(outside, standard.root / DEV / "linked-folder")
    (standard.root / DEV / "iam" / "get-account-summary.json").unlink()
    (standard.root / DEV / "iam" / "get-account-summary.json").mkdir()
    os.mkfifo(standard.root / "pipe.json")
    snapshot = load_bundle(standard.root)
    rows = {r.path: r for r in snapshot.inventory}
    assert rows[f"{IDENTITY}/iam/linked.json"].status is FileStatus.IGNORED
    assert "symbolic link" in rows[f"{IDENTITY}/iam/linked.json"].reason
    assert rows[f"{DEV}/linked-folder"].status is FileStatus.IGNORED
    assert rows[f"{DEV}/iam/get-account-summary.json"].status is FileStatus.INVALID
    assert "directory named like" in rows[f"{DEV}/iam/get-account-summary.json"].reason
    assert rows["pipe.json"].status is FileStatus.INVALID
    assert snapshot.state(Kind.IAM_SUMMARY, DEV).status is EvidenceStatus.INVALID
    assert snapshot.accounts[DEV].summary is None
    assert dict(snapshot.accounts[IDENTITY].summary.counts)["Users"] == 2  # type: ignore[union-attr]


def test_oversized_file_in_a_directory_is_invalid_and_the_rest_loads(standard: BundleBuilder) -> None:
    standard.write("big/get-account-summary.json", b" " * 5000)
    snapshot = load_bundle(standard.root, Limits(max_member_bytes=4000))
    rows = {r.path: r for r in snapshot.inventory}
    assert rows["big/get-account-summary.json"].status is FileStatus.INVALID
    assert "limit per file" in rows["big/get-account-summary.json"].reason
    assert rows["manifest.json"].status is FileStatus.LOADED


def test_loading_never_modifies_or_adds_files(standard: BundleBuilder, tmp_path: Path) -> None:
    standard.write(f"{DEV}/iam/broken.json", b"{not json")
    zipped = zip_tree(standard.root, tmp_path / "b.zip", prefix="top/")
    tarred = tar_tree(standard.root, tmp_path / "b.tar.gz")
    before = tree_digest(tmp_path)
    for source in (standard.root, zipped, tarred):
        load_bundle(source)
    assert tree_digest(tmp_path) == before


def test_unreadable_folder_is_reported(standard: BundleBuilder) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every folder")
    locked = standard.root / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        rows = {r.path: r for r in load_bundle(standard.root).inventory}
    finally:
        locked.chmod(0o755)
    assert rows["locked"].status is FileStatus.INVALID


def test_in_memory_archive_members_are_streamed_not_extracted(standard: BundleBuilder, tmp_path: Path) -> None:
    target = zip_tree(standard.root, tmp_path / "b.zip")
    with Bundle(target) as bundle:
        data = bundle.read("manifest.json")
    assert data == (standard.root / "manifest.json").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.zip", "bundle"]
    assert isinstance(io.BytesIO(data).read(), bytes)


def test_unlistable_folder_is_reported_and_the_rest_loads(
    standard: BundleBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same as above when running as root (who reads every folder): the listing fails."""
    (standard.root / "locked" / "inner").mkdir(parents=True)
    real = os.scandir

    def refusing(path: str) -> object:
        if str(path).rstrip("/").endswith("/locked/inner"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr("analyzer.evidence.bundle.os.scandir", refusing)
    snapshot = load_bundle(standard.root)
    rows = {r.path: r for r in snapshot.inventory}
    assert rows["locked/inner"].status is FileStatus.INVALID
    assert "cannot list this folder: Permission denied" in rows["locked/inner"].reason
    assert rows["manifest.json"].status is FileStatus.LOADED


def test_a_file_that_grows_after_the_listing_is_read_whole_within_the_limit(standard: BundleBuilder) -> None:
    """The listed size only sizes the first read: a file that grew is read on, and still capped."""
    target = standard.root / IDENTITY / "iam" / "get-account-summary.json"
    with Bundle(standard.root, Limits(max_member_bytes=4000)) as bundle:
        member = next(m for m in bundle.members if m.path.endswith(f"{IDENTITY}/iam/get-account-summary.json"))
        grown = target.read_bytes() + b" " * 500
        target.write_bytes(grown)
        assert bundle.read(member.path, member.size) == grown
        target.write_bytes(grown + b" " * 5000)
        with pytest.raises(MemberError, match="4000-byte limit"):
            bundle.read(member.path, member.size)


@pytest.mark.parametrize("enabled", [True, False])
def test_loading_leaves_the_garbage_collector_as_it_was(standard: BundleBuilder, enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        load_bundle(standard.root)
        assert gc.isenabled() is enabled
        with pytest.raises(BundleError):
            load_bundle(standard.root / "no-such-bundle")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_scans_of_some_top_folders_and_of_the_rest_list_every_member_once(standard: BundleBuilder) -> None:
    standard.write("notes/readme.json", {"note": 1})
    (standard.root / f"{DEV}.json").write_text("{}")  # a file named like an account folder stays at the top
    with Bundle(standard.root) as bundle:
        folders = bundle.account_folders()
        assert folders == sorted(folders) and DEV in folders and IDENTITY in folders
        chosen = frozenset({DEV})
        inside = [m.path for m in bundle.scan(only=chosen)]
        rest = [m.path for m in bundle.scan(without=chosen)]
        everything = [m.path for m in bundle.members]
    assert inside and all(path.startswith(f"{DEV}/") for path in inside)
    assert not any(path.startswith(f"{DEV}/") for path in rest)
    assert f"{DEV}.json" in rest and "notes/readme.json" in rest
    assert sorted(inside + rest) == sorted(everything)
    assert len(set(everything)) == len(everything)


def test_archives_have_no_account_folders_to_share_out(standard: BundleBuilder, tmp_path: Path) -> None:
    with Bundle(zip_tree(standard.root, tmp_path / "a.zip")) as bundle:
        assert bundle.account_folders() == []
        assert bundle.members
