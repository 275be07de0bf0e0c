"""Downloader middleware: conditional requests on a re-crawl.

A seed fetched before is asked for again with the validators it came with (If-None-Match,
If-Modified-Since), so that an unchanged page costs the server a 304 and the archive a small
`server-not-modified` revisit. Only the URL that gave the validators gets them: a seed that
redirected last time sends them on the hop that answered, not on the redirect.

Switch off with `-s ARCHIVER_CONDITIONAL_REQUESTS=0` to fetch everything in full again.
"""
from __future__ import annotations

from scrapy.exceptions import NotConfigured

from .. import keys
from ..store.archive import Archive
from ..store.state import CrawlState
_VALIDATORS = (b"If-None-Match", b"If-Modified-Since")


class ConditionalRequestMiddleware:
    def __init__(self, state: CrawlState):
        self.state = state

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("ARCHIVER_CONDITIONAL_REQUESTS", True):
            raise NotConfigured
        return cls(CrawlState(Archive(crawler.settings.get("ARCHIVER_ARCHIVE")).state_path))

    def process_request(self, request):
        seed = request.meta.get(keys.SEED_META)
        if not seed or request.method != "GET":
            return None
        if request.meta.pop(keys.NOT_MODIFIED_META, None):
            # A redirect copied our validators onto another URL: they do not belong there.
            for name in _VALIDATORS:
                request.headers.pop(name, None)
        known = self.state.get(seed)
        if known is None or known.final_url != request.url or not known.payload_digest:
            return None
        if not (known.etag or known.last_modified):
            return None
        # Only ask if a 304 could be resolved: the payload must be in the archive.
        if self.state.original_for(known.payload_digest) is None:
            return None
        if known.etag:
            request.headers[b"If-None-Match"] = known.etag
        if known.last_modified:
            request.headers[b"If-Modified-Since"] = known.last_modified
        request.meta[keys.NOT_MODIFIED_META] = known.payload_digest
        return None
