"""The archiver's own Scrapy signals, connecting components without them importing each other."""

# A seed could not be fetched at all (DNS, refused, timeout after retries): kwargs url, reason.
seed_failed = object()

# The spider has put in its last seed (its `start()` is exhausted): no kwargs.
seeds_exhausted = object()

# The crawl began to stop (a first Ctrl-C or SIGTERM): retries stop waiting. No kwargs.
crawl_stopping = object()

# The grace for requests in flight is over: downloads still running are cut, none start. No kwargs.
downloads_cut = object()

# A request is fully done: its callback finished and its items are through the pipelines, or its
# errback ran. kwargs request. (The distributed queue acks a claimed URL on it.)
request_finished = object()
