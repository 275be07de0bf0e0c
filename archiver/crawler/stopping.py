"""Stopping promptly: the first Ctrl-C or SIGTERM ends a crawl within seconds, files closed.

On the first signal Scrapy stops gracefully: it stops reading start() and waits for every
request in flight, however long that takes (a download up to DOWNLOAD_TIMEOUT, 60 s; a retry
sleeping on a Retry-After up to ARCHIVER_RETRY_AFTER_MAX, 300 s; requests queued behind a
download delay). This extension notices the stop (Scrapy sends no signal for it; the crawler's
`crawling` flag drops at once, polled every 0.2 s) and sends `crawl_stopping`: retries stop
waiting and are not made. After ARCHIVER_STOP_GRACE seconds it sends `downloads_cut`: the
download handler cancels what is still in flight (what crossed the wire is archived, as for
a timeout) and refuses new downloads, and the requests still queued in the downloader are
dropped as `Stopped`. Then Scrapy's own close runs: pipelines, WARC writer, state.

A second signal makes Scrapy stop the reactor at once; the WARC writer closes its file then too
(crawler/capture.py), so no `.open` file is left either way.
"""
from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from twisted.internet import task

from . import signals as archiver_signals

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.2


class Stopped(IgnoreRequest):
    """A request dropped or cut because the crawl is stopping: not a failure of its URL."""


class PromptStop:
    def __init__(self, crawler):
        self.crawler = crawler
        self.grace = crawler.settings.getfloat("ARCHIVER_STOP_GRACE", 3.0)
        self.stopping = False
        self.loop = None
        self.timer = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider):
        self.loop = task.LoopingCall(self.check)
        self.loop.start(POLL_SECONDS, now=False)

    def check(self):
        if self.crawler.crawling or self.stopping:
            return
        self.stopping = True
        in_flight = len(self.crawler.engine.downloader.active) if self.crawler.engine else 0
        logger.warning("stopping: %d requests in flight get %.0f s to finish (ARCHIVER_STOP_GRACE)",
                       in_flight, self.grace)
        self.crawler.signals.send_catch_log(archiver_signals.crawl_stopping)
        from twisted.internet import reactor

        self.timer = reactor.callLater(self.grace, self.cut)

    def cut(self):
        self.timer = None
        engine = self.crawler.engine
        if engine is None:
            return
        downloader = engine.downloader
        cut = len(downloader.active)
        if cut:
            logger.warning("stopping: cutting the %d requests still in flight", cut)
        self.crawler.signals.send_catch_log(archiver_signals.downloads_cut)
        # Requests waiting in a download slot (behind DOWNLOAD_DELAY or AutoThrottle) never start.
        for slot in list(downloader.slots.values()):
            while slot.queue:
                request, waiting = slot.queue.popleft()
                waiting.errback(Stopped(f"not fetched: the crawl stopped ({request.url})"))

    def spider_closed(self, spider, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.timer is not None and self.timer.active():
            self.timer.cancel()

