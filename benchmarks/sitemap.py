"""A sitemap index of SITEMAPS gzip'd sitemaps of URLS URLs each (default 200 x 50,000: 10M URLs),
served on 127.0.0.1 and crawled with `archiver crawl --sitemap`; the crawl is stopped with SIGTERM
after PAGES article pages. Prints the time to the first article fetched, the rate, the time
SIGTERM took to end the crawl, the peak RSS of the crawl, and whether every WARC is closed and
valid.

    python benchmarks/sitemap.py [--sitemaps 200] [--urls 50000] [--pages 2000]

The sitemaps are generated once into a cache folder (about 60 MB for 10M URLs) and reused.
"""
from __future__ import annotations

import argparse
import gzip
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = (b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Article %d</title></head><body>"
        b"<article><h1>Article %d</h1><p>A paragraph of the article, long enough to be a body.</p></article>"
        b"</body></html>")


def generate(folder: Path, sitemaps: int, urls: int) -> None:
    """sitemap-N.xml.gz for N < sitemaps, each listing `urls` article paths (a host-less template)."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(sitemaps):
        path = folder / f"sitemap-{n}.xml.gz"
        if path.exists():
            continue
        first = n * urls
        body = "".join(f"<url><loc>http://HOST/article/{i}</loc><lastmod>2018-12-13</lastmod></url>"
                       for i in range(first, first + urls))
        doc = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               + body + "</urlset>\n").encode()
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(gzip.compress(doc, compresslevel=1, mtime=0))
        tmp.rename(path)


class Site:
    def __init__(self, folder: Path, sitemaps: int):
        self.folder = folder
        self.sitemaps = sitemaps
        self.first_article: float | None = None
        self.articles = 0
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                site.serve(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def serve(self, handler):
        path = handler.path
        if path == "/robots.txt":
            return self.send(handler, b"User-agent: *\nAllow: /\n", "text/plain")
        if path == "/sitemap-index.xml":
            entries = "".join(f"<sitemap><loc>http://{self.host}/sitemap-{n}.xml.gz</loc></sitemap>"
                              for n in range(self.sitemaps))
            return self.send(handler, ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
                                       'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                                       + entries + "</sitemapindex>").encode(), "application/xml")
        if path.startswith("/sitemap-") and path.endswith(".xml.gz"):
            raw = gzip.decompress((self.folder / path.lstrip("/")).read_bytes())
            body = gzip.compress(raw.replace(b"http://HOST/", f"http://{self.host}/".encode()), compresslevel=1)
            return self.send(handler, body, "application/x-gzip")
        if path.startswith("/article/"):
            n = int(path.rsplit("/", 1)[1])
            with self.lock:
                self.articles += 1
                if self.first_article is None:
                    self.first_article = time.monotonic()
            return self.send(handler, PAGE % (n, n), "text/html; charset=utf-8")
        return self.send(handler, b"not here", "text/plain", status=404)

    @staticmethod
    def send(handler, body: bytes, ctype: str, status: int = 200):
        handler.send_response(status)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sitemaps", type=int, default=200)
    parser.add_argument("--urls", type=int, default=50_000)
    parser.add_argument("--pages", type=int, default=2000, help="stop the crawl with SIGTERM after this many pages")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "archiver-bench-sitemaps"))
    args = parser.parse_args()

    cache = Path(args.cache) / f"{args.urls}"
    started = time.monotonic()
    generate(cache, args.sitemaps, args.urls)
    print(f"sitemaps: {args.sitemaps} x {args.urls:,} URLs = {args.sitemaps * args.urls:,} "
          f"(generated or found in {time.monotonic() - started:.0f} s, {cache})")

    site = Site(cache, args.sitemaps)
    work = Path(tempfile.mkdtemp(prefix="archiver-bench-sitemap-"))
    archive = work / "archive"
    log = open(work / "crawl.log", "w")
    cmd = [sys.executable, "-m", "archiver", "--archive", str(archive), "crawl",
           "--sitemap", f"http://{site.host}/sitemap-index.xml",
           "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
           "-s", "ARCHIVER_PROGRESS=0"]
    launched = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=str(ROOT))
    deadline = launched + 600
    while site.articles < args.pages and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    fetched_when_stopped = site.articles
    term = time.monotonic()
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    _, status, usage = os.wait4(proc.pid, 0)
    stopped = time.monotonic()
    log.close()
    site.server.shutdown()

    opened = sorted(p.name for p in (archive / "warcs").glob("*.open"))
    warcs = sorted((archive / "warcs").glob("*.warc.gz"))
    check = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", *map(str, warcs)],
                           capture_output=True, text=True)
    verify = subprocess.run([sys.executable, "-m", "archiver", "--archive", str(archive), "verify", "-q"],
                            capture_output=True, text=True, cwd=str(ROOT))
    first = site.first_article - launched if site.first_article else float("nan")
    rate = fetched_when_stopped / max(term - (site.first_article or term), 1e-6)
    print(f"time to first article fetched: {first:.2f} s (from the command's start)")
    print(f"articles fetched before SIGTERM: {fetched_when_stopped} ({rate:.0f}/s)")
    print(f"SIGTERM to exit: {stopped - term:.2f} s, exit status {os.waitstatus_to_exitcode(status)}")
    print(f"peak RSS of the crawl: {usage.ru_maxrss / 1024:.0f} MB")
    print(f"WARC: {len(warcs)} files, .open left: {len(opened)}; warcio check: "
          f"{'pass' if check.returncode == 0 else 'FAIL'}; archiver verify: {'pass' if verify.returncode == 0 else 'FAIL'}")
    print(f"work folder: {work} (crawl.log)")
    ok = site.first_article is not None and not opened and check.returncode == 0 and verify.returncode == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
