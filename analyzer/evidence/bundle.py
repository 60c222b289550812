"""Opening a bundle: a directory, a ``.zip`` or a ``.tar.gz``/``.tgz``, read in place.

Archives are never extracted to disk: members are streamed from the archive into memory one at
a time, so nothing is written anywhere and the user's files are never modified. Hostile archives
are refused before any member is read: absolute paths and ``..`` (zip-slip), links and devices,
one member over ``max_member_bytes`` or a total expanded size over ``max_expanded_bytes`` (zip
bomb). Directory bundles do not follow symbolic links.
"""

from __future__ import annotations

import os
import stat
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

DEFAULT_MAX_EXPANDED_BYTES = 2 * 1024**3
DEFAULT_MAX_MEMBER_BYTES = 512 * 1024**2


class BundleError(Exception):
    """The bundle as a whole cannot be read (missing, corrupt or hostile archive): exit code 2."""


@dataclass(frozen=True, slots=True)
class Member:
    """One entry of a bundle. ``problem`` is set for entries that are not readable regular files."""

    path: str  # bundle-relative, POSIX separators
    size: int
    problem: str = ""


@dataclass(frozen=True, slots=True)
class Limits:
    max_expanded_bytes: int = DEFAULT_MAX_EXPANDED_BYTES
    max_member_bytes: int = DEFAULT_MAX_MEMBER_BYTES


def _safe_relative(name: str) -> str:
    """Normalize an archive member name, refusing absolute paths and ``..`` components."""
    raw = name.replace("\\", "/")
    if raw.startswith("/") or (len(raw) > 1 and raw[1] == ":"):
        raise BundleError(f"archive member {name!r} has an absolute path; refusing the archive (zip-slip)")
    parts = [p for p in PurePosixPath(raw).parts if p not in ("", ".")]
    if ".." in parts:
        raise BundleError(f"archive member {name!r} climbs out of the bundle with '..'; refusing the archive")
    return "/".join(parts)


def _strip_common_root(paths: list[str]) -> str:
    """An archive of a folder holds ``sample-org/...``; the bundle starts inside that folder."""
    tops = {p.split("/", 1)[0] for p in paths if p}
    if len(tops) == 1 and all("/" in p for p in paths if p):
        top = next(iter(tops))
        if top != "organization" and not (top.isdigit() and len(top) == 12):
            return top + "/"
    return ""


