"""From a capture (URL, status, headers, body) to the article fields of an item.

The live crawl and `archiver extract` both call `derive_item`, so that an archive written today
re-derives to the same items, and tomorrow's extractor can re-derive it better.
"""
from __future__ import annotations

# HTML past this size is no article page (a body that never ended, cut at DOWNLOAD_MAXSIZE; a
# dump of a whole site): extracting 64 MiB of it peaked at 1.1 GB and gave a 67 MB item line.
# The capture stays whole in the WARC.
MAX_HTML_BYTES = 8 * 1024 * 1024


def derive_item(url: str, status: int, headers, body: bytes) -> dict:
    from ..extract import extract_article, is_html

    if not 200 <= status < 300:
        return {"reason": f"HTTP {status}"}
    if not is_html(headers, body):
        return {"reason": "not HTML"}
    if len(body) > MAX_HTML_BYTES:
        return {"reason": f"HTML of {len(body)} bytes, over {MAX_HTML_BYTES}: not derived"}
    return extract_article(url, headers, body)
