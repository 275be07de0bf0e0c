"""Item pipelines: derive the article from the capture, keep versions and state, then write
it to items/*.jsonl.

Derivation uses the same `archiver.extract.extract_article(url, headers, body)` as
`archiver extract` does over WARCs, so a live crawl and a re-derivation give the same items.
"""
from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timezone

from itemadapter import ItemAdapter

from .. import keys
from ..store.archive import Archive
from .fatal import stop_crawl
from ..store.items import ordered_item

# The article fields normalize_item puts in normal form.
NORMALIZED_FIELDS = ("title", "subtitle", "section", "credit", "language", "body", "authors", "tags",
                     "views", "published_at", "modified_at", "canonical_url", "links", "images",
                     "word_count", "content_hash")
from ..warc.naming import crawl_host


class ExtractPipeline:
    """Fills the article fields of a capture item; non-HTML and error pages get a reason."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        from ..derive.item import derive_item

        adapter = ItemAdapter(item)
        headers = adapter.get("_headers") or []
        body = adapter.get("_body") or b""
        # `_status`: a 304 is derived from the stored capture it refers to, which came with its own status.
        fields = derive_item(adapter["final_url"], adapter.get("_status") or adapter["status"], headers, body)
        for key, value in fields.items():
            adapter[key] = value
        if fields.get("reason"):
            self.stats.inc_value(keys.ITEMS_INCOMPLETE)
        return item


class NormalizePipeline:
    """Every item leaves in normal form (NFC, white space, ISO dates, absolute URLs, hashes),
    whichever component filled it: derived items already are (normalisation is idempotent, so
    this costs a check), while items filled by a project's own spider or pipeline are not."""

    def process_item(self, item):
        from ..extract.normalize import normalize_item

        adapter = ItemAdapter(item)
        fields = {name: adapter.get(name) for name in NORMALIZED_FIELDS if name in adapter}
        if fields.get("body") is None and not any(fields.get(name) for name in ("title", "authors")):
            return item  # an error page or non-HTML: nothing to normalise
        fields["final_url"] = adapter.get("final_url")
        normal = normalize_item(fields)
        for name in NORMALIZED_FIELDS:
            if name in normal and (name in adapter or normal[name] not in (None, [])):
                adapter[name] = normal[name]
        return item


class VersionPipeline:
    """Sets each item's `version` and records the fetch in the state (validators, digests,
    the next due time); fetches that failed outright are recorded through `seed_failed`."""

    def __init__(self, state, schedule, stats, crawler=None):
        self.state = state
        self.schedule = schedule
        self.stats = stats
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        from . import signals as archiver_signals
        from ..store.schedule import Schedule
        from ..store.state import CrawlState

        state = CrawlState(Archive(crawler.settings.get("ARCHIVER_ARCHIVE")).state_path)
        pipeline = cls(state, Schedule.from_settings(crawler.settings), crawler.stats, crawler)
        crawler.signals.connect(pipeline.seed_failed, signal=archiver_signals.seed_failed)
        return pipeline

    def process_item(self, item):
        import time

        from ..store.versions import record_capture

        try:
            if record_capture(self.state, self.schedule, item, time.time()):
                self.stats.inc_value(keys.VERSIONS_NEW if item["version"] > 1 else keys.VERSIONS_FIRST)
        except sqlite3.Error as exc:
            self._state_failed(exc)
        # The item is written all the same: its capture is in the WARC, and state can be rebuilt from both.
        return item

    def _state_failed(self, exc) -> None:
        if self.crawler is not None:
            stop_crawl(self.crawler, f"cannot write the crawl state {self.state.path}: {exc}", "state_write_failed")

    def seed_failed(self, url, reason):
        import time

        from ..store.versions import record_failure

        try:
            record_failure(self.state, self.schedule, url, time.time())
        except sqlite3.Error as exc:
            self._state_failed(exc)

    def close_spider(self):
        self.state.close()


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
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")
        self.path = self.archive.items / f"items-{stamp}-{crawl_host()}-{os.getpid()}.jsonl"
        self.fh = open(self.path, "a", encoding="utf-8")

    def process_item(self, item):
        record = ordered_item(ItemAdapter(item).asdict())
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
