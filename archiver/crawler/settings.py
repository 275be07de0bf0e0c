"""Scrapy settings of the archiver. Every one can be overridden with `-s NAME=VALUE`.

Order of the archiver's components (lower numbers are nearer the engine):
  downloader middlewares: Scrapy's own (robots 100 ... compression 590, redirect 600, stats
      850) with BackoffRetryMiddleware 550 in place of Scrapy's retry (backoff, Retry-After),
      HeadMetaRefreshMiddleware 580 in place of Scrapy's meta refresh (reads the start of the
      body only, instead of decoding all of it),
      SeedSitesPolicy 650 (reads a 3xx before redirect does: stops off-site hops and loops),
      ConditionalRequestMiddleware 900 (If-None-Match and If-Modified-Since from the state on a
      re-crawl; after redirect 600 so that it sees each hop), WarcCaptureMiddleware 950,
      nearest the wire, so it sees each hop with its body still content-encoded (and writes a
      revisit record for unchanged payloads), and each failed attempt (process_exception)
      before retry sees it.
  spider middlewares (distributed crawls only: added by archiver.crawler.distributed.enable
      when ARCHIVER_REDIS_URL is set): RequestDoneMiddleware 10, nearest the engine, so that it
      sees the callback's final output and can tell when a claimed URL and its items are done
      (archiver/crawler/distributed/done.py).
  scheduler and dupefilter: Scrapy's scheduler with the seen-set on disk (crawler/seen.py), or with ARCHIVER_REDIS_URL (`--redis`) the shared
      queue and seen-set of archiver/crawler/distributed/ (set by archiver.crawler.distributed.enable).
  item pipelines: DerivePipeline 100 (the capture into the state at once; its article derived
      in worker processes; versions), NormalizePipeline 200 (items of any other component in
      normal form), JsonLinesItemsPipeline 900 (items/*.jsonl).
"""
from .. import __version__
from ..store.archive import default_archive

BOT_NAME = "archiver"
SPIDER_MODULES = ["archiver.crawler.spider"]
NEWSPIDER_MODULE = "archiver.crawler.spider"

ARCHIVER_ARCHIVE = default_archive()
# Who runs this crawl: goes into the User-Agent and the warcinfo record. Set it.
ARCHIVER_CONTACT = ""
ARCHIVER_OPERATOR = ""
ARCHIVER_WARC_PREFIX = "archiver"
ARCHIVER_WARC_MAX_SIZE = 1_000_000_000
# Set by the spider from ARCHIVER_CONTACT unless given.
USER_AGENT = f"archiver/{__version__} (+https://github.com/archiver)"

# No listening ports: the remote-control server and the telnet console stay off.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False

# Politeness: obey robots.txt, a few requests per host at once, and adapt to the server.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Items processed at once per response. A page gives one item; Scrapy's default of 100 starts 100
# asyncio tasks for every response all the same (2 cores, 2,000 pages of a site profile, one
# derive worker, single runs: 0.54x bare Scrapy's rate with 100, 0.84x with 1).
CONCURRENT_ITEMS = 1
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 60
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
COOKIES_ENABLED = False
HTTPERROR_ALLOW_ALL = True
REDIRECT_MAX_TIMES = 10
# A cut body is archived (marked WARC-Truncated) rather than dropped: see crawler/handler.py.
DOWNLOAD_FAIL_ON_DATALOSS = False
# Retries wait: 1 s, then doubled up to 60 s; Retry-After is honoured up to 300 s (crawler/retry.py).
ARCHIVER_RETRY_BACKOFF = 1.0
ARCHIVER_RETRY_BACKOFF_MAX = 60.0
ARCHIVER_RETRY_AFTER_MAX = 300.0
# Redirects are followed within the seed's site only (crawler/policy.py).
ARCHIVER_FOLLOW_OFFSITE = False
# For a shared service crawling other people's lists: refuse private, loopback and link-local
# addresses, checked on the address actually connected to (crawler/handler.py).
ARCHIVER_REFUSE_PRIVATE = False

