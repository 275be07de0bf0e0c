"""Export speed and peak memory on archives of growing size.

Builds archives of N captures (a response record and its request record each, so 2N WARC
records, plus one item per capture; every fourth URL captured twice with changed text) by
writing WARCs directly with the archiver's writer, then runs the real `archiver export` for
each format in a child process and reports its wall time and peak RSS (os.wait4's ru_maxrss),
which covers the export alone. Flat memory shows as the same peak at every size.

    python benchmarks/export.py                    # 2,000 and 20,000 captures
    python benchmarks/export.py --sizes 2000 20000 50000 --keep /tmp/bench
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archiver.warc.record import http_record, sha1_digest, warc_date  # noqa: E402
from archiver.warc.writer import RotatingWarcWriter  # noqa: E402

FORMATS = ("wacz", "cdxj", "jsonl", "csv")
WORDS = ("harbour council ferry timetable island residents crossing spring weekday vote route morning "
         "budget mayor report school hospital road bridge rail election market weather").split()


def article(rng: random.Random, n: int, revision: int) -> tuple[str, str, bytes]:
    title = f"Story {n}: " + " ".join(rng.choice(WORDS) for _ in range(6))
    paragraphs = [" ".join(rng.choice(WORDS) for _ in range(60)) + "." for _ in range(8)]
    if revision > 1:
        paragraphs[0] = f"Updated (revision {revision}). " + paragraphs[0]
    html = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head><body><article>"
            f"<h1>{title}</h1>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article></body></html>")
    return title, "\n\n".join(paragraphs), html.encode()


def build_archive(root: Path, captures: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    writer = RotatingWarcWriter(root / "warcs", prefix="bench", host="bench", max_size=100_000_000)
    (root / "items").mkdir(parents=True)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    urls = captures * 4 // 5  # a fifth of the captures are second visits of earlier URLs
    plan = [(n, 1) for n in range(urls)] + [(n, 2) for n in range(0, urls, 4)][: captures - urls]
    with open(root / "items" / "items-bench.jsonl", "w", encoding="utf-8") as items:
        for i, (n, revision) in enumerate(plan):
            when = start + timedelta(seconds=30 * i)
            url = f"https://site{n % 50}.example.com/news/{n}/"
            title, text, body = article(rng, n, revision)
            date = warc_date(when)
            head = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n").encode()
            response = http_record("response", url, date, head, body,
                                   content_type="application/http; msgtype=response")
            request = http_record("request", url, date,
                                  f"GET /news/{n}/ HTTP/1.1\r\nHost: site{n % 50}.example.com\r\n\r\n".encode(), b"",
                                  content_type="application/http; msgtype=request")
            response.headers.append(("WARC-Concurrent-To", request.record_id))
            request.headers.append(("WARC-Concurrent-To", response.record_id))
            pointer = writer.write([response, request])[0]
            items.write(json.dumps({
                "url": url, "final_url": url, "status": 200, "fetched_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "title": title, "authors": ["A. Writer"], "tags": ["news"], "body": text,
                "content_hash": sha1_digest(text.encode()), "version": revision, "warc": pointer.as_dict(),
            }) + "\n")
    writer.close()


def run_export(archive: Path, fmt: str, out: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS in MB of one `archiver export` child process."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "archiver", "--archive", str(archive), "export",
                             "--format", fmt, "--to", str(out)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    stderr = proc.stderr.read().decode()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"export --format {fmt} failed: {stderr}")
    return elapsed, usage.ru_maxrss // 1024  # Linux reports kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000], help="captures per archive")
    parser.add_argument("--keep", metavar="DIR", help="build the archives here and keep them")
    args = parser.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="archiver-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    # Python with the CLI's imports, doing nothing: the floor every export's peak stands on.
    _, floor = run_noop()
    print(f"baseline: `archiver export --help` peaks at {floor} MB RSS")
    print(f"{'captures':>9} {'WARC MB':>8} {'format':>6} {'seconds':>8} {'peak MB':>8} {'output MB':>9}")
    try:
        for size in args.sizes:
            archive = base / f"archive-{size}"
            if not archive.exists():
                build_archive(archive, size)
            warc_mb = sum(p.stat().st_size for p in (archive / "warcs").glob("*.warc.gz")) / 1e6
            for fmt in FORMATS:
                out = base / f"export-{size}.{fmt}"
                seconds, peak = run_export(archive, fmt, out)
                print(f"{size:>9} {warc_mb:>8.1f} {fmt:>6} {seconds:>8.1f} {peak:>8} {out.stat().st_size / 1e6:>9.1f}",
                      flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


def run_noop() -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "archiver", "export", "--help"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - started, usage.ru_maxrss // 1024


if __name__ == "__main__":
    main()
