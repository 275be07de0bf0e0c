"""Downloader middleware that writes every exchange to WARC as it crossed the wire.

It sits nearest the downloader (priority 950), below decompression (590), redirects (600) and
retries (550): it sees every hop, every error and every retried attempt, robots.txt included,
with the body still content-encoded. It knows nothing of articles.
"""
from __future__ import annotations

import logging
import socket
from datetime import datetime, timezone

from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from urllib.parse import urldefrag

from .. import keys
from ..store.archive import Archive
from ..store.state import CrawlState
from ..warc.dedup import remember_response, revisit_for
from ..warc.record import http_record, warc_date
from ..warc.recovery import recover_open_files
from ..warc.writer import RotatingWarcWriter, WarcWriteError
from .headers import drop_transfer_encoding, redact_credentials
from .failure import failure_records
from .wire import cut_reason, split_head

logger = logging.getLogger(__name__)

from .fatal import stop_crawl


def warcinfo_fields(settings) -> list[tuple[str, str]]:
    from .. import __version__
    import scrapy

    return [
        ("software", f"archiver/{__version__} (Scrapy/{scrapy.__version__})"),
        ("hostname", socket.gethostname()),
        ("operator", settings.get("ARCHIVER_OPERATOR") or settings.get("ARCHIVER_CONTACT") or "unknown"),
        ("robots", "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore"),
        ("http-header-user-agent", settings.get("USER_AGENT") or ""),
        ("format", "WARC File Format 1.1"),
        ("conformsTo", "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"),
    ]


class WarcCaptureMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        archive = Archive(settings.get("ARCHIVER_ARCHIVE"))
        # A killed earlier run left `.open` files: whole records kept, closed, before we write.
        self.stats.set_value(keys.WARC_RECOVERED, len(recover_open_files(archive.warcs)))
        self.writer = RotatingWarcWriter(
            archive.warcs,
            prefix=settings.get("ARCHIVER_WARC_PREFIX", "archiver"),
            max_size=settings.getint("ARCHIVER_WARC_MAX_SIZE", 1_000_000_000),
            info_fields=warcinfo_fields(settings),
        )
        # The digest index: payloads already archived are written as revisits (warc/dedup.py).
        self.state = CrawlState(archive.state_path)
        self.failed = False
        self.closed = False
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        # A second Ctrl-C stops the reactor without closing the spider: close the file then too,
        # so that it is renamed from `.open` (it holds whole records: each is written at once).
        from twisted.internet import reactor

        reactor.addSystemEventTrigger("before", "shutdown", self._close_on_shutdown)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        wire = request.meta.pop(keys.WIRE_META, None)
        if self.failed:
            raise IgnoreRequest("the WARC writer has stopped")
        if wire is None:
            logger.error("not archived (no wire capture; is the archiver download handler set?): %s", response.url)
            self.stats.inc_value(keys.NOT_ARCHIVED)
            return response
        try:
            pointer, record, original = self._write_exchange(request, response, wire)
        except WarcWriteError as exc:
            self._fail(exc)
            raise IgnoreRequest(str(exc)) from exc
        request.meta[keys.CAPTURE_META] = {
            "warc": pointer.as_dict(),
            "fetched_at": datetime.fromtimestamp(wire.started_at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "payload_digest": record.header("WARC-Payload-Digest"),
            # For a revisit: the stored capture that holds the payload (a 304 has none of its own).
            "refers_to": original.__dict__.copy() if original else None,
        }
        return response

    def process_exception(self, request, exception):
        # A timeout or a reset after the request went out: archive what crossed the wire anyway.
        wire = request.meta.pop(keys.WIRE_META, None)
        if wire is None or self.failed:
            return None
        try:
            self.writer.write(failure_records(urldefrag(request.url)[0], wire, exception))
        except WarcWriteError as exc:
            self._fail(exc)
            return None
        self.stats.inc_value(keys.WARC_RECORDS, 2)
        self.stats.set_value(keys.WARC_BYTES, self.writer.bytes_written)
        return None

    def _write_exchange(self, request, response, wire):
        date = warc_date(datetime.fromtimestamp(wire.started_at, timezone.utc))
        target = urldefrag(response.url)[0]
        extra = []
        if response.ip_address is not None:
            extra.append(("WARC-IP-Address", str(response.ip_address)))
        if response.protocol:
            extra.append(("WARC-Protocol", response.protocol.lower()))
        if wire.tls_protocol:
            # WARC 1.1 proposals: one WARC-Protocol per layer, and the negotiated cipher.
            extra.append(("WARC-Protocol", wire.tls_protocol))
            if wire.tls_cipher:
                extra.append(("WARC-Cipher-Suite", wire.tls_cipher))
        truncated = cut_reason(wire, response.flags)
        if truncated:
            self.stats.inc_value(keys.TRUNCATED + truncated)

        resp_head = drop_transfer_encoding(wire.response_head)
        revisit = None if truncated else revisit_for(
            self.state, target, date, response.status, resp_head, response.body,
            not_modified_digest=request.meta.get(keys.NOT_MODIFIED_META), extra=list(extra))
        if revisit:
            resp_record, original = revisit
        else:
            original = None
            resp_record = http_record(
                "response", target, date, resp_head, response.body,
                content_type="application/http; msgtype=response",
                extra=extra + ([("WARC-Truncated", truncated)] if truncated else []),
            )
        split = split_head(wire.request_bytes) or (wire.request_bytes, b"")
        req_record = http_record(
            "request", urldefrag(request.url)[0], date, redact_credentials(split[0]), split[1],
            content_type="application/http; msgtype=request", extra=list(extra),
        )
        resp_record.headers.append(("WARC-Concurrent-To", req_record.record_id))
        req_record.headers.append(("WARC-Concurrent-To", resp_record.record_id))
        pointer = self.writer.write([resp_record, req_record])[0]
        if original is not None:
            self.stats.inc_value(keys.REVISITS)
        elif not truncated:
            remember_response(self.state, resp_record, pointer.filename, pointer.offset)
        self.stats.inc_value(keys.WARC_RECORDS, 2)
        self.stats.set_value(keys.WARC_BYTES, self.writer.bytes_written)
        self.stats.inc_value(f"{keys.STATUS_CLASS}{response.status // 100}xx")
        return pointer, resp_record, original

    def _fail(self, exc: Exception) -> None:
        if self.failed:
            return
        self.failed = True
        stop_crawl(self.crawler, str(exc), "warc_write_failed")

    def _close_on_shutdown(self):
        if not self.closed:
            logger.warning("stopped before the crawl could close: closing the WARC file")
            self.spider_closed(None, "killed")

    def spider_closed(self, spider, reason):
        if self.closed:
            return
        self.closed = True
        # Whatever still arrives is not written: the file is closed.
        self.failed = True
        try:
            self.writer.close()
        except WarcWriteError as exc:
            logger.critical("%s", exc)
            self.stats.set_value(keys.FATAL, str(exc))
        self.state.close()
        self.stats.set_value(keys.WARC_FILES, len(self.writer.files_closed))
        self.stats.set_value(keys.WARC_BYTES, self.writer.bytes_written)
