"""Crash safety: a killed crawl leaves valid closed WARCs, and the next run recovers and finishes.

The crawls are the real `archiver crawl` in a subprocess, killed with SIGKILL at several
moments, interrupted with SIGINT, or run under a file size limit standing in for a full disk.
"""
import gzip
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from conftest import FAST, ROOT, run_archiver
from faulty_server import FaultyServer
from site_fixture import FixtureSite
from warc_helpers import items, records

from archiver.warc.recovery import recover_open_files
from archiver.warc.writer import RotatingWarcWriter
from archiver.warc.record import http_record, warc_date

PAGES = 20
# One page at a time, a little apart: a crawl of PAGES pages lasts a few seconds.
SLOW = [*FAST, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "DOWNLOAD_DELAY=0.15"]


@pytest.fixture(scope="module")
def site():
    s = FixtureSite(pages=PAGES).start()
    yield s
    s.stop()


def start_archiver(archive, *args, preexec_fn=None):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "archiver", "--archive", str(archive), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=str(ROOT), preexec_fn=preexec_fn)


def wait_for_open_file(archive, min_bytes, proc):
    # No deadline of its own: the crawl is bounded (PAGES pages), so either its file grows or it
    # ends. A 30 s deadline failed with both cores busy, where starting Python and Scrapy alone
    # took 14 s.
    while True:
        assert proc.poll() is None, "the crawl ended before it could be interrupted"
        for path in Path(archive, "warcs").glob("*.open") if Path(archive, "warcs").is_dir() else []:
            try:
                if path.stat().st_size >= min_bytes:
                    return path
            except FileNotFoundError:
                pass
        time.sleep(0.01)


def warcio_check(paths):
    paths = [str(p) for p in paths]
    if not paths:
        return
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", *paths], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def closed_warcs(archive):
    return sorted(Path(archive, "warcs").glob("*.warc.gz"))


def assert_items_resolve(archive):
    """Every item's warc pointer names a closed file and the record at that offset."""
    found = items(archive)
    for item in found:
        pointer = item["warc"]
        with open(Path(archive, "warcs", pointer["filename"]), "rb") as fh:
            fh.seek(pointer["offset"])
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_headers.get_header("WARC-Record-ID") == pointer["record_id"]
    return found


def assert_every_seed_captured(archive, urls):
    recs = records(archive)
    captured = {r["headers"]["WARC-Target-URI"] for r in recs if r["type"] in ("response", "revisit")}
    assert set(urls) <= captured
    ids = {r["headers"]["WARC-Record-ID"] for r in recs}
    for r in recs:
        if r["type"] == "revisit" and "WARC-Refers-To" in r["headers"]:
            assert r["headers"]["WARC-Refers-To"] in ids  # the payload it stands for was kept


@pytest.mark.parametrize("min_bytes", [0, 4000, 25000])
def test_sigkill_then_next_run_recovers_and_finishes(site, tmp_path, min_bytes):
    archive = tmp_path / "archive"
    urls = site.article_urls(PAGES)
    proc = start_archiver(archive, "crawl", *urls, *SLOW)
    try:
        wait_for_open_file(archive, min_bytes, proc)
    finally:
        proc.kill()
        proc.communicate()
    assert list(Path(archive, "warcs").glob("*.open")), "killed before any file was written"
    warcio_check(closed_warcs(archive))

    result = run_archiver(archive, "crawl", *urls, *FAST)
    assert result.returncode == 0, result.stderr
    assert "recovered" in result.stderr and "Traceback" not in result.stderr
    assert not list(Path(archive, "warcs").glob("*.open"))
    warcio_check(closed_warcs(archive))
    verify = run_archiver(archive, "verify")
    assert verify.returncode == 0, verify.stdout
    assert_every_seed_captured(archive, urls)
    assert_items_resolve(archive)


def _exchange(n, date):
    """A response and its request, linked, as the capture middleware writes them."""
    response = http_record("response", f"http://example.com/{n}", date,
                           b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", b"hello",
                           content_type="application/http; msgtype=response")
    request = http_record("request", f"http://example.com/{n}", date,
                          b"GET /%d HTTP/1.1\r\nHost: example.com\r\n\r\n" % n, b"",
                          content_type="application/http; msgtype=request")
    response.headers.append(("WARC-Concurrent-To", request.record_id))
    request.headers.append(("WARC-Concurrent-To", response.record_id))
    return [response, request]


