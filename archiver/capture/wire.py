"""What crossed the wire for one exchange: the request bytes as sent, the response head as received."""
from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class WireExchange:
    started_at: float = field(default_factory=time.time)
    request_bytes: bytes = b""
    response_head: bytes = b""
    # Set when the body did not arrive whole: "length", "time" or "disconnect" (WARC-Truncated).
    truncated: str | None = None


def split_head(data: bytes) -> tuple[bytes, bytes] | None:
    """Split bytes at the end of an HTTP head (CRLF CRLF, or bare LF LF from sloppy servers)."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        idx = data.find(sep)
        if idx != -1:
            return data[: idx + len(sep)], data[idx + len(sep):]
    return None
