"""Reading one stored HTTP response back by its pointer (file name and offset)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from .naming import OPEN_SUFFIX


@dataclass
class StoredResponse:
    status: int
    headers: list[tuple[str, str]]
    payload: bytes  # as received: still content-encoded


def read_response(warcs: str | Path, filename: str, offset: int) -> StoredResponse | None:
    """The response at `offset` in `filename` (or its `.open` file while still written); None if absent."""
    for name in (filename, filename + OPEN_SUFFIX):
        path = Path(warcs, name)
        if not path.is_file():
            continue
        with open(path, "rb") as fh:
            fh.seek(offset)
            for record in ArchiveIterator(fh):
                if record.rec_type != "response" or record.http_headers is None:
                    return None
                return StoredResponse(int(record.http_headers.get_statuscode() or 0),
                                      list(record.http_headers.headers), record.raw_stream.read())
    return None
