"""Crawl N seed-shaped pages on 127.0.0.1 with `archiver crawl` and with bare Scrapy, same machine,
same run, same concurrency; print pages/s, peak memory and WARC bytes, then check every record.

    python benchmarks/crawl.py [--pages 2000] [--concurrency 16]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from site_fixture import FixtureSite  # noqa: E402


def run_measured(cmd: list[str], cwd: Path) -> tuple[float, int, subprocess.CompletedProcess]:
    """Wall seconds and peak RSS (KiB) of one child process."""
    code = ("import resource, subprocess, sys, time, json\n"
            "t = time.monotonic()\n"
            "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
            "e = time.monotonic() - t\n"
            "print(json.dumps({'seconds': e, 'maxrss': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
            "'rc': p.returncode, 'stderr': p.stderr[-3000:]}))\n")
    out = subprocess.run([sys.executable, "-c", code, *cmd], cwd=cwd, capture_output=True, text=True)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return data["seconds"], data["maxrss"], data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    site = FixtureSite(pages=args.pages).start()
    work = Path(tempfile.mkdtemp(prefix="archiver-bench-"))
    seeds = work / "seeds.txt"
    seeds.write_text("\n".join(site.article_urls(args.pages)) + "\n")
    common = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
              "-s", f"CONCURRENT_REQUESTS={args.concurrency}", "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={args.concurrency}",
              "-s", "LOG_LEVEL=WARNING"]

    archive = work / "archive"
    a_secs, a_rss, a = run_measured([sys.executable, "-m", "archiver", "--archive", str(archive), "crawl",
                                     "--urls", str(seeds), "-s", "ARCHIVER_PROGRESS=0", *common], ROOT)
    if a["rc"] != 0:
        print(a["stderr"], file=sys.stderr)
        return 1
    b_secs, b_rss, b = run_measured([sys.executable, "-m", "scrapy", "runspider", str(ROOT / "benchmarks" / "bare_scrapy_spider.py"),
                                     "-a", f"urls={seeds}", "-s", "TELNETCONSOLE_ENABLED=0",
                                     "-s", "REMOTE_CONTROL_ENABLED=0", "-s", "ROBOTSTXT_OBEY=1",
                                     "-o", str(work / "bare.jsonl"), *common], work)
    site.stop()

    warcs = sorted((archive / "warcs").glob("*.warc.gz"))
    warc_bytes = sum(w.stat().st_size for w in warcs)
    item_count = sum(1 for f in (archive / "items").glob("*.jsonl") for _ in open(f))
    bare_count = sum(1 for _ in open(work / "bare.jsonl")) if (work / "bare.jsonl").exists() else 0
    check = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", *map(str, warcs)], capture_output=True, text=True)
    verify = subprocess.run([sys.executable, "-m", "archiver", "--archive", str(archive), "verify", "-q"],
                            capture_output=True, text=True, cwd=ROOT)

    print(f"pages: {args.pages}, concurrency: {args.concurrency}, Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    print(f"{'':14}{'seconds':>9}{'pages/s':>10}{'peak RSS MB':>13}{'items':>8}")
    print(f"{'archiver':14}{a_secs:9.1f}{args.pages / a_secs:10.1f}{a_rss / 1024:13.0f}{item_count:8d}")
    print(f"{'bare Scrapy':14}{b_secs:9.1f}{args.pages / b_secs:10.1f}{b_rss / 1024:13.0f}{bare_count:8d}")
    print(f"WARC: {len(warcs)} files, {warc_bytes / 1e6:.1f} MB ({warc_bytes / args.pages / 1000:.1f} KB/page)")
    print(f"warcio check: {'pass' if check.returncode == 0 else 'FAIL'}; archiver verify: "
          f"{'pass' if verify.returncode == 0 else 'FAIL'} ({verify.stdout.strip().splitlines()[-1]})")
    print(f"work folder: {work}")
    return 0 if check.returncode == 0 and verify.returncode == 0 and item_count == args.pages else 1


if __name__ == "__main__":
    sys.exit(main())
