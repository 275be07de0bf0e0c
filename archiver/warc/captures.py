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
    pass


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


def iter_captures(path: str | Path) -> Iterator[Capture]:
    """Yield every response and revisit record of a WARC file, in file order."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for record in it:
                capture = _capture(record, path.name, it.get_record_offset)
                if capture is not None:
                    yield capture
    except ArchiveLoadFailed as exc:
        raise UnreadableWarc(f"{path.name}: {str(exc).strip()}") from exc


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
