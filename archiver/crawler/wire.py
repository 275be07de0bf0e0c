"""What crossed the wire for one exchange: the request bytes as sent, the response head as received."""
from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class WireExchange:
    started_at: float = field(default_factory=time.time)
    request_bytes: bytes = b""
    response_head: bytes = b""
    # The response bytes received before the head was complete (a head cut by a reset).
    partial_head: bytes = b""
    peer_address: str | None = None
    # "tls/1.3" and the cipher suite, for HTTPS (WARC-Protocol, WARC-Cipher-Suite).
    tls_protocol: str | None = None
    tls_cipher: str | None = None
    # Set when the body did not arrive whole: "length", "time" or "disconnect" (WARC-Truncated).
    truncated: str | None = None
    # The connection ended with an error rather than a clean close.
    lost_uncleanly: bool = False
    # The connection (protocol) whose bytes these are.
    owner: object = field(default=None, repr=False, compare=False)

    def restart(self) -> None:
        """Forget a previous attempt's bytes: the request is being sent again."""
        self.request_bytes = self.response_head = self.partial_head = b""
        self.truncated = None
        self.lost_uncleanly = False


def split_head(data: bytes) -> tuple[bytes, bytes] | None:
    """Split bytes at the end of an HTTP head (CRLF CRLF, or bare LF LF from sloppy servers)."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        idx = data.find(sep)
        if idx != -1:
            return data[: idx + len(sep)], data[idx + len(sep):]
    return None


def cut_reason(wire: WireExchange, flags) -> str | None:
    """The WARC-Truncated reason of a response, or None when its body arrived whole.

    Twisted flags a body without Content-Length ended by the close as "partial" even when the
    close was clean, which is how such a body normally ends; only an unclean close cuts it.
    """
    flags = set(flags or ())
    if wire.truncated:
        return wire.truncated
    if "dataloss" in flags or ("partial" in flags and wire.lost_uncleanly):
        return "disconnect"
    return None
