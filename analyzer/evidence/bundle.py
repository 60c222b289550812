"""Opening a bundle: a directory, a ``.zip`` or a ``.tar.gz``/``.tgz``, read in place.

Archives are never extracted to disk: members are streamed from the archive into memory one at
a time, so nothing is written anywhere and the user's files are never modified. Hostile archives
are refused before any member is read: absolute paths and ``..`` (zip-slip), links and devices,
one member over ``max_member_bytes`` or a total expanded size over ``max_expanded_bytes`` (zip
bomb), more than ``max_members`` entries. The sizes an archive declares are checked again while
reading, since a header can lie. What ``.json.gz`` files expand to counts against
``max_expanded_bytes`` too, in archives and directories alike (:meth:`Bundle.expand`). Directory
bundles do not follow symbolic links, and stop being listed at ``max_members`` entries.

A name that is not valid UTF-8 (a folder's, an archive member's) makes that entry invalid, shown
with ``\\x`` escapes; it is never read, and a folder so named is not entered.

Members are listed in the container's own order (the order a ``.tar.gz`` can be read in one
pass); the loader sorts its results, so the order never shows in the output.
"""

from __future__ import annotations

import os
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, NamedTuple, TypeVar

from analyzer.evidence import zipnames
from analyzer.evidence.decode import GZIP_MAGIC, GzipTooLarge, decompress_if_gzip
from analyzer.model.policy import MAX_POLICY_VALUES

#: The defaults are sized for organizations of up to about 2,500 accounts with 15 regions (350 MiB
#: and 83,000 files per 1,000 accounts) and for each attack of issue 11 to stop within 10 s and
#: 1 GiB on a 2-core machine (benchmarks/hostile.py): gunzipping runs at about 300 MB/s there, and
#: reading a file holds it twice (bytes and text) before it is parsed. Larger bundles raise them.
DEFAULT_MAX_EXPANDED_BYTES = 1024**3
DEFAULT_MAX_MEMBER_BYTES = 256 * 1024**2
#: Entries (files and folders) of one bundle: about 3,000 accounts. A million empty files cost
#: minutes to list and report, while refusing them at this count takes seconds (listing a
#: .tar.gz is about 20 us per entry).
DEFAULT_MAX_MEMBERS = 250_000
#: Characters of any one JSON string (a name, an ARN, a policy element, an error message; keys
#: too). AWS's longest are ARNs (2,048) and policy elements (a policy is at most 20 KB). Whole
#: documents held as text are exempt (policies, checked again once decoded; the credential
#: report's base64 CSV, whose fields are held to it once decoded). Besides the copies a long name makes
#: in every report, matching a crafted wildcard pattern against a crafted value costs more with
#: their lengths: linear for literal runs, at most about the product divided by 30 (machine steps,
#: in C) for a long run with ``?`` holes (under 20 ms at 8 Ki and 16 Ki characters; see
#: :mod:`analyzer.iam.wildcard`).
DEFAULT_MAX_STRING_LENGTH = 16 * 1024
#: Values in one policy element (a condition key's values, an Action/Resource/principal list).
DEFAULT_MAX_POLICY_VALUES = MAX_POLICY_VALUES
#: JSON objects and arrays in one file. A genuine export has one per 50 to 200 bytes (a
#: 2,000-principal account's authorization details: 59,280 in 11.5 MB); a file of ``{},{},...``
#: has one per 3 bytes, and each costs about 70 bytes once parsed (100 with its key): 30 MB of them
#: took 5.7 s and 870 MB, a 256 MiB file would take minutes and 7 GB. At this many a file is
#: invalid, refused before it is parsed.
DEFAULT_MAX_JSON_CONTAINERS = 2_000_000

T = TypeVar("T")

#: Names that look like evidence files: a directory with such a name is reported, not skipped.
_FILE_LIKE_SUFFIXES = (".json", ".csv", ".err", ".gz")
#: Folders that archivers add and that are never part of a bundle (macOS Finder's resource forks).
_ARCHIVER_FOLDERS = ("__MACOSX/",)


