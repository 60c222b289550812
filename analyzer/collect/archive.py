"""A deterministic ``.zip`` of a bundle directory: same files, same bytes, whatever the machine or time."""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

#: The earliest time a zip entry can carry; every entry gets it, so the archive never records when it was made.
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o100644  # regular file, rw-r--r--


def zip_directory(source: Path, destination: Path) -> int:
    """Zip every file under ``source`` (sorted paths, fixed times and modes) into ``destination``.

    Hidden files (``.tmp-*`` leftovers of an interrupted write) are left out. The archive is
    written beside ``destination`` and moved into place, so a reader never sees half of it.
    Returns the number of files archived.
    """
    files = sorted(
        path.relative_to(source).as_posix()
        for path in source.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(source).parts)
    )
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".zip", dir=destination.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for name in files:
                info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # unix, so the mode below is read as such
                info.external_attr = _FILE_MODE << 16
                archive.writestr(info, source.joinpath(*name.split("/")).read_bytes(), compresslevel=9)
        Path(temporary).replace(destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(files)
