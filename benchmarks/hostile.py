"""Peak memory of `archiver extract` on hostile captures: a gzip bomb, 64 MiB bodies, and the
largest body still derived.

Builds WARCs with the archiver's own writer (tests/hostile_warcs.py), runs the real
`archiver extract` on each in a child process and prints its wall time, its peak RSS
(os.wait4's ru_maxrss, the child alone), and what became of each capture. The WARCs are built
by another child first: a child's peak counts what it shared with its parent before exec, and
a parent that had held the bomb would be measured too.

    python benchmarks/hostile.py                 # a 1 GiB gzip bomb, 64 MiB and 8 MiB bodies
    python benchmarks/hostile.py --bomb-gib 4
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from hostile_warcs import article, bomb_warc, head, write_warc  # noqa: E402


def run_extract(warc: Path) -> dict:
    start = time.perf_counter()
    # --workers 0: reading and deriving in one process, so that its peak is the whole cost (with
    # worker processes, ru_maxrss would give the largest one alone, not their sum).
    child = subprocess.Popen([sys.executable, "-m", "archiver", "extract", "--workers", "0", str(warc)], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = child.stdout.read(), child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    items = [json.loads(line) for line in out.splitlines()]
    return {"seconds": time.perf_counter() - start, "peak_mb": usage.ru_maxrss / 1024, "exit": child.returncode,
            "items": [(i["url"], i["title"], i["reason"]) for i in items], "stderr": err.decode(errors="replace")}


def big_page(size: int) -> bytes:
    paragraph = b"<p>" + b"word " * 200 + b"</p>\n"
    return article("A very long page")[:-len(b"</article></body></html>")] + paragraph * (size // len(paragraph))


def build(folder: Path, bomb_gib: int) -> dict[str, Path]:
    import gzip

    cases = {f"gzip bomb, {bomb_gib} GiB decoded": bomb_warc(folder / "bomb", bomb_gib << 30)}
    body = big_page(64 << 20)
    cases["64 MiB HTML body"] = write_warc(folder / "plain", [
        ("http://news.test/big", head(length=len(body)), body),
        ("http://news.test/after", head(), article("After the big page"))])
    largest = big_page((8 << 20) - 4096)
    cases["8 MiB HTML body, the largest derived"] = write_warc(folder / "largest", [
        ("http://news.test/largest", head(length=len(largest)), largest)])
    packed = gzip.compress(body, 6)
    cases[f"64 MiB HTML body, gzip'd to {len(packed) >> 10} KiB"] = write_warc(folder / "gz", [
        ("http://news.test/big", head(length=len(packed), encoding="gzip"), packed),
        ("http://news.test/after", head(), article("After the big page"))])
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bomb-gib", type=int, default=1, help="decoded size of the gzip bomb, GiB")
    parser.add_argument("--build", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        cases = build(Path(args.build), args.bomb_gib)
        print(json.dumps({name: str(path) for name, path in cases.items()}))
        return
    with tempfile.TemporaryDirectory(prefix="hostile-bench-") as tmp:
        built = subprocess.run([sys.executable, __file__, "--build", tmp, "--bomb-gib", str(args.bomb_gib)],
                               check=True, capture_output=True, text=True)
        for name, warc in json.loads(built.stdout).items():
            result = run_extract(Path(warc))
            print(f"{name}: exit {result['exit']}, {result['seconds']:.1f} s, peak RSS {result['peak_mb']:.0f} MB")
            for url, title, reason in result["items"]:
                print(f"    {url}: {'title ' + repr(title) if title else 'no title'}"
                      + (f", reason: {reason}" if reason else ""))


if __name__ == "__main__":
    main()
