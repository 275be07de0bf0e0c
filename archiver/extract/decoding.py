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


# Decoded bodies past this size are not derived. Deriving a page costs about 30 times its size
# (one-page WARCs through `archiver extract`: 8 MiB of HTML peaked at 296 MB, 16 MiB at 526 MB,
# 30 MiB at 941 MB), and the largest of the 990 pages in the development set is 1.6 MB, so 8 MiB
# keeps one derivation near 300 MB with room for real pages. A gzip bomb (1 MB on the wire, 1 GiB
# decoded) stops here: `extract` peaks at 87 MB instead of 3.1 GB (benchmarks/hostile.py).
DECODED_LIMIT = 8 * 1024 * 1024
# Output is produced in steps of this size, so a decoder never holds more than one step beyond
# the limit, whatever the compressed body claims.
_STEP = 1024 * 1024


class UndecodableBody(ValueError):
    """The body's Content-Encoding is unknown or its bytes are corrupt."""


class BodyTooLarge(UndecodableBody):
    """The body decodes to more than the limit: not derived, and not decoded further."""

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"body over {_size(limit)} decoded")


def _size(limit: int) -> str:
    return f"{limit / 1048576:g} MiB" if limit >= 1048576 else f"{limit} bytes"


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
        head = decode_prefix(headers, body, 4096)
    except UndecodableBody:
        return False
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head[:1024]:
        return False
    return bool(_HTML_SNIFF.search(head[:4096]))


def decode_content(headers: Headers | None, body: bytes, limit: int = DECODED_LIMIT) -> bytes:
    """Undo every Content-Encoding, last applied first.

    Raises UndecodableBody, or BodyTooLarge when any stage would produce more than `limit`
    bytes (an identity body already longer than that counts too).
    """
    return _decode(headers, body, limit, partial=False)


def decode_prefix(headers: Headers | None, body: bytes, size: int) -> bytes:
    """The first `size` bytes of the decoded body (or fewer), decoding no further than that."""
    return _decode(headers, body, size, partial=True)[:size]


def _codings(headers: Headers | None) -> list[str]:
    value = header_value(headers, "content-encoding") or ""
    return [c.strip().lower() for c in value.split(",") if c.strip()]


def _decode(headers: Headers | None, body: bytes, limit: int, partial: bool) -> bytes:
    for coding in reversed(_codings(headers)):
        body = _undo(coding, body, limit, partial)
    if len(body) > limit and not partial:
        raise BodyTooLarge(limit)
    return body


def _undo(coding: str, body: bytes, limit: int, partial: bool) -> bytes:
    try:
        if coding in ("identity", "none"):
            return body
        if coding in ("gzip", "x-gzip"):
            if not body.startswith(b"\x1f\x8b"):
                # Servers that label an already decoded body: keep it rather than fail.
                return body
            return _inflate(body, 16 + zlib.MAX_WBITS, limit, partial)
        if coding == "deflate":
            try:
                return _inflate(body, zlib.MAX_WBITS, limit, partial)
            except zlib.error:
                # Many servers send raw deflate without the zlib wrapper.
                return _inflate(body, -zlib.MAX_WBITS, limit, partial)
        if coding == "br":
            return _unbrotli(body, limit, partial)
        if coding == "zstd":
            return _unzstd(body, limit, partial)
    except BodyTooLarge:
        raise
    except ImportError as exc:
        raise UndecodableBody(f"no decoder installed for Content-Encoding {coding!r}") from exc
    except Exception as exc:  # each decoder raises its own error type on corrupt data
        raise UndecodableBody(f"corrupt {coding} body: {exc}") from exc
    raise UndecodableBody(f"unknown Content-Encoding {coding!r}")


class _Output:
    """Decoded chunks, joined once at the end; refuses to grow past the limit."""

    def __init__(self, limit: int, partial: bool):
        self.limit, self.partial = limit, partial
        self.chunks: list[bytes] = []
        self.size = 0

    def add(self, chunk: bytes) -> bool:
        """Keep `chunk`; False once the limit is reached and decoding should stop."""
        self.chunks.append(chunk)
        self.size += len(chunk)
        if self.size > self.limit:
            if not self.partial:
                raise BodyTooLarge(self.limit)
            return False
        return True

    def data(self) -> bytes:
        return self.chunks[0] if len(self.chunks) == 1 else b"".join(self.chunks)


