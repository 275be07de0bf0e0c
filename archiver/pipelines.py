"""Item pipelines: derive the article from the capture, then write it to items/*.jsonl.

Derivation uses the same `archiver.extract.extract_article(url, headers, body)` as
`archiver extract` does over WARCs, so a live crawl and a re-derivation give the same items.
"""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone

from itemadapter import ItemAdapter

from .archive import Archive
from .items import ordered_item
from .warc.naming import crawl_host


class ExtractPipeline:
    """Fills the article fields of a capture item; non-HTML and error pages get a reason."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        from .derive import derive_item

        adapter = ItemAdapter(item)
        headers = adapter.get("_headers") or []
        body = adapter.get("_body") or b""
        fields = derive_item(adapter["final_url"], adapter["status"], headers, body)
        for key, value in fields.items():
            adapter[key] = value
        if fields.get("reason"):
            self.stats.inc_value("archiver/items_incomplete")
        return item


class JsonLinesItemsPipeline:
    """One JSON object a line in ARCHIVE/items/, one file per run, flushed per item."""

    def __init__(self, archive: Archive, stats):
        self.archive = archive
        self.stats = stats
        self.fh = None
        self.path = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(Archive(crawler.settings.get("ARCHIVER_ARCHIVE")), crawler.stats)

    def open_spider(self):
        self.archive.items.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")
        self.path = self.archive.items / f"items-{stamp}-{crawl_host()}-{os.getpid()}.jsonl"
        self.fh = open(self.path, "a", encoding="utf-8")

    def process_item(self, item):
        record = ordered_item(ItemAdapter(item).asdict())
        self.fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.fh.flush()
        self.stats.inc_value("archiver/items")
        return item

    def close_spider(self):
        if self.fh:
            self.fh.close()
            if self.path.stat().st_size == 0:
                self.path.unlink()
