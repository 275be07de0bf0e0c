"""Bad seeds: each is named (line number and text) and skipped, or the crawl is refused with
exit code 2 when nothing usable is left. Sitemaps and feeds that are not what they claim, and an
XML bomb, are refused cheaply."""
import time

import pytest

from conftest import FAST, run_archiver
from faulty_server import FaultyServer
from warc_helpers import records

from archiver.store.seeds import check_url

BAD_LINES = [
    ("not a url", "white space"),
    ("example", "no scheme"),
    ("ftp://example.com/file.txt", "scheme ftp"),
    ("javascript:alert(1)", "scheme javascript"),
    ("data:text/html,<p>hi</p>", "scheme data"),
    ("file:///etc/passwd", "scheme file"),
    ("http://", "no host"),
    ("http://[::1/path", "not parseable"),
    ("http://exa mple.com/", "white space"),
    ("http://example.com/" + "a" * 8001, "8020 characters, longer than 2083 \\(URLLENGTH_LIMIT\\)"),
    # Scrapy's URLLENGTH_LIMIT (2083) used to drop these without a word.
    ("http://example.com/" + "b" * 2065, "2084 characters, longer than 2083"),
    ("http://example.com/" + "\u00e9" * 1000, "6019 characters once percent-escaped, longer than 2083"),
]


@pytest.fixture(scope="module")
def server():
    s = FaultyServer().start()
    yield s
    s.stop()


@pytest.mark.parametrize("text,reason", BAD_LINES)
def test_check_url_says_what_is_wrong(text, reason):
    with pytest.raises(ValueError, match=reason):
        check_url(text)


def test_bad_lines_named_and_skipped(server, tmp_path):
    seeds = tmp_path / "seeds.txt"
    good = server.url("/ok/seed")
    seeds.write_bytes("\n".join([text for text, _ in BAD_LINES] + [good]).encode() + b"\n\xff\xfe not utf-8\n")
    result = run_archiver(tmp_path / "archive", "crawl", "--urls", str(seeds), *FAST)
    assert result.returncode == 0, result.stderr
    for number, (text, reason) in enumerate(BAD_LINES, start=1):
        assert f"bad seed at {seeds}:{number}: {text[:20]}" in result.stderr.replace("'", "")
    assert f"{seeds}:{len(BAD_LINES) + 2}: <undecodable bytes> (not UTF-8 text)" in result.stderr.replace("'", "")
    assert f"bad seed lines: {len(BAD_LINES) + 1}" in result.stderr
    assert "Traceback" not in result.stderr
    assert any(r["type"] == "response" and r["headers"]["WARC-Target-URI"] == good for r in records(tmp_path / "archive"))


def test_nothing_usable_left_exits_2(tmp_path):
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("ftp://example.com/\njavascript:void(0)\nhttp://\n")
    result = run_archiver(tmp_path / "archive", "crawl", "--urls", str(seeds), *FAST)
    assert result.returncode == 2
    assert "no usable seed" in result.stderr and "Traceback" not in result.stderr


def test_bad_url_arguments_exit_2(tmp_path):
    result = run_archiver(tmp_path / "archive", "crawl", "file:///etc/passwd", "not-a-url", *FAST)
    assert result.returncode == 2
    assert "'file:///etc/passwd'" in result.stderr and "'not-a-url'" in result.stderr


@pytest.mark.parametrize("content,message", [
    (b"%PDF-1.4\n\x00\x01\x02binary", "not a text file"),
    (None, "is a folder"),
])
def test_unreadable_or_binary_seed_file_exits_2(tmp_path, content, message):
    seeds = tmp_path / "seeds.bin"
    if content is None:
        seeds.mkdir()
    else:
        seeds.write_bytes(content)
    result = run_archiver(tmp_path / "archive", "crawl", "--urls", str(seeds), *FAST)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


BAD_SOURCES = [
    ("--sitemap", "/sitemap-garbage.xml", "sitemap"),
    ("--sitemap", "/sitemap-html.xml", "is not a sitemap"),
    ("--sitemap", "/sitemap-bomb.xml", "declares XML entities"),
    ("--feed", "/feed-html", "is not RSS or Atom"),
    ("--feed", "/feed-bomb", "declares XML entities"),
]


@pytest.fixture(scope="module")
def bad_sources_crawl(server, tmp_path_factory):
    args = [a for option, path, _ in BAD_SOURCES for a in (option, server.url(path))]
    started = time.monotonic()
    result = run_archiver(tmp_path_factory.mktemp("sources") / "archive", "crawl", *args, *FAST)
    return result, time.monotonic() - started


def test_bad_sitemaps_and_feeds_leave_nothing_usable(bad_sources_crawl):
    result, seconds = bad_sources_crawl
    assert result.returncode == 2, result.stderr
    assert "no usable seed" in result.stderr and "Traceback" not in result.stderr
    assert seconds < 30  # the XML bombs were refused, not expanded


@pytest.mark.parametrize("option,path,message", BAD_SOURCES)
def test_each_bad_source_named(server, bad_sources_crawl, option, path, message):
    result, _ = bad_sources_crawl
    (line,) = [line for line in result.stderr.splitlines() if server.url(path) + " " in line + " "
               and ("sitemap" in line or "feed" in line)]
    assert message in line


def test_bad_sitemap_beside_good_seeds_is_not_fatal(server, tmp_path):
    result = run_archiver(tmp_path / "archive", "crawl", server.url("/ok/x"),
                          "--sitemap", server.url("/sitemap-bomb.xml"), *FAST)
    assert result.returncode == 0, result.stderr
