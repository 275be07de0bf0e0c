"""Article extraction: from a captured response to the article fields of an item.

Knows nothing of Scrapy, so the live crawl, `archiver extract` over WARC files and the tests
all run the same code on the same bytes.

The names below are imported on first use: the crawl's own process needs only `normalize`,
while the extractors (trafilatura, lxml's cleaner) load in the derive workers that run them.
"""
from importlib import import_module

_WHERE = {"ARTICLE_FIELDS": ".article", "extract_article": ".article", "is_html": ".decoding",
          "normalize_item": ".normalize"}

__all__ = list(_WHERE)


def __getattr__(name):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_WHERE[name], __name__), name)
    globals()[name] = value
    return value
