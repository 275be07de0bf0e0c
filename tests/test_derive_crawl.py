"""Derivation in the crawl: a capture is never lost to it.

A failed derivation still leaves the URL in the state store (known, due, re-derivable) and an
item with a one-line reason; a run where every page failed exits 1 without dumping pages; a
derive worker killed mid-crawl costs one page's article, nothing else.
"""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FAST, ROOT, run_archiver
from heavy_pages import HeavySite, children, is_derive_worker


def items_of(archive: Path) -> list[dict]:
    return [json.loads(line) for path in sorted((archive / "items").glob("*.jsonl")) for line in path.open()]


def state_urls(archive: Path) -> dict[str, sqlite3.Row]:
    db = sqlite3.connect(archive / "state.sqlite3")
    db.row_factory = sqlite3.Row
    try:
        return {row["url"]: row for row in db.execute("SELECT * FROM urls")}
    finally:
        db.close()


def runnable(pid: int) -> bool:
    """The process is on a core or waiting for one (state R), not blocked waiting for work."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "R"
    except (FileNotFoundError, ProcessLookupError):
        return False


def test_a_broken_extractor_fails_loudly_and_keeps_every_capture(tmp_path):
    # What a fresh install without lxml_html_clean looked like: trafilatura cannot import. A
    # package of that name that raises on import stands in for the missing one, in this run only.
    shadow = tmp_path / "shadow" / "lxml_html_clean"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('lxml_html_clean is not installed')\n")
    archive = tmp_path / "archive"
    env = {"PYTHONPATH": os.pathsep.join([str(shadow.parent), str(ROOT)])}
    done = run_archiver(archive, "demo", env=env)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert len(output.encode()) < 20_000
    assert "Traceback" not in output and "<html" not in output.lower()
    [error] = [line for line in output.splitlines() if line.startswith("  ERROR: ")]
    assert "derivation failed for every page (6 of 6): derivation failed: ImportError: " in error
    assert "lxml_html_clean" in error
    # Every capture is known to the state, due again and waiting to be derived.
    urls = state_urls(archive)
    assert len(urls) == 6 and all(row["pending"] and row["last_status"] == 200 for row in urls.values())
    status = run_archiver(archive, "status")
    assert "6 known" in status.stdout and "pending:   6" in status.stdout
    items = items_of(archive)
    assert sorted(i["url"] for i in items) == sorted(urls)
    assert all(i["reason"].startswith("derivation failed: ImportError: ") and i["body"] is None for i in items)
    # Once the install is whole again, the captures are derived from the WARCs, no re-fetch.
    again = run_archiver(archive, "extract", "--pending")
    assert again.returncode == 0, again.stderr
    assert not any(row["pending"] for row in state_urls(archive).values())
    derived = [i for i in items_of(archive) if i["body"]]
    assert len(derived) == 6 and all(i["version"] == 1 for i in derived)


def test_a_derive_worker_killed_mid_crawl_costs_one_pages_article(tmp_path):
    site = HeavySite(16).start()
    try:
        seeds = tmp_path / "seeds.txt"
        seeds.write_text("\n".join(site.urls()) + "\n")
        archive = tmp_path / "archive"
        crawl = subprocess.Popen(
            [sys.executable, "-m", "archiver", "--archive", str(archive), "crawl", "--urls", str(seeds), *FAST,
             "-s", "ARCHIVER_DERIVE_WORKERS=1", "-s", "ROBOTSTXT_OBEY=0"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            # Once the first article is written the worker derives page after page (each about
            # 0.5 s of CPU, more pages queued): kill it while it is computing. Computing is told by
            # its state (running or waiting for a core), twice 50 ms apart, not by the CPU it got:
            # with both cores busy it got less than 3 ticks in 0.1 s and was never picked. No
            # deadline of its own: the crawl is bounded, and its end fails the test.
            victim = None
            while victim is None:
                assert crawl.poll() is None, "no derive worker got busy"
                time.sleep(0.05)
                if not any(p.stat().st_size for p in (archive / "items").glob("*.jsonl")):
                    continue
                for pid in (p for p in children(crawl.pid) if is_derive_worker(p)):
                    if runnable(pid) and (time.sleep(0.05) or runnable(pid)):
                        victim = pid
                        break
            os.kill(victim, signal.SIGKILL)
            output, _ = crawl.communicate(timeout=300)
        finally:
            if crawl.poll() is None:
                crawl.kill()
    finally:
        site.stop()
    assert crawl.returncode == 0, output
    urls = state_urls(archive)
    assert sorted(urls) == sorted(site.urls())
    items = {i["url"]: i for i in items_of(archive)}
    assert sorted(items) == sorted(site.urls())
    died = [i for i in items.values() if i["reason"] and "derive worker died (killed by SIGKILL)" in i["reason"]]
    assert len(died) == 1, [i["reason"] for i in items.values()]
    assert all(i["body"] for i in items.values() if i not in died)
    # The page that lost its article is still pending: `extract --pending` derives it from the WARC.
    assert [u for u, row in urls.items() if row["pending"]] == [died[0]["url"]]
    assert "derivation errors: 1" in output


def test_a_derivation_over_the_time_limit_is_stopped_mid_crawl(tmp_path):
    # Each page takes a worker about 0.5 s of CPU: over a 0.1 s limit, every one is stopped (the
    # crawl's loop checks the limit four times within it), and the crawl goes on.
    site = HeavySite(3).start()
    try:
        archive = tmp_path / "archive"
        done = run_archiver(archive, "crawl", *site.urls(), "-s", "ARCHIVER_DERIVE_WORKERS=1",
                            "-s", "ARCHIVER_DERIVE_TIMEOUT=0.1", "-s", "ROBOTSTXT_OBEY=0")
    finally:
        site.stop()
    output = done.stdout + done.stderr
    reason = "derivation took longer than 0.1 s; its worker was replaced"
    # Every page failed derivation: loud, exit 1, and every capture kept for `extract --pending`.
    assert done.returncode == 1 and f"derivation failed for every page (3 of 3): {reason}" in output, output
    items = items_of(archive)
    assert sorted(i["url"] for i in items) == sorted(site.urls()) and all(i["reason"] == reason for i in items)
    assert all(row["pending"] for row in state_urls(archive).values()) and len(state_urls(archive)) == 3


def test_capture_only_leaves_every_capture_for_extract(tmp_path):
    archive = tmp_path / "archive"
    done = run_archiver(archive, "demo", "-s", "ARCHIVER_DERIVE=0")
    assert done.returncode == 0, done.stderr
    assert "not derived (ARCHIVER_DERIVE off): 6 captures" in done.stderr
    assert items_of(archive) == []
    assert sum(1 for row in state_urls(archive).values() if row["pending"]) == 6
    extracted = run_archiver(archive, "extract", "--pending", "--workers", "1")
    assert extracted.returncode == 0, extracted.stderr
    items = items_of(archive)
    assert len(items) == 6 and all(i["title"] and i["body"] and i["version"] == 1 for i in items)
    assert not any(row["pending"] for row in state_urls(archive).values())
