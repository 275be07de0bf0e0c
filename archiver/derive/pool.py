"""Derivation in worker processes: the crawl's loop fetches and writes, the other cores extract.

Extraction is CPU-bound Python (lxml, trafilatura: 2-80 ms a page) and would hold the crawl's
event loop while it runs; threads do not help under the GIL (measured: no gain on 2 cores). So
each page goes to one of N worker processes, one page at a time per worker, through a pipe:

- a worker that raises returns the error as the page's `reason`: one line, never a traceback;
- a worker that dies (a segfault in a C extension, the OOM killer) or takes longer than the
  per-page limit is killed and replaced, and only its page gets a `reason`;
- workers ignore SIGINT: a Ctrl-C reaches the whole process group, and the crawl, not its
  workers, decides what happens to the pages in flight;
- a worker is replaced after `max_pages` pages, so that what a long crawl's extraction leaks
  (lxml's and trafilatura's caches) stays bounded.

The pool starts with one worker and adds one, up to N, whenever the running ones were busy
(by their own CPU time) for most of the last half second. On a crawl of pages that derive in a
millisecond (a site profile), one worker keeps up, and a second would only take turns with the
crawl's own loop for the same cores (2 cores, 2,000 pages: 0.89x bare Scrapy's rate with one
worker, 0.76x with two); pages of the generic path (3-40 ms) keep every worker busy, and all N
start within a second or two.

Each worker is fed by a thread of its own in the calling process, which waits on the pipe: the
calling loop (Twisted's reactor, or `archiver extract`'s plain loop) only submits pages and gets
`concurrent.futures.Future`s back. The queue is not bounded here; the caller bounds what it has in
flight (the crawl's pipeline holds a semaphore, `imap` a window), so that a slow derivation slows
fetching instead of growing memory.

With `workers=0` pages are derived in the calling thread, for debugging (pdb, profilers).
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Iterable, Iterator

from ..extract.decoding import DECODED_LIMIT
from ..page import CapturedPage

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 120.0
DEFAULT_MAX_PAGES = 2000
GROW_AFTER = 0.5  # seconds the running workers are watched before another is added
GROW_BUSY = 0.75  # ... and the share of that time they must have been deriving
_STOP = object()


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def one_line(exc: BaseException) -> str:
    """`Type: first line of the message`, cut at 300 characters: a reason, not a traceback."""
    text = str(exc).strip().splitlines()
    message = f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
    return message if len(message) <= 300 else message[:297] + "..."


@dataclass(frozen=True)
class Derived:
    """What derivation gave for one page: the article's fields, or why it failed."""

    fields: dict
    error: str | None = None    # derivation raised, timed out or lost its worker: one line
    cpu_seconds: float = field(default=0.0, compare=False)  # the worker's, for the pool's size

    @classmethod
    def failed(cls, error: str) -> "Derived":
        return cls({"reason": error}, error)


def derive_fields(page: CapturedPage) -> Derived:
    """The article fields of one page; an exception becomes the page's `reason`."""
    from .item import derive_item

    try:
        return Derived(derive_item(page.final_url, page.derive_status, page.headers, page.body))
    except Exception as exc:  # noqa: BLE001 - any failure of one page belongs to that page
        return Derived.failed(f"derivation failed: {one_line(exc)}")


def _worker_main(conn) -> None:
    # The parent decides about Ctrl-C (finish the pages in flight, or record them as pending).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        # Loaded before the first page, so that the per-page limit does not count the imports.
        from ..extract import article  # noqa: F401
    except Exception:  # noqa: BLE001 - a broken install: each page says why (derive_fields)
        pass
    while True:
        try:
            page = conn.recv()
        except (EOFError, OSError):
            return
        if page is None:
            return
        started = time.process_time()
        derived = derive_fields(page)
        conn.send(replace(derived, cpu_seconds=time.process_time() - started))


