"""Log hygiene: a site that is down is a line in the log, not a traceback.

Scrapy's robots.txt middleware logs a failed robots.txt download with its full traceback; for a
crawler of other people's sites, an unreachable host is an everyday outcome (counted in the
summary), so the message is kept and the traceback dropped, unless LOG_LEVEL is DEBUG.
"""
from __future__ import annotations

import logging

from scrapy import signals
from scrapy.logformatter import LogFormatter

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


def item_name(item) -> str:
    """An item in a log line: its URL, never its fields (a body is megabytes of HTML)."""
    url = getattr(item, "url", None)
    if url is None and isinstance(item, dict):
        url = item.get("url")
    return f"<{type(item).__name__} {url}>" if url else f"<{type(item).__name__}>"


class ItemsByName(LogFormatter):
    """Scrapy's log messages about items, naming each item by its URL instead of dumping it."""

    def item_error(self, item, exception, response, spider):
        entry = super().item_error(item, exception, response, spider)
        entry["args"]["item"] = item_name(item)
        return entry

    def dropped(self, item, exception, response, spider):
        entry = super().dropped(item, exception, response, spider)
        entry["args"]["item"] = item_name(item)
        return entry

    def scraped(self, item, response, spider):
        entry = super().scraped(item, response, spider)
        entry["args"]["item"] = item_name(item)
        return entry
