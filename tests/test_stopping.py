"""Stopping: the first SIGTERM or Ctrl-C ends a crawl without waiting for downloads that would
take a minute (they are cut after ARCHIVER_STOP_GRACE), and a second Ctrl-C still closes the
WARC file. Every WARC is closed and valid either way."""
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FAST, ROOT
from sitemap_server import SitemapServer, wait_for
from test_crash import closed_warcs, warcio_check
from warc_helpers import records

# A download that is not cut would hold the crawl for DOWNLOAD_TIMEOUT: longer than the tests wait.
SLOW_TIMEOUT = ["-s", "DOWNLOAD_TIMEOUT=600", "-s", "RETRY_ENABLED=0"]


@pytest.fixture(scope="module")
def server():
    s = SitemapServer().start()
    yield s
    s.stop()


def start(archive, log, *args):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "archiver", "--archive", str(archive), "crawl", *args],
                            stdout=subprocess.DEVNULL, stderr=log, env=env, cwd=str(ROOT))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_first_signal_cuts_downloads_in_flight(server, tmp_path, signum):
    archive, log = tmp_path / "archive", tmp_path / "stderr.txt"
    never, trickle = f"/never/{signum}", f"/trickle/{signum}"
    with open(log, "w") as err:
        proc = start(archive, err, server.url(f"/article/before-{signum}"), server.url(never), server.url(trickle),
                     *FAST, *SLOW_TIMEOUT)
        try:
            assert wait_for(lambda: never in server.hits and trickle in server.hits, 60, proc), log.read_text()
            proc.send_signal(signum)
            proc.wait(timeout=60)
        finally:
            proc.kill()
    text = log.read_text()
    assert proc.returncode == 0, text
    assert "stopping: 2 requests in flight get 3 s to finish (ARCHIVER_STOP_GRACE)" in text
    assert "crawl shutdown" in text and "Traceback" not in text
    # The page that never answered is cut, counted apart from failures (its URL did not fail).
    assert "not fetched or cut short, as the crawl stopped: 1" in text and "failed: 0" in text
    assert not list(Path(archive, "warcs").glob("*.open"))
    warcio_check(closed_warcs(archive))
    got = records(archive)
    # What crossed the wire is archived: the request that got no answer, and the part of the body.
    assert any(r["type"] == "request" and r["headers"]["WARC-Target-URI"] == server.url(never) for r in got)
    (cut,) = [r for r in got if r["type"] == "response" and r["headers"]["WARC-Target-URI"] == server.url(trickle)]
    assert cut["headers"]["WARC-Truncated"] == "time" and len(cut["payload"]) >= 1000


def test_second_ctrl_c_still_closes_the_warc(server, tmp_path):
    archive, log = tmp_path / "archive", tmp_path / "stderr.txt"
    with open(log, "w") as err:
        proc = start(archive, err, server.url("/article/second"), server.url("/never/second"), *FAST, *SLOW_TIMEOUT,
                     "-s", "ARCHIVER_STOP_GRACE=600")
        try:
            assert wait_for(lambda: "/never/second" in server.hits and "/article/second" in server.hits, 60, proc)
            proc.send_signal(signal.SIGINT)
            assert wait_for(lambda: "stopping: 1 requests in flight" in log.read_text(), 60, proc), log.read_text()
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)
        finally:
            proc.kill()
    text = log.read_text()
    assert "closing the WARC file" in text and "Traceback" not in text, text
    assert not list(Path(archive, "warcs").glob("*.open"))
    files = closed_warcs(archive)
    warcio_check(files)
    assert any(r["type"] == "response" and r["headers"]["WARC-Target-URI"] == server.url("/article/second")
               for r in records(archive))
