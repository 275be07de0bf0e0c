"""The worker's heartbeat, sent from a thread of its own rather than from the reactor.

A heartbeat sent by the reactor is late whenever the reactor is busy (parsing a large page,
writing a WARC, a machine whose cores are taken by something else), and a late heartbeat got
the worker's URLs requeued and fetched a second time by another worker while it was still
fetching them: 12 of 40 URLs twice with the load average at 2.7. A plain thread gets the
interpreter at least every switch interval (5 ms) however busy the reactor is, so the heartbeat
stops only when the process does: killed, crashed, or frozen as a whole. A frozen process that
comes back learns from its next beat that it was reaped; `on_reaped` is then called in the
reactor's thread.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

import redis

from .queue import SharedQueue

logger = logging.getLogger(__name__)


class Heartbeat:
    def __init__(self, queue: SharedQueue, interval: float, *, seeding: Callable[[], bool],
                 on_reaped: Callable[[], None]):
        self.queue = queue
        self.interval = interval
        self.seeding = seeding
        self.on_reaped = on_reaped
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._down = False

    def start(self) -> None:
        """One beat now (in the caller's thread, so that the worker is listed before it claims), then the thread."""
        self.queue.heartbeat(seeding=self.seeding())
        self._thread = threading.Thread(target=self._run, name=f"heartbeat {self.queue.worker}", daemon=True)
        self._thread.start()

    def beat_now(self) -> None:
        """Beat without waiting for the interval (the seeding flag changed)."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            # A beat in flight is one round trip (or the client's socket timeout if Redis hangs).
            self._thread.join(timeout=max(1.0, self.interval * 2))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                reaped = self.queue.heartbeat(seeding=self.seeding())
            except redis.RedisError as exc:
                if not self._down:
                    logger.warning("heartbeat not sent (%s); retrying", exc)
                    self._down = True
                continue
            self._down = False
            if reaped:
                from twisted.internet import reactor  # the running one; importing it earlier could install one

                reactor.callFromThread(self.on_reaped)
