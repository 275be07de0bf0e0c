"""Re-crawl state: what was fetched when, its validators and digests, versions, what is due.

Everything the re-crawler remembers between runs lives behind `CrawlState`, a small interface
(get/save a URL's state, the digest index, versions, due URLs, a summary) so that a store shared
by several machines (Redis) can stand in for this SQLite one. The SQLite file is
ARCHIVE/state.sqlite3 in WAL mode: readers (`archiver status` while a crawl runs) never block
the writer.
"""
from __future__ import annotations

import json
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path

from ..warc.dedup import StoredPayload

SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,          -- as seeded
    final_url TEXT,                -- where the validators below came from
    first_fetch TEXT,
    last_fetch TEXT,
    last_status INTEGER,
    etag TEXT,
    last_modified TEXT,
    payload_digest TEXT,
    content_hash TEXT,
    version INTEGER NOT NULL DEFAULT 0,
    published_at TEXT,
    interval REAL,                 -- seconds
    next_due REAL,                 -- epoch seconds
    failures INTEGER NOT NULL DEFAULT 0,
    gone_since TEXT,
    pending TEXT                   -- JSON pointer to a capture whose article is not derived yet
);
CREATE INDEX IF NOT EXISTS urls_next_due ON urls (next_due);
CREATE TABLE IF NOT EXISTS digests (
    digest TEXT PRIMARY KEY,       -- the first capture of a payload is the one revisits refer to
    target_uri TEXT NOT NULL,
    date TEXT NOT NULL,
    record_id TEXT NOT NULL,
    filename TEXT NOT NULL,
    offset INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    url TEXT NOT NULL,
    version INTEGER NOT NULL,
    fetched_at TEXT,
    content_hash TEXT,
    title TEXT,
    warc TEXT,                     -- JSON pointer to the capture of this version
    item TEXT,                     -- the item's fields as JSON, for `archiver diff`
    PRIMARY KEY (url, version)
);
"""


@dataclass
class UrlState:
    url: str
    final_url: str | None = None
    first_fetch: str | None = None
    last_fetch: str | None = None
    last_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    payload_digest: str | None = None
    content_hash: str | None = None
    version: int = 0
    published_at: str | None = None
    interval: float | None = None
    next_due: float | None = None
    failures: int = 0
    gone_since: str | None = None
    pending: str | None = None


@dataclass
class Version:
    url: str
    version: int
    fetched_at: str | None
    content_hash: str | None
    title: str | None
    warc: dict | None
    item: dict

    def summary(self) -> dict:
        return {"version": self.version, "fetched_at": self.fetched_at, "content_hash": self.content_hash,
                "title": self.title, "warc": self.warc}


_URL_COLUMNS = [f.name for f in fields(UrlState)]
_SAVE_URL = f"INSERT OR REPLACE INTO urls ({', '.join(_URL_COLUMNS)}) VALUES ({', '.join('?' for _ in _URL_COLUMNS)})"


class CrawlState:
    """The SQLite store. One connection per component; WAL lets them share the file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable across process crashes in WAL mode; only a power cut may lose the tail.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self._depth = 0
        columns = {row["name"] for row in self.db.execute("PRAGMA table_info(urls)")}
        if "pending" not in columns:  # a state store written before derivation left the crawl's loop
            self.db.execute("ALTER TABLE urls ADD COLUMN pending TEXT")

    @classmethod
    def open_existing(cls, path: str | Path) -> "CrawlState | None":
        """For read-only commands: None if no crawl ever ran here (and create nothing)."""
        return cls(path) if Path(path).exists() else None

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self):
        """One commit for everything inside (nested ones join the outer): a capture's URL row
        and its version row land together or not at all."""
        if self._depth == 0:
            self.db.execute("BEGIN IMMEDIATE")
        self._depth += 1
        try:
            yield self
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                self.db.execute("ROLLBACK")
            raise
        self._depth -= 1
        if self._depth == 0:
            self.db.execute("COMMIT")

    # -- per URL ---------------------------------------------------------------------------
    def get(self, url: str) -> UrlState | None:
        row = self.db.execute("SELECT * FROM urls WHERE url = ?", (url,)).fetchone()
        return UrlState(**{k: row[k] for k in _URL_COLUMNS}) if row else None

    def save(self, state: UrlState) -> None:
        # getattr, not dataclasses.asdict: the values are plain, and asdict deep-copies each one.
        self.db.execute(_SAVE_URL, [getattr(state, c) for c in _URL_COLUMNS])

    def save_many(self, states) -> None:
        self.db.executemany(_SAVE_URL, ([getattr(s, c) for c in _URL_COLUMNS] for s in states))

    def clear_pending(self, url: str, warc: dict | None) -> None:
        """The capture at `warc` is derived (or needs no article): no longer pending."""
        self.db.execute("UPDATE urls SET pending = NULL WHERE url = ? AND pending = ?", (url, json.dumps(warc)))

    def add_urls(self, urls, due: float | None = None) -> int:
        """Make URLs known (due now unless `due`); known ones are left as they are."""
        due = time.time() if due is None else due
        cur = self.db.executemany("INSERT OR IGNORE INTO urls (url, next_due) VALUES (?, ?)", ((u, due) for u in urls))
        return cur.rowcount

    def due(self, now: float | None = None, *, limit: int | None = None, include_all: bool = False):
        """URLs to fetch now, the most overdue first; read lazily so a long list never sits in memory."""
        now = time.time() if now is None else now
        sql = "SELECT url FROM urls"
        args: list = []
        if not include_all:
            sql += " WHERE next_due IS NULL OR next_due <= ?"
            args.append(now)
        sql += " ORDER BY next_due IS NOT NULL, next_due, url"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        # A cursor of its own, so that saves on self.db in between do not reset it.
        cursor = self.db.cursor()
        for row in cursor.execute(sql, args):
            yield row["url"]

    def pending(self, batch: int = 500):
        """(url, WARC pointer) of every capture whose article was never derived, in URL order, read
        `batch` rows at a time: memory stays flat however many there are, and rows the caller
        updates in between (deriving them clears `pending`) are never walked by an open cursor."""
        after = ""
        while True:
            rows = self.db.execute("SELECT url, pending FROM urls WHERE pending IS NOT NULL AND url > ? "
                                   "ORDER BY url LIMIT ?", (after, batch)).fetchall()
            for row in rows:
                yield row["url"], json.loads(row["pending"])
            if len(rows) < batch:
                return
            after = rows[-1]["url"]

    def next_due(self) -> float | None:
        row = self.db.execute("SELECT MIN(next_due) FROM urls").fetchone()
        return row[0]

    # -- digest index (identical-payload revisits) ------------------------------------------
    def original_for(self, digest: str) -> StoredPayload | None:
        row = self.db.execute("SELECT * FROM digests WHERE digest = ?", (digest,)).fetchone()
        if row is None:
            return None
        return StoredPayload(row["digest"], row["target_uri"], row["date"], row["record_id"], row["filename"], row["offset"])

    def remember_payload(self, stored: StoredPayload) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO digests (digest, target_uri, date, record_id, filename, offset) VALUES (?, ?, ?, ?, ?, ?)",
            (stored.digest, stored.target_uri, stored.date, stored.record_id, stored.filename, stored.offset),
        )

    def remember_payloads(self, stored: list[StoredPayload]) -> None:
        """Several at once, in one transaction: one commit instead of one each."""
        self.db.execute("BEGIN")
        try:
            self.db.executemany(
                "INSERT OR IGNORE INTO digests (digest, target_uri, date, record_id, filename, offset) VALUES (?, ?, ?, ?, ?, ?)",
                [(s.digest, s.target_uri, s.date, s.record_id, s.filename, s.offset) for s in stored],
            )
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- versions -------------------------------------------------------------------------
    def add_version(self, url: str, version: int, item: dict) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO versions (url, version, fetched_at, content_hash, title, warc, item) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (url, version, item.get("fetched_at"), item.get("content_hash"), item.get("title"),
             json.dumps(item.get("warc")), json.dumps(item, ensure_ascii=False, default=str)),
        )

    def versions(self, url: str) -> list[Version]:
        rows = self.db.execute("SELECT * FROM versions WHERE url = ? ORDER BY version", (url,)).fetchall()
        return [Version(r["url"], r["version"], r["fetched_at"], r["content_hash"], r["title"],
                        json.loads(r["warc"]) if r["warc"] else None, json.loads(r["item"]) if r["item"] else {})
                for r in rows]

    # -- the whole store --------------------------------------------------------------------
    def summary(self, now: float | None = None) -> dict:
        now = time.time() if now is None else now
        q = lambda sql, *a: self.db.execute(sql, a).fetchone()[0]  # noqa: E731
        return {
            "urls": q("SELECT COUNT(*) FROM urls"),
            "due_now": q("SELECT COUNT(*) FROM urls WHERE next_due IS NULL OR next_due <= ?", now),
            "gone": q("SELECT COUNT(*) FROM urls WHERE gone_since IS NOT NULL"),
            "failing": q("SELECT COUNT(*) FROM urls WHERE failures > 0"),
            "versions": q("SELECT COUNT(*) FROM versions"),
            "changed_urls": q("SELECT COUNT(*) FROM urls WHERE version > 1"),
            "next_due": q("SELECT MIN(next_due) FROM urls"),
            "pending": q("SELECT COUNT(*) FROM urls WHERE pending IS NOT NULL"),
        }
