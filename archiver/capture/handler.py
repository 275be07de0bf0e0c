"""A download handler that records the exact bytes of each HTTP exchange.

Scrapy's `Response` keeps neither the reason phrase, nor the original header order and spelling,
nor the request as it was sent (with `Host`). We keep Scrapy's HTTP/1.1 client and put a tee
between its protocol and the socket: the request bytes written and the response head read are
copied out, and travel with the request in `request.meta["_archiver_wire"]` to the capture
middleware. The body is the one Twisted hands over: de-chunked, still content-encoded.
"""
from __future__ import annotations

import logging

from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
    _ScrapyAgent,
)
from scrapy.exceptions import ResponseDataLossError
from scrapy.utils._download_handlers import get_dataloss_msg, wrap_twisted_exceptions
from scrapy.utils.defer import maybe_deferred_to_future

from .wire import WireExchange, split_head

WIRE_META = "_archiver_wire"
logger = logging.getLogger(__name__)


class _TeeTransport:
    """Passes everything to the real transport, copying written bytes to the current exchange."""

    def __init__(self, transport, protocol):
        self._transport = transport
        self._protocol = protocol

    def write(self, data):
        self._protocol._archiver_sent(data)
        self._transport.write(data)

    def writeSequence(self, seq):
        for data in seq:
            self._protocol._archiver_sent(data)
        self._transport.writeSequence(seq)

    def __getattr__(self, name):
        return getattr(self._transport, name)


class RecordingHTTP11ClientProtocol(_LenientHTTP11ClientProtocol):
    _archiver_exchange: WireExchange | None = None
    _archiver_head: bytearray | None = None

    def makeConnection(self, transport):
        super().makeConnection(_TeeTransport(transport, self))

    def _archiver_sent(self, data: bytes) -> None:
        if self._archiver_exchange is not None:
            self._archiver_exchange.request_bytes += bytes(data)

    def request(self, request):
        exchange = WireExchange()
        self._archiver_exchange = exchange
        self._archiver_head = bytearray()
        d = super().request(request)

        def attach(response):
            response._archiver_wire = exchange
            return response

        return d.addCallback(attach)

    def dataReceived(self, data: bytes) -> None:
        head = self._archiver_head
        if head is not None:
            head += data
            split = split_head(bytes(head))
            if split is not None:
                self._archiver_exchange.response_head = split[0]
                self._archiver_head = None
            elif len(head) > 1 << 20:
                # No end of head within 1 MiB: keep what came, the parser will fail on it.
                self._archiver_exchange.response_head = bytes(head)
                self._archiver_head = None
        super().dataReceived(data)


class _RecordingClientFactory(_LenientHTTP11ClientFactory):
    def buildProtocol(self, addr):
        return RecordingHTTP11ClientProtocol(self._quiescentCallback)


class _RecordingAgent(_ScrapyAgent):
    wire: WireExchange | None = None

    def _cb_bodydone(self, result, url):
        self.wire = getattr(result["txresponse"], "_archiver_wire", None)
        return super()._cb_bodydone(result, url)


class RecordingDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, plus the exact bytes of each exchange."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self._pool._factory = _RecordingClientFactory

    async def download_request(self, request):
        agent = _RecordingAgent(
            contextFactory=self._contextFactory,
            bindAddress=self._bind_address,
            pool=self._pool,
            maxsize=self._default_maxsize,
            warnsize=self._default_warnsize,
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        try:
            with wrap_twisted_exceptions():
                response = await maybe_deferred_to_future(agent.download_request(request))
        except ResponseDataLossError:
            if not self._fail_on_dataloss_warned:
                logger.warning(get_dataloss_msg(request.url))
                self._fail_on_dataloss_warned = True
            raise
        if agent.wire is not None:
            request.meta[WIRE_META] = agent.wire
        return response
