"""Re-crawl rounds: fetch the URLs that are due, and with `every`, keep doing so.

Each round is one run of the `articles` spider with `from_state=1`. Twisted's reactor cannot be
started twice in one process, so a long-running loop runs each round in a forked child; the
parent holds the archive's crawl lock the whole time and sleeps until the next URL is due.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from dataclasses import dataclass

from .runner import exit_code, run_spider
from ..store.state import CrawlState


@dataclass
class Round:
    due: int
    stats: dict | None = None
    code: int = 0


def due_count(state_path, *, include_all: bool, limit: int | None, now: float | None = None) -> int:
    state = CrawlState.open_existing(state_path)
    if state is None:
        return 0
    try:
        summary = state.summary(now)
        count = summary["urls"] if include_all else summary["due_now"]
    finally:
        state.close()
    return min(count, limit) if limit is not None else count


def next_due(state_path) -> float | None:
    state = CrawlState.open_existing(state_path)
    if state is None:
        return None
    try:
        return state.next_due()
    finally:
        state.close()


def spider_args(*, include_all: bool, limit: int | None) -> dict:
    """The spider arguments of a re-crawl; the same ones work with `scrapy crawl` and Scrapyd."""
    args = {"from_state": "1"}
    if include_all:
        args["all"] = "1"
    if limit is not None:
        args["limit"] = str(limit)
    return args


def run_round(settings, state_path, *, include_all: bool = False, limit: int | None = None) -> Round:
    """One re-crawl in this process (the reactor is then spent: use `run_round_in_child` to loop)."""
    due = due_count(state_path, include_all=include_all, limit=limit)
    if not due:
        return Round(0)
    stats = run_spider(settings, **spider_args(include_all=include_all, limit=limit))
    return Round(due, stats, exit_code(stats))


def _child(settings, state_path, include_all, limit):
    # The parent's SIGTERM handler is not ours: let Scrapy install its own graceful one.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    code = run_round(settings, state_path, include_all=include_all, limit=limit).code
    # os._exit skips the interpreter's cleanup (the parent's atexit hooks are not ours): flush by hand.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run_round_in_child(settings, state_path, *, include_all: bool = False, limit: int | None = None) -> Round:
    due = due_count(state_path, include_all=include_all, limit=limit)
    if not due:
        return Round(0)
    child = multiprocessing.get_context("fork").Process(target=_child, args=(settings, state_path, include_all, limit))
    child.start()
    try:
        child.join()
    except BaseException:
        # Stopped while a round runs: let the crawl close its WARC cleanly, then go.
        child.terminate()
        child.join(60)
        raise
    return Round(due, None, child.exitcode or 0)


def seconds_until_next(state_path, every: float, now: float | None = None) -> float:
    """How long to sleep: until the next URL is due, but never longer than `every` (so that URLs
    added meanwhile by `archiver crawl` are picked up) and never less than a second."""
    now = time.time() if now is None else now
    upcoming = next_due(state_path)
    wait = every if upcoming is None else min(every, upcoming - now)
    return max(1.0, wait)