DOWNLOAD_HANDLERS = {
    "http": "archiver.crawler.handler.RecordingDownloadHandler",
    "https": "archiver.crawler.handler.RecordingDownloadHandler",
}
DOWNLOADER_MIDDLEWARES = {
    "archiver.crawler.policy.SeedSitesPolicy": 650,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "archiver.crawler.refresh.HeadMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "archiver.crawler.retry.BackoffRetryMiddleware": 550,
    "archiver.crawler.conditional.ConditionalRequestMiddleware": 900,
    "archiver.crawler.capture.WarcCaptureMiddleware": 950,
}
ITEM_PIPELINES = {
    "archiver.crawler.pipelines.DerivePipeline": 100,
    "archiver.crawler.pipelines.NormalizePipeline": 200,
    "archiver.crawler.pipelines.JsonLinesItemsPipeline": 900,
}
# Derivation (archiver/derive/): articles are extracted in worker processes, off the crawl's loop.
# False: capture only (WARCs and state); the captures stay pending for `archiver extract --pending`.
ARCHIVER_DERIVE = True
# Worker processes; empty = one per core; 0 = in the crawl's own process (for debugging).
ARCHIVER_DERIVE_WORKERS = ""
# A page whose derivation takes longer gets a `reason`, and its worker is replaced.
ARCHIVER_DERIVE_TIMEOUT = 120
# Pages waiting for a worker at most (0 = 4 per worker); beyond it, fetching waits.
ARCHIVER_DERIVE_QUEUE = 0
# SPIDER_MIDDLEWARES: RequestDoneMiddleware is added by archiver.crawler.distributed.enable.
EXTENSIONS = {
    # A failed robots.txt fetch logged as one line, without Scrapy's traceback (crawler/logs.py).
    "archiver.crawler.logs.QuietDownloadErrors": 100,
    "archiver.crawler.progress.Progress": 500,
    # The first Ctrl-C or SIGTERM cuts what is in flight after ARCHIVER_STOP_GRACE (crawler/stopping.py).
    "archiver.crawler.stopping.PromptStop": 600,
}
# Seconds that requests in flight get to finish once a crawl is asked to stop; then they are cut.
# Closing takes about a second more, so a stop ends well within 10 s.
ARCHIVER_STOP_GRACE = 3.0

# The seen-set of request fingerprints lives in ARCHIVE/.seen-PID.sqlite3 (crawler/seen.py): a
# Python set of 10M fingerprints holds 1.24 GB; this holds its page cache, ARCHIVER_SEEN_CACHE_MB.
DUPEFILTER_CLASS = "archiver.crawler.seen.DiskDupeFilter"
ARCHIVER_SEEN_CACHE_MB = 16

# Sitemap indexes listing indexes are read this many levels deep (the --sitemap one is level 1):
# indexes that list each other under ever new URLs would otherwise never end. The protocol
# allows one index level; 5 leaves room for the nesting real sites do.
ARCHIVER_SITEMAP_DEPTH = 5

# Re-crawl schedule (store/schedule.py): durations as 90, 30m, 6h, 2d or 1w.
ARCHIVER_CONDITIONAL_REQUESTS = True
ARCHIVER_MIN_INTERVAL = "1h"
ARCHIVER_MAX_INTERVAL = "30d"
ARCHIVER_INITIAL_INTERVAL = "1d"
ARCHIVER_INTERVAL_GROWTH = 2.0
ARCHIVER_INTERVAL_SHRINK = 0.5
# An article is re-checked at least every AGE_FACTOR x its age (young ones often).
ARCHIVER_AGE_FACTOR = 0.25
ARCHIVER_GONE_INTERVAL = "90d"
ARCHIVER_FAILURE_BACKOFF = "1h"

# Distributed crawling (archiver/crawler/distributed/): empty URL = a crawl of this machine alone.
ARCHIVER_REDIS_URL = ""
# Namespace of the Redis keys: crawls with different names share a Redis without mixing.
ARCHIVER_REDIS_NAME = "archiver"
# With --until-idle (and for `crawl --redis`): end once no work existed anywhere for this long.
ARCHIVER_REDIS_IDLE = "5s"
ARCHIVER_REDIS_UNTIL_IDLE = False
# Set by `crawl --redis`: this process puts seeds in, so workers do not go idle meanwhile.
ARCHIVER_REDIS_SEEDER = False
# Heartbeat of each worker; one silent for ARCHIVER_REDIS_STALE has its URLs requeued.
ARCHIVER_REDIS_HEARTBEAT = "1s"
ARCHIVER_REDIS_STALE = "30s"
# URLs one worker holds at once (claimed, not done): more for crawls over many hosts.
ARCHIVER_REDIS_PREFETCH = 8

# Scrapy re-reads and parses the callback's source for every response to warn about `return
# value` in a generator: its cache is keyed by the bound method, new with each request. That
# cost ArticlesSpider.parse 2 ms a page under the profiler, the largest single cost of a crawl
# with derivation off.
WARN_ON_GENERATOR_RETURN_VALUE = False

LOG_LEVEL = "INFO"
# Items are named by their URL in log lines, never dumped with their body.
LOG_FORMATTER = "archiver.crawler.logs.ItemsByName"
FEED_EXPORT_ENCODING = "utf-8"
