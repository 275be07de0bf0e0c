"""A Scrapy scheduler over the shared Redis queue (SCHEDULER = this class, set by `--redis`).

New requests go to Redis (after the shared seen-set); the engine is fed from Redis, at most
ARCHIVER_REDIS_PREFETCH URLs held by this worker at a time, so that one worker does not hoard
the queue. A retry or redirect of a URL this worker holds stays here: the backoff, the per-host
politeness and the capture of every hop stay with the worker that started the URL, and the URL
is acked only when its last hop is done.

Liveness: the heartbeat that keeps this worker's claims its own is sent from a thread
(heartbeat.py), so that a busy reactor does not look like a dead worker. If the worker was
thought dead all the same (its process frozen longer than ARCHIVER_REDIS_STALE), it takes back
what still waits in the queue and lets go of what another worker took: no retry or redirect of
those leaves this worker, and its late ack is fenced (queue.py).

Idle: Scrapy's engine asks the scheduler only every 5 s when it has nothing to do, so a tick of
the reactor (every ARCHIVER_REDIS_HEARTBEAT) reaps dead workers and hands a starving engine the
next entry (`engine.crawl`). With ARCHIVER_REDIS_UNTIL_IDLE the crawl ends once no work has
existed anywhere for ARCHIVER_REDIS_IDLE; otherwise the worker waits for more.
"""
from __future__ import annotations

import heapq
import itertools
import logging
import os
import secrets
import socket
import time
from collections import Counter

import redis
from scrapy.core.scheduler import BaseScheduler
from scrapy.utils.misc import build_from_crawler, load_object
from twisted.internet import task

from ... import keys
from .. import signals as archiver_signals
from ...store.schedule import parse_duration
from . import codec
from .connection import client
from .heartbeat import Heartbeat
from .keys import Keys
from .queue import Ack, SharedQueue

