from __future__ import annotations

import signal
import sys
import time
from datetime import datetime

from . import fail
from .crawl import add_crawl_options
from ..store.archive import Archive
from ..store.lock import CrawlLock, CrawlRunning
from ..crawler.recrawl import run_round, run_round_in_child, seconds_until_next
from ..crawler.runner import build_settings, parse_setting_overrides
from ..store.schedule import parse_duration


def register(sub):
    p = sub.add_parser("recrawl", help="re-fetch the URLs that are due",
                       description="Re-fetch the archive's URLs that are due (adaptive schedule): unchanged pages "
                                   "become small revisit records, changed ones new versions. Safe under cron: a "
                                   "second run while one is running exits 0 with a message.")
    p.add_argument("--all", action="store_true", help="re-fetch every known URL, due or not")
    p.add_argument("--limit", type=int, metavar="N", help="at most N URLs per round, the most overdue first")
    p.add_argument("--every", metavar="DURATION",
                   help="keep running: wake when the next URL is due, at least every DURATION (e.g. 15m, 1h)")
    add_crawl_options(p)
    p.set_defaults(run=run, archive_use="existing")


def _say(message: str) -> None:
    print(f"archiver: {message}", file=sys.stderr, flush=True)


def run(args) -> int:
    try:
        overrides = parse_setting_overrides(args.settings)
        every = parse_duration(args.every) if args.every else None
    except ValueError as exc:
        return fail(str(exc), 2)
    if args.limit is not None and args.limit < 1:
        return fail("--limit must be at least 1", 2)
    archive = Archive(args.archive)
    settings = build_settings(args.archive, overrides, log_level="INFO" if args.verbose else "WARNING")
    try:
        lock = CrawlLock(archive.lock_path).acquire()
    except CrawlRunning as exc:
        _say(f"{exc}; not started")
        return 0
    try:
        if not archive.state_path.exists():
            _say(f"nothing to re-crawl: no state in {archive.root} yet (run `archiver crawl` first)")
            return 0
        if every is None:
            done = run_round(settings, archive.state_path, include_all=args.all, limit=args.limit)
            if not done.due:
                _say("nothing is due")
            return done.code
        return _keep_running(settings, archive, args, every)
    finally:
        lock.release()


def _stop(signum, frame):
    raise KeyboardInterrupt


def _keep_running(settings, archive, args, every: float) -> int:
    # systemd and `kill` send SIGTERM: end the loop the way Ctrl-C does.
    signal.signal(signal.SIGTERM, _stop)
    try:
        while True:
            done = run_round_in_child(settings, archive.state_path, include_all=args.all, limit=args.limit)
            if done.code:
                _say(f"the round stopped with exit code {done.code}")
                return done.code
            wait = seconds_until_next(archive.state_path, every)
            wake = datetime.fromtimestamp(time.time() + wait).strftime("%Y-%m-%d %H:%M:%S")
            _say(f"{'re-crawled ' + str(done.due) + ' URLs' if done.due else 'nothing was due'}; next round at {wake}")
            time.sleep(wait)
    except KeyboardInterrupt:
        _say("stopped")
        return 0
