"""A download handler that records the exact bytes of each HTTP exchange.

Scrapy's `Response` keeps neither the reason phrase, nor the original header order and spelling,
nor the request as it was sent (with `Host`). We keep Scrapy's HTTP/1.1 client and put a tee
between its protocol and the socket: the request bytes written and the response head read are
copied out, and travel with the request in `request.meta["_archiver_wire"]` to the capture
middleware — on success and on failure alike, so that a timeout or a reset is archived too. The
body is the one Twisted hands over: de-chunked, still content-encoded.

Where Scrapy would throw a body away, we keep what came and say why it is short
(`WireExchange.truncated`, written as WARC-Truncated): over DOWNLOAD_MAXSIZE the first
DOWNLOAD_MAXSIZE bytes are kept ("length"); at DOWNLOAD_TIMEOUT with part of the body in, that
part is kept ("time"); a connection lost before the end is "disconnect".

With ARCHIVER_REFUSE_PRIVATE, the address actually connected to is checked before a byte is
sent: a name that resolves (or re-resolves) to a private or loopback address is refused.
"""
from __future__ import annotations

import itertools
import logging
from functools import partial

from twisted.internet import defer
from twisted.internet.error import ConnectionDone
from twisted.web.iweb import UNKNOWN_LENGTH

from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
    _ResponseReader,
    _ScrapyAgent,
)
from scrapy.exceptions import ResponseDataLossError
from scrapy.http import Response
from scrapy.utils._download_handlers import get_dataloss_msg, wrap_twisted_exceptions
from scrapy.utils.defer import maybe_deferred_to_future

from .. import keys
from . import signals as archiver_signals
from .policy import PRIVATE, Refused, is_public_address
from .stopping import Stopped
from .wire import WireExchange, split_head

# Carries the exchange's key from the handler to the protocol; removed before a byte is sent.
_EXCHANGE_HEADER = b"X-Archiver-Exchange"
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
    # Set per handler by `_factory_for`.
    exchanges: dict = {}
    refuse_private = False

    def makeConnection(self, transport):
        super().makeConnection(_TeeTransport(transport, self))

    def _current(self) -> WireExchange | None:
        exchange = self._archiver_exchange
        return exchange if exchange is not None and exchange.owner is self else None

    def _archiver_sent(self, data: bytes) -> None:
        if self._current() is not None:
            self._archiver_exchange.request_bytes += bytes(data)

    def request(self, request):
        exchange = getattr(request, "_archiver_exchange", None)
        if exchange is None:
            keys = request.headers.getRawHeaders(_EXCHANGE_HEADER) or []
            request.headers.removeHeader(_EXCHANGE_HEADER)
            exchange = (self.exchanges.get(keys[0]) if keys else None) or WireExchange()
            request._archiver_exchange = exchange
        else:
            # Twisted sends the request again on a new connection when the pooled one it tried
            # turned out closed: only this attempt's bytes belong to the exchange.
            exchange.restart()
        exchange.owner = self
        peer = self.transport.getPeer()
        exchange.peer_address = getattr(peer, "host", None)
        if self.refuse_private and not is_public_address(exchange.peer_address or ""):
            self.transport.abortConnection()
            return defer.fail(Refused(PRIVATE, f"refused: {exchange.peer_address} is not a public address "
                                               "(ARCHIVER_REFUSE_PRIVATE is on)"))
        self._archiver_exchange = exchange
        self._archiver_head = bytearray()
        d = super().request(request)

        def attach(response):
            response._archiver_wire = exchange
            exchange.tls_protocol, exchange.tls_cipher = _tls_of(self.transport)
            return response

        return d.addCallback(attach)

    def dataReceived(self, data: bytes) -> None:
        head = self._archiver_head
        if head is not None and self._current() is not None:
            head += data
            split = split_head(bytes(head))
            if split is not None:
                self._archiver_exchange.response_head = split[0]
                self._archiver_head = None
            else:
                # Kept as it grows, so that a head cut by a reset is still on record.
                self._archiver_exchange.partial_head = bytes(head[: 1 << 20])
                if len(head) > 1 << 20:
                    # No end of head within 1 MiB: keep what came, the parser will fail on it.
                    self._archiver_exchange.response_head = bytes(head)
                    self._archiver_head = None
        super().dataReceived(data)

    def connectionLost(self, reason=None):
        # A close-delimited body ends at the close: a clean close is the end, a reset is a cut.
        if self._current() is not None and reason is not None and not reason.check(ConnectionDone):
            self._archiver_exchange.lost_uncleanly = True
        super().connectionLost(reason)


def _tls_of(transport) -> tuple[str | None, str | None]:
    """The TLS version and cipher of an HTTPS connection (pyOpenSSL), or (None, None)."""
    try:
        connection = transport.getHandle()
        version = connection.get_protocol_version_name()  # e.g. "TLSv1.3"
        cipher = connection.get_cipher_name()
    except Exception:  # plain TCP, or a handle without TLS: nothing to record
        return None, None
    if not isinstance(version, str) or not version.startswith("TLSv"):
        return None, None
    return "tls/" + version[4:], cipher