class BundleError(Exception):
    """The bundle as a whole cannot be read (missing, corrupt or hostile archive): exit code 2."""


class MemberError(Exception):
    """One member cannot be read; the rest of the bundle still can."""


class Member(NamedTuple):
    """One entry of a bundle. ``problem`` is set for entries that are not readable regular files;
    ``skip`` says the entry is deliberately passed over (a link) rather than broken. (A named tuple:
    a bundle lists tens of thousands, made faster than frozen dataclasses.)"""

    path: str  # bundle-relative, POSIX separators
    size: int
    problem: str = ""
    skip: bool = False


@dataclass(frozen=True, slots=True)
class Limits:
    """What one bundle may cost; each is a command-line option (``--max-...``) to raise for a genuine bundle."""

    max_expanded_bytes: int = DEFAULT_MAX_EXPANDED_BYTES
    max_member_bytes: int = DEFAULT_MAX_MEMBER_BYTES
    max_members: int = DEFAULT_MAX_MEMBERS
    max_string_length: int = DEFAULT_MAX_STRING_LENGTH
    max_policy_values: int = DEFAULT_MAX_POLICY_VALUES
    max_json_containers: int = DEFAULT_MAX_JSON_CONTAINERS


def _is_utf8(name: str) -> bool:
    """False for a name decoded from bytes that are not UTF-8 (``os.scandir`` and ``tarfile`` keep
    such bytes as lone surrogates, which nothing downstream can encode)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown_name(name: str) -> str:
    """A name that is not UTF-8, printable: its stray bytes as ``\\xNN``."""
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


_NOT_UTF8 = "the file name is not valid UTF-8 (shown with \\x escapes), so it was not read; rename the file"
_FOLDER_NOT_UTF8 = "the folder name is not valid UTF-8 (shown with \\x escapes); its files were not read; rename it"


def _misnamed(path: str, folder: bool = False) -> Member:
    return Member(path, 0, _FOLDER_NOT_UTF8 if folder else _NOT_UTF8)


def _safe_relative(name: str) -> str:
    """Normalize an archive member name, refusing absolute paths and ``..`` components."""
    raw = name.replace("\\", "/")
    if raw.startswith("/") or (len(raw) > 1 and raw[1] == ":"):
        raise BundleError(f"archive member {name!r} has an absolute path; refusing the archive (zip-slip)")
    parts = [p for p in PurePosixPath(raw).parts if p not in ("", ".")]
    if ".." in parts:
        raise BundleError(
            f"archive member {name!r} climbs out of the bundle with '..'; refusing the archive (zip-slip)"
        )
    return "/".join(parts)


def _is_account_folder(name: str) -> bool:
    return len(name) == 12 and name.isascii() and name.isdigit()


def _common_root(paths: list[str]) -> str:
    """An archive of a folder holds ``sample-org/...``; the bundle starts inside that folder."""
    relevant = [p for p in paths if not p.startswith(_ARCHIVER_FOLDERS)]
    tops = {p.split("/", 1)[0] for p in relevant}
    if len(tops) == 1 and all("/" in p for p in relevant):
        top = next(iter(tops))
        if top != "organization" and not _is_account_folder(top):
            return top + "/"
    return ""


def _kind_of_container(path: Path) -> str:
    """``zip`` or ``tar`` by name, else by the first bytes; BundleError when it is neither."""
    name = path.name.lower()
    if name.endswith(".zip"):
        return "zip"
    if name.endswith((".tar.gz", ".tgz", ".tar")):
        return "tar"
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise BundleError(f"{path}: cannot read ({exc.strerror})") from exc
    if head.startswith(b"PK"):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        return "tar"
    raise BundleError(f"{path}: not a directory, a .zip or a .tar.gz; give the bundle folder or an archive of it")


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)


def _read_file(filename: str, first: int, limit: int) -> bytes:
    """What ``open(filename, "rb")`` reads in :meth:`Bundle.read`: ``first`` bytes, and on to ``limit + 1``
    when there were that many. Through the descriptor: no file objects for each of the tens of
    thousands of files of a bundle. Errors name the file, as ``open`` does."""
    descriptor = os.open(filename, _OPEN_FLAGS)
    try:
        data = _read_up_to(descriptor, first, filename)
        if len(data) == first and first <= limit:  # more than the listing said: read on to the limit
            data += _read_up_to(descriptor, limit + 1 - first, filename)
    finally:
        os.close(descriptor)
    return data


def _read_up_to(descriptor: int, count: int, filename: str) -> bytes:
    """``count`` bytes, or fewer at the end of the file (``os.read`` may return fewer before it)."""
    chunks: list[bytes] = []
    while count > 0:
        try:
            chunk = os.read(descriptor, count)
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, filename) from exc
        if not chunk:
            break
        chunks.append(chunk)
        count -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _link(entry: os.DirEntry[str], rel: str) -> Member:
    if _is_folder(entry, follow=True):
        return Member(rel, 0, "a symbolic link to a folder: not followed; copy the folder in", skip=True)
    return Member(rel, 0, "a symbolic link: not followed; copy the file itself into the bundle", skip=True)


def _entry_name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _is_folder(entry: os.DirEntry[str], follow: bool = False) -> bool:
    try:
        return entry.is_dir(follow_symlinks=follow)
    except OSError:
        return False


class Bundle:
    """Read access to the members of a bundle, whatever its container."""

    def __init__(self, path: Path, limits: Limits | None = None) -> None:
        self.path = path
        self.limits = limits or Limits()
        self.name = path.name
        self._zip: zipfile.ZipFile | None = None
        self._tar: tarfile.TarFile | None = None
        self._zip_infos: dict[str, zipfile.ZipInfo] = {}
        self._tar_infos: dict[str, tarfile.TarInfo] = {}
        self._members: list[Member] | None = None  # a directory is listed when first asked
        self._handle: IO[bytes] | None = None  # the zip file, opened here (see zipnames.NameRepair)
        self._expanded = 0  # bytes read from an archive plus bytes .json.gz files expanded to
        self._listed = 0  # entries listed so far (in this process)
        self._root = str(path)
        if not path.exists():
            raise BundleError(f"{path}: no such file or directory; give a bundle directory, .zip or .tar.gz")
        if path.is_dir():
            return
        self._members = []
        try:
            if _kind_of_container(path) == "zip":
                self._open_zip()
            else:
                self._open_tar()
        except BaseException:  # refused while listing: nothing stays open
            self.close()
            raise

    @property
    def is_archive(self) -> bool:
        return self._zip is not None or self._tar is not None

    # ------------------------------------------------------------------ directories
    def account_folders(self) -> list[str]:
        """The top-level folders named like an account ID (real folders, not links), in name order.

        They are the units a directory bundle is shared out in when several processes read it
        (:func:`analyzer.evidence.loader.load_bundle`).
        """
        if self.is_archive:
            return []
        try:
            with os.scandir(self._root) as listing:
                return sorted(
                    e.name for e in listing if _is_account_folder(e.name) and not e.is_symlink() and _is_folder(e)
                )
        except OSError:
            return []

    def scan(self, *, only: Collection[str] | None = None, without: Collection[str] = ()) -> list[Member]:
        """The members of a directory bundle below some of its top-level folders.

        ``only``: just the members inside these top-level folders; otherwise every member except
        those inside the folders ``without`` names. Two scans, one with ``only=F`` and one with
        ``without=F``, list every member exactly once between them.
        """
        return list(self._scan_directory(only, frozenset(without)))

    def _scan_directory(
        self, only: Collection[str] | None = None, without: frozenset[str] = frozenset()
    ) -> Iterator[Member]:
        """Every entry below the root, depth first in name order, without following links.

        ``os.scandir`` with string paths: the entry's type comes from the directory listing and its
        size from one ``lstat``, so a bundle of ten thousand files costs ten thousand stats, not the
        several path objects and stats per file a ``pathlib`` walk makes. ``only``/``without``: see
        :meth:`scan`.
        """
        root = str(self.path)
        failures: list[tuple[str, OSError]] = []
        # bundle-relative folders still to list, "" for the root, else "a/b/"
        pending = [""] if only is None else [f"{name}/" for name in sorted(only, reverse=True)]
        while pending:
            folder = pending.pop()
            try:
                with os.scandir(f"{root}/{folder}" if folder else root) as listing:
                    entries = sorted(listing, key=_entry_name)
            except OSError as exc:
                failures.append((folder.rstrip("/") or ".", exc))
                continue
            subfolders: list[str] = []
            for entry in entries:
                self._count_entry()
                rel = folder + entry.name
                if not _is_utf8(entry.name):
                    yield _misnamed(folder + shown_name(entry.name), _is_folder(entry))
                elif entry.is_symlink():
                    yield _link(entry, rel)
                elif _is_folder(entry):  # listed, even when named like a file (then also reported)
                    if entry.name.endswith(_FILE_LIKE_SUFFIXES):
                        yield Member(rel, 0, "a directory named like an evidence file; expected a file here")
                    if folder or rel not in without:  # ``without`` names top-level folders
                        subfolders.append(rel + "/")
                else:
                    yield self._file_entry(entry, rel)
            pending.extend(reversed(subfolders))
        for where, failure in failures:
            yield Member(where, 0, f"cannot list this folder: {failure.strerror}")

    def _file_entry(self, entry: os.DirEntry[str], rel: str) -> Member:
        """The member for a directory entry that is neither a link nor a folder."""
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError as exc:
            return Member(rel, 0, f"cannot read the file: {exc.strerror}")
        if not stat.S_ISREG(info.st_mode):
            return Member(rel, 0, "not a regular file (a device, socket or pipe)")
        if info.st_size > self.limits.max_member_bytes:
            return Member(
                rel,
                info.st_size,
                f"larger than the {self.limits.max_member_bytes}-byte limit per file; "
                "raise --max-member-bytes if the file is genuine",
            )
        return Member(rel, info.st_size)

    # ------------------------------------------------------------------ archives
    def _open_zip(self) -> None:
        broken: dict[str, bytes] = {}  # names zipfile read as CP437 -> their bytes (flagged UTF-8, are not)
        try:
            self._handle = handle = self.path.open("rb")
            declared = zipnames.declared_entries(handle)
            if declared is not None and declared > self.limits.max_members:
                raise self._too_many()  # before zipfile reads a table of contents this long
            try:
                self._zip = zipfile.ZipFile(handle)
            except UnicodeDecodeError:
                repair = zipnames.unflag_broken_names(handle)
                if repair is None:
                    raise
                start, patch, broken = repair
                self._zip = zipfile.ZipFile(zipnames.NameRepair(handle, start, patch))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise BundleError(f"{self.path}: corrupt zip archive ({exc}); re-create the archive") from exc
        total = 0
        entries: list[tuple[str, zipfile.ZipInfo, str]] = []
        for info in self._counted(infos):
            raw = broken.get(info.orig_filename)
            if raw is not None:
                entries.append((shown_name(_safe_relative(raw.decode("utf-8", "surrogateescape"))), info, _NOT_UTF8))
                continue
            rel = _safe_relative(info.filename)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise BundleError(f"archive member {info.filename!r} is a symbolic link; refusing the archive")
            if info.is_dir() or not rel:
                continue
            total += info.file_size
            self._check_sizes(info.filename, info.file_size, total)
            entries.append(
                (rel, info, "encrypted archive member; store it unencrypted" if info.flag_bits & 0x1 else "")
            )
        prefix = _common_root([rel for rel, _, _ in entries])
        for rel, info, problem in entries:
            short = rel.removeprefix(prefix)
            self._add_archive_member(short, info.file_size, problem)
            if problem is not _NOT_UTF8:
                self._zip_infos.setdefault(short, info)

    def _open_tar(self) -> None:
        try:
            self._tar = tarfile.open(self.path, "r:*")  # noqa: SIM115 - kept open for member reads
            infos = list(self._counted(self._tar))  # listed one by one: refused at the entry limit
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            raise BundleError(f"{self.path}: corrupt tar archive ({exc}); re-create the archive") from exc
        total = 0
        entries: list[tuple[str, tarfile.TarInfo, str]] = []
        for info in infos:
            rel = _safe_relative(info.name)
            if not _is_utf8(rel):  # tarfile keeps bytes that are not UTF-8 as surrogate escapes
                entries.append((shown_name(rel), info, _NOT_UTF8))
                continue
            if info.issym() or info.islnk():
                raise BundleError(f"archive member {info.name!r} is a link; refusing the archive")
            if info.isdir() or not rel:
                continue
            if not info.isfile():
                raise BundleError(f"archive member {info.name!r} is a device or special file; refusing the archive")
            total += info.size
            self._check_sizes(info.name, info.size, total)
            entries.append((rel, info, ""))
        prefix = _common_root([rel for rel, _, _ in entries])
        for rel, info, problem in entries:
            short = rel.removeprefix(prefix)
            self._add_archive_member(short, info.size, problem)
            if problem is not _NOT_UTF8:
                self._tar_infos.setdefault(short, info)

    def _add_archive_member(self, path: str, size: int, problem: str) -> None:
        if path in self._zip_infos or path in self._tar_infos:
            problem = "the archive holds this path more than once; only the first copy is read"
        elif path.startswith(_ARCHIVER_FOLDERS):
            self.members.append(Member(path, size, "archiver metadata (macOS), not evidence", skip=True))
            return
        self.members.append(Member(path, size, problem))

    def _counted(self, entries: Iterable[T]) -> Iterator[T]:
        for entry in entries:
            self._count_entry()
            yield entry

    def _count_entry(self, count: int = 1) -> None:
        """One more entry (``count`` more) listed; BundleError past ``max_members``."""
        self._listed += count
        if self._listed > self.limits.max_members:
            raise self._too_many()

    def _too_many(self) -> BundleError:
        return BundleError(
            f"the bundle holds more than {self.limits.max_members:,} files and folders (an organization's "
            "export holds about 80 per account with 15 regions); refusing it unread; "
            "raise --max-members if the bundle is genuine"
        )

    def _count_expanded(self, size: int) -> None:
        self._expanded += size
        if self._expanded > self.limits.max_expanded_bytes:
            limit = f"more than {self.limits.max_expanded_bytes:,} bytes"
            what = (
                f"the archive expands to {limit}, counting what its .json.gz files hold"
                if self.is_archive
                else f"the bundle's .json.gz files expand to {limit}"
            )
            raise BundleError(f"{what} (zip bomb?); raise --max-expanded-bytes if the bundle is genuine")

    @property
    def usage(self) -> tuple[int, int]:
        """(entries listed, bytes expanded) by this process: a forked reader sends its own back."""
        return self._listed, self._expanded

    def add_usage(self, listed: int, expanded: int) -> None:
        """Count what another process listed and expanded of this bundle; BundleError past a limit."""
        self._count_entry(listed)
        self._count_expanded(expanded)

    def _check_sizes(self, name: str, size: int, total: int) -> None:
        if size > self.limits.max_member_bytes:
            raise BundleError(
                f"archive member {name!r} expands to {size} bytes, over the {self.limits.max_member_bytes}-byte "
                "limit per file (zip bomb?); raise --max-member-bytes if the file is genuine"
            )
        if total > self.limits.max_expanded_bytes:
            raise BundleError(
                f"the archive expands to more than {self.limits.max_expanded_bytes:,} bytes (zip bomb?); "
                "raise --max-expanded-bytes if the bundle is genuine"
            )

    # ------------------------------------------------------------------ reading
    @property
    def members(self) -> list[Member]:
        """Every member; a directory bundle is listed the first time this is asked."""
        if self._members is None:
            self._members = list(self._scan_directory())
        return self._members

    def _open_archived(self, path: str) -> IO[bytes]:
        if self._zip is not None:
            return self._zip.open(self._zip_infos[path])
        if self._tar is not None:
            handle = self._tar.extractfile(self._tar_infos[path])
            if handle is None:
                raise MemberError("not a regular file")
            return handle
        raise MemberError("not an archive member")  # a directory's files are read by _read_file

    def read(self, path: str, size_hint: int | None = None) -> bytes:
        """The member's bytes, never more than the limits allow.

        ``size_hint`` is the size the listing gave: reading that much (plus one byte, to notice a
        file that grew) spares allocating a buffer of the whole per-file limit for every small file.
        Raises :class:`MemberError` when this one member cannot be read, and :class:`BundleError`
        when an archive turns out to expand beyond what it declared (a lying header: hostile).
        """
        limit = self.limits.max_member_bytes
        first = min(size_hint, limit) + 1 if size_hint is not None and size_hint >= 0 else limit + 1
        try:
            if not self.is_archive:
                data = _read_file(f"{self._root}/{path}", first, limit)
            else:
                with self._open_archived(path) as handle:
                    data = handle.read(first)
                    if len(data) == first and first <= limit:  # more than the listing said: read on to the limit
                        data += handle.read(limit + 1 - first)
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile, tarfile.TarError, RuntimeError) as exc:
            raise MemberError(f"cannot read the file from the bundle ({exc})") from exc
        except NotImplementedError as exc:
            raise MemberError(f"unsupported compression in the archive ({exc})") from exc
        if len(data) > limit:
            message = f"{path}: larger than the {limit}-byte limit per file"
            if self.is_archive:
                raise BundleError(f"{message}, though the archive declared less (zip bomb?); refusing the archive")
            raise MemberError(f"{message}; raise --max-member-bytes if the file is genuine")
        if self.is_archive:
            self._count_expanded(len(data))
        return data

    def gunzip_room(self) -> int:
        """How many bytes one more file may expand to: the per-file limit, or what is left of the bundle's."""
        return min(self.limits.max_member_bytes, max(0, self.limits.max_expanded_bytes - self._expanded))

    def count_expanded(self, size: int) -> None:
        """Count ``size`` bytes a file was expanded to by another reader (CloudTrail log files)."""
        self._count_expanded(size)

    def expand(self, data: bytes) -> tuple[bytes, bool]:
        """``data`` gunzipped when it is gzip (a ``.json.gz``); (bytes, was gzip).

        What it expands to counts against ``max_expanded_bytes``, as an archive's members do: 25
        members of 500 MB each, each under the per-file limit, are a 12.5 GB bomb. So the
        expansion stops at the per-file limit or at what is left of the bundle's, whichever comes
        first; past the bundle's the whole bundle is refused (BundleError), past the per-file limit
        only this file (DecodeError).
        """
        if not data.startswith(GZIP_MAGIC):
            return data, False
        room = max(0, self.limits.max_expanded_bytes - self._expanded)
        try:
            raw, _ = decompress_if_gzip(data, min(self.limits.max_member_bytes, room))
        except GzipTooLarge as exc:
            self._count_expanded(exc.expanded)  # the work done counts
            raise
        self._count_expanded(len(raw))
        return raw, True

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
        if self._tar is not None:
            self._tar.close()
        if self._handle is not None:
            self._handle.close()

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
