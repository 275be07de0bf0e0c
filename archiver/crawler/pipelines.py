"""Item pipelines: a captured page is recorded in the state and derived into its article
(in worker processes), put in normal form, then written to items/*.jsonl.

Derivation is `archiver.derive`'s, the same that `archiver extract` runs over WARCs, so a live
crawl and a re-derivation give the same items.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import time

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future

from .. import keys
from ..page import CapturedPage
from ..store.archive import Archive
from ..store.items import ArticleItem, ordered_item
from ..store.versions import record_article, record_failure, record_fetch
from ..derive.pool import one_line
from . import signals as archiver_signals
from .fatal import stop_crawl
from .logs import item_name

logger = logging.getLogger(__name__)

# The article fields normalize_item puts in normal form.
NORMALIZED_FIELDS = ("title", "subtitle", "section", "credit", "language", "body", "authors", "tags",
                     "views", "published_at", "modified_at", "canonical_url", "links", "images",
                     "word_count", "content_hash")


class DerivePipeline:
    """A captured page in, its article item out.

    The capture is recorded in the state store at once (`record_fetch`), so that its URL is
    known, scheduled and re-derivable whatever derivation then does (the rows are written a batch
    at a time: store/batch.py). The article is derived in a pool of worker processes
    (archiver/derive/pool.py), off the crawl's loop; decisions that need it (is this a new
    version) are taken when it returns (`record_article`). A derivation that fails, times out or
    loses its worker gives an item with a one-line `reason`, counted in the summary; the capture
    stays marked for `archiver extract`.

    At most ARCHIVER_DERIVE_QUEUE pages wait for the pool: beyond that this pipeline's deferreds
    hold their responses in Scrapy's scraper, whose SCRAPER_SLOT_MAX_ACTIVE_SIZE then stops new
    downloads. A slow derivation slows fetching; memory does not grow.
    """

    def __init__(self, crawler):
        from twisted.internet.defer import DeferredSemaphore

        from ..derive.pool import DerivePool
        from ..store.batch import BatchedState
        from ..store.schedule import Schedule
        from ..store.state import CrawlState
        from .pipes import ReactorPipes

        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        # Two records a page, written 200 pages (or a second) at a time: store/batch.py.
        self.state = BatchedState(CrawlState(Archive(settings.get("ARCHIVER_ARCHIVE")).state_path))
        self.ticker = None
        self.schedule = Schedule.from_settings(settings)
        self.derive = settings.getbool("ARCHIVER_DERIVE", True)
        workers = settings.get("ARCHIVER_DERIVE_WORKERS")
        self.pool = DerivePool(None if workers in (None, "") else int(workers),
                               timeout=settings.getfloat("ARCHIVER_DERIVE_TIMEOUT", 120.0),
                               watch=ReactorPipes()) if self.derive else None
        queue = settings.getint("ARCHIVER_DERIVE_QUEUE", 0) or 4 * max(1, self.pool.workers if self.pool else 1)
        self.slots = DeferredSemaphore(queue)
        crawler.signals.connect(self.seed_failed, signal=archiver_signals.seed_failed)
        crawler.signals.connect(self.item_error, signal=signals.item_error)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        from twisted.internet.task import LoopingCall

        # A derivation over its time limit is stopped within a quarter of the limit (or a second).
        every = min(1.0, self.pool.timeout / 4) if self.pool is not None else 1.0
        self.ticker = LoopingCall(self._tick)
        self.ticker.start(every, now=False)

    def _tick(self):
        # For when pages stop coming (a slow site, the last pages, a derivation that hangs):
        # state rows that wait are written, and a derivation over its time limit is stopped.
        if self.pool is not None:
            self.pool.collect()
        try:
            self.state.due_flush()
        except sqlite3.Error as exc:
            self._state_failed(exc)

    async def process_item(self, item):
        if not isinstance(item, CapturedPage):
            return item  # a project's own item: the other pipelines take it as it is
        page = item
        try:
            fetch = record_fetch(self.state, self.schedule, page, time.time())
        except sqlite3.Error as exc:
            self._state_failed(exc)
            fetch = None
        if not self.derive:
            self.stats.inc_value(keys.DERIVE_PENDING)
            raise DropItem(f"not derived (ARCHIVER_DERIVE is off): {page.url}", log_level="DEBUG")
        derived = await self._derived(page)
        article = ArticleItem.of(page, derived.fields)
        self.stats.inc_value(keys.DERIVED)
        if derived.error:
            self.stats.inc_value(keys.DERIVE_ERRORS)
            self.stats.set_value(keys.DERIVE_ERROR_LAST, derived.error)
        if article.get("reason"):
            self.stats.inc_value(keys.ITEMS_INCOMPLETE)
        if fetch is not None:
            try:
                if record_article(self.state, self.schedule, fetch, article, time.time(),
                                  derive_error=derived.error is not None):
                    self.stats.inc_value(keys.VERSIONS_NEW if article["version"] > 1 else keys.VERSIONS_FIRST)
            except sqlite3.Error as exc:
                self._state_failed(exc)
        # The item is written all the same: its capture is in the WARC, and state can be rebuilt from both.
        return article

    async def _derived(self, page):
        from twisted.internet.defer import Deferred

        # Deferreds, awaited through Scrapy's bridge: this works on the asyncio reactor and any other.
        await maybe_deferred_to_future(self.slots.acquire())
        try:
            future = self.pool.submit(page)
            if future.done():  # ARCHIVER_DERIVE_WORKERS=0: derived in this thread
                return future.result()
            # Answered on the reactor's thread, when the worker's pipe is readable (crawler/pipes.py).
            done = Deferred()
            future.add_done_callback(lambda f: done.callback(f.result()))
            return await maybe_deferred_to_future(done)
        finally:
            self.slots.release()

    def _state_error(self, exc) -> str:
        return f"cannot write the crawl state {self.state.path}: {exc}"

    def _state_failed(self, exc) -> None:
        stop_crawl(self.crawler, self._state_error(exc), "state_write_failed")

    def seed_failed(self, url, reason):
        try:
            record_failure(self.state, self.schedule, url, time.time())
        except sqlite3.Error as exc:
            self._state_failed(exc)

    def item_error(self, item, response, spider, failure):
        # Scrapy logs it and goes on; counted, so that a run where no item survives exits 1.
        self.stats.inc_value(keys.ITEM_ERRORS)
        self.stats.set_value(keys.ITEM_ERROR_LAST, f"{item_name(item)}: {one_line(failure.value)}")

    def close_spider(self):
        if self.ticker is not None and self.ticker.running:
            self.ticker.stop()
        if self.pool is not None:
            self.pool.close()
        try:
            self.state.close()
        except sqlite3.Error as exc:
            message = self._state_error(exc)
            if self.stats.get_value(keys.FATAL):  # said already; this is its last batch
                logger.error("%s (%d URL rows not written)", message, len(self.state.rows))
            else:
                logger.critical("%s", message)
                self.stats.set_value(keys.FATAL, message)
        derived, failed = self.stats.get_value(keys.DERIVED, 0), self.stats.get_value(keys.DERIVE_ERRORS, 0)
        if derived and failed == derived and not self.stats.get_value(keys.FATAL):
            # A broken install (an extractor that cannot import) must not look like a quiet success.
            message = (f"derivation failed for every page ({failed} of {derived}): "
                       f"{self.stats.get_value(keys.DERIVE_ERROR_LAST)}")
            logger.error("%s", message)
            self.stats.set_value(keys.FATAL, message)
        elif self.stats.get_value(keys.ITEM_ERRORS) and not self.stats.get_value(keys.ITEMS):
            message = (f"no item could be written ({self.stats.get_value(keys.ITEM_ERRORS)} errors in the item "
                       f"pipelines), last: {self.stats.get_value(keys.ITEM_ERROR_LAST)}")
            logger.error("%s", message)
            self.stats.set_value(keys.FATAL, message)


class NormalizePipeline:
    """Every item leaves in normal form (NFC, white space, ISO dates, absolute URLs, hashes),
    whichever component filled it: items filled by a project's own spider or pipeline are put in
    it here; the archiver's own (ArticleItem) were normalised by extraction, in a derive worker,
    and pass by without costing the crawl's loop a second pass (tests/test_pipelines.py checks
    that a second pass would change nothing)."""

    def process_item(self, item):
        from ..extract.normalize import normalize_item

        if isinstance(item, ArticleItem):
            return item
        adapter = ItemAdapter(item)
        fields = {name: adapter.get(name) for name in NORMALIZED_FIELDS if name in adapter}
        if fields.get("body") is None and not any(fields.get(name) for name in ("title", "authors")):
            return item  # an error page or non-HTML: nothing to normalise
        fields["final_url"] = adapter.get("final_url")
        try:
            normal = normalize_item(fields)
        except Exception as exc:  # noqa: BLE001 - one page's failure is that page's reason
            adapter["reason"] = f"normalisation failed: {one_line(exc)}"
            return item
        for name in NORMALIZED_FIELDS:
            if name in normal and (name in adapter or normal[name] not in (None, [])):
                adapter[name] = normal[name]
        return item


class JsonLinesItemsPipeline:
    """One JSON object a line in ARCHIVE/items/, one file per run, flushed per item."""

    def __init__(self, archive: Archive, stats, crawler=None):
        self.archive = archive
        self.stats = stats
        self.crawler = crawler
        self.fh = None
        self.path = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(Archive(crawler.settings.get("ARCHIVER_ARCHIVE")), crawler.stats, crawler)

    def open_spider(self):
        self.archive.items.mkdir(parents=True, exist_ok=True)
        self.path = self.archive.new_items_path()
        self.fh = open(self.path, "a", encoding="utf-8")

    def process_item(self, item):
        # An ArticleItem's values are plain already; ItemAdapter would walk them all (0.3 ms a page).
        record = ordered_item(dict(item) if isinstance(item, ArticleItem) else ItemAdapter(item).asdict())
        try:
            self.fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            self.fh.flush()
        except OSError as exc:
            # The capture is safe in the WARC (`archiver extract` re-derives it); stop before losing more.
            if self.crawler is not None:
                stop_crawl(self.crawler, f"cannot write items to {self.path}: {exc.strerror or exc}", "items_write_failed")
            return item
        self.stats.inc_value(keys.ITEMS)
        return item

    def close_spider(self):
        if self.fh:
            try:
                self.fh.close()
            except OSError:
                pass  # already reported by process_item; what was flushed stays
            if self.path.stat().st_size == 0:
                self.path.unlink()
