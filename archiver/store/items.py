"""The article item: its fields, in the contract's order."""
from __future__ import annotations

ITEM_FIELDS = (
    "url", "final_url", "canonical_url", "status", "fetched_at",
    "title", "subtitle", "authors", "published_at", "modified_at",
    "section", "tags", "views", "credit", "body",
    "language", "word_count", "links", "images", "content_hash",
    "version", "extractor", "reason", "warc",
)
LIST_FIELDS = ("authors", "tags", "links", "images")


class ArticleItem(dict):
    """An item the archiver derived from a capture: its fields are already in normal form
    (extraction normalises them), so the crawl's NormalizePipeline passes it by."""

    @classmethod
    def of(cls, page, fields: dict) -> "ArticleItem":
        """The item of a captured page (archiver.page.CapturedPage): where and when it was
        captured, then the article fields derivation gave (or its `reason`)."""
        item = cls(url=page.url, final_url=page.final_url, status=page.status,
                   fetched_at=page.fetched_at, warc=page.warc)
        item.update(fields)
        return item


def ordered_item(item: dict) -> dict:
    """Every contract field present (null or empty when unknown), private fields dropped."""
    out = {}
    for name in ITEM_FIELDS:
        value = item.get(name)
        out[name] = ([] if value is None else value) if name in LIST_FIELDS else value
    return out
