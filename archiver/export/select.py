"""What an export holds: a date window on capture time, a domain, and which versions of each URL.

Dates compare as 14-digit UTC timestamps (YYYYMMDDhhmmss), the form CDXJ lines carry, so one
filter serves WARC records and items alike. Picking the latest version per URL needs every item
of a URL together; a throwaway SQLite file does that sorting on disk, so memory stays flat
however many items the archive holds.
"""
from __future__ import annotations

import json
import re
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(text: str, *, end: bool = False) -> str:
    """`YYYY-MM-DD` or an ISO 8601 date-time (UTC when no offset) as a 14-digit UTC timestamp.

    A bare date as an end bound means the whole day, so `--until 2024-05-01` includes that day.
    """
    text = text.strip()
    try:
        if _DATE_ONLY.match(text):
            day = datetime.strptime(text, "%Y-%m-%d")
            return day.strftime("%Y%m%d") + ("235959" if end else "000000")
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ValueError(f"not a date: {text!r} (use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, UTC unless an offset is given)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S")


def iso_to_timestamp(value) -> str | None:
    """An item's `fetched_at` (ISO 8601) as a 14-digit UTC timestamp, None when it is not a date."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S")


def normalize_domain(text: str) -> str:
    """`example.com`, `.Example.com.` or `https://example.com/x` all mean the host example.com."""
    text = text.strip()
    if "://" in text:
        text = urlsplit(text).hostname or ""
    text = text.strip(".").lower()
    if not text or "/" in text or " " in text:
        raise ValueError(f"not a domain: {text!r}")
    return text


def host_of(url) -> str | None:
    try:
        host = urlsplit(url).hostname if isinstance(url, str) else None
    except ValueError:
        return None
    return host.rstrip(".").lower() if host else None


@dataclass(frozen=True)
class Selection:
    since: str | None = None  # 14-digit UTC timestamps, inclusive
    until: str | None = None
    domain: str | None = None  # the host itself or any of its subdomains
    all_versions: bool = False
    # A narrowed export carries the responses its revisits refer to, or their pages would not replay.
    with_originals: bool = True

    @property
    def filters_records(self) -> bool:
        return bool(self.since or self.until or self.domain)

    def takes_time(self, timestamp: str | None) -> bool:
        if not (self.since or self.until):
            return True
        if not timestamp:
            return False
        timestamp = timestamp[:14]
        return (not self.since or timestamp >= self.since) and (not self.until or timestamp <= self.until)

    def takes_url(self, url) -> bool:
        if not self.domain:
            return True
        host = host_of(url)
        return bool(host) and (host == self.domain or host.endswith("." + self.domain))

    def takes_capture(self, url, timestamp: str | None) -> bool:
        return self.takes_url(url) and self.takes_time(timestamp)


def _version_number(item: dict) -> int:
    # Versions may still be null in archives written before versioning: the first version then.
    version = item.get("version")
    return version if isinstance(version, int) and not isinstance(version, bool) else 1


class ItemSelector:
    """Streams the selected items of some `items/*.jsonl` files, in URL then capture-time order.

    A version of a URL is a run of captures with the same version number and content hash;
    it is reported once, by its first capture (when that text first appeared). Without
    `all_versions` only each URL's latest version is given.
    """

    BATCH = 5000

    def __init__(self, item_files: list[Path], selection: Selection, warn):
        self.item_files = list(item_files)
        self.selection = selection
        self.warn = warn
        self.read = 0

    def __iter__(self) -> Iterator[dict]:
        with tempfile.TemporaryDirectory(prefix="archiver-export-") as tmp:
            db = sqlite3.connect(Path(tmp) / "select.sqlite3")
            try:
                # A scratch file: no journal and no fsync, and a small page cache keeps memory flat.
                db.execute("PRAGMA journal_mode=OFF")
                db.execute("PRAGMA synchronous=OFF")
                db.execute("PRAGMA cache_size=-4096")
                db.execute("CREATE TABLE item (url TEXT, fetched TEXT, version INTEGER, hash TEXT, file INTEGER, offset INTEGER)")
                self._load(db)
                db.execute("CREATE INDEX item_order ON item (url, fetched, file, offset)")
                yield from self._emit(db)
            finally:
                db.close()

    def _load(self, db: sqlite3.Connection) -> None:
        rows = []
        for file_no, path in enumerate(self.item_files):
            offset = 0
            with open(path, "rb") as fh:
                for line_no, line in enumerate(fh, 1):
                    start, offset = offset, offset + len(line)
                    if not line.strip():
                        continue
                    item = self._parse(line, path, line_no)
                    if item is None:
                        continue
                    self.read += 1
                    fetched = iso_to_timestamp(item.get("fetched_at"))
                    if not self.selection.takes_capture(item.get("url"), fetched):
                        continue
                    content_hash = item.get("content_hash")
                    rows.append((str(item.get("url")), fetched or "", _version_number(item),
                                 content_hash if isinstance(content_hash, str) else None, file_no, start))
                    if len(rows) >= self.BATCH:
                        db.executemany("INSERT INTO item VALUES (?, ?, ?, ?, ?, ?)", rows)
                        rows.clear()
        if rows:
            db.executemany("INSERT INTO item VALUES (?, ?, ?, ?, ?, ?)", rows)

    def _parse(self, line: bytes, path: Path, line_no: int) -> dict | None:
        try:
            item = json.loads(line)
        except ValueError:
            # A crash can leave half a line at the end of a run's file: name it and go on.
            self.warn(f"{path}:{line_no}: not a JSON item, skipped")
            return None
        if not isinstance(item, dict) or not item.get("url"):
            self.warn(f"{path}:{line_no}: not an item (no url), skipped")
            return None
        return item

    def _emit(self, db: sqlite3.Connection) -> Iterator[dict]:
        handles = _LineReader(self.item_files)
        try:
            current_url = None
            pending = None  # the latest version seen of the current URL, emitted when the URL ends
            last_key = None
            for url, _fetched, version, content_hash, file_no, offset in db.execute(
                "SELECT url, fetched, version, hash, file, offset FROM item ORDER BY url, fetched, file, offset"
            ):
                if url != current_url:
                    if pending is not None and not self.selection.all_versions:
                        yield handles.item(*pending)
                    current_url, pending, last_key = url, None, None
                # No content hash (an error page, say) means each capture stands on its own.
                key = (version, content_hash) if content_hash else None
                if key is not None and key == last_key:
                    continue
                last_key = key
                if self.selection.all_versions:
                    yield handles.item(file_no, offset)
                else:
                    pending = (file_no, offset)
            if pending is not None and not self.selection.all_versions:
                yield handles.item(*pending)
        finally:
            handles.close()


class _LineReader:
    """Reads one line at a byte offset of an item file, keeping the last file open."""

    def __init__(self, paths: list[Path]):
        self.paths = paths
        self.file_no = None
        self.fh = None

    def item(self, file_no: int, offset: int) -> dict:
        if file_no != self.file_no:
            self.close()
            self.fh = open(self.paths[file_no], "rb")
            self.file_no = file_no
        self.fh.seek(offset)
        return json.loads(self.fh.readline())

    def close(self) -> None:
        if self.fh:
            self.fh.close()
        self.fh = self.file_no = None