class _CappedResponseReader(_ResponseReader):
    """Scrapy's body reader, but a body over the limit is cut and kept rather than dropped."""

    def __init__(self, *args, wire: WireExchange | None, **kwargs):
        super().__init__(*args, **kwargs)
        self._wire = wire

    def dataReceived(self, data: bytes) -> None:
        if self._finished.called:
            return
        room = self._maxsize - self._bytes_received if self._maxsize else len(data)
        if len(data) <= room:
            return super().dataReceived(data)
        if room > 0:
            self._bodybuf.write(data[:room])
            self._bytes_received += room
        logger.warning("%s: body over DOWNLOAD_MAXSIZE (%d bytes); keeping the first %d bytes, marked truncated",
                       self._request.url, self._maxsize, self._maxsize)
        if self._wire is not None:
            self._wire.truncated = "length"
        self._finish_response(flags=["truncated"])
        self.transport.stopProducing()
        self._txresponse._transport._producer.abortConnection()

    def cut_at_timeout(self) -> None:
        """The download timed out mid-body: keep what came, marked truncated for time."""
        if self._finished.called:
            return
        if self._bytes_received and self._wire is not None:
            self._wire.truncated = "time"
            self._finish_response(flags=["truncated"])
        self._txresponse._transport._producer.abortConnection()


class _RecordingAgent(_ScrapyAgent):
    wire: WireExchange | None = None

    def _cb_bodyready(self, txresponse, request):
        self.wire = getattr(txresponse, "_archiver_wire", None)
        maxsize = request.meta.get("download_maxsize", self._maxsize)
        if txresponse.length == 0:
            return super()._cb_bodyready(txresponse, request)
        warnsize = request.meta.get("download_warnsize", self._warnsize)
        expected = txresponse.length if txresponse.length != UNKNOWN_LENGTH else -1
        if maxsize and expected > maxsize:
            logger.warning("%s: announces %d bytes, over DOWNLOAD_MAXSIZE (%d); keeping the first %d",
                           request.url, expected, maxsize, maxsize)
        reader = _CappedResponseReader(
            defer.Deferred(lambda d: reader.cut_at_timeout()),
            txresponse, request, maxsize, warnsize,
            request.meta.get("download_fail_on_dataloss", self._fail_on_dataloss),
            self._crawler,
            reached_warnsize=bool(warnsize and expected > warnsize),
            tls_verbose_logging=self._tls_verbose_logging,
            wire=self.wire,
        )
        txresponse.deliverBody(reader)
        self._txresponse = txresponse
        return reader._finished

    def _cb_timeout(self, result, request, url, timeout):
        if isinstance(result, Response) and self.wire is not None and self.wire.truncated == "time":
            return result
        return super()._cb_timeout(result, request, url, timeout)


def _factory_for(exchanges: dict, refuse_private: bool):
    protocol = type("RecordingProtocol", (RecordingHTTP11ClientProtocol,),
                    {"exchanges": exchanges, "refuse_private": refuse_private})

    class _RecordingClientFactory(_LenientHTTP11ClientFactory):
        def buildProtocol(self, addr):
            return protocol(self._quiescentCallback)

    return _RecordingClientFactory


class RecordingDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, plus the exact bytes of each exchange."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self._exchanges: dict[bytes, WireExchange] = {}
        self._keys = itertools.count()
        self._pool._factory = _factory_for(self._exchanges, crawler.settings.getbool("ARCHIVER_REFUSE_PRIVATE", False))
        # Downloads in flight, cancelled when a stopping crawl's grace is over (crawler/stopping.py).
        self._in_flight: set[defer.Deferred] = set()
        self._cut = False
        crawler.signals.connect(self._cut_downloads, signal=archiver_signals.downloads_cut)

    def _cut_downloads(self):
        self._cut = True
        for downloading in list(self._in_flight):
            # As a timeout does: the part of the body that came is kept, marked WARC-Truncated.
            downloading.cancel()

    async def download_request(self, request):
        if self._cut:
            raise Stopped(f"not fetched: the crawl stopped ({request.url})")
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
        key = str(next(self._keys)).encode()
        exchange = self._exchanges[key] = WireExchange()
        # Scrapy copies the headers synchronously; the key never reaches the scrapy Request after this.
        request.headers[_EXCHANGE_HEADER] = key
        try:
            with wrap_twisted_exceptions():
                downloading = agent.download_request(request)
                del request.headers[_EXCHANGE_HEADER]
                self._in_flight.add(downloading)
                try:
                    response = await maybe_deferred_to_future(downloading)
                finally:
                    self._in_flight.discard(downloading)
        except Refused as exc:
            self._crawler.stats.inc_value(keys.REFUSED + exc.rule)
            raise
        except ResponseDataLossError:
            if not self._fail_on_dataloss_warned:
                logger.warning(get_dataloss_msg(request.url))
                self._fail_on_dataloss_warned = True
            raise
        except Exception as exc:
            if self._cut and not isinstance(exc, Stopped):
                # Cancelled by the stop, not timed out: counted apart, the URL's state untouched.
                raise Stopped(f"cut short: the crawl stopped ({request.url})") from exc
            raise
        finally:
            request.headers.pop(_EXCHANGE_HEADER, None)
            del self._exchanges[key]
            # Kept on failure too: the capture middleware archives what was sent and received.
            if exchange.request_bytes:
                request.meta[keys.WIRE_META] = exchange
        return response
