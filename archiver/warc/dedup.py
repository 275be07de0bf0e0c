"""Deduplication: whether a capture is written in full or as a `revisit` record (WARC rule 7).

A payload the archive already holds is not stored again: an identical payload becomes an
`identical-payload-digest` revisit, a 304 to our conditional request a `server-not-modified`
revisit. Both name the capture that holds the payload (WARC-Refers-To, -Refers-To-Target-URI,
-Refers-To-Date) so that replay tools (pywb) resolve them. Knows records and digests, nothing else.
"""
from __future__ import annotations

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
) -> tuple[WarcRecord, StoredPayload] | None:
    """The revisit record to write instead of a response, with the capture it refers to; or None.

    `not_modified_digest` is the payload digest our conditional request asserted (the one whose
    validators we sent); a 304 then means "still that payload".
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
    original = index.original_for(sha1_digest(payload))
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
