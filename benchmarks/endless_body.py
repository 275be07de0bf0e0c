"""A body that never ends, cut at DOWNLOAD_MAXSIZE: peak memory of the crawl (workers included),
its time, the record written and the item's size.

    python benchmarks/endless_body.py [--maxsize 67108864] [--derive on|off|both]

The server (tests/faulty_server.py, /endless) sends HTML paragraphs, chunked, until the client
hangs up. The record must hold exactly the first DOWNLOAD_MAXSIZE bytes, marked
`WARC-Truncated: length`, and `archiver verify` must pass.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from faulty_server import FaultyServer, endless_body  # noqa: E402
from process_tree import run_measured  # noqa: E402
from warcio.archiveiterator import ArchiveIterator  # noqa: E402

from archiver.crawler import settings as archiver_settings  # noqa: E402


def crawl(url: str, archive: Path, maxsize: int, derive: bool):
    off = ["-s", "ARCHIVER_DERIVE=0"] if hasattr(archiver_settings, "ARCHIVER_DERIVE") else ["-s", "ITEM_PIPELINES={}"]
    return run_measured([sys.executable, "-m", "archiver", "--archive", str(archive), "crawl", url,
                         "-s", f"DOWNLOAD_MAXSIZE={maxsize}", "-s", "ARCHIVER_PROGRESS=0",
                         "-s", "LOG_LEVEL=WARNING", *([] if derive else off)], cwd=ROOT)


def the_record(archive: Path, url: str) -> tuple[int, str | None, bool]:
    """Payload length, WARC-Truncated, and whether the payload is what the server sent."""
    for path in sorted((archive / "warcs").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "response" and rec.rec_headers.get_header("WARC-Target-URI") == url:
                    payload = rec.raw_stream.read()
                    return len(payload), rec.rec_headers.get_header("WARC-Truncated"), payload == endless_body(len(payload))
    return 0, None, False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--maxsize", type=int, default=64 * 1024 * 1024)
    parser.add_argument("--derive", choices=["on", "off", "both"], default="both")
    args = parser.parse_args()

    server = FaultyServer().start()
    url = server.url("/endless")
    ok = True
    print(f"DOWNLOAD_MAXSIZE {args.maxsize / 2**20:.0f} MiB")
    print(f"{'derivation':12}{'seconds':>9}{'CPU s':>8}{'peak RSS MB':>13}{'payload MiB':>13}{'truncated':>11}"
          f"{'item line MB':>14}  verify")
    for derive in {"on": [True], "off": [False], "both": [False, True]}[args.derive]:
        archive = Path(tempfile.mkdtemp(prefix="archiver-endless-")) / "archive"
        run = crawl(url, archive, args.maxsize, derive)
        length, truncated, same = the_record(archive, url)
        lines = [len(line) for f in (archive / "items").glob("*.jsonl") for line in open(f, "rb")]
        verify = run_measured([sys.executable, "-m", "archiver", "--archive", str(archive), "verify", "-q"], cwd=ROOT)
        good = run.returncode == 0 and length == args.maxsize and truncated == "length" and same and verify.returncode == 0
        ok &= good
        print(f"{'on' if derive else 'off':12}{run.seconds:9.1f}{run.cpu_seconds:8.1f}{run.peak_rss / 1e6:13.0f}"
              f"{length / 2**20:13.1f}{truncated or '-':>11}{max(lines, default=0) / 1e6:14.1f}  "
              f"{'pass' if good else 'FAIL'}")
        if not good:
            print(run.stderr[-2000:], verify.stdout[-1000:], file=sys.stderr)
    server.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
