"""The digest index written in batches (warc/dedup.py) over the real SQLite state."""
from archiver.store.state import CrawlState
from archiver.warc.dedup import BatchedPayloadIndex, StoredPayload


def stored(n: int, filename: str = "a.warc.gz") -> StoredPayload:
    return StoredPayload(f"sha1:D{n}", f"http://example.org/{n}", "2026-01-01T00:00:00Z", f"<urn:uuid:{n}>", filename, n * 100)


def test_entries_wait_answer_lookups_and_are_written_in_batches(tmp_path):
    state = CrawlState(tmp_path / "state.sqlite3")
    now = [0.0]
    index = BatchedPayloadIndex(state, batch=3, seconds=60, clock=lambda: now[0])
    index.remember_payload(stored(1))
    index.remember_payload(stored(2))
    # Not yet in the database, but a lookup already finds them.
    assert state.original_for("sha1:D1") is None and index.original_for("sha1:D1") == stored(1)
    index.remember_payload(stored(3))
    assert [state.original_for(f"sha1:D{n}") for n in (1, 2, 3)] == [stored(1), stored(2), stored(3)]
    # After `seconds`, one entry is enough.
    index.remember_payload(stored(4))
    assert state.original_for("sha1:D4") is None
    now[0] = 61.0
    index.remember_payload(stored(5))
    assert state.original_for("sha1:D4") == stored(4) and state.original_for("sha1:D5") == stored(5)
    state.close()


def test_the_first_capture_of_a_payload_stays_the_one_referred_to(tmp_path):
    state = CrawlState(tmp_path / "state.sqlite3")
    index = BatchedPayloadIndex(state, batch=100)
    index.remember_payload(stored(1, "first.warc.gz"))
    index.remember_payload(stored(1, "second.warc.gz"))
    index.flush()
    index.remember_payload(stored(1, "third.warc.gz"))
    index.flush()
    assert state.original_for("sha1:D1").filename == "first.warc.gz"
    assert not index.pending
    # Written for good: another connection (another run) sees them.
    state.close()
    assert CrawlState(tmp_path / "state.sqlite3").original_for("sha1:D1").filename == "first.warc.gz"
