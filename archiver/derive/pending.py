"""Captures whose article was never derived, derived now.

A crawl records each capture in the state before its article is derived; one stopped before the
derivation returned (a second Ctrl-C, a kill, a power cut), or run with ARCHIVER_DERIVE off,
leaves those captures marked `pending`, with the WARC record that holds them. Here they are read
back from the WARCs, derived by the same pool, and recorded as the crawl would have: versions,
schedule, and one item each.
"""
from __future__ import annotations

import time
from typing import Callable, Iterator

from ..page import CapturedPage
from ..store.archive import Archive
from ..store.items import ArticleItem, ordered_item
from ..store.schedule import Schedule
from ..store.state import CrawlState
from ..store.versions import Fetch, record_article
from ..warc.captures import read_response
from .pool import DerivePool


def pending_pages(state: CrawlState, archive: Archive, warn: Callable[[str], None]) -> Iterator[CapturedPage]:
    for url, pointer in state.pending():
        stored = read_response(archive.warcs, pointer["filename"], pointer["offset"])
        if stored is None:
            warn(f"{url}: its capture is not in {archive.warcs} ({pointer['filename']} @{pointer['offset']})")
            continue
        yield CapturedPage(
            url=url, final_url=stored.target_uri, status=stored.status or 0,
            fetched_at=stored.warc_date[:19] + "Z", warc=pointer, headers=tuple(stored.headers),
            body=stored.payload, payload_digest=stored.payload_digest,
        )


def derive_pending(archive: Archive, pool: DerivePool, schedule: Schedule,
                   warn: Callable[[str], None]) -> Iterator[dict]:
    """The item of every pending capture, each recorded in the state as it is yielded."""
    state = CrawlState(archive.state_path)
    try:
        for page, derived in pool.imap(pending_pages(state, archive, warn)):
            known = state.get(page.url)
            item = ArticleItem.of(page, derived.fields)
            fetch = Fetch(page.url, 200 <= page.status < 300, False, known.version if known else 0,
                          known.content_hash if known else None, known.interval if known else None)
            record_article(state, schedule, fetch, item, time.time(), derive_error=derived.error is not None)
            yield ordered_item(item)
    finally:
        state.close()
