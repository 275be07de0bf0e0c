"""The HTTP captures in WARC files, ours or anyone's (wget, Heritrix, Browsertrix): for each
response or revisit record, the target, status, headers, payload and where the record lies.

Payloads are given de-chunked but still content-encoded, as the capture middleware sees them.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed

from .naming import OPEN_SUFFIX
from .reader import CorruptRecord, StrictArchiveIterator


@dataclass
class Capture:
    record_type: str          # "response" or "revisit"
    target_uri: str
    warc_date: str
    record_id: str
    filename: str
    offset: int
    status: int | None
    headers: list[tuple[str, str]]
    payload: bytes            # empty for a revisit
    payload_digest: str | None
    refers_to: str | None = None
    refers_to_uri: str | None = None
    refers_to_date: str | None = None
    profile: str | None = None

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None


class UnreadableWarc(Exception):
    """A file, or the rest of one, that holds no readable WARC records: cut short, or no WARC at
    all. Raised after every whole record before the damage has been given."""

    def __init__(self, filename: str, problem: str, offset: int | None = None):
        self.filename, self.problem, self.offset = filename, problem, offset
        super().__init__(f"{filename}: {problem}")


def _dechunk(raw: bytes) -> bytes:
    reader = ChunkedDataReader(io.BytesIO(raw), decomp_type=None)
    try:
        return reader.read()
    except Exception:
        # Bodies that only claim to be chunked are kept as they were stored.
        return raw


def _capture(record, filename: str, offset) -> Capture | None:
    """`offset` is a number, or a function giving it: warcio's iterator only knows a record's
    offset once the record has been read to its end, so it is asked after the payload."""
    if record.rec_type not in ("response", "revisit") or record.http_headers is None:
        return None
    if not record.http_headers.protocol.upper().startswith("HTTP") \
            and not record.rec_headers.get_header("Content-Type", "").startswith("application/http"):
        return None
    raw = record.raw_stream.read() if record.rec_type == "response" else b""
    headers = list(record.http_headers.headers)
    if any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in headers):
        raw = _dechunk(raw)
    try:
        status = int(record.http_headers.get_statuscode())
    except (TypeError, ValueError):
        status = None
    h = record.rec_headers
    if callable(offset):
        offset = offset()
    return Capture(
        record_type=record.rec_type,
        target_uri=h.get_header("WARC-Target-URI"),
        warc_date=h.get_header("WARC-Date"),
        record_id=h.get_header("WARC-Record-ID"),
        filename=filename,
        offset=offset,
        status=status,
        headers=headers,
        payload=raw,
        payload_digest=h.get_header("WARC-Payload-Digest"),
        refers_to=h.get_header("WARC-Refers-To"),
        refers_to_uri=h.get_header("WARC-Refers-To-Target-URI"),
        refers_to_date=h.get_header("WARC-Refers-To-Date"),
        profile=h.get_header("WARC-Profile"),
    )


_REQUIRED = ("WARC-Type", "WARC-Record-ID", "Content-Length")


def iter_captures(path: str | Path) -> Iterator[Capture]:
    """Yield every response and revisit record of a WARC file, in file order.

    Raises UnreadableWarc where the file stops being WARC: a record cut short (a crash, a
    partial copy) is not given, since its payload is not what was captured; bytes that are no
    WARC, or an empty file, are named as such. Every whole record before the damage is given.
    """
    path = Path(path)
    records = 0
    it = None
    try:
        with open(path, "rb") as fh:
            it = StrictArchiveIterator(fh, gzipped=False)
            last = None
            for record in it:
                _check_whole(last)
                last = record
                records += 1
                if not all(record.rec_headers.get_header(name) for name in _REQUIRED):
                    # A header block cut before its end parses as a record with fields missing.
                    raise CorruptRecord(f"record at offset {it.offset} lacks one of {', '.join(_REQUIRED)} (cut short?)")
                # Asking a record's offset reads it to its end, where a gzip member cut short
                # raises: a cut record is never given.
                capture = _capture(record, path.name, it.get_record_offset)
                if capture is None:
                    continue
                if capture.record_type == "response":
                    _check_whole(record, capture.offset)
                yield capture
            _check_whole(last)
    except (CorruptRecord, ArchiveLoadFailed) as exc:
        problem = " ".join(str(exc).split())
        if isinstance(exc, ArchiveLoadFailed) or "not a WARC" in problem:
            problem = f"not a WARC file ({problem})" if records == 0 else problem
        raise UnreadableWarc(path.name, problem) from exc
    except (ValueError, TypeError, AttributeError, EOFError, OSError) as exc:
        # warcio fails in its own ways on a record header cut in the middle or made of junk.
        where = f"the record at offset {it.offset}" if it is not None else "the file"
        detail = " ".join(str(exc).split()) or "no message"
        raise UnreadableWarc(path.name, f"{where} is cut short or damaged ({type(exc).__name__}: {detail})") from exc
    if records == 0:
        raise UnreadableWarc(path.name, "not a WARC file (empty)" if path.stat().st_size == 0
                             else "not a WARC file (no WARC record in it)")


def _check_whole(record, offset: int | None = None) -> None:
    """Raise if `record`, read to its end, had fewer bytes than its Content-Length: an
    uncompressed file cut inside a record has no gzip member to say so."""
    missing = getattr(record.raw_stream, "limit", 0) if record is not None else 0
    if missing > 0:
        where = f" at offset {offset}" if offset is not None else ""
        raise CorruptRecord(f"record{where} is cut short ({missing} bytes missing)")


def read_response(warcs: str | Path, filename: str, offset: int) -> Capture | None:
    """The response record at `offset` in `filename` (or its `.open` file while it is still
    written), e.g. the capture a revisit refers to; None if it is not there."""
    for name in (filename, filename + OPEN_SUFFIX):
        path = Path(warcs, name)
        if not path.is_file():
            continue
        with open(path, "rb") as fh:
            fh.seek(offset)
            for record in ArchiveIterator(fh):
                capture = _capture(record, filename, offset)
                return capture if capture is not None and capture.record_type == "response" else None
    return None
