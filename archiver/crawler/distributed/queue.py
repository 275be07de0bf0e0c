"""The shared queue, as a reliable queue: a claimed entry is never only in a worker's memory.

A worker claims an entry by moving it atomically (RPOPLPUSH) from the queue into its own
processing list, and removes it from there (ack) only when the URL is fully done: captured,
derived, written. Every worker refreshes a heartbeat; whoever notices one older than `stale`
seconds moves that worker's processing list back into the queue. So a worker killed mid-URL
loses nothing: another worker, or the next run, fetches the URL again.

A worker can also be thought dead and still be running (its whole process frozen longer than
`stale`: a suspended VM, a stopped process, heavy swapping). Then its claims were taken back
while it still works on them, and three steps keep its late work from counting twice:
  - reaping re-checks the heartbeat inside Redis, so a beat that lands meanwhile wins;
  - the ack is fenced: it succeeds only if the entry is still in this worker's processing
    list; if it was requeued and nobody claimed it yet, the late ack withdraws it from the
    queue (no second fetch); only if another worker already holds it is the URL fetched twice;
  - when it learns it was reaped, the worker reclaims the entries it holds that still wait in
    the queue, and gives up (does not retry or follow) those that another worker now holds.
Each step is one Lua script: Redis runs it whole, with no other client in between.
"""
from __future__ import annotations

import enum

import redis

from .keys import Keys

# KEYS: workers, seeders, the stale worker's processing list, queue. ARGV: worker, cutoff.
_REAP = """
local beat = redis.call('ZSCORE', KEYS[1], ARGV[1])
if beat and tonumber(beat) > tonumber(ARGV[2]) then return -1 end
local moved = 0
while redis.call('RPOPLPUSH', KEYS[3], KEYS[4]) do moved = moved + 1 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return moved
"""

# KEYS: this worker's processing list, queue. ARGV: entry.
_ACK = """
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 then return 1 end
if redis.call('LREM', KEYS[2], 1, ARGV[1]) == 1 then return 0 end
return -1
"""

# KEYS: workers, seeders. ARGV: worker, now, seeding (1/0).
# Returns 1 when the worker had been removed from the workers set meanwhile (reaped).
_BEAT = """
local added = redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
if ARGV[3] == '1' then redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1]) else redis.call('ZREM', KEYS[2], ARGV[1]) end
return added
"""

# KEYS: this worker's processing list, queue. ARGV: entries. Returns those this worker holds
# afterwards: taken back from the queue, or claimed again since the reaping (still in its list;
# LREM and LPUSH rather than LPOS, which Redis 5 lacks).
_RECLAIM = """
local mine = {}
for _, entry in ipairs(ARGV) do
  if redis.call('LREM', KEYS[2], 1, entry) == 1 or redis.call('LREM', KEYS[1], 1, entry) == 1 then
    redis.call('LPUSH', KEYS[1], entry)
    mine[#mine + 1] = entry
  end
end
return mine
"""


class Ack(enum.Enum):
    DONE = 1        # the entry was this worker's: removed from its processing list
    WITHDRAWN = 0   # it had been requeued, nobody had claimed it yet: taken out of the queue
    TAKEN = -1      # it had been requeued and another worker holds it: fetched twice


class SharedQueue:
    def __init__(self, conn: redis.Redis, keys: Keys, worker: str, *, stale: float):
        self.conn = conn
        self.keys = keys
        self.worker = worker
        self.stale = stale
        self.mine = keys.processing(worker)
        self._reap = conn.register_script(_REAP)
        self._ack = conn.register_script(_ACK)
        self._beat = conn.register_script(_BEAT)
        self._reclaim = conn.register_script(_RECLAIM)

    def now(self) -> float:
        # The server's clock, so that machines whose clocks disagree still agree on staleness.
        seconds, micros = self.conn.time()
        return seconds + micros / 1e6

    # -- entries -----------------------------------------------------------------------------
    def push(self, entry: str) -> None:
        self.conn.lpush(self.keys.queue, entry)

    def claim(self) -> bytes | None:
        return self.conn.rpoplpush(self.keys.queue, self.mine)

    def ack(self, entry: str | bytes) -> Ack:
        return Ack(self._ack(keys=[self.mine, self.keys.queue], args=[entry]))

    def reclaim(self, entries: list[str]) -> set[str]:
        """Take back those of `entries` still waiting in the queue; returns those this worker holds now."""
        if not entries:
            return set()
        return {raw.decode() for raw in self._reclaim(keys=[self.mine, self.keys.queue], args=entries)}

    def __len__(self) -> int:
        return self.conn.llen(self.keys.queue)

    # -- workers -------------------------------------------------------------------------------
    def heartbeat(self, *, seeding: bool) -> bool:
        """Say this worker is alive; True if it had been reaped (its claims requeued) meanwhile."""
        added = self._beat(keys=[self.keys.workers, self.keys.seeders],
                           args=[self.worker, repr(self.now()), "1" if seeding else "0"])
        return added == 1

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
            # Re-checked inside the script: a worker that beat since the read above is left alone.
            moved += max(0, self._reap(keys=[self.keys.workers, self.keys.seeders, self.keys.processing(worker),
                                             self.keys.queue], args=[worker, repr(cutoff)]))
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