def _verify(path):
    result = run_archiver(path.parent, "verify", str(path))
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("cut", ["inside the response", "inside the request"])
def test_partial_tail_dropped_whole_records_kept(tmp_path, cut):
    writer = RotatingWarcWriter(tmp_path, host="test")
    date = warc_date()
    writer.write(_exchange(0, date))
    writer.write(_exchange(1, date))
    name = writer.current_name
    path = tmp_path / (name + ".open")
    whole = path.stat().st_size
    # A crash in the middle of the third exchange: a response cut short, or a whole response
    # whose request was cut short (which must go too: a response is kept with its request).
    response, request = (r.to_gzip_member() for r in _exchange(2, date))
    tail = response[: len(response) // 2] if cut == "inside the response" else response + request[: len(request) // 2]
    with open(path, "ab") as fh:
        fh.write(tail)
    # The writer still holds its lock: a live file is never touched.
    assert recover_open_files(tmp_path) == [] and path.exists()
    writer._fh.close()  # the process dies: the kernel drops the lock

    (recovered,) = recover_open_files(tmp_path)
    assert recovered.name == name and recovered.kept_bytes == whole and recovered.dropped_bytes == len(tail)
    assert not path.exists() and (tmp_path / name).stat().st_size == whole
    warcio_check([tmp_path / name])
    _verify(tmp_path / name)
    with open(tmp_path / name, "rb") as fh:
        assert [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)] == [
            None, "http://example.com/0", "http://example.com/0", "http://example.com/1", "http://example.com/1"]


def test_open_file_without_a_whole_record_is_removed(tmp_path):
    path = tmp_path / "archiver-20260101000000000-00000-x.warc.gz.open"
    path.write_bytes(gzip.compress(b"WARC/1.1\r\nContent-Length: 100\r\n\r\nshort")[:30])
    (recovered,) = recover_open_files(tmp_path)
    assert recovered.removed and not list(tmp_path.iterdir())


def test_ctrl_c_stops_gracefully_and_closes_files(site, tmp_path):
    archive = tmp_path / "archive"
    proc = start_archiver(archive, "crawl", *site.article_urls(PAGES), *SLOW)
    try:
        wait_for_open_file(archive, 3000, proc)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode >= 0, "killed by the signal instead of stopping"
    assert "Traceback" not in err
    assert "crawl shutdown" in err
    assert not list(Path(archive, "warcs").glob("*.open"))
    warcio_check(closed_warcs(archive))
    assert_items_resolve(archive)


# Three 300 KB pages fill it; the state store's few KB a page stay well below it.
LIMIT = 1_000_000


def _file_size_limit(limit):
    def apply():
        # write() past the limit fails with EFBIG instead of killing the process (SIGXFSZ).
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_full_disk_stops_with_a_clear_message_and_valid_files(tmp_path):
    # Pages gzip cannot shrink, so that the WARC file is the first to reach the limit.
    server = FaultyServer().start()
    try:
        archive = tmp_path / "archive"
        proc = start_archiver(archive, "crawl", *[server.url(f"/random/{n}") for n in range(8)], *FAST,
                              preexec_fn=_file_size_limit(LIMIT))
        out, err = proc.communicate(timeout=120)
    finally:
        server.stop()
    assert proc.returncode == 1, err
    assert "File too large" in err and "Traceback" not in err
    assert not list(Path(archive, "warcs").glob("*.open"))
    files = closed_warcs(archive)
    assert files and all(p.stat().st_size <= LIMIT for p in files)
    warcio_check(files)
    assert_items_resolve(archive)


def test_state_store_that_cannot_grow_stops_the_crawl_cleanly(site, tmp_path):
    # Small pages: the state's write-ahead log reaches the limit long before the WARC does.
    archive = tmp_path / "archive"
    proc = start_archiver(archive, "crawl", *site.article_urls(200), *FAST, preexec_fn=_file_size_limit(400_000))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert "cannot write the crawl state" in err and "Traceback" not in err
    assert not list(Path(archive, "warcs").glob("*.open"))
    files = closed_warcs(archive)
    assert files
    warcio_check(files)
    assert_items_resolve(archive)
