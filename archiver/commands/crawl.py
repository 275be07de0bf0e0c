from __future__ import annotations

import sys

from .. import keys
from . import fail
from ..store.archive import Archive, first_missing
from ..crawler.distributed.connection import RedisUnavailable, connect
from ..store.lock import CrawlLock, CrawlRunning
from ..crawler.runner import build_settings, exit_code, parse_setting_overrides, run_spider
from ..store.seeds import SeedFileError, check_seed_file


def add_crawl_options(parser):
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="set any Scrapy or archiver setting (repeatable)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what Scrapy does (INFO level)")


def add_redis_options(parser, *, required: bool) -> None:
    parser.add_argument("--redis", required=required, metavar="URL",
                        help="the Redis of a distributed crawl, e.g. redis://queue-host:6379/0"
                             + ("" if required else ": put the seeds into its shared queue and crawl as one worker"))
    parser.add_argument("--name", metavar="NAME",
                        help="the distributed crawl's name, the prefix of its Redis keys (default: archiver, "
                             "or ARCHIVER_REDIS_NAME)")


def redis_overrides(args, *, until_idle: bool, seeder: bool) -> dict:
    """Settings for a distributed run; checks the URL (BadRedisUrl) and that Redis answers (RedisUnavailable)."""
    if not args.redis:
        return {}
    connect(args.redis).close()
    out = {"ARCHIVER_REDIS_URL": args.redis, "ARCHIVER_REDIS_UNTIL_IDLE": until_idle, "ARCHIVER_REDIS_SEEDER": seeder}
    if args.name:
        out["ARCHIVER_REDIS_NAME"] = args.name
    return out


def register(sub):
    p = sub.add_parser("crawl", help="fetch the seeds, write WARCs, items and state",
                       description="Fetch URLs once into the archive: WARC captures, article items, state.")
    p.add_argument("urls", nargs="*", metavar="URL", help="URLs to fetch")
    p.add_argument("--urls", dest="url_files", action="append", default=[], metavar="FILE",
                   help="a seed list: plain text, CSV with a url column, or JSON Lines; - for stdin")
    p.add_argument("--sitemap", action="append", default=[], metavar="URL", help="a sitemap or sitemap index (gzip allowed)")
    p.add_argument("--feed", action="append", default=[], metavar="URL", help="an RSS or Atom feed")
    add_redis_options(p, required=False)
    add_crawl_options(p)
    p.set_defaults(run=run, archive_use="create")


def run(args) -> int:
    if not (args.urls or args.url_files or args.sitemap or args.feed):
        return fail("crawl: nothing to fetch; give URLs, --urls FILE, --sitemap URL or --feed URL", 2)
    try:
        overrides = parse_setting_overrides(args.settings)
        for path in args.url_files:
            check_seed_file(path)
        # A distributed crawl ends, like a crawl of one machine, when all of its work is done.
        overrides.update(redis_overrides(args, until_idle=True, seeder=True))
    except RedisUnavailable as exc:
        return fail(str(exc), 1)
    except (ValueError, SeedFileError) as exc:  # BadRedisUrl included
        return fail(str(exc), 2)
    settings = build_settings(args.archive, overrides, log_level="INFO" if args.verbose else "WARNING")
    archive = Archive(args.archive)
    created = first_missing(archive.root)
    try:
        # One crawl per archive at a time: two would race on the state and the WARC serials.
        with CrawlLock(archive.lock_path):
            stats = run_spider(settings, seeds=args.urls, urls=args.url_files, sitemap=args.sitemap, feed=args.feed)
    except CrawlRunning as exc:
        print(f"archiver: {exc}; not started", file=sys.stderr)
        return 0
    code = crawl_exit_code(stats)
    # A typo'd seed (`crawl htp://x`) leaves no empty archive behind to be mistaken for a real one.
    if code and created is not None:
        archive.discard_unused(created)
    return code


def crawl_exit_code(stats: dict) -> int:
    code = exit_code(stats)
    if code:
        return code
    bad = sum(stats.get(k, 0) for k in (keys.BAD_SEEDS, keys.BAD_SITEMAPS, keys.BAD_FEEDS))
    if not stats.get(keys.SEEDS_REQUESTED) and (bad or stats.get(keys.SEED_ERROR)):
        print("archiver: no usable seed (every seed, sitemap or feed given was bad; see above)", file=sys.stderr)
        return 2
    return 0
