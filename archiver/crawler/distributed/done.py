"""Tells when a request is fully done, so that the shared queue can let go of it.

Scrapy has no signal for "this response and everything it produced are finished". A callback's
output passes through here: the request is done when the output is exhausted and every item it
yielded has come out of the pipelines (item_scraped, item_dropped or item_error). Then
`request_finished` is sent. Errbacks bypass spider middlewares, so the spider's errback sends
the same signal itself.
"""
from __future__ import annotations

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured

from .. import signals as archiver_signals


class _Open:
    __slots__ = ("request", "items", "exhausted")

    def __init__(self, request):
        self.request = request
        self.items = 0
        self.exhausted = False


class RequestDoneMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.open: dict[int, _Open] = {}
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self._item_through, signal)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("ARCHIVER_REDIS_URL"):
            raise NotConfigured("not a distributed crawl")
        return cls(crawler)

    async def process_spider_output(self, response, result):
        key = id(response)
        state = self.open[key] = _Open(response.request)
        try:
            async for out in result:
                if not isinstance(out, Request):
                    state.items += 1
                yield out
        finally:
            # Also when the callback raised: the URL was captured, and retrying it elsewhere would
            # only raise again.
            state.exhausted = True
            self._maybe_done(key)

    def _item_through(self, item=None, response=None, **kwargs):
        key = id(response)
        if key in self.open:
            self.open[key].items -= 1
            self._maybe_done(key)

    def _maybe_done(self, key: int) -> None:
        state = self.open[key]
        if state.exhausted and state.items <= 0:
            del self.open[key]
            self.crawler.signals.send_catch_log(archiver_signals.request_finished, request=state.request)
