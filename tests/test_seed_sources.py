"""Seeds from lists on stdin, sitemaps (index, gzip, news) and feeds (RSS, Atom), end to end."""
import subprocess
import sys

from conftest import FAST, ROOT
from warc_helpers import items


def test_sitemap_index_gzip_and_news(site, archiver_cmd, tmp_path):
    result = archiver_cmd(tmp_path / "a", "crawl", "--sitemap", site.url("/sitemap.xml"), *FAST)
    assert result.returncode == 0, result.stderr
    got = sorted(i["url"] for i in items(tmp_path / "a"))
    assert got == sorted(site.url(f"/article/{n}/") for n in range(5))


def test_rss_and_atom_feeds(site, archiver_cmd, tmp_path):
    result = archiver_cmd(tmp_path / "a", "crawl", "--feed", site.url("/feed.rss"), "--feed", site.url("/atom.xml"), *FAST)
    assert result.returncode == 0, result.stderr
    got = sorted(i["url"] for i in items(tmp_path / "a"))
    assert got == sorted(site.url(f"/article/{n}/") for n in (10, 11, 12, 13))


def test_urls_from_stdin_with_bad_lines(site, archiver_cmd, tmp_path):
    text = "\n".join(["# seeds", site.url("/article/1/"), "javascript:alert(1)", site.url("/article/2/"), ""])
    result = archiver_cmd(tmp_path / "a", "crawl", "--urls", "-", *FAST, input=text)
    assert result.returncode == 0, result.stderr
    assert "<stdin>:3: 'javascript:alert(1)'" in result.stderr
    assert "bad seed lines: 1" in result.stderr
    assert sorted(i["url"] for i in items(tmp_path / "a")) == [site.url("/article/1/"), site.url("/article/2/")]


def test_scrapy_crawl_articles_works_the_same(site, tmp_path):
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("\n".join(site.article_urls(3)))
    archive = tmp_path / "a"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "articles", "-a", f"urls={seeds}", "-s", f"ARCHIVER_ARCHIVE={archive}",
         "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "ARCHIVER_PROGRESS=0"],
        cwd=str(ROOT), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    got = items(archive)
    assert sorted(i["url"] for i in got) == sorted(site.article_urls(3))
    assert all(i["warc"]["filename"].endswith(".warc.gz") for i in got)
    assert "archiver: crawl finished" in result.stderr


def test_no_seeds_is_bad_usage(archiver_cmd, tmp_path):
    result = archiver_cmd(tmp_path / "a", "crawl")
    assert result.returncode == 2 and "nothing to fetch" in result.stderr
    result = archiver_cmd(tmp_path / "a", "crawl", "notaurl", "ftp://x/")
    assert result.returncode == 2 and "no usable seed" in result.stderr
