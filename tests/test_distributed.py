"""Distributed crawling: `crawl --redis` and `worker --redis` against a real redis-server on 127.0.0.1."""
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import redis
from warcio.archiveiterator import ArchiveIterator

from conftest import ROOT, run_archiver
from pywb_helpers import free_port
from site_fixture import FixtureSite, article_html
from warc_helpers import records

# Slow enough per worker (one request at a time per host, 0.1 s apart) that all three share the work;
# quick heartbeats and idle times so that the module stays well under a minute.
DIST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0.1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
        "-s", "ARCHIVER_PROGRESS=0", "-s", "ARCHIVER_REDIS_IDLE=2s", "-s", "ARCHIVER_REDIS_HEARTBEAT=0.3",
        "-s", "ARCHIVER_REDIS_STALE=2s"]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    exe = shutil.which("redis-server")
    if not exe:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is not installed (.ci/run installs it with apt-get)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path_factory.mktemp("redis"))],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    conn = redis.Redis.from_url(url)
    wait_for(lambda: _answers(conn), 20, "redis-server to start")
    yield url
    proc.terminate()
    proc.wait(10)


def _answers(conn) -> bool:
    try:
        return conn.ping()
    except redis.ConnectionError:
        return False


def wait_for(condition, timeout: float, what: str):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def start_worker(redis_url, archive, name, *extra, until_idle=True):
    log = open(f"{archive}.log", "w")
    cmd = [sys.executable, "-m", "archiver", "--archive", str(archive), "worker", "--redis", redis_url, "--name", name,
           *(["--until-idle"] if until_idle else []), *DIST, *extra]
    return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=str(ROOT), env=dict(os.environ, PYTHONUNBUFFERED="1"))


def worker_log(archive) -> str:
    return open(f"{archive}.log").read()


def article_responses(archive) -> list[str]:
    uris = [r["headers"]["WARC-Target-URI"] for r in records(archive) if r["type"] == "response"]
    return [u for u in uris if "/article/" in u or "/slow/" in u]


# -- a crawl and two workers --------------------------------------------------------------------

