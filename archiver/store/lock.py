"""One crawl at a time per archive: an exclusive `flock` on ARCHIVE/crawl.lock.

The kernel drops the lock when the process dies, however it dies, so a killed crawl never
leaves a stale lock behind (a pid file would). The pid written inside is only for the message.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path


class CrawlRunning(RuntimeError):
    """Another process holds the archive's crawl lock."""


class CrawlLock:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._fd: int | None = None

    def acquire(self) -> "CrawlLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            os.close(fd)
            raise CrawlRunning(f"another crawl is running on {self.path.parent}"
                               + (f" (pid {holder})" if holder else "")) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "CrawlLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
