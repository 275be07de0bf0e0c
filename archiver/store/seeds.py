"""Seed lists: plain text, CSV with a `url` column, or JSON Lines with a `url` field.

Read lazily, a line at a time, so that a list of a million URLs never sits in memory. A bad line
is returned as a `BadSeed` naming its line number and text, for the caller to report and skip.
"""
from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator
from urllib.parse import urlsplit
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from w3lib.url import safe_url_string

# Scrapy's URLLENGTH_LIMIT default: a longer request is dropped by its UrlLengthMiddleware without
# a word, so a longer seed is refused here, named and counted (the spider passes the setting).
MAX_URL_LENGTH = 2083
ALLOWED_SCHEMES = ("http", "https")


class SeedFileError(Exception):
    """The seed source as a whole cannot be read."""


@dataclass(frozen=True)
class Seed:
    url: str
    line: int | None = None
    source: str = ""


@dataclass(frozen=True)
class BadSeed:
    text: str
    reason: str
    line: int | None = None
    source: str = ""

    def describe(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else (self.source or "argument")
        shown = self.text if len(self.text) <= 120 else self.text[:117] + "..."
        return f"bad seed at {where}: {shown!r} ({self.reason})"


def check_url(text: str, max_length: int = MAX_URL_LENGTH) -> str:
    """Return the URL to fetch, or raise ValueError saying what is wrong with it.

    `max_length` (0: none) applies to the URL as it will be requested, percent-escaped.
    """
    url = text.strip()
    if not url:
        raise ValueError("empty")
    if max_length and len(url) > max_length:
        raise ValueError(too_long(len(url), max_length))
    if any(ch.isspace() for ch in url):
        raise ValueError("contains white space")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise ValueError("contains control characters")
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        parts.port  # raises on a bad port
    except ValueError as exc:
        raise ValueError(f"not parseable: {exc}") from None
    if not parts.scheme:
        raise ValueError("not a URL (no scheme)")
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise ValueError(f"scheme {parts.scheme}: is not http or https")
    if not hostname:
        raise ValueError("no host")
    if "@" in parts.netloc:
        # A password in a URL would be printed in the log, kept in the state and in every WARC
        # record's target URI; redacting it there too is easy to miss somewhere, so it is refused.
        raise ValueError("holds credentials (user:password@): refused, they would be logged and archived;"
                         " send them as a header instead, e.g. -s 'DEFAULT_REQUEST_HEADERS={\"Authorization\":"
                         " \"Basic ...\"}' (redacted in the WARC)")
    try:
        escaped = safe_url_string(url)
    except (UnicodeError, ValueError) as exc:
        raise ValueError(f"not parseable: {exc}") from None
    if max_length and len(escaped) > max_length:
        raise ValueError(too_long(len(escaped), max_length, escaped=True))
    return escaped


def too_long(length: int, limit: int, escaped: bool = False) -> str:
    return (f"{length} characters{' once percent-escaped' if escaped else ''}, longer than {limit}"
            " (URLLENGTH_LIMIT)")


def without_credentials(text: str) -> str:
    """The text of a URL with its user:password@ part masked, for messages."""
    scheme, sep, rest = text.partition("://")
    if not sep:
        return text
    authority_end = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    authority = rest[:authority_end]
    if "@" not in authority:
        return text
    return f"{scheme}://***@{authority.rsplit('@', 1)[1]}{rest[authority_end:]}"


def seed_from_text(text: str, line: int | None = None, source: str = "",
                   max_length: int = MAX_URL_LENGTH) -> Seed | BadSeed:
    try:
        return Seed(check_url(text, max_length), line, source)
    except ValueError as exc:
        return BadSeed(without_credentials(text), str(exc), line, source)


def _open_binary(path: str) -> tuple[IO[bytes], str]:
    if path == "-":
        return sys.stdin.buffer, "<stdin>"
    try:
        return open(path, "rb"), path
    except FileNotFoundError:
        raise SeedFileError(f"seed file not found: {path}") from None
    except IsADirectoryError:
        raise SeedFileError(f"seed file is a folder: {path}") from None
    except OSError as exc:
        raise SeedFileError(f"cannot read seed file {path}: {exc.strerror or exc}") from None


def _sniff_format(path: str, first_line: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    stripped = first_line.strip()
    if stripped.startswith("{"):
        return "jsonl"
    if "," in stripped and "url" in [c.strip().strip('"').lower() for c in stripped.split(",")]:
        return "csv"
    return "text"


def iter_seed_file(path: str, max_length: int = MAX_URL_LENGTH) -> Iterator[Seed | BadSeed]:
    """Yield seeds from a file (or `-` for stdin), line by line; URLs over `max_length` are bad."""
    raw, source = _open_binary(path)
    try:
        stream = io.BufferedReader(raw) if not hasattr(raw, "peek") else raw
        head = stream.peek(8192)[:8192]
        if b"\x00" in head:
            raise SeedFileError(f"{source} is not a text file (it holds NUL bytes)")
        lines = _decoded_lines(stream, source)
        first = next(lines, None)
        if first is None:
            return
        fmt = _sniff_format(path, first[1])
        lines = _chain([first], lines)
        if fmt == "csv":
            yield from _csv_seeds(lines, source, max_length)
        elif fmt == "jsonl":
            yield from _jsonl_seeds(lines, source, max_length)
        else:
            yield from _text_seeds(lines, source, max_length)
    finally:
        if raw is not sys.stdin.buffer:
            raw.close()


def _chain(first, rest):
    yield from first
    yield from rest


def _decoded_lines(stream: IO[bytes], source: str) -> Iterator[tuple[int, str | None, bytes]]:
    for number, raw in enumerate(stream, start=1):
        try:
            yield number, raw.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            yield number, None  # reported by the format reader as "not UTF-8 text"


def _text_seeds(lines, source, max_length):
    for number, text in lines:
        if text is None:
            yield BadSeed("<undecodable bytes>", "not UTF-8 text", number, source)
            continue
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        yield seed_from_text(stripped, number, source, max_length)


def _jsonl_seeds(lines, source, max_length):
    for number, text in lines:
        if text is None:
            yield BadSeed("<undecodable bytes>", "not UTF-8 text", number, source)
            continue
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            record = json.loads(stripped)
        except json.JSONDecodeError as exc:
            yield BadSeed(stripped, f"not JSON: {exc.msg}", number, source)
            continue
        url = record.get("url") if isinstance(record, dict) else None
        if not isinstance(url, str):
            yield BadSeed(stripped, "no \"url\" field", number, source)
            continue
        yield seed_from_text(url, number, source, max_length)


def _csv_seeds(lines, source, max_length):
    header = None
    column = None
    for number, text in lines:
        if text is None:
            yield BadSeed("<undecodable bytes>", "not UTF-8 text", number, source)
            continue
        if not text.strip():
            continue
        try:
            row = next(csv.reader([text]))
        except csv.Error as exc:
            yield BadSeed(text, f"not CSV: {exc}", number, source)
            continue
        if header is None:
            header = [c.strip().lower() for c in row]
            if "url" not in header:
                raise SeedFileError(f"{source}: CSV header has no 'url' column (found: {', '.join(header)})")
            column = header.index("url")
            continue
        if column >= len(row):
            yield BadSeed(text, "no value in the url column", number, source)
            continue
        yield seed_from_text(row[column], number, source, max_length)


def count_seed_lines(path: str) -> int | None:
    """A cheap upper bound of the seeds in a file, for progress; None for stdin."""
    if path == "-":
        return None
    try:
        with open(path, "rb") as fh:
            return sum(1 for line in fh if line.strip() and not line.lstrip().startswith(b"#"))
    except OSError:
        return None


def check_seed_file(path: str) -> None:
    """Refuse, before crawling, a seed file that cannot be read or is not text."""
    if path == "-":
        return
    raw, source = _open_binary(path)
    with raw:
        if b"\x00" in raw.read(8192):
            raise SeedFileError(f"{source} is not a text file (it holds NUL bytes)")


def declares_entities(document: bytes) -> bool:
    """True when an XML document declares entities (or an external DTD), in any encoding.

    Sitemaps and feeds never need them, and nested entities are how a few hundred bytes
    expand into gigabytes (the "billion laughs"): such a document is refused before parsing.
    A parser that forbids declarations (defusedxml over expat) reads the prolog in the
    document's own encoding, so UTF-16 does not slip past as a byte search would; only the
    prolog is read, up to the root element, after which no declaration can come.
    """
    try:
        for _event, _root in iterparse(io.BytesIO(document), events=("start",), forbid_dtd=False):
            return False
        return False
    except DefusedXmlException:
        return True
    except (ParseError, ValueError, LookupError):
        # Not XML that expat reads (broken, or an encoding it lacks, e.g. UTF-16 without a byte
        # order mark): look for a declaration in every encoding an XML prolog can be in.
        return any(b"<!ENTITY" in _as_ascii(document, encoding) for encoding in _XML_ENCODINGS)


_XML_ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


def _as_ascii(document: bytes, encoding: str) -> bytes:
    width = {"utf-8": 1}.get(encoding, 2 if "16" in encoding else 4)
    texts = (document[offset:].decode(encoding, errors="ignore") for offset in range(width))
    return b"".join(text.encode("ascii", errors="ignore") for text in texts)
