"""From the bytes that crossed the wire to text: Content-Encoding, then charset.

The WARC keeps bodies still content-encoded, so extraction undoes the encoding itself rather
than trusting whatever fetched the page to have done it.
"""
from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Iterable, Mapping

import charset_normalizer

Headers = Mapping[str, str] | Iterable[tuple[str, str]]

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:\-]+)""", re.IGNORECASE)
# Any tag will do: pages in the wild open with <style>, PHP warnings in <b>, or bare <br />.
_HTML_SNIFF = re.compile(rb"<\s*(!doctype\s+html|[a-z][a-z0-9]{0,9})[\s/>]", re.I)
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"RIFF", b"\x1f\x8b")
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class UndecodableBody(ValueError):
    """The body's Content-Encoding is unknown or its bytes are corrupt."""


def header_list(headers: Headers | None) -> list[tuple[str, str]]:
    if headers is None:
        return []
    if isinstance(headers, Mapping):
        return [(str(k), str(v)) for k, v in headers.items()]
    return [(_as_str(k), _as_str(v)) for k, v in headers]


def _as_str(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def header_value(headers: Headers | None, name: str) -> str | None:
    name = name.lower()
    for key, value in header_list(headers):
        if key.lower() == name:
            return value
    return None


def content_type(headers: Headers | None) -> str:
    value = header_value(headers, "content-type") or ""
    return value.split(";", 1)[0].strip().lower()


def is_html(headers: Headers | None, body: bytes) -> bool:
    """True when the response is a page to extract, false for PDFs, images, feeds and the like."""
    kind = content_type(headers)
    if kind in _HTML_TYPES:
        return True
    if kind and kind not in ("text/plain", "application/octet-stream", "binary/octet-stream"):
        return False
    # No or vague type: a page served without a proper header still counts if it looks like one.
    try:
        head = decode_content(headers, body)[:4096]
    except UndecodableBody:
        return False
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head[:1024]:
        return False
    return bool(_HTML_SNIFF.search(head[:4096]))


def decode_content(headers: Headers | None, body: bytes) -> bytes:
    """Undo every Content-Encoding, last applied first. Raises UndecodableBody."""
    value = header_value(headers, "content-encoding") or ""
    codings = [c.strip().lower() for c in value.split(",") if c.strip()]
    for coding in reversed(codings):
        body = _undo(coding, body)
    return body


def _undo(coding: str, body: bytes) -> bytes:
    try:
        if coding in ("identity", "none"):
            return body
        if coding in ("gzip", "x-gzip"):
            if not body.startswith(b"\x1f\x8b"):
                # Servers that label an already decoded body: keep it rather than fail.
                return body
            return zlib.decompress(body, 16 + zlib.MAX_WBITS)
        if coding == "deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                # Many servers send raw deflate without the zlib wrapper.
                return zlib.decompress(body, -zlib.MAX_WBITS)
        if coding == "br":
            import brotli

            return brotli.decompress(body)
        if coding == "zstd":
            try:
                from compression import zstd  # Python 3.14+
            except ImportError:
                from backports import zstd
            return zstd.decompress(body)
    except ImportError as exc:
        raise UndecodableBody(f"no decoder installed for Content-Encoding {coding!r}") from exc
    except Exception as exc:  # each decoder raises its own error type on corrupt data
        raise UndecodableBody(f"corrupt {coding} body: {exc}") from exc
    raise UndecodableBody(f"unknown Content-Encoding {coding!r}")


def _known(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        name = codecs.lookup(charset.strip().strip("\"'")).name
    except LookupError:
        return None
    # Browsers read latin-1 and ascii labels as windows-1252 (WHATWG encoding standard).
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name


def decode_text(headers: Headers | None, body: bytes) -> tuple[str, str]:
    """Text of an already content-decoded body and the charset used.

    Order: the HTTP header charset, then the page's meta charset, then detection. A declared
    charset that does not decode the bytes cleanly is skipped, as browsers effectively do.
    """
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", "replace"), "utf-8"
    header = _HEADER_CHARSET.search(header_value(headers, "content-type") or "")
    meta = _META_CHARSET.search(body[:4096])
    for declared in (header and header.group(1), meta and meta.group(1).decode("ascii", "ignore")):
        charset = _known(declared)
        if charset:
            text = _tolerant(body, charset)
            if text is not None:
                return text, charset
    text = _tolerant(body, "utf-8")
    if text is not None:
        return text, "utf-8"
    if _mostly_latin(body):
        # Detectors guess among Latin code pages poorly on short texts (a French page read as
        # Baltic); for text that is mostly ASCII, windows-1252 is what browsers use in the West.
        try:
            return body.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    best = charset_normalizer.from_bytes(body[:200_000]).best()
    charset = _known(best.encoding if best else None) or "cp1252"
    return body.decode(charset, "replace"), charset


def _tolerant(body: bytes, charset: str) -> str | None:
    """The body in this charset, allowing a few bad bytes (a stray byte in a UTF-8 page should
    not send it to detection, which then reads the whole page wrongly)."""
    try:
        return body.decode(charset)
    except UnicodeDecodeError:
        pass
    except LookupError:
        return None
    text = body.decode(charset, "replace")
    return text if text.count("\ufffd") <= max(3, len(body) // 5000) else None


def _mostly_latin(body: bytes) -> bool:
    """Few bytes above 0x7f among the letters: accents in a Latin-script text, not Cyrillic or Greek."""
    sample = re.sub(rb"<[^>]*>", b"", body[:200_000])
    high = sum(1 for byte in sample if byte > 0x7F)
    letters = sum(1 for byte in sample if 0x41 <= (byte | 0x20) <= 0x7A) + high
    return letters > 0 and high / letters < 0.15
