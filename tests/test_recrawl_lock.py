"""Two crawls on one archive never overlap: the second says so and exits 0 (safe under cron)."""
import subprocess
import sys
import time
from pathlib import Path

from conftest import FAST, ROOT, run_archiver

# Full fetches, so that every request the site answers shows in `site.hits` (304s do not).
FULL = [*FAST, "-s", "ARCHIVER_CONDITIONAL_REQUESTS=0"]

sys.path.insert(0, str(ROOT))
from archiver.store.lock import CrawlLock, CrawlRunning  # noqa: E402


def test_second_run_exits_0_with_a_message(site, tmp_path):
    archive = tmp_path / "archive"
    assert run_archiver(archive, "crawl", *site.article_urls(2), *FAST).returncode == 0
    with CrawlLock(archive / "crawl.lock"):
        hits = dict(site.hits)
        for args in (["recrawl", "--all"], ["crawl", site.url("/article/5/")]):
            result = run_archiver(archive, *args, *FULL)
            assert result.returncode == 0, result.stderr
            assert "another crawl is running" in result.stderr
        assert site.hits == hits  # nothing was fetched
    result = run_archiver(archive, "recrawl", "--all", *FAST)
    assert result.returncode == 0 and "another crawl" not in result.stderr


def test_lock_is_released_when_the_holder_dies(tmp_path):
    lock = tmp_path / "crawl.lock"
    holder = subprocess.Popen([sys.executable, "-c",
                               "import sys, time; sys.path.insert(0, sys.argv[1]);"
                               "from archiver.store.lock import CrawlLock; CrawlLock(sys.argv[2]).acquire(); print('held', flush=True); time.sleep(60)",
                               str(ROOT), str(lock)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        try:
            CrawlLock(lock).acquire()
            raise AssertionError("the lock was taken twice")
        except CrawlRunning as exc:
            assert str(holder.pid) in str(exc)
    finally:
        holder.kill()
        holder.wait()
    CrawlLock(lock).acquire().release()


def test_every_keeps_running_and_holds_the_lock(site, tmp_path):
    archive = tmp_path / "archive"
    urls = site.article_urls(2)
    assert run_archiver(archive, "crawl", *urls, *FAST).returncode == 0
    # Due again a second after each fetch, so that `--every 1s` fetches them round after round.
    schedule = ["-s", "ARCHIVER_MIN_INTERVAL=1", "-s", "ARCHIVER_MAX_INTERVAL=1", "-s", "ARCHIVER_INITIAL_INTERVAL=1"]
    loop = subprocess.Popen([sys.executable, "-m", "archiver", "--archive", str(archive), "recrawl", "--all",
                             "--every", "1s", *FULL, *schedule], cwd=str(ROOT), stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        while site.hits.get("/article/0/", 0) < 3 and time.time() < deadline:
            time.sleep(0.2)
        assert site.hits.get("/article/0/", 0) >= 3, "the loop did not run round after round"
        second = run_archiver(archive, "recrawl", *FAST)
        assert second.returncode == 0 and "another crawl is running" in second.stderr
    finally:
        loop.terminate()
        _, err = loop.communicate(timeout=60)
    assert loop.returncode == 0, err
    assert "stopped" in err
    # Every WARC the loop wrote was closed, not left `.open`.
    assert not list(Path(archive, "warcs").glob("*.open"))
