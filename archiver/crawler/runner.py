"""Running the `articles` spider in this process, with the archiver's settings."""
from __future__ import annotations

import sys

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from .. import keys
from .distributed import enable as enable_distributed


def build_settings(archive: str, overrides: dict[str, str] | None = None, *, log_level: str = "WARNING") -> Settings:
    settings = Settings()
    settings.setmodule("archiver.crawler.settings", priority="project")
    settings.set("ARCHIVER_ARCHIVE", str(archive), priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    enable_distributed(settings)
    return settings


def parse_setting_overrides(pairs: list[str]) -> dict[str, str]:
    """`-s NAME=VALUE` pairs; raises ValueError naming the first malformed one."""
    out = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"-s expects NAME=VALUE, got {pair!r}")
        out[name.strip()] = value
    return out


def run_spider(settings: Settings, **spider_args) -> dict:
    """Run one crawl to its end; returns its stats."""
    from .spider import ArticlesSpider

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(ArticlesSpider)
    failures = []
    # A crawl that cannot start (a bad setting, an unwritable archive) is reported, not dumped.
    process.crawl(crawler, **spider_args).addErrback(failures.append)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    if failures:
        exc = failures[0].value
        stats[keys.FATAL] = f"the crawl could not start: {exc.__class__.__name__}: {exc}"
        print(f"archiver: {stats[keys.FATAL]}", file=sys.stderr)
    return stats


def exit_code(stats: dict) -> int:
    if stats.get(keys.FATAL):
        return 1
    return 0
