"""Retries that back off, and wait as long as the server asks (Retry-After).

Scrapy's RetryMiddleware retries at once, and does not read Retry-After. This one replaces it at
the same place (550): each retry waits `ARCHIVER_RETRY_BACKOFF` seconds, doubled on every further
attempt up to `ARCHIVER_RETRY_BACKOFF_MAX`; a 429 or 503 with `Retry-After` (seconds or an HTTP
date) waits that long instead. A server asking for more than `ARCHIVER_RETRY_AFTER_MAX` seconds
is not retried in this crawl: its answer is kept (and archived) as it is.
"""
from __future__ import annotations

import email.utils
import logging
import random
import time

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message
from twisted.internet import defer, task
from .. import keys
from . import signals as archiver_signals

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date); None if absent or unreadable."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.backoff = settings.getfloat("ARCHIVER_RETRY_BACKOFF", 1.0)
        self.backoff_max = settings.getfloat("ARCHIVER_RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_max = settings.getfloat("ARCHIVER_RETRY_AFTER_MAX", 300.0)
        # A stopping crawl does not wait for retries (crawler/stopping.py).
        self.stopping = False
        self._pauses: set = set()

    @classmethod
    def from_crawler(cls, crawler):
        middleware = super().from_crawler(crawler)
        crawler.signals.connect(middleware._stopping, signal=archiver_signals.crawl_stopping)
        return middleware

    def backoff_delay(self, attempt: int) -> float:
        """Exponential, with a little jitter so that many retries do not arrive together."""
        return min(self.backoff_max, self.backoff * 2 ** (attempt - 1)) * random.uniform(1.0, 1.2)

    def _stopping(self) -> None:
        self.stopping = True
        for pause in list(self._pauses):
            pause.cancel()

    async def _pause(self, seconds: float) -> bool:
        """Wait before a retry; False if the crawl began to stop (the retry is then not made)."""
        if seconds > 0 and not self.stopping:
            from twisted.internet import reactor

            pause = task.deferLater(reactor, seconds, lambda: None)
            self._pauses.add(pause)
            try:
                await maybe_deferred_to_future(pause)
            except defer.CancelledError:
                pass
            finally:
                self._pauses.discard(pause)
        return not self.stopping

    async def process_response(self, request, response):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        if asked is not None and asked > self.retry_after_max:
            logger.warning("%s: the server asks to retry in %.0f s (Retry-After), more than "
                           "ARCHIVER_RETRY_AFTER_MAX (%.0f s); not retried in this crawl",
                           request.url, asked, self.retry_after_max)
            self.crawler.stats.inc_value(keys.RETRY_AFTER_TOO_LONG)
            return response
        if self.stopping:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if asked is not None:
            self.crawler.stats.inc_value(keys.RETRY_AFTER_HONOURED)
        if not await self._pause(asked if asked is not None else self.backoff_delay(retry.meta["retry_times"])):
            return response  # the crawl is stopping: the answer is kept as it is (already archived)
        return retry

    async def process_exception(self, request, exception):
        if self.stopping:
            return None
        retry = super().process_exception(request, exception)
        if isinstance(retry, Request) and not await self._pause(self.backoff_delay(retry.meta["retry_times"])):
            return None
        return retry
