"""The shared seen-set: a request fingerprint added once, by whichever worker meets it first."""
from __future__ import annotations

import logging

from scrapy.dupefilters import BaseDupeFilter

from .connection import client
from .keys import Keys

logger = logging.getLogger(__name__)


class RedisDupeFilter(BaseDupeFilter):
    def __init__(self, conn, keys: Keys, fingerprinter, stats=None):
        self.conn = conn
        self.keys = keys
        self.fingerprinter = fingerprinter
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(client(settings.get("ARCHIVER_REDIS_URL")), Keys(settings.get("ARCHIVER_REDIS_NAME") or "archiver"),
                   crawler.request_fingerprinter, crawler.stats)

    def request_seen(self, request) -> bool:
        # SADD answers 0 when the fingerprint was there already: test and set in one step.
        return self.conn.sadd(self.keys.seen, self.fingerprinter.fingerprint(request).hex()) == 0

    def log(self, request, spider) -> None:
        logger.debug("already seen by a worker of this crawl: %s", request.url)
        if self.stats:
            self.stats.inc_value("dupefilter/filtered")
