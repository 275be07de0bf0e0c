"""The fault matrix: one crawl of a misbehaving server, then what each fault left in the archive.

For every case: the crawl goes on, what the server sent is a valid record (warcio check), a cut
body says why (WARC-Truncated), the summary counts the outcome, and no traceback reaches the user.
"""
import gzip
import subprocess
import sys

import pytest

from conftest import FAST, run_archiver
from faulty_server import FaultyServer, endless_body
from warc_helpers import items, records

PATHS = [
    "/ok/1", "/timeout", "/stall-body", "/status/500", "/status/404", "/status/410", "/status/401",
    "/retry-after", "/retry-after-date", "/retry-after-far", "/loop/a", "/offsite", "/pdf", "/huge",
    "/huge-chunked", "/cp1252", "/fake-gzip", "/short-body", "/reset-headers", "/empty",
    "/close-delimited", "/close-delimited-reset", "/chunked-gzip", "/nul", "/caf%C3%A9/x", "/endless",
    "/refresh-long",
]
MAXSIZE = 100_000
BACKOFF = 0.3


@pytest.fixture(scope="module")
def server():
    s = FaultyServer().start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def crawled(server, tmp_path_factory):
    archive = tmp_path_factory.mktemp("faults") / "archive"
    result = run_archiver(
        # Port 1 on 127.0.0.1: nobody listens, so robots.txt and the page are refused.
        archive, "crawl", *[server.url(p) for p in PATHS], "http://127.0.0.1:1/refused", *FAST,
        "-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=1", "-s", f"DOWNLOAD_MAXSIZE={MAXSIZE}",
        "-s", f"ARCHIVER_RETRY_BACKOFF={BACKOFF}", "-s", "ARCHIVER_RETRY_AFTER_MAX=10",
        timeout=90,
    )
    return archive, records(archive), result


def of(recs, server, path, kind="response"):
    return [r for r in recs if r["type"] == kind and r["headers"].get("WARC-Target-URI") == server.url(path)]


def test_crawl_goes_on_and_exits_zero(crawled, server):
    _, recs, result = crawled
    assert result.returncode == 0, result.stderr
    assert of(recs, server, "/ok/1")


def test_no_traceback_reaches_the_user(crawled):
    _, _, result = crawled
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout


def test_every_file_passes_warcio_check(crawled):
    archive, _, _ = crawled
    files = sorted((archive / "warcs").glob("*.warc.gz"))
    assert files and not list((archive / "warcs").glob("*.open"))
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", *map(str, files)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_archiver_verify_passes_with_failed_fetches_on_record(crawled):
    # Failed fetches are a request and a metadata record, not a response: still sound.
    archive, recs, _ = crawled
    assert any(r["type"] == "metadata" for r in recs)
    verify = run_archiver(archive, "verify")
    assert verify.returncode == 0, verify.stdout


@pytest.mark.parametrize("path,status", [
    ("/status/500", "500 Internal Server Error"), ("/status/404", "404 Not Found"),
    ("/status/410", "410 Gone"), ("/status/401", "401 Unauthorized"),
])
def test_http_errors_archived_as_sent(crawled, server, path, status):
    _, recs, _ = crawled
    responses = of(recs, server, path)
    assert responses and all(r["http"].statusline == status for r in responses)
    assert responses[0]["payload"] == server.sent[path]


def test_retried_500_backs_off(crawled, server):
    _, recs, _ = crawled
    assert len(of(recs, server, "/status/500")) == 2  # RETRY_TIMES=1: both attempts archived
    first, second = server.hits["/status/500"]
    assert second - first >= BACKOFF


def test_429_waits_for_retry_after(crawled, server):
    _, recs, _ = crawled
    first, second = server.hits["/retry-after"]
    assert second - first >= 1.0
    assert [r["http"].statusline for r in of(recs, server, "/retry-after")] == ["429 Too Many Requests", "200 OK"]


def test_retry_after_as_http_date(crawled, server):
    first, second = server.hits["/retry-after-date"]
    assert second - first >= 1.0


def test_retry_after_too_long_is_not_waited_for(crawled, server):
    _, recs, result = crawled
    assert len(server.hits["/retry-after-far"]) == 1
    assert of(recs, server, "/retry-after-far")[0]["http"].statusline.startswith("429")
    assert "too long to wait: 1" in result.stderr


def test_timeout_archives_the_request_and_why(crawled, server):
    _, recs, result = crawled
    requests = of(recs, server, "/timeout", "request")
    notes = of(recs, server, "/timeout", "metadata")
    assert len(requests) == len(notes) == 2 and not of(recs, server, "/timeout")
    assert notes[0]["payload"].startswith(b"fetch-error: DownloadTimeoutError")
    assert notes[0]["headers"]["WARC-Concurrent-To"] == requests[0]["headers"]["WARC-Record-ID"]
    assert "timeout: 1" in result.stderr


def test_body_stalled_past_the_timeout_kept_and_marked_time(crawled, server):
    _, recs, _ = crawled
    (rec,) = of(recs, server, "/stall-body")
    assert rec["headers"]["WARC-Truncated"] == "time"
    assert rec["payload"] == server.sent["/stall-body"]


