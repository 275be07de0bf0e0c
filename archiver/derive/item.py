"""From a capture (URL, status, headers, body) to the article fields of an item.

The live crawl and `archiver extract` both call `derive_item`, so that an archive written today
re-derives to the same items, and tomorrow's extractor can re-derive it better.
"""
from __future__ import annotations


def derive_item(url: str, status: int, headers, body: bytes) -> dict:
    from ..extract import extract_article, is_html

    if not 200 <= status < 300:
        return {"reason": f"HTTP {status}"}
    if not is_html(headers, body):
        return {"reason": "not HTML"}
    return extract_article(url, headers, body)
