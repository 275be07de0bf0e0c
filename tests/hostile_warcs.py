"""WARCs holding what a hostile or broken server sends, for the tests and benchmarks/hostile.py.

Written with the archiver's own writer, as a crawl would have stored them: the body as it
crossed the wire, still content-encoded.
"""
from __future__ import annotations

import html
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

from archiver.warc.record import http_record, warc_date
from archiver.warc.writer import RotatingWarcWriter

T0 = datetime(2024, 3, 1, 12, 0, 0, tzinfo=timezone.utc)


def article(title: str, paragraphs: int = 4) -> bytes:
    text = "".join(f"<p>{html.escape(title)}: paragraph {n} of the article, with words enough to be "
                   f"the main text of this page and nothing else around it.</p>\n" for n in range(paragraphs))
    return (f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head><body>"
            f"<article><h1>{html.escape(title)}</h1>\n{text}</article></body></html>").encode("utf-8")


def head(content_type: str = "text/html; charset=utf-8", length: int | None = None, encoding: str | None = None) -> bytes:
    lines = ["HTTP/1.1 200 OK", f"Content-Type: {content_type}"]
    if encoding:
        lines.append(f"Content-Encoding: {encoding}")
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def write_warc(folder: Path, captures: list[tuple[str, bytes, bytes]], prefix: str = "hostile") -> Path:
    """One closed WARC in `folder` holding a response record per (url, HTTP head, body)."""
    writer = RotatingWarcWriter(folder, prefix=prefix, host="test", info_fields=[("software", "archiver tests")])
    for n, (url, http_head, body) in enumerate(captures):
        date = warc_date(T0 + timedelta(seconds=n))
        writer.write([http_record("response", url, date, http_head, body,
                                  content_type="application/http; msgtype=response")])
    writer.close()
    (path,) = [Path(folder, name) for name in writer.files_closed]
    return path


def gzip_bomb(size: int = 1 << 30) -> bytes:
    """A gzip body of `size` zero bytes: about 1 MB on the wire for 1 GiB decoded, one stream."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1 << 20)
    parts = [packer.compress(chunk) for _ in range(size >> 20)]
    parts.append(packer.flush())
    return b"".join(parts)


def bomb_warc(folder: Path, size: int = 1 << 30) -> Path:
    """A page, a gzip bomb labelled as an HTML page, and two pages after it."""
    bomb = gzip_bomb(size)
    return write_warc(folder, [
        ("http://news.test/before", head(), article("Before the bomb")),
        ("http://news.test/bomb", head(encoding="gzip", length=len(bomb)), bomb),
        ("http://news.test/after", head(), article("After the bomb")),
        ("http://news.test/last", head(), article("Last page")),
    ])
