"""Redis key names of one distributed crawl, all under its name (ARCHIVER_REDIS_NAME)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Keys:
    name: str = "archiver"

    @property
    def queue(self) -> str:
        # A list: new entries pushed on the left, claimed from the right (first in, first out).
        return f"{self.name}:queue"

    @property
    def seen(self) -> str:
        # A set of request fingerprints: a URL is fetched once across all workers.
        return f"{self.name}:seen"

    @property
    def workers(self) -> str:
        # A sorted set: worker id -> time of its last heartbeat (Redis server clock).
        return f"{self.name}:workers"

    @property
    def seeders(self) -> str:
        # A sorted set of the `crawl` processes still putting seeds in; no worker is idle meanwhile.
        return f"{self.name}:seeders"

    def processing(self, worker: str) -> str:
        # A list per worker: the entries it has claimed and not yet finished.
        return f"{self.name}:processing:{worker}"
