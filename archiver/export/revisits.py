"""Revisit records and the response records they refer to, as an export or a WACZ check sees them.

A re-crawl stores an unchanged page as a `revisit`: `identical-payload-digest` when the server
sent the same bytes again, `server-not-modified` when it answered a conditional request with 304.
Either refers to an earlier `response` (`WARC-Refers-To`, its record id; or, for other tools'
WARCs without it, the target URI and payload digest). Both the exporter and `verify` must find
that response among records read one file at a time, so the records go into a scratch SQLite
file instead of memory, which stays flat however many records the archive holds.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

NOT_MODIFIED = "server-not-modified"


def profile_of(record) -> str:
    """`server-not-modified` or `identical-payload-digest` (the profile URI's last part); '' for others."""
    profile = record.rec_headers.get_header("WARC-Profile") or ""
    return profile.rstrip("/").rsplit("/", 1)[-1]


def refers_to(record) -> tuple[str, str]:
    """(the record id a revisit refers to, or ''; the URI it refers to)."""
    headers = record.rec_headers
    uri = headers.get_header("WARC-Refers-To-Target-URI") or headers.get_header("WARC-Target-URI") or ""
    return headers.get_header("WARC-Refers-To") or "", uri


@dataclass(frozen=True)
class Original:
    """A response record a revisit refers to: where its index line sorts and what it holds."""
    row: int
    record_id: str
    urlkey: str
    timestamp: str
    fields: dict  # its CDXJ fields: url, mime, status, digest, length, offset, filename, ...
    indexed: bool  # whether its own line is already in the index being written


class RecordTable:
    """Response records by id and by (URI, payload digest), plus the revisits waiting for them.

    Rows of one WARC file are added inside `file()`/`keep()`/`drop()`, so a file that turns out
    damaged half-way adds nothing.
    """

    def __init__(self, folder: Path):
        self.db = sqlite3.connect(Path(folder) / "records.sqlite3", isolation_level=None)
        # A scratch file: no journal and no fsync, and a small page cache keeps memory flat.
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("PRAGMA cache_size=-4096")
        self.db.execute("CREATE TABLE response (id TEXT, uri TEXT, digest TEXT, urlkey TEXT, ts TEXT,"
                        " fields TEXT, indexed INTEGER)")
        self.db.execute("CREATE TABLE revisit (urlkey TEXT, ts TEXT, fields TEXT, refers_to TEXT, uri TEXT,"
                        " digest TEXT, profile TEXT, place TEXT)")
        self._indexes_made = False

    def file(self) -> None:
        self.db.execute("BEGIN")

    def keep(self) -> None:
        self.db.execute("COMMIT")

    def drop(self) -> None:
        self.db.execute("ROLLBACK")

    def add_response(self, record_id: str, uri: str, digest: str, urlkey: str, timestamp: str, fields: dict,
                     indexed: bool) -> None:
        self.db.execute("INSERT INTO response VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (record_id, uri, digest, urlkey, timestamp, json.dumps(fields), int(indexed)))

    def add_revisit(self, urlkey: str, timestamp: str, fields: dict, refers_to_id: str, uri: str, digest: str,
                    profile: str, place: str) -> None:
        self.db.execute("INSERT INTO revisit VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (urlkey, timestamp, json.dumps(fields), refers_to_id, uri, digest, profile, place))

    def revisits(self):
        """(urlkey, timestamp, fields, refers_to, uri, digest, profile, place) of each revisit added."""
        self._make_indexes()
        for urlkey, ts, fields, refers_to_id, uri, digest, profile, place in self.db.execute(
                "SELECT urlkey, ts, fields, refers_to, uri, digest, profile, place FROM revisit ORDER BY rowid"):
            yield urlkey, ts, json.loads(fields), refers_to_id, uri, digest, profile, place

    def original(self, refers_to_id: str, uri: str, digest: str, before: str) -> Original | None:
        """The response a revisit refers to: by record id, else the latest of its URI and digest up to `before`."""
        self._make_indexes()
        row = None
        if refers_to_id:
            row = self.db.execute("SELECT rowid, id, urlkey, ts, fields, indexed FROM response WHERE id = ?",
                                  (refers_to_id,)).fetchone()
        if row is None and uri and digest:
            row = self.db.execute("SELECT rowid, id, urlkey, ts, fields, indexed FROM response WHERE uri = ? AND digest = ?"
                                  " AND ts <= ? ORDER BY ts DESC LIMIT 1", (uri, digest, before)).fetchone()
        if row is None:
            return None
        rowid, record_id, urlkey, ts, fields, indexed = row
        return Original(rowid, record_id, urlkey, ts, json.loads(fields), bool(indexed))

    def mark_indexed(self, original: Original) -> None:
        self.db.execute("UPDATE response SET indexed = 1 WHERE rowid = ?", (original.row,))

    def _make_indexes(self) -> None:
        if not self._indexes_made:
            self.db.execute("CREATE INDEX response_id ON response (id)")
            self.db.execute("CREATE INDEX response_uri ON response (uri, digest, ts)")
            self._indexes_made = True

    def close(self) -> None:
        self.db.close()
