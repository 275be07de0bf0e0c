"""Records for an exchange that produced no response: a timeout, a reset, a refused head.

What crossed the wire is still archived: the request record as sent, and a `metadata` record
(WARC-Concurrent-To the request) saying how the fetch failed and holding any response bytes
that arrived before it did. No `response` record is written: a half head is not a response,
and replay tools must not serve it as one.
"""
from __future__ import annotations

from datetime import datetime, timezone

from ..warc.record import WarcRecord, http_record, sha1_digest, warc_date
from .headers import redact_credentials
from .wire import WireExchange, split_head


def _field(value: str) -> str:
    return value.replace("\r", " ").replace("\n", " ").strip()


def describe_failure(exc: BaseException) -> str:
    """One line for a download failure, unwrapping Twisted's lists of wrapped failures."""
    seen = exc
    while seen is not None:
        reasons = getattr(seen, "reasons", None)
        if reasons:
            seen = getattr(reasons[0], "value", reasons[0])
            break
        seen = seen.__cause__
    exc = seen if isinstance(seen, BaseException) else exc
    message = str(exc) or exc.__class__.__name__
    return f"{exc.__class__.__name__}: {message}"


def failure_records(target_uri: str, wire: WireExchange, exc: BaseException) -> list[WarcRecord]:
    date = warc_date(datetime.fromtimestamp(wire.started_at, timezone.utc))
    extra = [("WARC-IP-Address", wire.peer_address)] if wire.peer_address else []
    head, body = split_head(wire.request_bytes) or (wire.request_bytes, b"")
    request = http_record("request", target_uri, date, redact_credentials(head), body,
                          content_type="application/http; msgtype=request", extra=list(extra))
    received = wire.response_head or wire.partial_head
    fields = [("fetch-error", _field(describe_failure(exc))),
              ("response-bytes-received", str(len(received)))]
    if received:
        # Escaped as text (warc-fields are text); `\\xNN` for bytes outside printable ASCII.
        fields.append(("response-head-received", received.decode("latin-1").encode("unicode_escape").decode("ascii")))
    block = "".join(f"{k}: {v}\r\n" for k, v in fields).encode("utf-8")
    metadata = WarcRecord(headers=[
        ("WARC-Type", "metadata"),
        ("WARC-Target-URI", target_uri),
        ("WARC-Date", date),
        *extra,
        ("WARC-Concurrent-To", request.record_id),
        ("WARC-Block-Digest", sha1_digest(block)),
        ("Content-Type", "application/warc-fields"),
    ], block=block)
    request.headers.append(("WARC-Concurrent-To", metadata.record_id))
    return [request, metadata]