logger = logging.getLogger(__name__)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class RedisScheduler(BaseScheduler):
    def __init__(self, crawler, queue: SharedQueue, dupefilter, *, prefetch: int, heartbeat: float,
                 idle: float, until_idle: bool, seeding: bool):
        self.crawler = crawler
        self.stats = crawler.stats
        self.queue = queue
        self.df = dupefilter
        self.prefetch = max(1, prefetch)
        self.heartbeat = heartbeat
        self.idle = idle
        self.until_idle = until_idle
        self.seeding = seeding
        self.held: Counter[str] = Counter()
        # Entries taken back from this worker while it still had them (it was thought dead) and
        # now held by another: nothing more of them is fetched here.
        self.revoked: set[str] = set()
        self.local: list = []  # (-priority, order, request): retries and redirects of held URLs
        self._order = itertools.count()
        self._idle_since: float | None = None
        self._last_check = 0.0
        self._last_busy = True
        self._redis_down = False
        self._waking = None
        self.spider = None
        self.loop = None
        self.beat: Heartbeat | None = None

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        keys = Keys(s.get("ARCHIVER_REDIS_NAME") or "archiver")
        queue = SharedQueue(client(s.get("ARCHIVER_REDIS_URL")), keys, worker_id(),
                            stale=parse_duration(s.get("ARCHIVER_REDIS_STALE", "30s")))
        dupefilter = build_from_crawler(load_object(s["DUPEFILTER_CLASS"]), crawler)
        return cls(crawler, queue, dupefilter,
                   prefetch=s.getint("ARCHIVER_REDIS_PREFETCH", 8),
                   heartbeat=parse_duration(s.get("ARCHIVER_REDIS_HEARTBEAT", "1s")),
                   idle=parse_duration(s.get("ARCHIVER_REDIS_IDLE", "5s")),
                   until_idle=s.getbool("ARCHIVER_REDIS_UNTIL_IDLE"),
                   seeding=s.getbool("ARCHIVER_REDIS_SEEDER"))

    # -- life --------------------------------------------------------------------------------
    def open(self, spider):
        self.spider = spider
        self.crawler.signals.connect(self._request_finished, archiver_signals.request_finished)
        self.crawler.signals.connect(self._seeds_exhausted, archiver_signals.seeds_exhausted)
        self.beat = Heartbeat(self.queue, self.heartbeat, seeding=lambda: self.seeding, on_reaped=self._reaped)
        self.beat.start()
        logger.info("joined distributed crawl %r as worker %s", self.queue.keys.name, self.queue.worker)
        self.loop = task.LoopingCall(self._tick)
        self.loop.start(self.heartbeat, now=False)
        return self.df.open()

    def close(self, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
        if self.beat:
            self.beat.stop()  # before signing off: a beat after it would list this worker again
        try:
            # Whatever this worker claimed and did not finish goes back for the others.
            moved = self.queue.leave()
            if moved:
                logger.warning("put %d unfinished URLs back into the shared queue", moved)
        except redis.RedisError as exc:
            logger.warning("could not sign off from Redis (%s); other workers will requeue this one's URLs", exc)
        return self.df.close(reason)

    # -- the engine's side -------------------------------------------------------------------
    def has_pending_requests(self) -> bool:
        if self.local:
            return True
        if not self.until_idle:
            return True  # a worker without --until-idle waits for more work
        return not self._idle_long_enough()

    def enqueue_request(self, request) -> bool:
        entry = request.meta.get(keys.ENTRY_META)
        if request is self._waking:
            # Claimed by the heartbeat and handed over through engine.crawl: seen already, by design.
            heapq.heappush(self.local, (-request.priority, next(self._order), request))
            return True
        if entry is not None and entry in self.revoked:
            # A retry or redirect of a URL another worker now holds: that worker fetches it.
            logger.debug("not following %s: its URL was requeued and another worker has it", request.url)
            self._ack(entry)
            return False
        if entry is not None and self.held[entry] > 0:
            if not request.dont_filter and self.df.request_seen(request):
                # A redirect to a URL some worker already has: this URL is done.
                self.df.log(request, self.spider)
                self._ack(entry)
                return False
            heapq.heappush(self.local, (-request.priority, next(self._order), request))
            self.stats.inc_value("scheduler/enqueued/local")
            return True
        request.meta.pop(keys.ENTRY_META, None)
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self.queue.push(codec.encode(request, self.spider))
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self):
        if self.local:
            self.stats.inc_value("scheduler/dequeued/local")
            return heapq.heappop(self.local)[2]
        if sum(self.held.values()) >= self.prefetch:
            return None
        try:
            return self._claim()
        except redis.RedisError as exc:
            self._warn_down(exc)
            return None

    # -- claiming and acking -----------------------------------------------------------------
    def _claim(self):
        while True:
            raw = self.queue.claim()
            if raw is None:
                return None
            entry = raw.decode()
            try:
                request = codec.decode(entry, self.spider)
            except Exception as exc:  # written by another version, or by hand: drop it, say so
                logger.error("dropped a queue entry that cannot be read (%s): %.200s", exc, entry)
                self.queue.ack(entry)
                continue
            if self.held[entry] > 0:
                # Already in hand here: requeued while this worker was taken for dead and claimed
                # back before it heard of it (or an identical entry). Fetched once, acked together.
                self.held[entry] += 1
                continue
            request.meta[keys.ENTRY_META] = entry
            self.held[entry] += 1
            self.stats.inc_value("scheduler/dequeued/redis")
            return request

    def _request_finished(self, request):
        entry = request.meta.get(keys.ENTRY_META)
        if entry is not None and (self.held[entry] > 0 or entry in self.revoked):
            self._ack(entry)

    def _ack(self, entry: str) -> None:
        copies = self.held.pop(entry, 0)
        self.revoked.discard(entry)
        for _ in range(max(1, copies)):
            try:
                result = self.queue.ack(entry)
            except redis.RedisError as exc:
                # Left in our processing list: requeued (and fetched again) if we die; harmless otherwise.
                self._warn_down(exc)
                return
            self.stats.inc_value(keys.REDIS_DONE)
            if result is Ack.WITHDRAWN:
                self.stats.inc_value(keys.REDIS_WITHDRAWN)
                logger.warning("finished a URL after it had been requeued; took it back out of the queue: %.200s", entry)
            elif result is Ack.TAKEN:
                self.stats.inc_value(keys.REDIS_FETCHED_TWICE)
                logger.warning("finished a URL after it had been requeued; another worker fetches it too: %.200s", entry)

    def _reaped(self) -> None:
        """Called when the heartbeat finds this worker was thought dead and its claims requeued."""
        entries = list(self.held)
        try:
            back = self.queue.reclaim(entries)
        except redis.RedisError as exc:
            self._warn_down(exc)
            back = set()
        lost = [e for e in entries if e not in back]
        logger.warning("this worker was taken for dead (no heartbeat for %ss) and its URLs requeued: kept %d, "
                       "%d now with other workers", self.queue.stale, len(back), len(lost))
        self.stats.inc_value(keys.REDIS_RECLAIMED, len(back))
        for entry in lost:
            del self.held[entry]
            self.revoked.add(entry)
        kept = []
        for item in self.local:
            entry = item[2].meta.get(keys.ENTRY_META)
            if entry in self.revoked:
                # A retry or redirect waiting here: the other worker fetches the URL from the start.
                logger.debug("not following %s: its URL was requeued and another worker has it", item[2].url)
                self.revoked.discard(entry)
            else:
                kept.append(item)
        heapq.heapify(kept)
        self.local = kept

    def _seeds_exhausted(self):
        self.seeding = False
        if self.beat:
            self.beat.beat_now()
        self._tick()

    # -- heartbeat ---------------------------------------------------------------------------
    def _tick(self) -> None:
        try:
            moved = self.queue.reap_stale()
            if moved:
                logger.warning("requeued %d URLs of a worker that stopped answering", moved)
                self.stats.inc_value(keys.REDIS_REQUEUED, moved)
            if not self.local and sum(self.held.values()) < self.prefetch and self.crawler.engine:
                request = self._claim()
                if request is not None:
                    self._waking = request
                    try:
                        self.crawler.engine.crawl(request)  # wakes the engine now, not at its next 5 s beat
                    finally:
                        self._waking = None
            if self.until_idle and not self.local and not self.held:
                # Start the idle clock here too, so that the engine's next beat can already close.
                self._idle_long_enough()
            if self._redis_down:
                logger.warning("Redis answers again")
                self._redis_down = False
        except redis.RedisError as exc:
            self._warn_down(exc)

    def _warn_down(self, exc) -> None:
        if not self._redis_down:
            logger.error("Redis is not answering (%s); waiting for it", exc)
            self._redis_down = True

    def _idle_long_enough(self) -> bool:
        now = time.monotonic()
        if now - self._last_check >= min(0.5, self.idle):
            self._last_check = now
            try:
                self._last_busy = self.queue.busy()
            except redis.RedisError as exc:
                self._warn_down(exc)
                self._last_busy = True
            if self._last_busy:
                self._idle_since = None
            elif self._idle_since is None:
                self._idle_since = now
        return self._idle_since is not None and now - self._idle_since >= self.idle
