"""End to end: `archiver crawl` against the fixture site, then the WARCs read back with warcio."""
import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FAST, run_archiver
from site_fixture import FixtureSite
from warc_helpers import items, records


@pytest.fixture(scope="module")
def site():
    s = FixtureSite().start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def crawled(site, tmp_path_factory):
    archive = tmp_path_factory.mktemp("capture") / "archive"
    seeds = site.article_urls(5) + [
        site.url("/chunked/7/"), site.url("/short/9"), site.url("/search?q=raqqa&page=2"),
        site.url("/cookies"), site.url("/missing"), site.url("/error"),
    ]
    result = run_archiver(archive, "crawl", *seeds, *FAST, "-s", "RETRY_TIMES=1")
    assert result.returncode == 0, result.stderr
    return archive, records(archive), result


def responses_for(recs, url):
    return [r for r in recs if r["type"] == "response" and r["headers"]["WARC-Target-URI"] == url]


def test_payload_is_exactly_what_the_server_sent(site, crawled):
    archive, recs, _ = crawled
    for path in ["/article/0/", "/article/4/", "/chunked/7/", "/cookies"]:
        (rec,) = responses_for(recs, site.url(path))
        assert rec["payload"] == site.sent[path]
        assert rec["http"].get_header("Content-Encoding") == "gzip"
        assert gzip.decompress(rec["payload"]).startswith(b"<") and b"</html>" in gzip.decompress(rec["payload"])


def test_chunked_body_is_dechunked_without_transfer_encoding(site, crawled):
    _, recs, _ = crawled
    (rec,) = responses_for(recs, site.url("/chunked/7/"))
    assert rec["http"].get_header("Transfer-Encoding") is None
    assert rec["payload"] == site.sent["/chunked/7/"]


def test_status_line_and_reason_as_sent(site, crawled):
    _, recs, _ = crawled
    assert responses_for(recs, site.url("/error"))[0]["http"].statusline == "500 Server Exploded"
    assert responses_for(recs, site.url("/missing"))[0]["http"].statusline == "404 Not Found Here"
    assert responses_for(recs, site.url("/article/0/"))[0]["http"].protocol == "HTTP/1.1"


def test_every_retried_failure_is_its_own_record(site, crawled):
    _, recs, _ = crawled
    # RETRY_TIMES=1: the 500 is fetched twice, and both attempts are archived.
    assert len(responses_for(recs, site.url("/error"))) == 2


def test_repeated_headers_kept(site, crawled):
    _, recs, _ = crawled
    (rec,) = responses_for(recs, site.url("/cookies"))
    cookies = [v for k, v in rec["http"].headers if k.lower() == "set-cookie"]
    assert cookies == ["a=1; Path=/", "b=2; Path=/; HttpOnly"]


def test_redirect_hop_and_robots_archived(site, crawled):
    _, recs, _ = crawled
    (hop,) = responses_for(recs, site.url("/short/9"))
    assert hop["http"].statusline.startswith("301")
    assert hop["http"].get_header("Location") == "/article/9/"
    assert responses_for(recs, site.url("/robots.txt"))


def test_request_records_pair_with_responses(site, crawled):
    _, recs, _ = crawled
    by_id = {r["headers"]["WARC-Record-ID"]: r for r in recs}
    responses = [r for r in recs if r["type"] == "response"]
    assert responses
    for i, rec in enumerate(recs):
        if rec["type"] != "response":
            continue
        req = recs[i + 1]
        assert req["type"] == "request"
        assert rec["headers"]["WARC-Concurrent-To"] == req["headers"]["WARC-Record-ID"]
        assert req["headers"]["WARC-Concurrent-To"] == rec["headers"]["WARC-Record-ID"]
        assert req["headers"]["WARC-Date"] == rec["headers"]["WARC-Date"]
        assert rec["headers"]["WARC-IP-Address"] == req["headers"]["WARC-IP-Address"] == "127.0.0.1"
        assert rec["headers"]["WARC-Protocol"].startswith("http/1.")
        assert by_id[rec["headers"]["WARC-Concurrent-To"]] is req


def test_request_line_with_query_string_and_host(site, crawled):
    _, recs, _ = crawled
    (req,) = [r for r in recs if r["type"] == "request" and r["headers"]["WARC-Target-URI"] == site.url("/search?q=raqqa&page=2")]
    assert req["http"].protocol == "GET"
    assert req["http"].statusline.startswith("/search?q=raqqa&page=2")
    assert req["http"].get_header("Host") == f"127.0.0.1:{site.port}"
    assert req["http"].get_header("User-Agent").startswith("archiver/")


def test_warcinfo_first_and_names(crawled):
    archive, recs, _ = crawled
    files = sorted(Path(archive, "warcs").iterdir())
    assert files and all(f.name.endswith(".warc.gz") for f in files)
    import re
    for f in files:
        assert re.fullmatch(r"archiver-\d{17}-\d{5}-[A-Za-z0-9.\-_]+\.warc\.gz", f.name)
        first = [r for r in recs if r["file"] == f.name][0]
        assert first["type"] == "warcinfo"
        info = first["payload"].decode()
        for field in ("software:", "hostname:", "operator:", "robots: obey", "http-header-user-agent:", "format: WARC File Format 1.1", "conformsTo:"):
            assert field in info


def test_warcio_check_passes(crawled):
    archive, _, _ = crawled
    files = [str(f) for f in Path(archive, "warcs").glob("*.warc.gz")]
    result = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", *files], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_record_is_one_gzip_member(crawled):
    archive, recs, _ = crawled
    import zlib
    for f in Path(archive, "warcs").glob("*.warc.gz"):
        data = f.read_bytes()
        offsets = sorted(r["offset"] for r in recs if r["file"] == f.name)
        members = []
        pos = 0
        while pos < len(data):
            members.append(pos)
            d = zlib.decompressobj(31)
            d.decompress(data[pos:])
            pos = len(data) - len(d.unused_data)
        assert members == offsets


def test_items_point_at_their_captures(site, crawled):
    archive, recs, result = crawled
    got = {i["url"]: i for i in items(archive)}
    item = got[site.url("/short/9")]
    assert item["final_url"] == site.url("/article/9/")
    assert item["status"] == 200
    assert item["fetched_at"].endswith("Z")
    rec = [r for r in recs if r["file"] == item["warc"]["filename"] and r["offset"] == item["warc"]["offset"]][0]
    assert rec["headers"]["WARC-Record-ID"] == item["warc"]["record_id"]
    assert rec["headers"]["WARC-Target-URI"] == site.url("/article/9/")
    assert got[site.url("/article/1/")]["title"].startswith("New video footage")
    assert got[site.url("/missing")]["status"] == 404


def test_summary_printed(crawled):
    _, _, result = crawled
    assert "archiver: crawl finished" in result.stderr
    assert "4xx: 1" in result.stderr and "5xx: 2" in result.stderr
    assert "WARC: 1 file written," in result.stderr


def test_pywb_replays_every_page(site, crawled, tmp_path):
    from pywb_helpers import Wayback

    archive, _, _ = crawled
    warcs = sorted(Path(archive, "warcs").glob("*.warc.gz"))
    with Wayback(tmp_path / "pywb", warcs) as wayback:
        for path in ["/article/0/", "/article/4/", "/chunked/7/", "/search?q=raqqa&page=2", "/cookies"]:
            status, headers, body = wayback.get(site.url(path))
            assert status == 200, path
            if headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            original = site.sent[path]
            if original[:2] == b"\x1f\x8b":
                original = gzip.decompress(original)
            assert body == original, path
        status, _, _ = wayback.get(site.url("/missing"))
        assert status == 404