def test_reset_mid_headers_keeps_what_came(crawled, server):
    _, recs, _ = crawled
    notes = of(recs, server, "/reset-headers", "metadata")
    assert notes and not of(recs, server, "/reset-headers")
    assert b"fetch-error: ConnectionLost" in notes[0]["payload"]
    assert b"response-head-received: HTTP/1.1 200 OK\\r\\nContent-Type: text/ht" in notes[0]["payload"]


@pytest.mark.parametrize("path", ["/huge", "/huge-chunked", "/endless"])
def test_body_over_the_size_limit_keeps_the_prefix(crawled, server, path):
    _, recs, _ = crawled
    (rec,) = of(recs, server, path)
    assert rec["headers"]["WARC-Truncated"] == "length"
    assert len(rec["payload"]) == MAXSIZE
    if path == "/huge":
        assert rec["payload"] == server.sent[path][:MAXSIZE]
    if path == "/endless":
        # De-chunked, byte for byte, and the head without its Transfer-Encoding.
        assert rec["payload"] == endless_body(MAXSIZE)
        assert rec["http"].get_header("Transfer-Encoding") is None


def test_content_length_longer_than_body_is_a_disconnect(crawled, server):
    _, recs, _ = crawled
    (rec,) = of(recs, server, "/short-body")
    assert rec["headers"]["WARC-Truncated"] == "disconnect"
    assert rec["payload"] == server.sent["/short-body"]


def test_close_delimited_body_is_whole_unless_reset(crawled, server):
    _, recs, _ = crawled
    (whole,) = of(recs, server, "/close-delimited")
    assert "WARC-Truncated" not in whole["headers"]
    assert whole["payload"] == server.sent["/close-delimited"]
    (cut,) = of(recs, server, "/close-delimited-reset")
    assert cut["headers"]["WARC-Truncated"] == "disconnect"


def test_summary_counts_each_outcome(crawled):
    _, _, result = crawled
    err = result.stderr
    for expected in ["500: 2", "404: 1", "410: 1", "401: 1", "429: 2", "length: 3", "time: 1",
                     "disconnect: 2", "redirect loop: 1", "off-site redirect: 1", "connection lost: 1",
                     "connection refused: 1"]:
        assert expected in err, expected


def test_redirect_loop_stops_with_a_reason(crawled, server):
    _, recs, result = crawled
    assert len(of(recs, server, "/loop/a")) == 1 and len(of(recs, server, "/loop/b")) == 1
    assert "redirect loop: " in result.stderr


def test_offsite_redirect_is_archived_not_followed(crawled, server):
    _, recs, result = crawled
    (hop,) = of(recs, server, "/offsite")
    assert hop["http"].statusline.startswith("301")
    assert "/ok/elsewhere" not in server.hits
    assert "redirect off the seed's site" in result.stderr


def test_pdf_archived_not_extracted(crawled, server):
    archive, recs, _ = crawled
    (rec,) = of(recs, server, "/pdf")
    assert rec["payload"] == server.sent["/pdf"]
    (item,) = [i for i in items(archive) if i["url"] == server.url("/pdf")]
    assert item["title"] is None and item["body"] is None


def test_windows_1252_without_charset(crawled, server):
    archive, recs, _ = crawled
    (rec,) = of(recs, server, "/cp1252")
    assert rec["payload"] == server.sent["/cp1252"]
    (item,) = [i for i in items(archive) if i["url"] == server.url("/cp1252")]
    assert "caf\u00e9 \u20ac5" in item["body"]


def test_fake_gzip_archived_as_sent(crawled, server):
    _, recs, _ = crawled
    (rec,) = of(recs, server, "/fake-gzip")
    assert rec["http"].get_header("Content-Encoding") == "gzip"
    assert rec["payload"] == server.sent["/fake-gzip"]


def test_empty_200(crawled, server):
    _, recs, _ = crawled
    (rec,) = of(recs, server, "/empty")
    assert rec["http"].statusline == "200 OK" and rec["payload"] == b""


def test_chunked_gzip_dechunked_still_encoded(crawled, server):
    _, recs, _ = crawled
    (rec,) = of(recs, server, "/chunked-gzip")
    assert rec["http"].get_header("Transfer-Encoding") is None
    assert rec["payload"] == server.sent["/chunked-gzip"]
    assert gzip.decompress(rec["payload"]).startswith(b"<!DOCTYPE html>")


def test_nul_byte_html(crawled, server):
    archive, recs, _ = crawled
    (rec,) = of(recs, server, "/nul")
    assert rec["payload"] == server.sent["/nul"]
    assert [i for i in items(archive) if i["url"] == server.url("/nul")]


def test_percent_encoded_path_kept_on_the_wire(crawled, server):
    _, recs, _ = crawled
    (rec,) = of(recs, server, "/caf%C3%A9/x")
    (req,) = of(recs, server, "/caf%C3%A9/x", "request")
    assert rec["http"].statusline == "200 OK"
    assert req["http"].protocol == "GET" and req["http"].statusline.split(" ")[0] == "/caf%C3%A9/x"


def test_meta_refresh_in_a_long_page_is_followed(crawled, server):
    # Only the start of the body is read for it (crawler/refresh.py); the page is archived whole.
    recs = crawled[1]
    (page,) = of(recs, server, "/refresh-long")
    assert page["payload"] == server.sent["/refresh-long"]
    assert of(recs, server, "/ok/refreshed") and server.hits["/ok/refreshed"]
