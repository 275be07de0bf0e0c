"""The captured page: what the crawl hands on once an exchange is in the WARC.

One typed value between capture and derivation: the state store records it at once (the URL is
known, its validators and payload digest kept, its next visit scheduled), and a derive worker
turns it into the article's fields. It carries everything derivation needs and nothing of
Scrapy, so it pickles to a worker process and is built the same way from a live response or
from a record in an old WARC.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CapturedPage:
    url: str                                  # as seeded
    final_url: str                            # where the page was fetched from, after redirects
    status: int                               # as captured (304 for a not-modified revisit)
    fetched_at: str                           # capture start, ISO 8601 UTC, to the second
    warc: dict                                # filename, record_id, offset of the response or revisit record
    headers: tuple[tuple[str, str], ...] = ()  # the payload's response headers
    body: bytes = b""                         # the payload, still Content-Encoded
    # The payload's own status: for a 304 the stored capture it refers to, which has its own.
    payload_status: int | None = None
    payload_digest: str | None = None         # WARC-Payload-Digest of this capture (or of the revisited one)
    revisit: bool = False                     # a revisit record: the payload is unchanged
    resolved: bool = True                     # False: a revisit whose stored payload could not be read

    @property
    def derive_status(self) -> int:
        return self.payload_status if self.payload_status is not None else self.status

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None
