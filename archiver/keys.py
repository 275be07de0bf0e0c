"""The names components share: Request.meta keys and crawl stats.

Scrapy keeps its signals in one module; ours are in crawler/signals.py, and the keys and stat
names that pass between components live here, so that a reader finds every producer and
consumer of one by its name. The stats decide exit codes and fill the summary
(crawler/progress.py, crawler/runner.py).
"""
from __future__ import annotations

# -- Request.meta keys ------------------------------------------------------------------------
SEED_META = "archiver_seed"                     # the URL as seeded, carried across redirects
WIRE_META = "_archiver_wire"                    # the bytes the download handler teed off the wire
CAPTURE_META = "archiver_capture"               # where the capture middleware wrote the exchange
NOT_MODIFIED_META = "archiver_not_modified_digest"  # payload digest a conditional request stands for
ENTRY_META = "archiver_queue_entry"             # a distributed crawl's claimed queue entry

# -- stats ------------------------------------------------------------------------------------
FATAL = "archiver/fatal"                        # why the crawl had to stop: exit 1
SEED_ERROR = "archiver/seed_error"              # a seed file went bad mid-way
SEEDS_REQUESTED = "archiver/seeds_requested"
SEEDS_DONE = "archiver/seeds_done"
BAD_SEEDS = "archiver/bad_seeds"
BAD_SITEMAPS = "archiver/bad_sitemaps"
BAD_FEEDS = "archiver/bad_feeds"
SITEMAPS_READ = "archiver/sitemaps_read"
SITEMAPS_TOO_DEEP = "archiver/sitemaps_too_deep"  # listed deeper than ARCHIVER_SITEMAP_DEPTH: not read
FAILED = "archiver/failed"
STOPPED = "archiver/stopped"                    # requests dropped or cut because the crawl stopped
FAILED_BY_TYPE = "archiver/failed/"             # + the exception's class name
HTTP_ERRORS = "archiver/http_errors"
STATUS_CLASS = "archiver/status/"               # + 2xx, 3xx, ...
TRUNCATED = "archiver/truncated/"               # + length, time, disconnect
REFUSED = "archiver/refused/"                   # + the policy rule
RETRY_AFTER_HONOURED = "archiver/retry_after_honoured"
RETRY_AFTER_TOO_LONG = "archiver/retry_after_too_long"
NOT_ARCHIVED = "archiver/not_archived"
WARC_RECORDS = "archiver/warc_records"
WARC_BYTES = "archiver/warc_bytes"
WARC_FILES = "archiver/warc_files"
WARC_RECOVERED = "archiver/warc_recovered"
REVISITS = "archiver/revisits"
ITEMS = "archiver/items"
ITEMS_INCOMPLETE = "archiver/items_incomplete"  # without title or body (an error page, not HTML)
DERIVED = "archiver/derived"                    # captures whose derivation returned
DERIVE_ERRORS = "archiver/derive_errors"        # derivation raised, timed out or its worker died
DERIVE_ERROR_LAST = "archiver/derive_error"     # the last such error, one line
DERIVE_PENDING = "archiver/derive_pending"      # captures left for `archiver extract` at shutdown
ITEM_ERRORS = "archiver/item_errors"            # an item pipeline raised (Scrapy logs and goes on)
ITEM_ERROR_LAST = "archiver/item_error"
VERSIONS_FIRST = "archiver/versions/first"
VERSIONS_NEW = "archiver/versions/new"
REDIS_REQUEUED = "archiver/redis/requeued"
REDIS_DONE = "archiver/redis/done"
