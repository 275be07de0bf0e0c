"""Deduplication: whether a capture is written in full or as a `revisit` record (WARC rule 7).

A payload the archive already holds is not stored again: an identical payload becomes an
`identical-payload-digest` revisit, a 304 to our conditional request a `server-not-modified`
revisit. Both name the capture that holds the payload (WARC-Refers-To, -Refers-To-Target-URI,
-Refers-To-Date) so that replay tools (pywb) resolve them. Knows records and digests, nothing else.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from .record import PROFILE_IDENTICAL, PROFILE_NOT_MODIFIED, WarcRecord, revisit_record, sha1_digest


@dataclass(frozen=True)
class StoredPayload:
    """A response record holding a payload in full: what a revisit refers to."""

    digest: str
    target_uri: str
    date: str
    record_id: str
    filename: str
    offset: int


class PayloadIndex(Protocol):
    def original_for(self, digest: str) -> StoredPayload | None: ...

    def remember_payload(self, stored: StoredPayload) -> None: ...


class PayloadStore(PayloadIndex, Protocol):
    def remember_payloads(self, stored: list[StoredPayload]) -> None: ...


def revisit_for(
    index: PayloadIndex,
    target_uri: str,
    date: str,
    status: int,
    head: bytes,
    payload: bytes,
    *,
    not_modified_digest: str | None = None,
    extra: list[tuple[str, str]] | None = None,
    payload_digest: str | None = None,
) -> tuple[WarcRecord, StoredPayload] | None:
    """The revisit record to write instead of a response, with the capture it refers to; or None.

    `not_modified_digest` is the payload digest our conditional request asserted (the one whose
    validators we sent); a 304 then means "still that payload". `payload_digest` is the
    payload's own, when the caller has it already.
    """
    if status == 304 and not_modified_digest:
        original = index.original_for(not_modified_digest)
        if original is None:
            return None
        return _revisit(original, PROFILE_NOT_MODIFIED, target_uri, date, head, extra), original
    # Only successful payloads: an empty one (redirects) saves nothing and would tie unrelated hops
    # together, and each error or retried failure stays a record of its own (WARC rule 2).
    if not payload or not 200 <= status < 300:
        return None
    original = index.original_for(payload_digest or sha1_digest(payload))
    if original is None:
        return None
    return _revisit(original, PROFILE_IDENTICAL, target_uri, date, head, extra), original


def _revisit(original: StoredPayload, profile: str, target_uri, date, head, extra) -> WarcRecord:
    return revisit_record(
        target_uri, date, head, profile=profile, payload_digest=original.digest,
        refers_to=original.record_id, refers_to_uri=original.target_uri, refers_to_date=original.date,
        extra=extra,
    )


def remember_response(index: PayloadIndex, record: WarcRecord, filename: str, offset: int) -> None:
    """Index a response record written in full, so later identical payloads refer to it."""
    digest = record.header("WARC-Payload-Digest")
    if not digest:
        return
    index.remember_payload(StoredPayload(digest, record.header("WARC-Target-URI"), record.header("WARC-Date"),
                                         record.record_id, filename, offset))


class BatchedPayloadIndex:
    """The digest index, its new entries written `batch` at a time (or after `seconds`) in one
    transaction instead of one commit each (101 against 14 us a page, measured on SQLite in WAL
    mode), and at `flush()`.

    Entries waiting here answer lookups like stored ones. An entry only ever names a record
    already written; one lost to a kill costs a later identical payload a full record instead
    of a revisit, never a capture.
    """

    def __init__(self, store: PayloadStore, *, batch: int = 100, seconds: float = 1.0, clock=time.monotonic):
        self.store = store
        self.batch = batch
        self.seconds = seconds
        self.clock = clock
        self.pending: dict[str, StoredPayload] = {}
        self._since = clock()

    def original_for(self, digest: str) -> StoredPayload | None:
        return self.pending.get(digest) or self.store.original_for(digest)

    def remember_payload(self, stored: StoredPayload) -> None:
        # The first capture of a payload is the one revisits refer to (INSERT OR IGNORE below).
        self.pending.setdefault(stored.digest, stored)
        if len(self.pending) >= self.batch or self.clock() - self._since >= self.seconds:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.store.remember_payloads(list(self.pending.values()))
            self.pending.clear()
        self._since = self.clock()
