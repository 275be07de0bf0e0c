"""A run where every page failed is never exit 0; one where some failed is."""
from __future__ import annotations

import socket

from conftest import FAST, run_archiver


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_every_url_refused_exits_1_naming_the_failure(tmp_path):
    port = closed_port()
    urls = [f"http://127.0.0.1:{port}/a", f"http://127.0.0.1:{port}/b"]
    result = run_archiver(tmp_path / "archive", "crawl", *urls, *FAST, "-s", "RETRY_ENABLED=0")
    assert result.returncode == 1, result.stderr
    [error] = [line for line in result.stderr.splitlines() if line.startswith("  ERROR: ")]
    assert "every URL failed (2 of 2)" in error and "connection refused" in error.lower()
    assert "Traceback" not in result.stderr


def test_some_urls_failing_is_still_a_run(site, tmp_path):
    port = closed_port()
    result = run_archiver(tmp_path / "archive", "crawl", site.url("/article/1/"), f"http://127.0.0.1:{port}/a",
                          *FAST, "-s", "RETRY_ENABLED=0")
    assert result.returncode == 0, result.stderr
    assert "  ERROR: " not in result.stderr and "every URL failed" not in result.stderr
