"""The archiver's own Scrapy signals, connecting components without them importing each other."""

# A seed could not be fetched at all (DNS, refused, timeout after retries): kwargs url, reason.
seed_failed = object()

# The spider has put in its last seed (its `start()` is exhausted): no kwargs.
seeds_exhausted = object()

# A request is fully done: its callback finished and its items are through the pipelines, or its
# errback ran. kwargs request. (The distributed queue acks a claimed URL on it.)
request_finished = object()