@pytest.fixture(scope="module")
def shared_crawl(redis_url, tmp_path_factory):
    site = FixtureSite(pages=40)
    # The site answers nobody until all three processes have joined: then each holds URLs, whatever
    # the order and speed in which they started. (Workers started first, with --until-idle, went
    # idle and left when the crawl took longer than ARCHIVER_REDIS_IDLE to start on a busy machine.)
    site.gate = threading.Event()
    site.start()
    root = tmp_path_factory.mktemp("dist")
    conn = redis.Redis.from_url(redis_url)
    workers = {w: root / w for w in ("worker-a", "worker-b")}
    procs = {}
    crawl = None
    try:
        started = time.time()
        crawl = subprocess.Popen(
            [sys.executable, "-m", "archiver", "--archive", str(root / "crawler"), "crawl", "--redis", redis_url,
             "--name", "shared", *site.article_urls(40), *DIST, "-s", "ARCHIVER_WARC_PREFIX=crawler"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=str(ROOT))
        # Every seed is in Redis (queued or claimed by the crawl) before a worker looks for work.
        wait_for(lambda: conn.llen("shared:queue") + sum(conn.llen(k) for k in conn.keys("shared:processing:*")) == 40,
                 60, "the crawl to queue its seeds")
        procs = {w: start_worker(redis_url, path, "shared", "-s", f"ARCHIVER_WARC_PREFIX={w}") for w, path in workers.items()}
        wait_for(lambda: conn.zcard("shared:workers") == 3, 60, "both workers to join the crawl")
        site.gate.set()
        out, err = crawl.communicate(timeout=120)
        codes = {w: p.wait(60) for w, p in procs.items()}
        elapsed = time.time() - started
    finally:
        site.gate.set()
        for p in (crawl, *procs.values()):
            if p is not None and p.poll() is None:
                p.kill()
        site.stop()
    return {"site": site, "root": root, "archives": [root / "crawler", *workers.values()],
            "crawl": subprocess.CompletedProcess(crawl.args, crawl.returncode, out, err),
            "codes": codes, "conn": conn, "workers": workers, "elapsed": elapsed}


def test_every_url_fetched_exactly_once_across_workers(shared_crawl):
    assert shared_crawl["crawl"].returncode == 0, shared_crawl["crawl"].stderr
    for w, code in shared_crawl["codes"].items():
        assert code == 0, worker_log(shared_crawl["workers"][w])
    fetched = {a.name: article_responses(a) for a in shared_crawl["archives"]}
    everything = sorted(u for urls in fetched.values() for u in urls)
    assert everything == sorted(shared_crawl["site"].article_urls(40))
    # Counted where it matters, at the server: no worker sent a request for an article twice.
    hits = {path: n for path, n in shared_crawl["site"].hits.items() if path.startswith("/article/")}
    assert hits == {f"/article/{n}/": 1 for n in range(40)}, {p: n for p, n in hits.items() if n != 1}
    print("URLs per worker:", {k: len(v) for k, v in fetched.items()}, f"in {shared_crawl['elapsed']:.1f} s")
    # Both workers joined in, not just the crawling process.
    for w in shared_crawl["workers"]:
        assert fetched[w], f"{w} fetched nothing: {fetched}"


def test_every_warc_verifies(shared_crawl):
    for archive in shared_crawl["archives"]:
        result = run_archiver(archive, "verify")
        assert result.returncode == 0, result.stdout + result.stderr


def test_export_from_all_folders_lists_every_page_once(shared_crawl, tmp_path):
    archives = shared_crawl["archives"]
    out = tmp_path / "items.jsonl"
    args = [x for a in archives for x in ("--from", str(a))]
    result = run_archiver(archives[0], "export", "--format", "jsonl", "--to", str(out), *args)
    assert result.returncode == 0, result.stderr
    urls = [json.loads(line)["url"] for line in out.read_text().splitlines()]
    assert sorted(urls) == sorted(shared_crawl["site"].article_urls(40))


def test_nothing_left_in_redis(shared_crawl):
    conn = shared_crawl["conn"]
    assert conn.llen("shared:queue") == 0
    assert not conn.keys("shared:processing:*")
    assert conn.zcard("shared:workers") == 0
    assert conn.scard("shared:seen") == 40


# -- a worker killed mid-URL --------------------------------------------------------------------

class SlowSite:
    """Article pages that take a while, so that a worker can be killed with URLs in hand."""

    def __init__(self, delay: float):
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path == "/robots.txt":
                    body, status = b"", 404
                else:
                    time.sleep(site.delay)
                    body, status = article_html(int(self.path.strip("/").split("/")[-1])), 200
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the killed worker's connection

        self.delay = delay
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def urls(self, count: int) -> list[str]:
        return [f"http://127.0.0.1:{self.server.server_address[1]}/slow/{n}/" for n in range(count)]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def written_pages(archive) -> list[str]:
    """Pages whose response is whole in the WARC still being written (the last record may be partial)."""
    found = []
    for path in (archive / "warcs").glob("*.open") if (archive / "warcs").is_dir() else []:
        try:
            with open(path, "rb") as fh:
                for record in ArchiveIterator(fh):
                    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                    if record.rec_type == "response" and "/slow/" in uri:
                        record.content_stream().read()
                        found.append(uri)
        except Exception:  # the record being written: what came before it is whole
            pass
    return found


def test_a_killed_worker_loses_no_url(redis_url, tmp_path):
    site = SlowSite(delay=1.0)
    conn = redis.Redis.from_url(redis_url)
    urls = site.urls(12)
    victim = start_worker(redis_url, tmp_path / "victim", "kill", "-s", "ARCHIVER_WARC_PREFIX=victim",
                          "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", until_idle=False)
    crawl = None
    try:
        wait_for(lambda: conn.zcard("kill:workers") == 1, 40, "the worker to join")
        (victim_id,) = [w.decode() for w in conn.zrange("kill:workers", 0, -1)]
        held_key = f"kill:processing:{victim_id}"
        crawl = subprocess.Popen(
            [sys.executable, "-m", "archiver", "--archive", str(tmp_path / "crawler"), "crawl", "--redis", redis_url,
             "--name", "kill", *urls, *DIST, "-s", "ARCHIVER_WARC_PREFIX=crawler", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=str(ROOT))
        # Killed mid-crawl: a page already written, more URLs in hand. (An .open file alone was not
        # enough: killed right after creating it, the victim left only a warcinfo record.) No
        # deadline of its own: the crawl is bounded, and its end fails the test.
        while not (conn.llen(held_key) > 0 and written_pages(tmp_path / "victim")):
            assert crawl.poll() is None, "the crawl ended before the worker could be killed mid-crawl"
            time.sleep(0.1)
        # The crawl is stopped while the victim dies, so that what the victim held is read before
        # the crawl can reap it: a snapshot taken earlier could list a URL the victim then finished.
        crawl.send_signal(signal.SIGSTOP)
        try:
            victim.send_signal(signal.SIGKILL)
            victim.wait(10)
            held = [json.loads(e)["url"] for e in conn.lrange(held_key, 0, -1)]
        finally:
            crawl.send_signal(signal.SIGCONT)
        out, err = crawl.communicate(timeout=60)
    finally:
        for p in (victim, crawl):
            if p and p.poll() is None:
                p.kill()
    try:
        assert crawl.returncode == 0, err
        assert held
        assert "requeued" in err, err
        # What the dead worker had in hand was fetched by the one still running.
        crawler_urls = article_responses(tmp_path / "crawler")
        assert set(held) <= set(crawler_urls), (held, crawler_urls)
        # The next run on the dead worker's folder recovers its open WARC; together nothing is missing.
        again = run_archiver(tmp_path / "victim", "worker", "--redis", redis_url, "--name", "kill", "--until-idle", *DIST)
        assert again.returncode == 0, again.stderr
        assert set(crawler_urls) | set(article_responses(tmp_path / "victim")) == set(urls)
        for archive in ("crawler", "victim"):
            result = run_archiver(tmp_path / archive, "verify")
            assert result.returncode == 0, result.stdout + result.stderr
        assert conn.llen("kill:queue") == 0 and not conn.keys("kill:processing:*")
    finally:
        site.stop()


# -- Redis that cannot be used ------------------------------------------------------------------

@pytest.mark.parametrize("command", [["worker"], ["crawl", "http://127.0.0.1:9/article/1/"]])
def test_malformed_redis_url_is_bad_usage(command, tmp_path):
    result = run_archiver(tmp_path / "a", *command, "--redis", "http://127.0.0.1:6379")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "--redis" in result.stderr, result.stderr


@pytest.mark.parametrize("command", [["worker"], ["crawl", "http://127.0.0.1:9/article/1/"]])
def test_unreachable_redis_says_so(command, tmp_path):
    url = f"redis://127.0.0.1:{free_port()}/0"
    result = run_archiver(tmp_path / "a", *command, "--redis", url)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert f"cannot reach Redis at {url}" in result.stderr


# -- liveness and fencing, on the queue itself ----------------------------------------------------

from archiver.crawler.distributed.heartbeat import Heartbeat  # noqa: E402
from archiver.crawler.distributed.keys import Keys  # noqa: E402
from archiver.crawler.distributed.queue import Ack, SharedQueue  # noqa: E402


def two_workers(redis_url, name):
    conn = redis.Redis.from_url(redis_url)
    keys = Keys(name)
    a, b = (SharedQueue(conn, keys, w, stale=2.0) for w in ("a", "b"))
    for q in (a, b):
        q.heartbeat(seeding=False)
    return conn, keys, a, b


def freeze(conn, keys, queue):
    """What a worker whose whole process stopped for a while looks like: its last beat is old."""
    conn.zadd(keys.workers, {queue.worker: queue.now() - 10 * queue.stale})


def test_a_late_ack_withdraws_the_requeued_entry_or_says_it_was_taken(redis_url):
    conn, keys, a, b = two_workers(redis_url, "fence")
    for entry in ("one", "two"):
        a.push(entry)
    assert {a.claim(), a.claim()} == {b"one", b"two"}
    freeze(conn, keys, a)
    assert b.reap_stale() == 2
    # a finishes "one" late, before anybody claimed it again: it leaves the queue, no second fetch.
    assert a.ack("one") is Ack.WITHDRAWN
    assert conn.lrange(keys.queue, 0, -1) == [b"two"]
    # "two" was claimed by b first: a's late ack says so and takes nothing from b.
    assert b.claim() == b"two"
    assert a.ack("two") is Ack.TAKEN
    assert conn.lrange(keys.processing("b"), 0, -1) == [b"two"]
    assert b.ack("two") is Ack.DONE
    assert conn.llen(keys.queue) == 0 and not conn.keys("fence:processing:*")


def test_a_worker_taken_for_dead_learns_it_and_takes_back_what_is_still_queued(redis_url):
    conn, keys, a, b = two_workers(redis_url, "reclaim")
    for entry in ("one", "two", "three"):
        a.push(entry)
    held = [a.claim().decode() for _ in range(3)]
    assert a.heartbeat(seeding=False) is False  # alive and listed: nothing to learn
    freeze(conn, keys, a)
    assert b.reap_stale() == 3
    taken = b.claim().decode()
    # Before a hears of it, it claims again one of its own requeued entries.
    again = a.claim().decode()
    assert a.heartbeat(seeding=False) is True  # its next beat tells it its claims were requeued
    back = a.reclaim(held)
    assert again in back and back == set(held) - {taken}
    assert sorted(x.decode() for x in conn.lrange(keys.processing("a"), 0, -1)) == sorted(back)
    assert conn.llen(keys.queue) == 0
    # Listed again by that beat: b no longer reaps it.
    assert b.reap_stale() == 0


def test_heartbeat_goes_on_while_the_main_thread_is_busy(redis_url):
    conn, keys, a, b = two_workers(redis_url, "busy")
    a.push("one")
    a.claim()
    reaped = []
    beat = Heartbeat(a, 0.3, seeding=lambda: False, on_reaped=lambda: reaped.append(True))
    beat.start()
    try:
        # Pure-Python work holding the interpreter, as a reactor parsing pages does, for three
        # times the stale limit; b looks for dead workers between slices of it.
        end = time.monotonic() + 3 * a.stale
        while time.monotonic() < end:
            slice_end = time.monotonic() + 0.5
            while time.monotonic() < slice_end:
                sum(i * i for i in range(1000))
            assert b.reap_stale() == 0
        assert conn.lrange(keys.processing("a"), 0, -1) == [b"one"]
    finally:
        beat.stop()
    assert not reaped


def test_a_plain_crawl_prints_no_disabled_component(tmp_path):
    site = FixtureSite(pages=2).start()
    try:
        result = run_archiver(tmp_path / "a", "crawl", *site.article_urls(2), "-s", "ARCHIVER_PROGRESS=0")
    finally:
        site.stop()
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "Disabled" not in output, output
