"""The `articles` spider: fetch each seed once and hand its capture to the item pipelines.

Seeds come from the command line, a URL list, sitemaps or feeds, or (`-a from_state=1`, as
`archiver recrawl` runs it) the URLs that are due in the archive's state. The spider follows no
links of its own: redirects are followed by Scrapy, and sitemaps and feeds only yield more seeds.
"""
from __future__ import annotations

import logging

import scrapy
from scrapy import signals

from .. import keys
from ..page import CapturedPage
from . import signals as archiver_signals
from .failure import describe_failure
from .stopping import Stopped
from ..store.seeds import (BadSeed, Seed, SeedFileError, count_seed_lines, declares_entities, iter_seed_file,
                           seed_from_text, too_long)
from ..store.sitemaps import SitemapError, iter_sitemap

logger = logging.getLogger(__name__)



def _as_bool(value) -> bool:
    # Spider arguments arrive as strings from `scrapy crawl -a` and Scrapyd.
    return str(value).strip().lower() in ("1", "true", "yes", "on") if value is not None else False


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in value.replace(",", " ").split() if v]
    return list(value)


class ArticlesSpider(scrapy.Spider):
    name = "articles"

    def __init__(self, urls=None, url=None, sitemap=None, feed=None, seeds=None,
                 from_state=None, all=None, limit=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Re-crawl: the due URLs of the state (every known one with `all`), at most `limit`.
        self.from_state = _as_bool(from_state)
        self.due_all = _as_bool(all)
        self.due_limit = int(limit) if limit not in (None, "") else None
        # `urls` is a seed file (or "-"), `url` one or more URLs; both work with `scrapy crawl -a`.
        self.url_files = _as_list(urls)
        self.seed_urls = _as_list(url) + list(seeds or [])
        self.sitemaps = _as_list(sitemap)
        self.feeds = _as_list(feed)
        self.sitemaps_seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.configure(crawler.settings)
        return spider

    def configure(self, settings) -> None:
        # Scrapy's UrlLengthMiddleware drops a longer request silently: refuse such seeds by name.
        self.url_limit = settings.getint("URLLENGTH_LIMIT")
        # An index of indexes is read this many levels deep (the --sitemap document is level 1).
        self.sitemap_depth = max(1, settings.getint("ARCHIVER_SITEMAP_DEPTH"))

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        contact = settings.get("ARCHIVER_CONTACT")
        if contact and settings.getpriority("USER_AGENT") <= settings.getpriority("ARCHIVER_CONTACT"):
            from .. import __version__

            settings.set("USER_AGENT", f"archiver/{__version__} (+{contact})", priority=settings.getpriority("ARCHIVER_CONTACT"))

    def known_total(self) -> int | None:
        if self.sitemaps or self.feeds or self.from_state:
            return None
        total = len(self.seed_urls)
        for path in self.url_files:
            count = count_seed_lines(path)
            if count is None:
                return None
            total += count
        return total

    def _seeds(self):
        for text in self.seed_urls:
            yield self.seed(text, source="argument")
        for path in self.url_files:
            yield from iter_seed_file(path, self.url_limit)
        if self.from_state:
            yield from self._due_seeds()

    def _due_seeds(self):
        from ..store.archive import Archive
        from ..store.state import CrawlState

        state = CrawlState(Archive(self.settings.get("ARCHIVER_ARCHIVE")).state_path)
        try:
            # Read lazily, a URL at a time, as the scheduler asks for more.
            for url in state.due(limit=self.due_limit, include_all=self.due_all):
                yield Seed(url, source="state")
        finally:
            state.close()

    def seed_request(self, seed: Seed) -> scrapy.Request:
        self.crawler.stats.inc_value(keys.SEEDS_REQUESTED)
        return scrapy.Request(
            seed.url, callback=self.parse, errback=self.fetch_failed,
            meta={keys.SEED_META: seed.url}, dont_filter=False,
        )

    def bad_seed(self, bad: BadSeed) -> None:
        logger.warning(bad.describe())
        self.crawler.stats.inc_value(keys.BAD_SEEDS)

    def checked(self, seed: Seed | BadSeed) -> Seed | BadSeed:
        """A seed held to the URL length the downloader accepts (a URL known to the state may predate it)."""
        if isinstance(seed, Seed) and self.url_limit and len(seed.url) > self.url_limit:
            return BadSeed(seed.url, too_long(len(seed.url), self.url_limit), seed.line, seed.source)
        return seed

    def seed(self, text: str, line: int | None = None, source: str = "") -> Seed | BadSeed:
        return seed_from_text(text, line, source, max_length=self.url_limit)

    async def start(self):
        # Scrapy 2.19 reads start() on as long as its downloader is full, moving every request into
        # the scheduler's memory queue (a 1M-URL sitemap index: 1M requests, GBs). So each request
        # waits until the scheduler has run dry and the engine asks for more; a distributed crawl's
        # queue is in Redis, and the seeder fills it for every worker, so it is not held back.
        paced = not self.settings.get("ARCHIVER_REDIS_URL")
        async for request in self._seed_requests():
            if paced and self.crawler.engine.needs_backout():
                await self.crawler.signals.wait_for(signals.scheduler_empty)
            yield request
        # A distributed crawl counts its workers busy until every seed is in the shared queue.
        self.crawler.signals.send_catch_log(archiver_signals.seeds_exhausted)

    async def _seed_requests(self):
        seeds = self._seeds()
        while True:
            try:
                seed = self.checked(next(seeds))
            except StopIteration:
                break
            except SeedFileError as exc:
                # The file went bad mid-way (e.g. a CSV without a url column): say so, keep what ran.
                logger.error("%s", exc)
                self.crawler.stats.set_value(keys.SEED_ERROR, str(exc))
                break
            if isinstance(seed, BadSeed):
                self.bad_seed(seed)
                continue
            yield self.seed_request(seed)
        for url in self.sitemaps:
            seed = self.seed(url, source="--sitemap")
            if isinstance(seed, BadSeed):
                self.bad_seed(seed)
                continue
            self.sitemaps_seen.add(seed.url)
            async for request in self._sitemap_requests(seed.url, 1):
                yield request
        for url in self.feeds:
            seed = self.seed(url, source="--feed")
            if isinstance(seed, BadSeed):
                self.bad_seed(seed)
                continue
            async for request in self._feed_requests(seed.url):
                yield request

    # -- sitemaps and feeds only yield more seeds ---------------------------------------------
    # They are fetched here, from start(), through the downloader middlewares (so archived,
    # robots.txt obeyed, retried) but not the scheduler: their entries are read one at a time as
    # the engine asks for requests, and a sitemap's body is released once its last entry is out.

    async def _fetch_source(self, url: str, kind: str, bad_stat: str):
        request = scrapy.Request(url, dont_filter=True)
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:  # a refused, failed or timed-out fetch: named and counted
            self.count_failure(request, exc)
            self.crawler.stats.inc_value(bad_stat)
            return None
        if response.status >= 400:
            logger.warning("%s %s: HTTP %d", kind, url, response.status)
            self.crawler.stats.inc_value(bad_stat)
            return None
        return response

    async def _sitemap_requests(self, url: str, depth: int):
        response = await self._fetch_source(url, "sitemap", keys.BAD_SITEMAPS)
        if response is None:
            return
        self.crawler.stats.inc_value(keys.SITEMAPS_READ)
        too_deep = 0
        entries = iter_sitemap(response.body, self.settings.getint("DOWNLOAD_MAXSIZE"))
        while True:
            try:
                entry = next(entries)
            except StopIteration:
                break
            except SitemapError as exc:
                logger.warning("sitemap %s %s", response.url, exc)
                self.crawler.stats.inc_value(keys.BAD_SITEMAPS)
                break
            seed = self.seed(entry.loc, entry.number, response.url)
            if isinstance(seed, BadSeed):
                self.bad_seed(seed)
            elif not entry.is_sitemap:
                yield self.seed_request(seed)
            elif depth >= self.sitemap_depth:
                too_deep += 1
            elif seed.url not in self.sitemaps_seen:
                # Indexes that list each other (or themselves) are read once.
                self.sitemaps_seen.add(seed.url)
                async for request in self._sitemap_requests(seed.url, depth + 1):
                    yield request
        if too_deep:
            logger.warning("sitemap index %s is %d deep: its %d sitemaps are not read (ARCHIVER_SITEMAP_DEPTH=%d)",
                           response.url, depth, too_deep, self.sitemap_depth)
            self.crawler.stats.inc_value(keys.SITEMAPS_TOO_DEEP, too_deep)

    async def _feed_requests(self, url: str):
        import feedparser

        response = await self._fetch_source(url, "feed", keys.BAD_FEEDS)
        if response is None:
            return
        if declares_entities(response.body):
            logger.warning("feed %s refused: it declares XML entities", response.url)
            self.crawler.stats.inc_value(keys.BAD_FEEDS)
            return
        parsed = feedparser.parse(response.body, response_headers={"content-type": response.headers.get("Content-Type", b"").decode("latin-1")})
        if not parsed.get("version"):
            logger.warning("feed %s is not RSS or Atom (%s)", response.url, parsed.get("bozo_exception") or "no feed found")
            self.crawler.stats.inc_value(keys.BAD_FEEDS)
            return
        for number, entry in enumerate(parsed.entries, start=1):
            seed = self.seed(entry.get("link") or "", number, response.url)
            if isinstance(seed, BadSeed):
                self.bad_seed(seed)
            else:
                yield self.seed_request(seed)

    def parse(self, response):
        capture = response.meta.get(keys.CAPTURE_META)
        self.crawler.stats.inc_value(keys.SEEDS_DONE)
        if response.status >= 400:
            self.crawler.stats.inc_value(keys.HTTP_ERRORS)
        if capture is None:
            return
        headers = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, vs in response.headers.items() for v in vs)
        body, payload_status = response.body, None
        refers_to = capture.get("refers_to")
        if response.status == 304 and refers_to:
            # Not modified: the article is derived again from the capture that holds its payload.
            stored = self._stored_payload(refers_to)
            if stored is not None:
                headers, body, payload_status = tuple(stored.headers), stored.payload, stored.status
        yield CapturedPage(
            url=response.meta.get(keys.SEED_META, response.url),
            final_url=response.url,
            status=response.status,
            fetched_at=capture["fetched_at"],
            warc=capture["warc"],
            headers=headers,
            body=body,
            payload_status=payload_status,
            payload_digest=capture.get("payload_digest"),
            revisit=refers_to is not None,
            resolved=response.status != 304 or refers_to is not None,
        )

    def _stored_payload(self, refers_to: dict):
        from ..store.archive import Archive
        from ..warc.captures import read_response

        stored = read_response(Archive(self.settings.get("ARCHIVER_ARCHIVE")).warcs, refers_to["filename"], refers_to["offset"])
        if stored is None:
            logger.warning("the capture a revisit refers to is missing: %s at %s", refers_to["filename"], refers_to["offset"])
        return stored

    def fetch_failed(self, failure):
        request = failure.request
        self.count_failure(request, failure.value)
        # Errbacks bypass spider middlewares: say here that this request is over.
        self.crawler.signals.send_catch_log(archiver_signals.request_finished, request=request)

    def count_failure(self, request, exc: BaseException) -> None:
        if isinstance(exc, Stopped):
            # Not the URL's fault: it is left as it was in the state, for the next crawl.
            self.crawler.stats.inc_value(keys.STOPPED)
            return
        self.crawler.stats.inc_value(keys.FAILED)
        self.crawler.stats.inc_value(keys.FAILED_BY_TYPE + type(exc).__name__)
        if keys.SEED_META in request.meta:
            self.crawler.stats.inc_value(keys.SEEDS_DONE)
            self.crawler.signals.send_catch_log(archiver_signals.seed_failed, url=request.meta[keys.SEED_META],
                                                reason=str(exc) or type(exc).__name__)
        logger.warning("failed: %s (%s)", request.url, describe_failure(exc))
