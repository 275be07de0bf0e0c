"""The derive pool: pages derived in worker processes exactly as in-process, and a worker that
dies or overruns costs only its own page."""
from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from heavy_pages import cpu_ticks, heavy_article
from archiver.derive.pool import DerivePool, derive_fields
from archiver.page import CapturedPage

SITE = Path(__file__).resolve().parent.parent / "archiver" / "demo" / "site"
HTML = (("Content-Type", "text/html; charset=utf-8"),)


def demo_pages() -> list[CapturedPage]:
    index = json.loads((SITE / "index.json").read_text())
    return [CapturedPage(url="http://127.0.0.1:8000" + p["path"], final_url="http://127.0.0.1:8000" + p["path"],
                         status=200, fetched_at="2026-12-01T00:00:00Z", warc={}, headers=HTML,
                         body=(SITE / p["file"]).read_bytes()) for p in index]


def heavy_page(n: int = 1) -> CapturedPage:
    url = f"http://127.0.0.1:8000/long/{n}/"
    return CapturedPage(url=url, final_url=url, status=200, fetched_at="2026-12-01T00:00:00Z", warc={},
                        headers=HTML, body=heavy_article(n))


def test_workers_derive_what_the_calling_process_derives():
    pages = demo_pages()
    with DerivePool(2) as pool:
        in_workers = [derived for _, derived in pool.imap(pages)]
    in_process = [derive_fields(page) for page in pages]
    assert in_workers == in_process
    assert all(d.error is None and d.fields["title"] and d.fields["body"] for d in in_workers)


def test_imap_keeps_the_order_of_the_pages():
    pages = demo_pages() * 3
    with DerivePool(2) as pool:
        assert [page for page, _ in pool.imap(pages, window=3)] == pages


def test_no_workers_derives_in_the_calling_thread():
    pool = DerivePool(0)
    future = pool.submit(demo_pages()[0])
    assert future.done() and future.result().fields["title"]


def _worker_pids(pool: DerivePool) -> list[int]:
    return [t_worker.process.pid for t_worker in pool._workers]


def test_a_worker_killed_mid_page_costs_only_that_page():
    with DerivePool(1) as pool:
        [pid] = _worker_pids(pool)
        before = cpu_ticks(pid)
        future = pool.submit(heavy_page())
        deadline = time.monotonic() + 60
        while cpu_ticks(pid) < before + 5:  # 50 ms of CPU: it is deriving the page
            assert time.monotonic() < deadline, "the worker never started on the page"
            time.sleep(0.01)
        os.kill(pid, signal.SIGKILL)
        derived = pool.result(future, timeout=60)
        assert derived.error and "derive worker died (killed by SIGKILL)" in derived.error
        assert derived.fields == {"reason": derived.error}
        # The pool replaced it: the next page is derived as usual, by a new process.
        after = pool.result(pool.submit(demo_pages()[0]), timeout=60)
        assert after.error is None and after.fields["title"]
        assert pool.replaced == 1 and _worker_pids(pool) != [pid]


def test_a_page_over_the_time_limit_gets_a_reason_and_a_new_worker():
    with DerivePool(1, timeout=0.2) as pool:
        [pid] = _worker_pids(pool)
        derived = pool.result(pool.submit(heavy_page()), timeout=60)
        assert derived.error == "derivation took longer than 0.2 s; its worker was replaced"
        assert pool.replaced == 1
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_an_exception_in_derivation_is_the_pages_reason():
    # A body that is not bytes cannot be decoded: the worker answers with the error, one line.
    page = CapturedPage(url="http://x/a", final_url="http://x/a", status=200, fetched_at="", warc={},
                        headers=HTML, body=12345)  # type: ignore[arg-type]
    with DerivePool(1) as pool:
        derived = pool.result(pool.submit(page), timeout=60)
    assert derived.error.startswith("derivation failed: TypeError: ")
    assert "\n" not in derived.error and derived.fields == {"reason": derived.error}


def test_a_worker_that_dies_before_it_is_ready_costs_each_attempt_one_page(tmp_path, monkeypatch):
    # A C extension that kills the process on import: no Python exception to turn into a reason.
    shadow = tmp_path / "lxml_html_clean"
    shadow.mkdir()
    (shadow / "__init__.py").write_text("import os\nos._exit(3)\n")
    monkeypatch.syspath_prepend(str(tmp_path))  # spawned workers start with this sys.path
    with DerivePool(1) as pool:
        derived = [pool.result(pool.submit(page), timeout=60) for page in demo_pages()[:2]]
        assert pool.replaced == 2
    assert all(d.error == "the derive worker died (exited with code 3) on this page; it was replaced"
               for d in derived), derived


def test_a_worker_is_replaced_after_max_pages_and_no_process_is_left_behind():
    pids = []
    with DerivePool(1, max_pages=2) as pool:
        for page in demo_pages()[:5]:
            derived = pool.result(pool.submit(page), timeout=60)
            assert derived.error is None and derived.fields["title"]
            pids.append(pool._workers[0].process.pid)
    assert len(set(pids)) == 3, pids  # pages 1-2, 3-4, 5
    for pid in set(pids):  # exited and reaped: not even a zombie
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
