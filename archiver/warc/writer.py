"""A rotating WARC file writer: warcinfo first, `.open` while written, renamed when closed."""
from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path

from .naming import OPEN_SUFFIX, crawl_host, warc_filename
from .record import WarcRecord, warcinfo_record

# Compressed bytes gathered before a write: one write a page, a few dozen for a 64 MiB body.
_WRITE_SIZE = 1 << 20


class WarcWriteError(RuntimeError):
    """Raised when a record cannot be written (disk full, permissions): the crawl must stop."""


@dataclass(frozen=True)
class RecordPointer:
    """Where a record lies: the closed file's name, its record id and its byte offset."""

    filename: str
    record_id: str
    offset: int

    def as_dict(self) -> dict:
        return {"filename": self.filename, "record_id": self.record_id, "offset": self.offset}


class RotatingWarcWriter:
    def __init__(
        self,
        directory: str | os.PathLike,
        *,
        prefix: str = "archiver",
        max_size: int = 1_000_000_000,
        info_fields: list[tuple[str, str]] | None = None,
        host: str | None = None,
    ):
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max_size
        self.info_fields = info_fields or []
        self.host = host or crawl_host()
        self.serial = 0
        self.files_closed: list[str] = []
        self.bytes_written = 0
        self._fh = None
        self._name: str | None = None
        self._size = 0

    @property
    def current_name(self) -> str | None:
        return self._name

    def _open(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            while True:
                name = warc_filename(self.prefix, self.serial, self.host)
                self.serial += 1
                final = self.directory / name
                try:
                    if final.exists():
                        continue
                    # O_EXCL: two writers (two processes, two machines on a shared disk) never share a file.
                    fd = os.open(self.directory / (name + OPEN_SUFFIX), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                except FileExistsError:
                    continue
                break
            # Held while the file is open, released by the kernel however this process ends:
            # recovery (warc/recovery.py) leaves a locked `.open` file alone.
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            # Unbuffered: what write() accepted is in the file, and nothing waits in a buffer to
            # fail later; a failed write is cut back to the last whole record.
            self._fh = os.fdopen(fd, "wb", buffering=0)
            self._name = name
            self._size = 0
            self._append([warcinfo_record(name, self.info_fields)])
        except OSError as exc:
            self._discard_open()
            raise WarcWriteError(f"cannot create a WARC file in {self.directory}: {exc.strerror or exc}") from exc

    def _append(self, records: list[WarcRecord]) -> list[int]:
        offsets = []
        pending = bytearray()
        written = 0
        # One group, written whole or cut back, so that a full disk leaves whole records on disk
        # (and recovery, warc/recovery.py, cuts a group a killed process left half-written).
        # Compressed pieces go out as they come, in writes of about a MiB: a 64 MiB body is never
        # held compressed in full beside itself.
        try:
            for record in records:
                offsets.append(self._size + written + len(pending))
                for piece in record.gzip_pieces():
                    pending += piece
                    if len(pending) >= _WRITE_SIZE:
                        written += self._write_all(pending)
                        pending.clear()
            written += self._write_all(pending)
        except OSError:
            os.ftruncate(self._fh.fileno(), self._size)
            raise
        self._size += written
        self.bytes_written += written
        return offsets

    def _write_all(self, data: bytearray) -> int:
        view = memoryview(data)
        try:
            while view:
                view = view[self._fh.write(view):]
        finally:
            view.release()  # a bytearray with a live view cannot be cleared
        return len(data)

    def write(self, records: list[WarcRecord]) -> list[RecordPointer]:
        """Write records next to each other in one file; returns where each one lies."""
        if self._fh is None:
            self._open()
        try:
            offsets = self._append(records)
        except OSError as exc:
            raise WarcWriteError(f"cannot write to {self.directory / (self._name + OPEN_SUFFIX)}: {exc.strerror or exc}") from exc
        pointers = [RecordPointer(self._name, r.record_id, o) for r, o in zip(records, offsets)]
        if self._size >= self.max_size:
            self.close()
        return pointers

    def _discard_open(self) -> None:
        """Remove a file whose warcinfo record could not be written."""
        if self._fh is None:
            return
        fh, name = self._fh, self._name
        self._fh = self._name = None
        try:
            fh.close()
            os.unlink(self.directory / (name + OPEN_SUFFIX))
        except OSError:
            pass  # recovery removes a file without a whole record on the next run

    def close(self) -> None:
        if self._fh is None:
            return
        fh, name = self._fh, self._name
        self._fh = self._name = None
        try:
            fh.flush()
            os.fsync(fh.fileno())
            # Renamed while still locked, so that recovery in another process never races us.
            os.replace(self.directory / (name + OPEN_SUFFIX), self.directory / name)
            fh.close()
        except OSError as exc:
            raise WarcWriteError(f"cannot close {self.directory / name}: {exc.strerror or exc}") from exc
        self.files_closed.append(name)
