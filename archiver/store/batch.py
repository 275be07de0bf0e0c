"""A crawl's per-capture state writes, held in memory and written a batch at a time.

Recording a capture (`record_fetch`, then `record_article` when its article returns) is two
short transactions a page on `CrawlState`: two row reads, two commits, each a trip through
SQLite that releases and retakes the GIL while the derive pool's threads want it. On a crawl
whose pages derive in a millisecond that was the crawl process's largest single cost. Here the
same calls land in memory and are written `batch` rows at a time (or after `seconds`), in one
transaction.

- What a transaction saves counts only if the transaction ends without an exception: a version
  row still never lands without its URL row.
- Rows waiting here answer `get` as stored ones do, so the second record of a capture reads
  memory, not the file.
- A flush that fails keeps its rows for the next one, and raises: the caller decides.
- A kill (SIGKILL, power cut) loses at most the last batch of state rows, never a capture: the
  WARC records are written at once, and a URL whose row was lost is simply due again.
"""
from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import replace

from .state import CrawlState, UrlState


class BatchedState:
    """The part of `CrawlState` that recording captures uses (get, save, add_version,
    clear_pending, transaction), batched; `flush()` writes what waits, `close()` flushes."""

    def __init__(self, state: CrawlState, *, batch: int = 200, seconds: float = 1.0, clock=time.monotonic):
        self.state = state
        self.path = state.path
        self.batch = batch
        self.seconds = seconds
        self.clock = clock
        self.rows: dict[str, UrlState] = {}
        self.versions: dict[tuple[str, int], dict] = {}
        self._staged: tuple[dict, dict] | None = None
        self._since = clock()

    # -- what record_fetch / record_article call ----------------------------------------------
    def get(self, url: str) -> UrlState | None:
        if self._staged is not None and url in self._staged[0]:
            return replace(self._staged[0][url])
        if url in self.rows:
            # A copy: a change counts once it is saved, as with a row read from the file.
            return replace(self.rows[url])
        return self.state.get(url)

    def save(self, row: UrlState) -> None:
        with self.transaction():
            self._staged[0][row.url] = replace(row)

    def add_version(self, url: str, version: int, item: dict) -> None:
        with self.transaction():
            self._staged[1][(url, version)] = item

    def clear_pending(self, url: str, warc: dict | None) -> None:
        row = self.get(url)
        if row is not None and row.pending == json.dumps(warc):
            row.pending = None
            self.save(row)

    @contextmanager
    def transaction(self):
        """Saves inside count together, once the outermost transaction ends without an error."""
        if self._staged is not None:
            yield self
            return
        self._staged = ({}, {})
        try:
            yield self
        except BaseException:
            self._staged = None
            raise
        rows, versions = self._staged
        self._staged = None
        self.rows.update(rows)
        self.versions.update(versions)
        if len(self.rows) >= self.batch or self.clock() - self._since >= self.seconds:
            self.flush()

    # -- writing ----------------------------------------------------------------------------
    def flush(self) -> None:
        """Write every waiting row in one transaction; on an error they stay, and it is raised."""
        if self.rows or self.versions:
            with self.state.transaction():
                for (url, version), item in self.versions.items():
                    self.state.add_version(url, version, item)
                self.state.save_many(self.rows.values())
            self.rows.clear()
            self.versions.clear()
        self._since = self.clock()

    def due_flush(self) -> None:
        """Flush if the last flush was `seconds` ago: for a timer, so that rows do not wait for
        the next page when pages stop coming."""
        if self.clock() - self._since >= self.seconds:
            self.flush()

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.state.close()
