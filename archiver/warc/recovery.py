"""Recovering the `.open` WARC files a killed crawl left behind.

A file is written as `NAME.warc.gz.open`, one gzip member per record, flushed after each group
of records, and renamed to `NAME.warc.gz` when closed. A crash (SIGKILL, power cut, full disk)
leaves the `.open` file: whole records, then perhaps part of one. Recovery keeps the records
that are whole (a complete gzip member holding a complete WARC record), cuts the rest off, and
gives the file its closed name, which is the name item pointers already use.

A file still being written is left alone: the writer holds an exclusive `flock` on it while it
is open, which the kernel drops when the writer dies, however it dies.
"""
from __future__ import annotations

import fcntl
import logging
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from .naming import OPEN_SUFFIX

logger = logging.getLogger(__name__)

_CONTENT_LENGTH = re.compile(rb"\r\nContent-Length:[ \t]*(\d+)[ \t]*\r\n", re.IGNORECASE)
_WARC_TYPE = re.compile(rb"\r\nWARC-Type:[ \t]*([A-Za-z]+)", re.IGNORECASE)
_READ_SIZE = 1 << 20


@dataclass(frozen=True)
class Recovered:
    name: str            # the closed file name it now has (or had, if removed)
    kept_bytes: int      # bytes of whole records kept
    dropped_bytes: int   # bytes of the partial tail cut off
    removed: bool = False  # nothing whole was in it: the file was deleted


def is_whole_record(data: bytes) -> bool:
    """A complete WARC record: version line, header block, exactly Content-Length bytes, CRLF CRLF."""
    if not data.startswith(b"WARC/"):
        return False
    end = data.find(b"\r\n\r\n")
    if end == -1:
        return False
    match = _CONTENT_LENGTH.search(data[: end + 2])
    if not match:
        return False
    return len(data) == end + 4 + int(match.group(1)) + 4 and data.endswith(b"\r\n\r\n")


def _record_type(data: bytes) -> bytes:
    match = _WARC_TYPE.search(data[: data.find(b"\r\n\r\n") + 2])
    return match.group(1).lower() if match else b""


class _Groups:
    """Records are written in groups: a response (or revisit) and its request; a request and the
    metadata record of its failed fetch; warcinfo alone. A group cut in half would leave a
    response without its request, so the file is only cut at the end of a whole group."""

    def __init__(self):
        self.waiting_for: bytes | None = None

    def complete_after(self, rtype: bytes) -> bool:
        if self.waiting_for == rtype:
            self.waiting_for = None
        elif rtype in (b"response", b"revisit"):
            self.waiting_for = b"request"
        elif rtype == b"request":
            self.waiting_for = b"metadata"
        else:
            self.waiting_for = None
        return self.waiting_for is None


def whole_records_length(fh) -> int:
    """The length of the leading run of whole record groups (one gzip member a record) in a file."""
    fh.seek(0)
    good = 0       # end of the last whole record
    position = 0   # bytes of the file consumed by finished members
    decompressor = zlib.decompressobj(31)
    record = bytearray()
    groups = _Groups()
    consumed = 0   # bytes fed to the current member so far
    while True:
        chunk = fh.read(_READ_SIZE)
        if not chunk:
            return good
        while chunk:
            try:
                record += decompressor.decompress(chunk)
            except zlib.error:
                return good
            if not decompressor.eof:
                consumed += len(chunk)
                break
            rest = decompressor.unused_data
            position += consumed + len(chunk) - len(rest)
            data = bytes(record)
            if not is_whole_record(data):
                return good
            if groups.complete_after(_record_type(data)):
                good = position
            chunk, consumed = rest, 0
            decompressor = zlib.decompressobj(31)
            record = bytearray()


def recover_file(path: Path) -> Recovered | None:
    """Recover one `.open` file; None when a live writer holds it."""
    final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
    with open(path, "r+b") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        size = os.fstat(fh.fileno()).st_size
        good = whole_records_length(fh)
        if good < size:
            fh.truncate(good)
        fh.flush()
        os.fsync(fh.fileno())
        if good == 0:
            path.unlink()
            return Recovered(final.name, 0, size, removed=True)
        if final.exists():
            # Never overwrite a closed file; the writer's O_EXCL naming makes this a surprise.
            logger.error("cannot recover %s: %s already exists", path, final.name)
            return None
        os.replace(path, final)
    return Recovered(final.name, good, size - good)


def recover_open_files(directory: str | os.PathLike) -> list[Recovered]:
    """Recover every `*.warc.gz.open` in a folder that no running writer holds."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    out = []
    for path in sorted(directory.glob("*.warc.gz" + OPEN_SUFFIX)):
        try:
            recovered = recover_file(path)
        except FileNotFoundError:
            continue  # another process recovered it first
        if recovered is None:
            continue
        if recovered.removed:
            logger.warning("recovered %s: no whole record in it, removed", path.name)
        else:
            logger.warning("recovered %s: kept %d bytes of whole records, dropped a partial tail of %d bytes",
                           recovered.name, recovered.kept_bytes, recovered.dropped_bytes)
        out.append(recovered)
    return out