class _Worker:
    """One worker process and its end of the pipe."""

    def __init__(self, context):
        self.context = context
        self.process = None
        self.conn = None
        self.pages = 0

    def start(self) -> None:
        parent, child = self.context.Pipe()
        self.process = self.context.Process(target=_worker_main, args=(child,), daemon=True,
                                            name="archiver-derive")
        self.process.start()
        child.close()
        self.conn = parent
        self.pages = 0

    def stop(self, kill: bool = False) -> None:
        if self.process is None:
            return
        try:
            if kill:
                self.process.kill()
            else:
                self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(timeout=None if kill else 5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()
        self.process = self.conn = None

    def death(self) -> str:
        self.process.join(timeout=1)
        code = self.process.exitcode
        if code is not None and code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exited with code {code}"


class DerivePool:
    def __init__(self, workers: int | None = None, *, timeout: float = DEFAULT_TIMEOUT,
                 max_pages: int = DEFAULT_MAX_PAGES):
        self.workers = default_workers() if workers is None else max(0, int(workers))
        self.timeout = timeout
        self.max_pages = max_pages
        self.replaced = 0
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._workers: list[_Worker] = []
        self._closed = False
        self._busy = 0.0  # CPU seconds the workers spent on pages since _watched_since
        self._watched_since = time.monotonic()
        # spawn, not fork: the crawl process runs threads and a reactor that a fork would copy
        # mid-state; a spawned worker imports only the pure derivation code.
        self._context = multiprocessing.get_context("spawn") if self.workers else None
        if self.workers:
            self._add_worker()

    def _add_worker(self) -> None:
        worker = _Worker(self._context)
        worker.start()
        self._workers.append(worker)
        thread = threading.Thread(target=self._feed, args=(worker,), daemon=True,
                                  name=f"archiver-derive-feed-{len(self._threads)}")
        thread.start()
        self._threads.append(thread)

    def _grow_if_busy(self) -> None:
        now = time.monotonic()
        watched = now - self._watched_since
        if len(self._workers) >= self.workers or watched < GROW_AFTER:
            return
        busy = self._busy / (watched * len(self._workers))
        self._busy, self._watched_since = 0.0, now
        if busy >= GROW_BUSY:
            self._add_worker()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def submit(self, page: CapturedPage) -> Future:
        future: Future = Future()
        if self._closed:
            raise RuntimeError("the derive pool is closed")
        # A body over DECODED_LIMIT is turned away by derive_item before any work: done here, it is
        # not copied to a worker (a crawl of an endless body cut at 64 MiB: 377 MB peak, 269 MB).
        if not self.workers or (isinstance(page.body, bytes) and len(page.body) > DECODED_LIMIT):
            future.set_running_or_notify_cancel()
            future.set_result(derive_fields(page))
            return future
        self._jobs.put((page, future))
        self._grow_if_busy()
        return future

    def imap(self, pages: Iterable[CapturedPage], window: int | None = None) -> Iterator[tuple[CapturedPage, Derived]]:
        """(page, derived) in the order of `pages`, with at most `window` pages in flight."""
        window = window or max(2, 4 * self.workers)
        inflight: deque = deque()
        for page in pages:
            inflight.append((page, self.submit(page)))
            if len(inflight) >= window:
                done, future = inflight.popleft()
                yield done, future.result()
        while inflight:
            done, future = inflight.popleft()
            yield done, future.result()

    def close(self) -> None:
        """Finish the pages submitted so far, then stop the workers."""
        if self._closed:
            return
        self._closed = True
        for _ in self._threads:
            self._jobs.put(_STOP)
        for thread in self._threads:
            thread.join()

    # -- the feeding threads ----------------------------------------------------------------
    def _feed(self, worker: _Worker) -> None:
        try:
            while True:
                job = self._jobs.get()
                if job is _STOP:
                    return
                page, future = job
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    derived = self._derive(worker, page)
                    # The worker's own CPU time: the feeding thread's wait would also count the
                    # turns it waits for the calling process's GIL. (A lost update in a race
                    # between two feeders only delays growth.)
                    self._busy += derived.cpu_seconds
                    future.set_result(derived)
                except BaseException as exc:  # the future must be answered whatever happens
                    future.set_result(Derived.failed(f"derivation failed: {one_line(exc)}"))
        finally:
            worker.stop()

    def _derive(self, worker: _Worker, page: CapturedPage) -> Derived:
        if worker.process is None or not worker.process.is_alive() or worker.pages >= self.max_pages:
            if worker.process is not None:
                worker.stop(kill=not worker.process.is_alive())
            worker.start()
        try:
            worker.conn.send(page)
            if worker.conn.poll(self.timeout):
                worker.pages += 1
                return worker.conn.recv()
            reason = f"derivation took longer than {self.timeout:g} s; its worker was replaced"
            worker.stop(kill=True)
        except (EOFError, OSError):
            reason = f"the derive worker died ({worker.death()}) on this page; it was replaced"
            worker.stop(kill=True)
        self.replaced += 1
        logger.warning("%s: %s", page.final_url, reason)
        return Derived.failed(reason)