class Bundle:
    """Read access to the members of a bundle, whatever its container."""

    def __init__(self, path: Path, limits: Limits | None = None) -> None:
        self.path = path
        self.limits = limits or Limits()
        self.name = path.name
        self._zip: zipfile.ZipFile | None = None
        self._tar: tarfile.TarFile | None = None
        self._archive_names: dict[str, str] = {}
        self._tar_members: dict[str, tarfile.TarInfo] = {}
        self._members: list[Member] = []
        self._read_total = 0
        if not path.exists():
            raise BundleError(f"{path}: no such file or directory; give a bundle directory, .zip or .tar.gz")
        if path.is_dir():
            self._members = list(self._scan_directory())
        elif zipfile.is_zipfile(path):
            self._open_zip()
        elif path.name.endswith((".tar.gz", ".tgz", ".tar")):
            self._open_tar()
        else:
            raise BundleError(
                f"{path}: not a directory, a .zip or a .tar.gz; give the bundle folder or an archive of it"
            )

    # ------------------------------------------------------------------ containers
    def _scan_directory(self) -> Iterator[Member]:
        root = self.path
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames.sort()
            base = Path(dirpath)
            for name in sorted(filenames):
                full = base / name
                rel = full.relative_to(root).as_posix()
                try:
                    info = full.lstat()
                except OSError as exc:
                    yield Member(rel, 0, f"cannot stat: {exc.strerror}")
                    continue
                if stat.S_ISLNK(info.st_mode):
                    yield Member(rel, 0, "symbolic link: not followed; copy the file itself into the bundle")
                elif not stat.S_ISREG(info.st_mode):
                    yield Member(rel, 0, "not a regular file")
                else:
                    yield Member(rel, info.st_size)
            # A directory named like an evidence file is reported, not silently skipped.
            for name in dirnames:
                if name.endswith((".json", ".csv", ".err", ".gz")):
                    rel = (base / name).relative_to(root).as_posix()
                    yield Member(rel, 0, "a directory named like an evidence file; expected a JSON file here")

    def _open_zip(self) -> None:
        try:
            self._zip = zipfile.ZipFile(self.path)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise BundleError(f"{self.path}: corrupt zip archive ({exc}); re-create the archive") from exc
        total = 0
        names: list[tuple[str, zipfile.ZipInfo]] = []
        for info in infos:
            rel = _safe_relative(info.filename)
            mode = info.external_attr >> 16
            if info.is_dir() or not rel:
                continue
            if stat.S_ISLNK(mode):
                raise BundleError(f"archive member {info.filename!r} is a symbolic link; refusing the archive")
            self._check_sizes(info.filename, info.file_size, total := total + info.file_size)
            names.append((rel, info))
        prefix = _strip_common_root([n for n, _ in names])
        for rel, info in sorted(names, key=lambda x: x[0]):
            short = rel[len(prefix) :] if prefix else rel
            self._archive_names[short] = info.filename
            self._members.append(Member(short, info.file_size))

    def _open_tar(self) -> None:
        try:
            self._tar = tarfile.open(self.path, "r:*")  # noqa: SIM115 - kept open for member reads
            infos = self._tar.getmembers()
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BundleError(f"{self.path}: corrupt tar archive ({exc}); re-create the archive") from exc
        total = 0
        names: list[tuple[str, tarfile.TarInfo]] = []
        for info in infos:
            rel = _safe_relative(info.name)
            if info.isdir() or not rel:
                continue
            if info.issym() or info.islnk():
                raise BundleError(f"archive member {info.name!r} is a link; refusing the archive")
            if not info.isfile():
                raise BundleError(f"archive member {info.name!r} is a device or special file; refusing the archive")
            self._check_sizes(info.name, info.size, total := total + info.size)
            names.append((rel, info))
        prefix = _strip_common_root([n for n, _ in names])
        for rel, info in sorted(names, key=lambda x: x[0]):
            short = rel[len(prefix) :] if prefix else rel
            self._tar_members[short] = info
            self._members.append(Member(short, info.size))

    def _check_sizes(self, name: str, size: int, total: int) -> None:
        if size > self.limits.max_member_bytes:
            raise BundleError(
                f"archive member {name!r} expands to {size} bytes, over the {self.limits.max_member_bytes}-byte "
                "limit per file (zip bomb?); raise --max-member-bytes if the file is genuine"
            )
        if total > self.limits.max_expanded_bytes:
            raise BundleError(
                f"the archive expands to more than {self.limits.max_expanded_bytes} bytes (zip bomb?); "
                "raise --max-expanded-bytes if the bundle is genuine"
            )

    # ------------------------------------------------------------------ reading
    @property
    def members(self) -> list[Member]:
        return self._members

    def _open(self, path: str) -> IO[bytes]:
        if self._zip is not None:
            return self._zip.open(self._archive_names[path])
        if self._tar is not None:
            handle = self._tar.extractfile(self._tar_members[path])
            if handle is None:
                raise OSError("not a regular file")
            return handle
        return (self.path / path).open("rb")

    def read(self, path: str) -> bytes:
        """The member's bytes, refusing to read more than the per-file limit (the header may lie)."""
        limit = self.limits.max_member_bytes
        with self._open(path) as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise BundleError(f"{path}: larger than the {limit}-byte limit per file; refusing to read it")
        self._read_total += len(data)
        if self._read_total > self.limits.max_expanded_bytes:
            raise BundleError(
                f"the bundle expands to more than {self.limits.max_expanded_bytes} bytes (zip bomb?); "
                "raise --max-expanded-bytes if the bundle is genuine"
            )
        return data

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
        if self._tar is not None:
            self._tar.close()

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
