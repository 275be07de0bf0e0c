"""Seeds stream: a sitemap index of 1M URLs is read a sitemap at a time as the crawl asks for
requests; nesting of indexes is cut at ARCHIVER_SITEMAP_DEPTH, named and counted; indexes that
list each other are read once; the seen-set lives on disk and goes with the crawl."""
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FAST, ROOT, run_archiver
from sitemap_server import SitemapServer, wait_for
from test_crash import closed_warcs, warcio_check

from archiver.crawler.seen import SeenSet, remove_stale
from archiver.store.sitemaps import SitemapError, iter_sitemap


@pytest.fixture(scope="module")
def server():
    s = SitemapServer().start()
    yield s
    s.stop()


def test_a_million_url_index_is_read_one_sitemap_at_a_time(server, tmp_path):
    archive = tmp_path / "archive"
    index = server.url("/big-index.xml?sitemaps=20&urls=50000")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "archiver", "--archive", str(archive), "crawl", "--sitemap", index,
                             *FAST, "-v"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=str(ROOT))
    try:
        assert wait_for(lambda: len(server.paths("/article/")) >= 200, 120, proc), "no pages fetched"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err[-3000:]
    # 200 pages in, the first sitemap of 50,000 is all that was read ...
    assert server.paths("/big/") == ["/big/0.xml.gz?urls=50000"]
    # ... and the scheduler held the requests the downloader was about to take, not 50,000.
    enqueued = int(re.search(r"'scheduler/enqueued/memory': (\d+)", err).group(1))
    fetched = len(server.paths("/article/"))
    assert fetched <= enqueued < fetched + 100, (fetched, enqueued)
    assert "crawl shutdown" in err and "Traceback" not in err
    assert not list(Path(archive, "warcs").glob("*.open"))
    warcio_check(closed_warcs(archive))


def test_endless_chain_of_fresh_indexes_is_cut_at_the_depth(server, tmp_path):
    result = run_archiver(tmp_path / "a", "crawl", "--sitemap", server.url("/chain/1.xml"), *FAST)
    assert result.returncode == 0, result.stderr
    # /chain/1 ... /chain/5 are read (5 levels); the two sitemaps /chain/5 lists are level 6.
    assert server.paths("/chain/") == [f"/chain/{n}.xml" for n in range(1, 6)]
    assert server.url("/chain/5.xml") + " is 5 deep: its 2 sitemaps are not read (ARCHIVER_SITEMAP_DEPTH=5)" in result.stderr
    assert "not read (nested deeper than ARCHIVER_SITEMAP_DEPTH): 2" in result.stderr
    # The sitemaps of URLs down to level 5 were read and their pages fetched, none below.
    assert [n for n in range(1, 7) if f"/article/{1000 + n}" in server.hits] == [1, 2, 3, 4]


def test_depth_is_a_setting(server, tmp_path):
    before = server.hits.get("/chain/102.xml", 0)
    result = run_archiver(tmp_path / "a", "crawl", "--sitemap", server.url("/chain/101.xml"), *FAST,
                          "-s", "ARCHIVER_SITEMAP_DEPTH=2")
    assert result.returncode == 0, result.stderr
    assert server.hits.get("/chain/102.xml", 0) == before + 1 and "/chain/103.xml" not in server.hits
    assert "(ARCHIVER_SITEMAP_DEPTH=2)" in result.stderr


def test_indexes_listing_each_other_are_read_once(server, tmp_path):
    before = {p: server.hits.get(p, 0) for p in ("/loop-a.xml", "/loop-b.xml")}
    result = run_archiver(tmp_path / "a", "crawl", "--sitemap", server.url("/loop-a.xml"), *FAST)
    assert result.returncode == 0, result.stderr
    assert {p: server.hits[p] - before[p] for p in before} == {"/loop-a.xml": 1, "/loop-b.xml": 1}
    assert "sitemaps read: 3" in result.stderr


def test_seen_set_on_disk_drops_duplicates_and_goes_with_the_crawl(server, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    # A crawl killed outright left its seen-set behind: the next crawl removes it.
    (archive / ".seen-999999.sqlite3").write_bytes(b"")
    seeds = tmp_path / "seeds.txt"
    url = server.url("/article/dup-1")
    seeds.write_text("\n".join([url, server.url("/article/dup-2"), url, url]) + "\n")
    result = run_archiver(archive, "crawl", "--urls", str(seeds), *FAST)
    assert result.returncode == 0, result.stderr
    assert server.hits["/article/dup-1"] == 1 and server.hits["/article/dup-2"] == 1
    assert list(archive.glob(".seen-*")) == []


def test_seen_set_answers_and_holds_its_lock(tmp_path):
    seen = SeenSet(tmp_path / ".seen-1.sqlite3")
    assert seen.add(b"a" * 20) and not seen.add(b"a" * 20) and seen.add(b"b" * 20)
    assert remove_stale(tmp_path) == []  # in use: left alone
    seen.close()
    assert list(tmp_path.iterdir()) == []


def test_sitemap_entries_come_one_at_a_time(tmp_path):
    import gzip
    from sitemap_server import urlset

    body = gzip.compress(urlset(f"http://example.com/{n}" for n in range(50_000)))
    entries = iter_sitemap(body, 64 << 20)
    first = next(entries)
    assert (first.loc, first.number, first.is_sitemap) == ("http://example.com/0", 1, False)
    assert sum(1 for _ in entries) == 49_999
    with pytest.raises(SitemapError, match="once gunzipped"):
        list(iter_sitemap(body, 100_000))
    with pytest.raises(SitemapError, match="cannot gunzip"):
        list(iter_sitemap(body[:5000], 64 << 20))
