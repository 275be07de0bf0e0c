"""Distributed crawling on Redis: several machines share one queue of requests.

`archiver crawl ... --redis URL` puts the seeds into a shared queue and crawls as one worker;
`archiver worker --redis URL` joins. Each worker writes WARCs, items and state into its own
archive folder; only the queue, the seen-set and the workers' heartbeats live in Redis.

  connection.py  the URL, the connection, one clear message when Redis cannot be used
  keys.py        the key names, all under one crawl name
  codec.py       a Request to a JSON entry and back (no pickle: Redis may be shared)
  queue.py       the reliable queue: claim into a per-worker list, fenced ack, requeue a dead worker's
  heartbeat.py   the thread that tells the other workers this one is alive
  dupefilter.py  the shared seen-set of request fingerprints
  scheduler.py   the Scrapy scheduler over all of it
  done.py        the spider middleware that says when a claimed URL is fully done
"""
from __future__ import annotations

SCHEDULER = "archiver.crawler.distributed.scheduler.RedisScheduler"
DUPEFILTER = "archiver.crawler.distributed.dupefilter.RedisDupeFilter"
REQUEST_DONE = "archiver.crawler.distributed.done.RequestDoneMiddleware"


def enable(settings) -> None:
    """Swap in the Redis scheduler and seen-set when ARCHIVER_REDIS_URL is set (Scrapy's plug points).

    The spider middleware that tells when a URL is done is added here too, and only here: listed
    in every crawl's settings it made each crawl of one machine log that it was disabled.
    """
    if not settings.get("ARCHIVER_REDIS_URL"):
        return
    priority = settings.getpriority("ARCHIVER_REDIS_URL")
    middlewares = settings.getdict("SPIDER_MIDDLEWARES")
    # Nearest the engine (10), so that it sees the callback's final output; settings.py has the order.
    middlewares.setdefault(REQUEST_DONE, 10)
    settings.set("SPIDER_MIDDLEWARES", middlewares, priority=max(priority, settings.getpriority("SPIDER_MIDDLEWARES") or 0))
    if settings.getpriority("SCHEDULER") < priority:
        settings.set("SCHEDULER", SCHEDULER, priority=priority)
    if settings.getpriority("DUPEFILTER_CLASS") < priority:
        settings.set("DUPEFILTER_CLASS", DUPEFILTER, priority=priority)
