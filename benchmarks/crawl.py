"""Crawl N pages on 127.0.0.1 with bare Scrapy and with `archiver crawl` (derivation off; full,
in the crawl's own process; full with 1 worker; full with up to N workers), side by side, and
print one table: pages/s, throughput against bare Scrapy, CPU seconds, and peak RSS summed over
the crawl and its workers.

    python benchmarks/crawl.py [--pages 2000] [--concurrency 32] [--runs 3] [--workers N]
                               [--kinds generic,profile]

Two kinds of pages: `generic`, the seed-shaped pages of tests/site_fixture.py, which take the
generic extraction path; `profile`, the bundled demo site's pages (a site profile matches them),
each served under many URLs with a comment making every copy's payload distinct (identical
payloads would be archived as revisits). Both are served gzip'd, as news sites do, each page
compressed once before the runs: the site is on the same cores as the crawl it serves.

Each configuration runs `--runs` times, the configurations alternating within each round so that
a busy machine slows them alike; the table gives the median pages/s and the largest peak RSS.
Every archive is then checked with `warcio check` and `archiver verify`.
"""
from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from process_tree import run_measured  # noqa: E402
from site_fixture import FixtureSite  # noqa: E402

from archiver.crawler import settings as archiver_settings  # noqa: E402
from archiver.demo.server import load_pages  # noqa: E402


class ProfileSite:
    """The demo site's pages, page n at /p/n/ (copy n of demo page n % 6), gzip'd."""

    def __init__(self):
        self.pages = list(load_pages().values())
        self.gzip_cache: dict[int, bytes] = {}

    def start(self) -> "ProfileSite":
        pages, cache = self.pages, self.gzip_cache

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path == "/robots.txt":
                    body, headers = b"User-agent: *\nAllow: /\n", [("Content-Type", "text/plain")]
                else:
                    n = int(self.path.strip("/").split("/")[-1])
                    body = cache.get(n)
                    if body is None:
                        html = pages[n % len(pages)].replace(b"</body>", b"<!-- copy %d --></body>" % n)
                        body = cache.setdefault(n, gzip.compress(html, mtime=0))
                    headers = [("Content-Type", "text/html; charset=UTF-8"), ("Content-Encoding", "gzip")]
                self.send_response(200)
                for name, value in headers + [("Content-Length", str(len(body)))]:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def article_urls(self, count: int) -> list[str]:
        return [f"http://127.0.0.1:{self.port}/p/{n}/" for n in range(count)]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def warm_up(site, urls: list[str]) -> None:
    """Fetch every page once before measuring, so that each is gzip'd once, not by every run:
    a server compressing 2,000 pages takes seconds of CPU from the crawls on the same cores."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    if hasattr(site, "gzip_cache") and site.gzip_cache is None:
        site.gzip_cache = {}

    def fetch(url):
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(fetch, urls))


def configurations(workers: int) -> dict[str, list[str] | None]:
    """The archiver's `-s` settings per row; None for bare Scrapy."""
    if not hasattr(archiver_settings, "ARCHIVER_DERIVE"):
        # An archiver without the derivation settings: derivation off means no item pipelines.
        return {"bare Scrapy": None, "derivation off": ["-s", "ITEM_PIPELINES={}"], "full, in-process": []}
    return {
        "bare Scrapy": None,
        "derivation off": ["-s", "ARCHIVER_DERIVE=0"],
        "full, in-process": ["-s", "ARCHIVER_DERIVE_WORKERS=0"],
        "full, 1 worker": ["-s", "ARCHIVER_DERIVE_WORKERS=1"],
        f"full, {workers} workers": ["-s", f"ARCHIVER_DERIVE_WORKERS={workers}"],
    }


def crawl_once(extra: list[str] | None, seeds: Path, work: Path, concurrency: int):
    common = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "ROBOTSTXT_OBEY=1",
              "-s", f"CONCURRENT_REQUESTS={concurrency}", "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}",
              "-s", "LOG_LEVEL=WARNING"]
    out = Path(tempfile.mkdtemp(dir=work))
    if extra is None:
        cmd = [sys.executable, "-m", "scrapy", "runspider", str(ROOT / "benchmarks" / "bare_scrapy_spider.py"),
               "-a", f"urls={seeds}", "-s", "TELNETCONSOLE_ENABLED=0", "-o", str(out / "bare.jsonl"), *common]
        return run_measured(cmd, cwd=out), out
    cmd = [sys.executable, "-m", "archiver", "--archive", str(out / "archive"), "crawl", "--urls", str(seeds),
           "-s", "ARCHIVER_PROGRESS=0", *common, *extra]
    return run_measured(cmd, cwd=ROOT), out / "archive"


def check(archive: Path) -> tuple[int, bool]:
    """Items written, and whether warcio check and archiver verify pass."""
    if not (archive / "warcs").exists():  # bare Scrapy: items only
        return sum(1 for _ in open(archive / "bare.jsonl")), True
    warcs = sorted((archive / "warcs").glob("*.warc.gz"))
    items = sum(1 for f in (archive / "items").glob("*.jsonl") for _ in open(f)) if (archive / "items").exists() else 0
    warcio = subprocess.run([sys.executable, "-m", "warcio.cli", "check", *map(str, warcs)], capture_output=True)
    verify = subprocess.run([sys.executable, "-m", "archiver", "--archive", str(archive), "verify", "-q"],
                            capture_output=True, cwd=ROOT)
    return items, bool(warcs) and warcio.returncode == 0 and verify.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--kinds", default="generic,profile")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="archiver-bench-"))
    configs = configurations(args.workers)
    print(f"{args.pages} pages, concurrency {args.concurrency}, median of {args.runs} alternating runs, "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    print(f"{'pages':9}{'crawl':20}{'pages/s':>9}{'x bare':>8}{'CPU s':>8}{'peak RSS MB':>13}{'items':>7}  checks")
    ok = True
    for kind in args.kinds.split(","):
        site = (FixtureSite(pages=args.pages) if kind == "generic" else ProfileSite()).start()
        seeds = work / f"seeds-{kind}.txt"
        seeds.write_text("\n".join(site.article_urls(args.pages)) + "\n")
        warm_up(site, site.article_urls(args.pages))
        runs: dict[str, list] = {name: [] for name in configs}
        for _ in range(args.runs):
            for name, extra in configs.items():
                measured, out = crawl_once(extra, seeds, work, args.concurrency)
                if measured.returncode != 0:
                    print(f"{name} failed (exit {measured.returncode}):\n{measured.stderr[-3000:]}", file=sys.stderr)
                    return 1
                runs[name].append((measured, out))
        site.stop()
        bare_rate = statistics.median(args.pages / m.seconds for m, _ in runs["bare Scrapy"])
        for name, results in runs.items():
            rate = statistics.median(args.pages / m.seconds for m, _ in results)
            cpu = statistics.median(m.cpu_seconds for m, _ in results)
            peak = max(m.peak_rss for m, _ in results)
            items, sound = check(results[-1][1])
            # Derivation off leaves the captures for `archiver extract`: no items to count.
            good = sound and (name == "derivation off" or items == args.pages)
            ok &= good
            print(f"{kind:9}{name:20}{rate:9.1f}{rate / bare_rate:8.2f}{cpu:8.1f}{peak / 1e6:13.0f}{items:7d}  "
                  f"{'pass' if good else 'FAIL'}")
    print(f"work folder: {work}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
