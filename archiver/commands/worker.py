"""`archiver worker --redis URL`: join a distributed crawl and fetch from its shared queue."""
from __future__ import annotations

import sys

from . import fail
from .crawl import add_crawl_options, add_redis_options, redis_overrides
from ..store.archive import Archive
from ..crawler.distributed.connection import BadRedisUrl, RedisUnavailable
from ..store.lock import CrawlLock, CrawlRunning
from ..crawler.runner import build_settings, exit_code, parse_setting_overrides, run_spider


def register(sub):
    p = sub.add_parser("worker", help="join a distributed crawl (Redis)",
                       description="Fetch URLs from a distributed crawl's shared Redis queue into this machine's "
                                   "archive folder (WARCs, items, state). Start the crawl with "
                                   "`archiver crawl ... --redis URL`.")
    add_redis_options(p, required=True)
    p.add_argument("--until-idle", action="store_true",
                   help="exit once the queue is empty and no worker holds work for ARCHIVER_REDIS_IDLE "
                        "(default 5s); without it, wait for more work")
    add_crawl_options(p)
    p.set_defaults(run=run, archive_use="create")


def run(args) -> int:
    try:
        overrides = parse_setting_overrides(args.settings)
        overrides.update(redis_overrides(args, until_idle=args.until_idle, seeder=False))
    except BadRedisUrl as exc:
        return fail(str(exc), 2)
    except RedisUnavailable as exc:
        return fail(str(exc), 1)
    except ValueError as exc:
        return fail(str(exc), 2)
    settings = build_settings(args.archive, overrides, log_level="INFO" if args.verbose else "WARNING")
    try:
        # Each machine its own archive folder; two workers on one folder would race on its state.
        with CrawlLock(Archive(args.archive).lock_path):
            stats = run_spider(settings)
    except CrawlRunning as exc:
        print(f"archiver: {exc}; not started", file=sys.stderr)
        return 0
    return exit_code(stats)
