"""The zip archive's table of contents, read before :mod:`zipfile` reads it: how many entries it
declares, and names flagged as UTF-8 that are not.

``zipfile`` refuses the whole archive (``UnicodeDecodeError``) when one member's name carries the
UTF-8 flag but is not valid UTF-8. Such a member should only make that one file invalid, so the
archive is opened again through :class:`NameRepair`: the same bytes, except that the flag of the
broken names is cleared in the central directory, so ``zipfile`` reads them as the historical
code page (CP437) and the loader can report them by name. The members themselves are never read.

The central directory is located as ``zipfile`` locates it (end-of-archive record, Zip64 aware).
"""

from __future__ import annotations

import struct
import zipfile
from typing import IO

#: The central directory's per-entry record: signature, then fields up to the lengths of the name,
#: the extra field and the comment (APPNOTE 4.3.12).
_ENTRY_SIGNATURE = b"PK\x01\x02"
_ENTRY_SIZE = 46
_FLAG_OFFSET = 8
_LENGTHS = struct.Struct("<HHH")
_LENGTHS_OFFSET = 28
_UTF8_FLAG = 0x800


def _end_record(handle: IO[bytes]) -> tuple[int, int, int] | None:
    """(entries declared, start of the central directory, its size), or None when not found."""
    find = getattr(zipfile, "_EndRecData", None)
    if find is None:  # pragma: no cover - a future Python without it: the checks after opening remain
        return None
    try:
        end = find(handle)
    except (OSError, struct.error, ValueError):
        return None
    if not end:
        return None
    entries, size, offset, location = int(end[4]), int(end[5]), int(end[6]), int(end[9])
    concat = location - size - offset
    if end[0] == zipfile.stringEndArchive64:  # type: ignore[attr-defined]
        concat -= zipfile.sizeEndCentDir64 + zipfile.sizeEndCentDir64Locator  # type: ignore[attr-defined]
    return entries, offset + concat, size


def declared_entries(handle: IO[bytes]) -> int | None:
    """The number of entries the archive's end record declares (it can lie: check the listing too)."""
    found = _end_record(handle)
    return None if found is None else found[0]


def unflag_broken_names(handle: IO[bytes]) -> tuple[int, bytes, dict[str, bytes]] | None:
    """The central directory with the UTF-8 flag cleared on names that are not UTF-8.

    Returns (its position in the file, the repaired bytes, {the name ``zipfile`` will read: the raw
    name}), or None when the directory cannot be found or no name needed repair.
    """
    found = _end_record(handle)
    if found is None:
        return None
    _, start, size = found
    handle.seek(start)
    directory = bytearray(handle.read(size))
    broken: dict[str, bytes] = {}
    position = 0
    while position + _ENTRY_SIZE <= len(directory) and directory[position : position + 4] == _ENTRY_SIGNATURE:
        name_length, extra_length, comment_length = _LENGTHS.unpack_from(directory, position + _LENGTHS_OFFSET)
        name = bytes(directory[position + _ENTRY_SIZE : position + _ENTRY_SIZE + name_length])
        flags = int.from_bytes(directory[position + _FLAG_OFFSET : position + _FLAG_OFFSET + 2], "little")
        if flags & _UTF8_FLAG:
            try:
                name.decode("utf-8")
            except UnicodeDecodeError:
                directory[position + _FLAG_OFFSET : position + _FLAG_OFFSET + 2] = (flags & ~_UTF8_FLAG).to_bytes(
                    2, "little"
                )
                broken[name.decode("cp437")] = name
        position += _ENTRY_SIZE + name_length + extra_length + comment_length
    return (start, bytes(directory), broken) if broken else None


class NameRepair:
    """A read-only binary file that reads as ``handle`` except over ``[start, start + len(patch))``,
    where it reads as ``patch`` (the repaired central directory). Enough of a file for ``zipfile``."""

    def __init__(self, handle: IO[bytes], start: int, patch: bytes) -> None:
        self._handle = handle
        self._start = start
        self._patch = patch
        self.name = getattr(handle, "name", None)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        position = self._handle.tell()
        data = self._handle.read(size)
        low = max(position, self._start)
        high = min(position + len(data), self._start + len(self._patch))
        if low >= high:
            return data
        middle = self._patch[low - self._start : high - self._start]
        return data[: low - position] + middle + data[high - position :]

    def close(self) -> None:
        self._handle.close()
