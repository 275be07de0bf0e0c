"""The SQLite state: per-URL rows, the digest index, versions, due URLs, the summary."""
import json
import sqlite3
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT))
from archiver.store.state import CrawlState, UrlState  # noqa: E402
from archiver.warc.dedup import StoredPayload  # noqa: E402


@pytest.fixture
def state(tmp_path):
    s = CrawlState(tmp_path / "state.sqlite3")
    yield s
    s.close()


def test_wal_mode_and_a_second_reader(state, tmp_path):
    assert state.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    state.save(UrlState("http://a/", etag='"x"', version=1))
    other = CrawlState(tmp_path / "state.sqlite3")
    assert other.get("http://a/").etag == '"x"'
    other.close()


def test_url_state_round_trips(state):
    row = UrlState("http://a/", final_url="http://a/b", first_fetch="2024-01-01T00:00:00Z", last_status=200,
                   etag='"e"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT", payload_digest="sha1:X",
                   content_hash="h", version=3, published_at="2024-01-01T00:00:00+00:00", interval=3600.0,
                   next_due=1.0, failures=2, gone_since="2024-02-01T00:00:00Z")
    state.save(row)
    assert state.get("http://a/") == row
    assert state.get("http://elsewhere/") is None


def test_digest_index_keeps_the_first_capture(state):
    first = StoredPayload("sha1:A", "http://a/", "2024-01-01T00:00:00.000000Z", "<urn:uuid:1>", "f.warc.gz", 10)
    state.remember_payload(first)
    state.remember_payload(StoredPayload("sha1:A", "http://b/", "2024-02-01T00:00:00.000000Z", "<urn:uuid:2>", "g.warc.gz", 20))
    assert state.original_for("sha1:A") == first
    assert state.original_for("sha1:B") is None


def test_due_order_limit_and_all(state):
    for url, due in (("http://late/", 500.0), ("http://early/", 100.0), ("http://future/", 5000.0)):
        state.save(UrlState(url, next_due=due))
    state.add_urls(["http://new/", "http://early/"], due=0.0)
    assert list(state.due(now=1000)) == ["http://new/", "http://early/", "http://late/"]
    assert list(state.due(now=1000, limit=2)) == ["http://new/", "http://early/"]
    assert set(state.due(now=1000, include_all=True)) == {"http://new/", "http://early/", "http://late/", "http://future/"}
    assert state.get("http://early/").next_due == 100.0  # add_urls leaves known URLs alone


def test_due_reads_lazily_while_rows_change(state):
    for i in range(50):
        state.save(UrlState(f"http://a/{i:02d}", next_due=float(i)))
    seen = []
    for url in state.due(now=100):
        seen.append(url)
        known = state.get(url)
        known.next_due = 10_000.0
        state.save(known)
    assert len(seen) == 50


def test_versions_and_summary(state):
    state.save(UrlState("http://a/", version=2, next_due=0.0))
    state.save(UrlState("http://b/", version=1, failures=1, next_due=9e12))
    state.save(UrlState("http://c/", gone_since="2024-01-01T00:00:00Z", next_due=9e12))
    state.add_version("http://a/", 1, {"title": "One", "fetched_at": "t1", "content_hash": "h1", "warc": {"offset": 1}})
    state.add_version("http://a/", 2, {"title": "Two", "fetched_at": "t2", "content_hash": "h2", "warc": {"offset": 2}})
    versions = state.versions("http://a/")
    assert [(v.version, v.title, v.warc["offset"]) for v in versions] == [(1, "One", 1), (2, "Two", 2)]
    assert versions[1].summary() == {"version": 2, "fetched_at": "t2", "content_hash": "h2", "title": "Two", "warc": {"offset": 2}}
    summary = state.summary(now=1.0)
    assert (summary["urls"], summary["due_now"], summary["gone"], summary["failing"], summary["versions"]) == (3, 1, 1, 1, 2)


def test_open_existing_creates_nothing(tmp_path):
    assert CrawlState.open_existing(tmp_path / "none.sqlite3") is None
    assert not (tmp_path / "none.sqlite3").exists()


def _page(url="http://a/x", body_hash="h1"):
    from archiver.page import CapturedPage

    return CapturedPage(url=url, final_url=url, status=200, fetched_at="2026-12-01T00:00:00Z",
                        warc={"filename": "f.warc.gz", "record_id": "<urn:uuid:1>", "offset": 0},
                        headers=(("ETag", '"e1"'),), payload_digest="sha1:AAAA")


