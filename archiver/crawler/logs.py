"""Log hygiene: a site that is down is a line in the log, not a traceback.

Scrapy's robots.txt middleware logs a failed robots.txt download with its full traceback; for a
crawler of other people's sites, an unreachable host is an everyday outcome (counted in the
summary), so the message is kept and the traceback dropped, unless LOG_LEVEL is DEBUG.
"""
from __future__ import annotations

import logging

from scrapy import signals

QUIETED_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt",)


class _WithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


class QuietDownloadErrors:
    def __init__(self, crawler):
        self.filter = _WithoutTraceback()
        self.loggers = [] if crawler.settings.get("LOG_LEVEL") == "DEBUG" else [
            logging.getLogger(name) for name in QUIETED_LOGGERS]
        for logger in self.loggers:
            logger.addFilter(self.filter)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def engine_stopped(self):
        for logger in self.loggers:
            logger.removeFilter(self.filter)
