"""`archiver extract` over one WARC of N seed-shaped pages, with 1 derive worker and with N:
wall seconds, pages/s, and the speed-up.

    python benchmarks/rederive.py [--pages 10000] [--workers 2] [--profile-pages]

The WARC is written with the archiver's own record writer (response + request per page, the
pages gzip'd as the fixture site serves them), so no crawl is timed here: only reading the WARC,
deriving each page in the pool and writing the items. `--profile-pages` serves the pages under
the demo site's host so that they take the profile path instead of the generic one.
"""
from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from site_fixture import article_html  # noqa: E402

from archiver.warc.record import http_record, warc_date  # noqa: E402
from archiver.warc.writer import RotatingWarcWriter  # noqa: E402


def write_warc(folder: Path, pages: int, host: str) -> Path:
    from datetime import datetime, timezone

    writer = RotatingWarcWriter(folder, prefix="bench", max_size=10**12, info_fields=[("software", "bench")])
    date = warc_date(datetime.now(timezone.utc))
    for n in range(pages):
        url = f"http://{host}/article/{n}/"
        body = gzip.compress(article_html(n), mtime=0)
        head = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Encoding: gzip\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode())
        response = http_record("response", url, date, head, body, content_type="application/http; msgtype=response")
        request = http_record("request", url, date, f"GET /article/{n}/ HTTP/1.1\r\nHost: {host}\r\n\r\n".encode(), b"",
                              content_type="application/http; msgtype=request")
        response.headers.append(("WARC-Concurrent-To", request.record_id))
        request.headers.append(("WARC-Concurrent-To", response.record_id))
        writer.write([response, request])
    writer.close()
    return folder


def timed_extract(warcs: Path, workers: int) -> tuple[float, int]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "archiver", "extract", str(warcs), "--workers", str(workers),
                           "--items", str(warcs.parent / f"items-{workers}.jsonl")],
                          cwd=ROOT, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if done.returncode:
        sys.exit(f"extract failed: {done.stderr[-2000:]}")
    return seconds, sum(1 for _ in open(warcs.parent / f"items-{workers}.jsonl"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--profile-pages", action="store_true", help="pages of a host with a site profile")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="archiver-rederive-"))
    host = "theduran.com" if args.profile_pages else "127.0.0.1:8000"
    warcs = write_warc(work / "warcs", args.pages, host)
    size = sum(p.stat().st_size for p in warcs.iterdir())
    print(f"{args.pages} pages ({'profile' if args.profile_pages else 'generic'} path), WARC {size / 1e6:.1f} MB")
    print(f"{'workers':>8} {'seconds':>8} {'pages/s':>8} {'items':>6}")
    results = {}
    for workers in (1, args.workers):
        seconds, items = timed_extract(warcs, workers)
        results[workers] = seconds
        print(f"{workers:>8} {seconds:>8.1f} {args.pages / seconds:>8.1f} {items:>6}")
    print(f"speed-up with {args.workers} workers: {results[1] / results[args.workers]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
