"""Article extraction: from a captured response to the article fields of an item.

Knows nothing of Scrapy, so the live crawl, `archiver extract` over WARC files and the tests
all run the same code on the same bytes.
"""
from .article import ARTICLE_FIELDS, extract_article
from .decoding import is_html
from .normalize import normalize_item

__all__ = ["ARTICLE_FIELDS", "extract_article", "is_html", "normalize_item"]
