"""WARC rotation at a size, and what the user sees while crawling (terminal or pipe)."""
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

from conftest import FAST, ROOT
from warc_helpers import items, records


def test_rotation_at_configured_size(site, archiver_cmd, tmp_path):
    archive = tmp_path / "a"
    result = archiver_cmd(archive, "crawl", *site.article_urls(12), *FAST, "-s", "ARCHIVER_WARC_MAX_SIZE=6000")
    assert result.returncode == 0, result.stderr
    files = sorted(Path(archive, "warcs").glob("*.warc.gz"))
    assert len(files) >= 4
    assert not list(Path(archive, "warcs").glob("*.open"))
    serials = sorted(int(re.search(r"-(\d{5})-", f.name).group(1)) for f in files)
    assert serials == list(range(len(files)))
    recs = records(archive)
    for f in files:
        mine = [r for r in recs if r["file"] == f.name]
        assert mine[0]["type"] == "warcinfo"
        assert mine[0]["headers"]["WARC-Filename"] == f.name
    # Every item points into the file that holds its record.
    by_place = {(r["file"], r["offset"]): r for r in recs}
    for item in items(archive):
        rec = by_place[(item["warc"]["filename"], item["warc"]["offset"])]
        assert rec["headers"]["WARC-Record-ID"] == item["warc"]["record_id"]
    assert archiver_cmd(archive, "verify").returncode == 0
    assert f"WARC: {len(files)} files" in result.stderr


def test_progress_on_a_terminal(site, tmp_path):
    """On a terminal the progress line is redrawn in place; then the summary."""
    master, slave = pty.openpty()
    args = [sys.executable, "-m", "archiver", "--archive", str(tmp_path / "a"), "crawl", *site.article_urls(30),
            "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0.05", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
            "-s", "ARCHIVER_PROGRESS_INTERVAL=0.1"]
    proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, cwd=str(ROOT), close_fds=True)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait(60)
    os.close(master)
    text = out.decode(errors="replace")
    assert proc.returncode == 0, text
    assert "\r\x1b[K" in text
    assert re.search(r"\d+/30 URLs, [\d.]+/s, 0 errors, [\d.]+ (KB|MB|B) archived", text)
    assert "archiver: crawl finished" in text


def test_progress_in_a_pipe_is_plain_lines(site, archiver_cmd, tmp_path):
    result = archiver_cmd(tmp_path / "a", "crawl", *site.article_urls(20), "-s", "AUTOTHROTTLE_ENABLED=0",
                          "-s", "DOWNLOAD_DELAY=0.05", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
                          "-s", "ARCHIVER_PROGRESS_INTERVAL=0.2")
    assert result.returncode == 0
    assert "\x1b[" not in result.stderr and "\r" not in result.stderr
    assert re.search(r"^progress: \d+/20 URLs", result.stderr, re.M)
    assert "seeds done: 20" in result.stderr
