"""The archiver's own Scrapy signals, connecting components without them importing each other."""

# A seed could not be fetched at all (DNS, refused, timeout after retries): kwargs url, reason.
seed_failed = object()
