"""Every Scrapy component of the archiver, plugged in by settings.py.

  spider.py       the `articles` spider: seeds in, one capture per page out
  handler.py      the download handler that tees the exact bytes on the wire (wire.py)
  capture.py      the downloader middleware that writes each exchange to WARC
  conditional.py  If-None-Match / If-Modified-Since on a re-crawl
  retry.py, policy.py   backoff and Retry-After; redirects kept to the seed's site
  pipelines.py    derivation, versions and state, items/*.jsonl
  pipes.py        the derive workers' pipes, watched by the reactor
  progress.py, logs.py, signals.py, fatal.py   what the user sees, and when a crawl must stop
  runner.py, recrawl.py   running a crawl in-process or a re-crawl round in a child
  distributed/    the Redis scheduler and seen-set of a crawl over several machines
"""
