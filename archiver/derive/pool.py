"""Derivation in worker processes: the crawl's loop fetches and writes, the other cores extract.

Extraction is CPU-bound Python (lxml, trafilatura: 2-80 ms a page) and would hold the crawl's
event loop while it runs; threads do not help under the GIL (measured: no gain on 2 cores). So
each page goes to one of N worker processes through a pipe, and each worker derives one page
at a time:

- a worker that raises returns the error as the page's `reason`: one line, never a traceback;
- a worker that dies (a segfault in a C extension, the OOM killer) or takes longer than the
  per-page limit is killed and replaced, and only its page gets a `reason`;
- workers ignore SIGINT: a Ctrl-C reaches the whole process group, and the crawl, not its
  workers, decides what happens to the pages in flight;
- a worker is replaced after `max_pages` pages, so that what a long crawl's extraction leaks
  (lxml's and trafilatura's caches) stays bounded.

The pool starts with one worker and adds one, up to N, whenever the running ones were busy
(by their own CPU time) for most of the last half second. Pages a site profile matches derive
in 1-2 ms and one worker keeps up, where a second would only take turns with the crawl's own
loop for the same cores; pages of the generic path (3-40 ms) keep every worker busy, and all N
start within a second or two.

No thread runs in the calling process. A page is written to a worker's pipe at once, and its
result taken when that pipe is readable: the crawl's reactor watches the pipes (`watch`,
crawler/pipes.py) and calls `collect`; `imap` and `result` wait on them with
`multiprocessing.connection.wait`. A worker busy with one page is sent the next if it fits in
the pipe's buffer, so that it never waits for the caller's loop to come round. (The first
design, a feeding thread per worker, handed the GIL back and forth with the crawl's loop on
every page, in every SQLite call and socket write: 2 cores, 2,000 profile pages, one worker,
0.71-0.89x bare Scrapy's rate; without the threads 0.86x, and 0.93x with the page sent ahead.)

The queue is not bounded here; the caller bounds what it has in flight (the crawl's pipeline
holds a semaphore, `imap` a window), so that a slow derivation slows fetching instead of
growing memory.

With `workers=0` pages are derived in the calling thread, for debugging (pdb, profilers).
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from functools import partial
from multiprocessing.connection import wait
from typing import Callable, Iterable, Iterator, Protocol

from ..extract.decoding import DECODED_LIMIT
from ..page import CapturedPage

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 120.0
DEFAULT_MAX_PAGES = 2000
GROW_AFTER = 0.5  # seconds the running workers are watched before another is added
GROW_BUSY = 0.75  # ... and the share of that time they must have been deriving
_READY = "ready"  # a worker's first message: imported, waiting for pages


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
    try:
        conn.send(_READY)
    except OSError:
        return
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


# A page sent to a busy worker waits in the pipe (a socket pair, 208 KiB of buffer on Linux):
# only one that fits is sent ahead, so that writing it returns at once.
_AHEAD_MAX = 96 * 1024


def _fits_in_pipe(page: CapturedPage) -> bool:
    return isinstance(page.body, bytes) and len(page.body) <= _AHEAD_MAX


class PipeWatch(Protocol):
    """Something that calls `ready()` whenever `conn` is readable (a reactor), from the
    thread that uses the pool."""

    def add(self, conn, ready: Callable[[], None]) -> None: ...

    def remove(self, conn) -> None: ...


class _Worker:
    """One worker process, its end of the pipe, and the page it is deriving."""

    def __init__(self, context):
        self.context = context
        self.process = None
        self.conn = None
        self.pages = 0
        self.ready = False  # it said it has imported and waits for pages
        self.jobs: deque[tuple[CapturedPage, Future]] = deque()  # sent, in the order sent
        self.deadline = 0.0  # for the first of them

    def takes(self, page: CapturedPage) -> bool:
        """Free for `page`: idle, or busy with one page and `page` small enough to wait in the
        pipe's buffer (so that writing it never holds the caller)."""
        if self.process is None or not self.ready:
            return False
        return not self.jobs or (len(self.jobs) < 2 and _fits_in_pipe(page))

    def start(self) -> None:
        parent, child = self.context.Pipe()
        self.process = self.context.Process(target=_worker_main, args=(child,), daemon=True,
                                            name="archiver-derive")
        self.process.start()
        child.close()
        self.conn = parent
        self.pages = 0
        self.ready = False

    def stop(self, kill: bool = False, join: bool = True):
        """Kill it, or tell it to exit and (`join`) wait for that; the process is returned."""
        process = self.process
        try:
            if kill:
                process.kill()
            else:
                self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.conn.close()
        self.process = self.conn = None
        self.ready = False
        if kill:
            process.join()
        elif join:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
        return process

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
                 max_pages: int = DEFAULT_MAX_PAGES, watch: PipeWatch | None = None):
        self.workers = default_workers() if workers is None else max(0, int(workers))
        self.timeout = timeout
        self.max_pages = max_pages
        self.watch = watch
        self.replaced = 0
        self._waiting: deque[tuple[CapturedPage, Future]] = deque()
        self._workers: list[_Worker] = []
        self._retired: list = []  # processes told to exit after max_pages, not yet reaped
        self._closed = False
        self._busy = 0.0  # CPU seconds the workers spent on pages since _watched_since
        self._watched_since = time.monotonic()
        # spawn, not fork: the crawl process runs threads and a reactor that a fork would copy
        # mid-state; a spawned worker imports only the pure derivation code.
        self._context = multiprocessing.get_context("spawn") if self.workers else None
        if self.workers:
            self._add_worker()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- submitting and taking results ------------------------------------------------------------
    def submit(self, page: CapturedPage) -> Future:
        """A future for the page's Derived. With workers it is answered by `collect` (called by
        the watch, or by `result` and `imap`), in the thread that uses the pool."""
        if self._closed:
            raise RuntimeError("the derive pool is closed")
        future: Future = Future()
        # A body over DECODED_LIMIT is turned away by derive_item before any work: done here, it is
        # not copied to a worker (a crawl of an endless body cut at 64 MiB: 377 MB peak, 269 MB).
        if not self.workers or (isinstance(page.body, bytes) and len(page.body) > DECODED_LIMIT):
            future.set_result(derive_fields(page))
            return future
        self._waiting.append((page, future))
        self._dispatch()
        self._grow_if_busy()
        return future

    def collect(self, ready=None, timeout: float = 0.0) -> None:
        """Fail the pages over the time limit, take the results on the `ready` pipes (or on any
        that is readable within `timeout` seconds), and give the waiting pages to free workers. Futures are answered last, once the pool is in order again: their callbacks
        may submit more pages."""
        if ready is None:
            pipes = [w.conn for w in self._workers if w.conn is not None and (w.jobs or not w.ready)]
            ready = wait(pipes, timeout) if pipes else ()
        answers: list[tuple[Future, Derived]] = []
        now = time.monotonic()
        for worker in self._workers:
            # First: a result that came after the limit is not taken, whenever it is looked at.
            if worker.jobs and now >= worker.deadline:
                page, future = self._stop(worker, kill=True)
                answers.append((future, self._lost(
                    page, f"derivation took longer than {self.timeout:g} s; its worker was replaced")))
        for conn in ready:
            worker = next((w for w in self._workers if w.conn is conn), None)
            if worker is not None:  # else a pipe closed since it became readable
                self._take(worker, answers)
        self._dispatch()
        for future, derived in answers:
            future.set_result(derived)

    def result(self, future: Future, timeout: float | None = None) -> "Derived":
        """Wait for `future`, taking every other result that arrives meanwhile."""
        end = None if timeout is None else time.monotonic() + timeout
        while not future.done():
            now = time.monotonic()
            if end is not None and now >= end:
                raise TimeoutError("the derive pool did not answer in time")
            limits = [w.deadline for w in self._workers if w.jobs] + ([end] if end else [])
            self.collect(timeout=max(0.0, min(limits) - now) if limits else 1.0)
        return future.result()

    def imap(self, pages: Iterable[CapturedPage], window: int | None = None) -> Iterator[tuple[CapturedPage, "Derived"]]:
        """(page, derived) in the order of `pages`, with at most `window` pages in flight."""
        window = window or max(2, 4 * self.workers)
        inflight: deque = deque()
        for page in pages:
            inflight.append((page, self.submit(page)))
            if len(inflight) >= window:
                done, future = inflight.popleft()
                yield done, self.result(future)
        while inflight:
            done, future = inflight.popleft()
            yield done, self.result(future)

    def close(self) -> None:
        """Finish the pages submitted so far, then stop the workers."""
        if self._closed:
            return
        self._closed = True
        while self._waiting or any(w.jobs for w in self._workers):
            pending = self._waiting[-1][1] if self._waiting else next(w.jobs[-1][1] for w in self._workers if w.jobs)
            self.result(pending)
        for worker in self._workers:
            if worker.process is not None:
                self._stop(worker)
        for process in self._retired:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()

    # -- the workers ------------------------------------------------------------------------------
    def _add_worker(self) -> None:
        worker = _Worker(self._context)
        self._workers.append(worker)
        self._start(worker)

    def _start(self, worker: _Worker) -> None:
        worker.start()
        if self.watch is not None:
            self.watch.add(worker.conn, partial(self.collect, (worker.conn,)))

    def _stop(self, worker: _Worker, kill: bool = False, retire: bool = False):
        """Stop a worker; the page it was deriving is returned, the pages after it wait again."""
        if self.watch is not None:
            self.watch.remove(worker.conn)  # before the pipe closes: its descriptor may be reused
        process = worker.stop(kill=kill, join=not retire)
        if retire:  # told to exit, not waited for: its exit must not hold the crawl's loop
            # is_alive() reaps those that have exited, so that a long crawl leaves no zombies.
            self._retired = [p for p in self._retired if p.is_alive()] + [process]
        current = worker.jobs.popleft() if worker.jobs else None
        self._waiting.extendleft(reversed(worker.jobs))
        worker.jobs.clear()
        return current

    def _dispatch(self) -> None:
        while self._waiting:
            page, future = self._waiting[0]
            # The least busy worker that takes it: an idle one first.
            worker = min((w for w in self._workers if w.takes(page)), key=lambda w: len(w.jobs), default=None)
            if worker is None:
                for stopped in (w for w in self._workers if w.process is None):
                    self._start(stopped)  # it takes pages once it says it is ready
                return
            if worker.pages >= self.max_pages and not worker.jobs:
                self._stop(worker, retire=True)
                self._start(worker)
                continue
            try:
                worker.conn.send(page)
            except (OSError, ValueError):  # it died while free: the page goes to its successor
                self._stop(worker, kill=True)
                continue
            self._waiting.popleft()
            if not worker.jobs:
                worker.deadline = time.monotonic() + self.timeout
            worker.jobs.append((page, future))

    def _take(self, worker: _Worker, answers: list) -> None:
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            death, started = worker.death(), worker.ready
            job = self._stop(worker, kill=True)
            if job is None and not started and self._waiting:
                # It died before it could take a page (a broken install): each attempt costs one
                # waiting page its article, so that the crawl goes on and says why.
                job = self._waiting.popleft()
            if job is not None:
                answers.append((job[1], self._lost(
                    job[0], f"the derive worker died ({death}) on this page; it was replaced")))
            return
        if not worker.ready:
            worker.ready = message == _READY
            return
        if not worker.jobs:
            return
        _, future = worker.jobs.popleft()
        worker.deadline = time.monotonic() + self.timeout  # the next page's, if one was sent
        worker.pages += 1
        # The worker's own CPU time: how long the caller waited would count its own busy loop too.
        self._busy += message.cpu_seconds
        answers.append((future, message))

    def _lost(self, page: CapturedPage, reason: str) -> "Derived":
        self.replaced += 1
        logger.warning("%s: %s", page.final_url, reason)
        return Derived.failed(reason)

    def _grow_if_busy(self) -> None:
        now = time.monotonic()
        watched = now - self._watched_since
        if len(self._workers) >= self.workers or watched < GROW_AFTER:
            return
        busy = self._busy / (watched * len(self._workers))
        self._busy, self._watched_since = 0.0, now
        if busy >= GROW_BUSY:
            self._add_worker()
