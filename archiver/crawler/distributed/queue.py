"""The shared queue, as a reliable queue: a claimed entry is never only in a worker's memory.

A worker claims an entry by moving it atomically (RPOPLPUSH) from the queue into its own
processing list, and removes it from there (ack) only when the URL is fully done: captured,
derived, written. Every worker refreshes a heartbeat; whoever notices one older than `stale`
seconds moves that worker's processing list back into the queue. So a worker killed mid-URL
loses nothing: another worker, or the next run, fetches the URL again.
"""
from __future__ import annotations

import redis

from .keys import Keys


class SharedQueue:
    def __init__(self, conn: redis.Redis, keys: Keys, worker: str, *, stale: float):
        self.conn = conn
        self.keys = keys
        self.worker = worker
        self.stale = stale
        self.mine = keys.processing(worker)

    def now(self) -> float:
        # The server's clock, so that machines whose clocks disagree still agree on staleness.
        seconds, micros = self.conn.time()
        return seconds + micros / 1e6

    # -- entries -----------------------------------------------------------------------------
    def push(self, entry: str) -> None:
        self.conn.lpush(self.keys.queue, entry)

    def claim(self) -> bytes | None:
        return self.conn.rpoplpush(self.keys.queue, self.mine)

    def ack(self, entry: str | bytes) -> None:
        self.conn.lrem(self.mine, 1, entry)

    def __len__(self) -> int:
        return self.conn.llen(self.keys.queue)

    # -- workers -------------------------------------------------------------------------------
    def heartbeat(self, *, seeding: bool) -> None:
        now = self.now()
        pipe = self.conn.pipeline()
        pipe.zadd(self.keys.workers, {self.worker: now})
        if seeding:
            pipe.zadd(self.keys.seeders, {self.worker: now})
        else:
            pipe.zrem(self.keys.seeders, self.worker)
        pipe.execute()

    def leave(self) -> int:
        """Put back what this worker still holds and sign off; returns how many entries went back."""
        moved = self._requeue(self.mine)
        pipe = self.conn.pipeline()
        pipe.zrem(self.keys.workers, self.worker)
        pipe.zrem(self.keys.seeders, self.worker)
        pipe.execute()
        return moved

    def reap_stale(self) -> int:
        """Requeue the entries of workers whose heartbeat stopped; returns how many went back."""
        cutoff = self.now() - self.stale
        moved = 0
        for raw in self.conn.zrangebyscore(self.keys.workers, "-inf", cutoff):
            worker = raw.decode()
            if worker == self.worker:
                continue
            moved += self._requeue(self.keys.processing(worker))
            pipe = self.conn.pipeline()
            pipe.zrem(self.keys.workers, worker)
            pipe.zrem(self.keys.seeders, worker)
            pipe.execute()
        # A seeder that died before its first worker heartbeat was noticed.
        self.conn.zremrangebyscore(self.keys.seeders, "-inf", cutoff)
        return moved

    def _requeue(self, processing: str) -> int:
        # One entry at a time, each move atomic: two workers reaping at once never duplicate one.
        moved = 0
        while self.conn.rpoplpush(processing, self.keys.queue) is not None:
            moved += 1
        return moved

    def busy(self) -> bool:
        """Work exists somewhere: queued, held by a live worker, or seeds still coming in."""
        if self.conn.llen(self.keys.queue) or self.conn.zcard(self.keys.seeders):
            return True
        workers = [raw.decode() for raw in self.conn.zrange(self.keys.workers, 0, -1)]
        if not workers:
            return False
        pipe = self.conn.pipeline()
        for worker in workers:
            pipe.llen(self.keys.processing(worker))
        return any(pipe.execute())
