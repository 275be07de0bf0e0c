"""Stopping a crawl that cannot keep what it fetches.

Scrapy logs an exception raised in a component and carries on; an archiver that can no longer
write its WARCs or its state must stop, say why, and exit 1 (see runner.exit_code).
"""
from __future__ import annotations

import logging

from scrapy.utils.defer import deferred_from_coro
from .. import keys

logger = logging.getLogger(__name__)



def stop_crawl(crawler, message: str, reason: str) -> bool:
    """Stop the crawl once, with `message` in the summary; False if it was already stopping."""
    if crawler.stats.get_value(keys.FATAL):
        return False
    logger.critical("stopping the crawl: %s", message)
    crawler.stats.set_value(keys.FATAL, message)
    deferred_from_coro(crawler.engine.close_spider_async(reason=reason))
    return True
