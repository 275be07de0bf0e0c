"""Progress while crawling, and a summary at the end.

On a terminal: one line redrawn in place (done of known total, rate, errors, bytes archived).
In a log or a pipe: a plain line every `ARCHIVER_PROGRESS_INTERVAL` seconds. Always a summary.
"""
from __future__ import annotations

import sys
import time

from scrapy import signals
from twisted.internet import task
from .. import keys


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n} B"


class Progress:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.out = sys.stderr
        self.tty = self.out.isatty()
        self.interval = crawler.settings.getfloat("ARCHIVER_PROGRESS_INTERVAL", 0.5 if self.tty else 10.0)
        self.enabled = crawler.settings.getbool("ARCHIVER_PROGRESS", True)
        self.started = time.monotonic()
        self.loop = None
        self.total = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider):
        self.started = time.monotonic()
        known_total = getattr(spider, "known_total", None)
        self.total = known_total() if callable(known_total) else None
        if self.enabled:
            self.loop = task.LoopingCall(self.show)
            self.loop.start(self.interval, now=False)

    def line(self) -> str:
        get = self.stats.get_value
        done = get(keys.SEEDS_DONE, 0)
        elapsed = max(time.monotonic() - self.started, 1e-6)
        of = f"/{self.total}" if self.total else ""
        errors = get(keys.FAILED, 0) + get(keys.HTTP_ERRORS, 0)
        return (f"{done}{of} URLs, {done / elapsed:.1f}/s, {errors} errors, "
                f"{human_bytes(get(keys.WARC_BYTES, 0))} archived")

    def show(self):
        if self.tty:
            self.out.write("\r\x1b[K" + self.line())
        else:
            self.out.write("progress: " + self.line() + "\n")
        self.out.flush()

    def spider_closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
        if self.tty and self.enabled:
            self.out.write("\r\x1b[K")
        self.reason = reason

    def engine_stopped(self):
        self.out.write(summary(self.stats.get_stats(), getattr(self, "reason", "finished"),
                               self.crawler.settings.get("ARCHIVER_ARCHIVE")) + "\n")
        self.out.flush()


def summary(stats: dict, reason: str, archive: str) -> str:
    classes = ", ".join(f"{c}: {stats[keys.STATUS_CLASS + c]}" for c in ("2xx", "3xx", "4xx", "5xx", "1xx")
                        if stats.get(keys.STATUS_CLASS + c))
    fetched = sum(v for k, v in stats.items() if k.startswith(keys.STATUS_CLASS))
    lines = [
        f"archiver: crawl {reason}",
        f"  fetched: {fetched} responses ({classes or 'none'})",
        f"  seeds done: {stats.get(keys.SEEDS_DONE, 0)}, failed: {stats.get(keys.FAILED, 0)},"
        f" bad seed lines: {stats.get(keys.BAD_SEEDS, 0)}",
    ]
    if stats.get(keys.STOPPED):
        lines.append(f"  not fetched or cut short, as the crawl stopped: {stats[keys.STOPPED]}")
    if stats.get(keys.SITEMAPS_READ) or stats.get(keys.BAD_SITEMAPS):
        lines.append(f"  sitemaps read: {stats.get(keys.SITEMAPS_READ, 0)}, bad: {stats.get(keys.BAD_SITEMAPS, 0)}"
                     + (f", not read (nested deeper than ARCHIVER_SITEMAP_DEPTH): {stats[keys.SITEMAPS_TOO_DEEP]}"
                        if stats.get(keys.SITEMAPS_TOO_DEEP) else ""))
    lines += outcome_lines(stats)
    revisits = stats.get(keys.REVISITS, 0)
    errors = stats.get(keys.DERIVE_ERRORS, 0)
    lines.append(f"  items: {stats.get(keys.ITEMS, 0)} (without title or body: {stats.get(keys.ITEMS_INCOMPLETE, 0)}"
                 + (f", derivation errors: {errors}" if errors else "") + ")"
                 + (f", unchanged (revisits): {revisits}" if revisits else ""))
    if stats.get(keys.DERIVE_PENDING):
        lines.append(f"  not derived (ARCHIVER_DERIVE off): {stats[keys.DERIVE_PENDING]} captures;"
                     " `archiver extract --pending` derives them")
    if errors and not stats.get(keys.FATAL):
        lines.append(f"  last derivation error: {stats.get(keys.DERIVE_ERROR_LAST)}")
    lines.append(f"  WARC: {stats.get(keys.WARC_FILES, 0)} files, "
                 f"{human_bytes(stats.get(keys.WARC_BYTES, 0))} in {archive}/warcs")
    if stats.get(keys.FATAL):
        lines.append(f"  ERROR: {stats[keys.FATAL]}")
    return "\n".join(lines)


# Why a fetch failed, in words, from the exception name counted by the spider's errback.
FAILURE_NAMES = {
    "DownloadTimeoutError": "timeout", "TimeoutError": "timeout", "TCPTimedOutError": "timeout",
    "ConnectionRefusedError": "connection refused", "DownloadConnectionRefusedError": "connection refused", "DownloadFailedError": "connection lost",
    "ResponseFailed": "connection lost", "ConnectionLost": "connection lost",
    "DNSLookupError": "DNS lookup failed", "Refused": "refused by policy",
    "BadGzipFile": "body not in its Content-Encoding", "DecompressionError": "body not in its Content-Encoding",
}
REFUSAL_NAMES = {"redirect_loop": "redirect loop", "offsite_redirect": "off-site redirect",
                 "private_address": "private address"}


def _counts(stats: dict, prefix: str, names: dict | None = None) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, value in stats.items():
        if key.startswith(prefix) and isinstance(value, int):
            name = key[len(prefix):]
            name = (names or {}).get(name, name)
            out[name] = out.get(name, 0) + value
    return out


def _join(counts: dict[str, int]) -> str:
    return ", ".join(f"{name}: {n}" for name, n in sorted(counts.items()))


def outcome_lines(stats: dict) -> list[str]:
    """Each outcome of the crawl counted: statuses, cut bodies, failures, refusals, retries."""
    lines = []
    statuses = _counts(stats, "downloader/response_status_count/")
    if statuses:
        lines.append(f"  by status: {_join(statuses)}")
    truncated = _counts(stats, keys.TRUNCATED)
    if truncated:
        lines.append(f"  cut bodies (kept, marked WARC-Truncated): {_join(truncated)}")
    failures = _counts(stats, keys.FAILED_BY_TYPE, FAILURE_NAMES)
    if failures:
        lines.append(f"  failed: {_join(failures)}")
    refused = _counts(stats, keys.REFUSED, REFUSAL_NAMES)
    if refused:
        lines.append(f"  stopped: {_join(refused)}")
    retries = stats.get("retry/count", 0)
    if retries or stats.get(keys.RETRY_AFTER_TOO_LONG):
        lines.append(f"  retries: {retries} (Retry-After honoured: {stats.get(keys.RETRY_AFTER_HONOURED, 0)},"
                     f" too long to wait: {stats.get(keys.RETRY_AFTER_TOO_LONG, 0)})")
    return lines
