"""Reading an archive back with warcio, for assertions."""
from __future__ import annotations

import json
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator


def records(archive) -> list[dict]:
    out = []
    for path in sorted(Path(archive, "warcs").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for rec in it:
                raw = rec.raw_stream.read()  # still content-encoded, as stored
                out.append({
                    "file": path.name,
                    "offset": it.get_record_offset(),
                    "type": rec.rec_type,
                    "headers": dict(rec.rec_headers.headers),
                    "headers_list": list(rec.rec_headers.headers),
                    "http": rec.http_headers,
                    "payload": raw,
                })
    return out


def raw_block(archive, filename: str, offset: int) -> bytes:
    """The record's block bytes exactly as stored (HTTP head and payload)."""
    with open(Path(archive, "warcs", filename), "rb") as fh:
        fh.seek(offset)
        rec = next(iter(ArchiveIterator(fh)))
        return rec.raw_stream.read()


def items(archive) -> list[dict]:
    out = []
    for path in sorted(Path(archive, "items").glob("*.jsonl")):
        out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out
