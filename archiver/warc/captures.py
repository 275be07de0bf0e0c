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


def iter_captures(path: str | Path) -> Iterator[Capture]:
    """Yield every response and revisit record of a WARC file, in file order."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for record in it:
                if record.rec_type not in ("response", "revisit") or record.http_headers is None:
                    continue
                if record.rec_headers.get_header("Content-Type", "").startswith("application/http") is False \
                        and record.http_headers.protocol.upper().startswith("HTTP") is False:
                    continue
                raw = record.raw_stream.read() if record.rec_type == "response" else b""
                headers = list(record.http_headers.headers)
                if any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in headers):
                    raw = _dechunk(raw)
                try:
                    status = int(record.http_headers.get_statuscode())
                except (TypeError, ValueError):
                    status = None
                h = record.rec_headers
                yield Capture(
                    record_type=record.rec_type,
                    target_uri=h.get_header("WARC-Target-URI"),
                    warc_date=h.get_header("WARC-Date"),
                    record_id=h.get_header("WARC-Record-ID"),
                    filename=path.name,
                    offset=it.get_record_offset(),
                    status=status,
                    headers=headers,
                    payload=raw,
                    payload_digest=h.get_header("WARC-Payload-Digest"),
                    refers_to=h.get_header("WARC-Refers-To"),
                    refers_to_uri=h.get_header("WARC-Refers-To-Target-URI"),
                    refers_to_date=h.get_header("WARC-Refers-To-Date"),
                    profile=h.get_header("WARC-Profile"),
                )
    except ArchiveLoadFailed as exc:
        raise UnreadableWarc(f"{path.name}: {str(exc).strip()}") from exc