def _inflate(body: bytes, wbits: int, limit: int, partial: bool) -> bytes:
    out = _Output(limit, partial)
    data = body
    while data:
        inflater = zlib.decompressobj(wbits)
        while True:
            # At most one step more than the limit is ever held: max_length bounds each call.
            chunk = inflater.decompress(data, _STEP)
            if not out.add(chunk):
                return out.data()
            data = inflater.unconsumed_tail
            if inflater.eof or (not data and len(chunk) < _STEP):
                break
        if not inflater.eof:
            if partial:
                return out.data()
            raise zlib.error("incomplete or truncated stream")
        # A gzip body may hold several members, one after the other (RFC 1952); zlib streams do not.
        data = inflater.unused_data if wbits > 16 else b""
        if data and not data.startswith(b"\x1f\x8b"):
            break  # trailing bytes after the last member, as gzip(1) ignores them
    return out.data()


def _unbrotli(body: bytes, limit: int, partial: bool) -> bytes:
    import brotli

    out = _Output(limit, partial)
    decompressor = brotli.Decompressor()
    # brotli 1.2's output_buffer_limit bounds what one call may produce; the rest of the output
    # comes from calls with empty input.
    chunk = decompressor.process(body, output_buffer_limit=_STEP)
    while out.add(chunk):
        if decompressor.is_finished():
            return out.data()
        if decompressor.can_accept_more_data():
            break
        chunk = decompressor.process(b"", output_buffer_limit=_STEP)
    if partial:
        return out.data()
    raise brotli.error("incomplete or truncated stream")


def _unzstd(body: bytes, limit: int, partial: bool) -> bytes:
    try:
        from compression import zstd  # Python 3.14+
    except ImportError:
        from backports import zstd
    out = _Output(limit, partial)
    data = body
    while data:
        decompressor = zstd.ZstdDecompressor()
        chunk = decompressor.decompress(data, _STEP)
        while out.add(chunk):
            if decompressor.eof or decompressor.needs_input:
                break
            chunk = decompressor.decompress(b"", _STEP)
        else:
            return out.data()
        if not decompressor.eof:
            if partial:
                return out.data()
            raise zstd.ZstdError("incomplete or truncated stream")
        data = decompressor.unused_data  # frames one after another are one body
    return out.data()


# Python codecs that a page may name but that are no web text encoding: they raise on ordinary
# bytes (punycode, idna) or would turn markup into something else (the escape codecs, UTF-7,
# which WHATWG browsers also refuse). Such a label is ignored, as an unknown one is.
_NOT_WEB_CHARSETS = frozenset((
    "punycode", "idna", "unicode-escape", "raw-unicode-escape", "utf-7", "undefined",
))


def _known(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        info = codecs.lookup(charset.strip().strip("\"'"))
    except LookupError:
        return None
    name = info.name
    if name in _NOT_WEB_CHARSETS or not getattr(info, "_is_text_encoding", True):
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
    text = _tolerant(body, charset, any_errors=True)
    if text is None:
        charset = "cp1252"
        text = body.decode(charset, "replace")
    return text, charset


def _tolerant(body: bytes, charset: str, any_errors: bool = False) -> str | None:
    """The body in this charset, allowing a few bad bytes (a stray byte in a UTF-8 page should
    not send it to detection, which then reads the whole page wrongly); with `any_errors`, as
    many as there are. None when the codec cannot read these bytes at all."""
    try:
        return body.decode(charset)
    except UnicodeDecodeError:
        pass
    except (LookupError, UnicodeError, ValueError, TypeError):
        # A codec that fails otherwise than byte by byte (or a bug in one) is no reading of the
        # page: the caller tries the next candidate instead of losing the page, or the run.
        return None
    try:
        text = body.decode(charset, "replace")
    except (LookupError, UnicodeError, ValueError, TypeError):
        return None
    return text if any_errors or text.count("\ufffd") <= max(3, len(body) // 5000) else None


def _mostly_latin(body: bytes) -> bool:
    """Few bytes above 0x7f among the letters: accents in a Latin-script text, not Cyrillic or Greek."""
    sample = re.sub(rb"<[^>]*>", b"", body[:200_000])
    high = sum(1 for byte in sample if byte > 0x7F)
    letters = sum(1 for byte in sample if 0x41 <= (byte | 0x20) <= 0x7A) + high
    return letters > 0 and high / letters < 0.15
