"""The crawl's seen-set on disk: request fingerprints in a SQLite file, not a Python set.

Scrapy's RFPDupeFilter keeps every fingerprint as a 40-character string in a set, about 140
bytes each: 10M seeds from a sitemap index would hold 1.4 GB for the whole crawl. Here a
fingerprint is a 20-byte key in a table without rowid, in `ARCHIVE/.seen-PID.sqlite3`; SQLite's
page cache (ARCHIVER_SEEN_CACHE_MB) is all that stays in memory, and the file goes when the
crawl closes. The file holds nothing to keep: no journal, no sync, a commit every 10,000 new
fingerprints only so that a long crawl's pages reach the file rather than the cache.

A crawl killed outright leaves its file behind; the next crawl removes every such file that no
live crawl holds (each holds an `flock` on its own, as the WARC writer does on `.open` files).
"""
from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
from pathlib import Path

from scrapy.dupefilters import BaseDupeFilter

from ..store.archive import Archive

logger = logging.getLogger(__name__)

COMMIT_EVERY = 10_000


def remove_stale(folder: Path) -> list[Path]:
    """Remove the seen-set files of crawls that are gone (their lock is free)."""
    removed = []
    for path in folder.glob(".seen-*.sqlite3"):
        try:
            with open(path, "rb") as fh:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                path.unlink()
                removed.append(path)
        except (BlockingIOError, FileNotFoundError):
            continue
    return removed


class SeenSet:
    """A set of byte strings on disk; `add` answers whether the value was new."""

    def __init__(self, path: Path, cache_mb: int = 16):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = open(path, "ab")
        fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.db = sqlite3.connect(str(path), isolation_level=None)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute(f"PRAGMA cache_size=-{max(1, cache_mb) * 1024}")
        self.db.execute("CREATE TABLE IF NOT EXISTS seen (fp BLOB PRIMARY KEY) WITHOUT ROWID")
        self.db.execute("BEGIN")
        self._pending = 0
        self.count = 0

    def add(self, value: bytes) -> bool:
        new = self.db.execute("INSERT OR IGNORE INTO seen (fp) VALUES (?)", (value,)).rowcount == 1
        if new:
            self.count += 1
            self._pending += 1
            if self._pending >= COMMIT_EVERY:
                self.db.execute("COMMIT")
                self.db.execute("BEGIN")
                self._pending = 0
        return new

    def close(self) -> None:
        self.db.close()
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
        self._lock.close()


class DiskDupeFilter(BaseDupeFilter):
    """Scrapy's duplicate filter (same fingerprints, same stat), with the seen-set on disk."""

    def __init__(self, seen: SeenSet, fingerprinter, stats=None, debug: bool = False):
        self.seen = seen
        self.fingerprinter = fingerprinter
        self.stats = stats
        self.debug = debug
        self.logged = False

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        root = Archive(settings.get("ARCHIVER_ARCHIVE")).root
        remove_stale(root)
        seen = SeenSet(root / f".seen-{os.getpid()}.sqlite3", settings.getint("ARCHIVER_SEEN_CACHE_MB", 16))
        return cls(seen, crawler.request_fingerprinter, crawler.stats, settings.getbool("DUPEFILTER_DEBUG"))

    def request_seen(self, request) -> bool:
        return not self.seen.add(self.fingerprinter.fingerprint(request))

    def close(self, reason: str) -> None:
        self.seen.close()

    def log(self, request, spider) -> None:
        if self.debug:
            logger.debug("Filtered duplicate request: %(request)s", {"request": request})
        elif not self.logged:
            logger.debug("Filtered duplicate request: %(request)s - no more duplicates will be shown"
                          " (see DUPEFILTER_DEBUG to show all duplicates)", {"request": request})
            self.logged = True
        if self.stats:
            self.stats.inc_value("dupefilter/filtered")
