"""The derive workers' pipes, watched by the reactor.

`DerivePool` (archiver/derive/pool.py) runs no thread of its own: it asks to be told when a
worker's pipe is readable. Here the reactor does that, for whichever reactor runs the crawl, so
that a derived page is taken, and the worker given its next page, on the crawl's own loop.
"""
from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


class _Readable:
    """What a reactor's addReader takes (twisted.internet.interfaces.IReadDescriptor)."""

    def __init__(self, conn, ready):
        self.fd = conn.fileno()  # kept: the reactor asks for it again after the pipe is closed
        self.ready = ready

    def fileno(self) -> int:
        return self.fd

    def doRead(self):
        try:
            self.ready()
        except Exception:  # noqa: BLE001 - the reactor would drop the pipe and its worker's results
            logger.exception("taking a derived page failed")

    def connectionLost(self, reason):
        pass

    def logPrefix(self) -> str:
        return "archiver-derive"


class ReactorPipes:
    """A `PipeWatch` on the reactor."""

    def __init__(self, reactor=None):
        if reactor is None:
            from twisted.internet import reactor
        self.reactor = reactor
        self.readers: dict = {}

    def add(self, conn, ready) -> None:
        reader = self.readers[conn] = _Readable(conn, ready)
        self.reactor.addReader(reader)

    def remove(self, conn) -> None:
        reader = self.readers.pop(conn, None)
        if reader is not None:
            self.reactor.removeReader(reader)
