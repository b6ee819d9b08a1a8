"""Uploads that are ZIP archives inside (XLSX, DOCX, PPTX, ODT): how much they unpack to, read from the
archive's directory before anything is extracted, so a small file that unpacks to gigabytes (a "zip bomb")
is refused with what it would unpack to."""

from __future__ import annotations

import zipfile
from typing import IO

# What an office document of a school may unpack to: a plan, a worksheet, a presentation with pictures.
MAX_UNPACKED_BYTES = 40 * 1024 * 1024


def unpacked_bytes(stream: IO[bytes]) -> int:
    """The total size the archive's entries declare (``zipfile.BadZipFile`` when it is not an archive);
    the stream is read from its start and left there."""
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            return sum(info.file_size for info in archive.infolist())
    finally:
        stream.seek(0)


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f}"
