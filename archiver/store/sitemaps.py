"""Sitemaps read as a stream: one `<loc>` at a time, gzip'd or not, indexes included.

A sitemap may list 50,000 URLs and an index 50,000 sitemaps; reading the whole tree (or a list
of its entries) first is what let a 1M-URL index sit in memory for minutes before the first
fetch. Here the body is gunzipped and parsed in 16 KiB steps (ElementTree's pull parser, which
`iterparse` feeds), each `<url>` or `<sitemap>` element is dropped once its `<loc>` is out, and
the caller takes entries as it needs them. The parser is defusedxml's: an entity declaration, in
whatever encoding the document is in, stops the parse before anything is expanded.
"""
from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass
from typing import Iterator
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from .seeds import declares_entities

URLSET = "urlset"
INDEX = "sitemapindex"


class SitemapError(Exception):
    """The document is not a sitemap that can be read; the message says why."""


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    number: int          # 1, 2, ... in document order
    is_sitemap: bool     # an index's entry: another sitemap to read


class _CappedStream(io.RawIOBase):
    """Reads a decompressing stream, refusing more than `limit` bytes out (a gzip bomb)."""

    def __init__(self, stream, limit: int):
        self._stream = stream
        self._left = limit
        self._limit = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self._stream.read(min(len(buffer), self._left + 1) if self._limit else len(buffer))
        except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
            raise SitemapError(f"cannot gunzip ({exc or exc.__class__.__name__})") from None
        if self._limit:
            self._left -= len(data)
            if self._left < 0:
                raise SitemapError(f"more than {self._limit} bytes once gunzipped (DOWNLOAD_MAXSIZE)")
        buffer[:len(data)] = data
        return len(data)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def open_body(body: bytes, max_size: int):
    """A readable stream of the document: gunzipped on the fly when the body is gzip."""
    if body[:2] == b"\x1f\x8b":
        return io.BufferedReader(_CappedStream(gzip.GzipFile(fileobj=io.BytesIO(body)), max_size))
    if body[:1].isspace():
        # Expat refuses white space before `<?xml`; lenient servers send it.
        body = body.lstrip()
    return io.BytesIO(body)


def iter_sitemap(body: bytes, max_size: int = 0) -> Iterator[SitemapEntry]:
    """Yield the entries of a sitemap or sitemap index, in order, as the parse reaches them.

    Raises SitemapError, at the point where it is found, for a document that is not a sitemap:
    not XML, declaring entities, another root element, over `max_size` bytes once gunzipped.
    Entries yielded before the error stand.
    """
    root = None
    kind = None
    number = 0
    try:
        for event, element in iterparse(open_body(body, max_size), events=("start", "end"), forbid_dtd=False):
            if root is None:
                root = element
                kind = _local(element.tag)
                if kind not in (URLSET, INDEX):
                    raise SitemapError(f"is not a sitemap (root element {kind!r})")
                continue
            if event != "end" or _local(element.tag) not in ("url", "sitemap"):
                continue
            # Only the entry's own <loc>: an image or video extension has <image:loc> inside it.
            loc = next((child.text for child in element if _local(child.tag) == "loc"), None)
            number += 1
            # The entry is done with: keep the tree from growing with the document.
            root.clear()
            yield SitemapEntry((loc or "").strip(), number, kind == INDEX)
    except DefusedXmlException:
        raise SitemapError("refused: it declares XML entities") from None
    except (ParseError, ValueError, LookupError) as exc:
        # ValueError: expat cannot read the declared encoding; look for entities the hard way.
        if root is None and declares_entities(body if body[:2] != b"\x1f\x8b" else b""):
            raise SitemapError("refused: it declares XML entities") from None
        where = f" after {number} entries" if number else ""
        raise SitemapError(f"is not XML{where} ({exc})") from None
    if root is None:
        raise SitemapError("is empty")