def test_a_captures_version_and_url_rows_land_together(state):
    from archiver.store.schedule import Schedule
    from archiver.store.versions import record_article, record_fetch

    fetch = record_fetch(state, Schedule(), _page(), 1_000_000.0)
    assert state.get("http://a/x").pending  # known at once, before its article
    # The disk fills between the version row and the URL row: SQLite refuses the second write.
    state.db.execute("CREATE TRIGGER full BEFORE INSERT ON urls BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
    item = {"url": "http://a/x", "status": 200, "fetched_at": "2026-12-01T00:00:00Z", "content_hash": "h1",
            "warc": _page().warc, "title": "A"}
    with pytest.raises(sqlite3.Error, match="disk is full"):
        record_article(state, Schedule(), fetch, item, 1_000_001.0)
    # Neither landed: no version row without its URL row, and the capture is still pending.
    assert state.versions("http://a/x") == []
    assert state.get("http://a/x").version == 0 and state.get("http://a/x").pending
    state.db.execute("DROP TRIGGER full")
    assert record_article(state, Schedule(), fetch, dict(item), 1_000_002.0) is True
    assert [v.version for v in state.versions("http://a/x")] == [1] and not state.get("http://a/x").pending


def test_pending_captures_are_read_in_batches_that_updates_in_between_do_not_disturb(state):
    urls = [f"http://example.com/{n}" for n in range(7)]
    for n, url in enumerate(urls):
        state.save(UrlState(url, pending=json.dumps({"filename": "a.warc.gz", "offset": n})))
    seen = []
    for url, pointer in state.pending(batch=2):
        seen.append((url, pointer["offset"]))
        state.clear_pending(url, pointer)  # what deriving it does, between two batches
    assert seen == [(url, n) for n, url in enumerate(urls)]
    assert list(state.pending()) == []


# -- the crawl's batched writes (store/batch.py) ---------------------------------------------------

class _Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_batched_rows_answer_at_once_and_reach_the_file_a_batch_at_a_time(state, tmp_path):
    from archiver.store.batch import BatchedState

    clock = _Clock()
    batched = BatchedState(state, batch=3, seconds=10.0, clock=clock)
    reader = CrawlState(tmp_path / "state.sqlite3")
    try:
        batched.save(UrlState("http://a/1", etag='"1"'))
        batched.save(UrlState("http://a/2"))
        assert batched.get("http://a/1").etag == '"1"'  # answered from memory
        assert reader.get("http://a/1") is None  # ... not written yet
        copy = batched.get("http://a/1")
        copy.etag = '"changed, not saved"'
        assert batched.get("http://a/1").etag == '"1"'
        batched.save(UrlState("http://a/3"))  # the third row: the batch is written
        assert [reader.get(f"http://a/{n}") is not None for n in (1, 2, 3)] == [True, True, True]
        batched.save(UrlState("http://a/4"))
        assert reader.get("http://a/4") is None
        clock.now = 10.0  # pages stopped coming: the timer's flush writes what waits
        batched.due_flush()
        assert reader.get("http://a/4") is not None and not batched.rows
    finally:
        reader.close()


def test_batched_transaction_that_fails_saves_nothing(state):
    from archiver.store.batch import BatchedState

    batched = BatchedState(state, batch=100)
    with pytest.raises(RuntimeError):
        with batched.transaction():
            batched.save(UrlState("http://a/x", version=1))
            batched.add_version("http://a/x", 1, {"title": "A"})
            raise RuntimeError("between the two rows")
    assert batched.get("http://a/x") is None and not batched.versions
    batched.close()
    assert state.path.exists()


def test_batched_flush_that_fails_keeps_its_rows_and_lands_them_together_later(tmp_path):
    from archiver.store.batch import BatchedState
    from archiver.store.schedule import Schedule
    from archiver.store.versions import record_article, record_fetch

    batched = BatchedState(CrawlState(tmp_path / "state.sqlite3"), batch=100)
    fetch = record_fetch(batched, Schedule(), _page(), 1_000_000.0)
    item = {"url": "http://a/x", "status": 200, "fetched_at": "2026-12-01T00:00:00Z", "content_hash": "h1",
            "warc": _page().warc, "title": "A"}
    assert record_article(batched, Schedule(), fetch, item, 1_000_001.0) is True
    assert batched.get("http://a/x").version == 1 and not batched.get("http://a/x").pending
    # The disk fills when the batch is written: the version row went in first, and is rolled back.
    batched.state.db.execute("CREATE TRIGGER full BEFORE INSERT ON urls BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
    with pytest.raises(sqlite3.Error, match="disk is full"):
        batched.flush()
    assert batched.state.versions("http://a/x") == [] and batched.state.get("http://a/x") is None
    assert batched.get("http://a/x").version == 1  # still waiting, not lost
    batched.state.db.execute("DROP TRIGGER full")
    batched.close()
    stored = CrawlState(tmp_path / "state.sqlite3")
    try:
        assert [v.version for v in stored.versions("http://a/x")] == [1]
        assert stored.get("http://a/x").version == 1 and not stored.get("http://a/x").pending
    finally:
        stored.close()
