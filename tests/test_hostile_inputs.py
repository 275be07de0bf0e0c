"""Hostile or broken input to `archiver extract` and `archiver export`, each against a local file:
one bad capture or file is named and counted, never stops the run nor loses what comes after it,
and an export never damages the archive it reads."""
from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, run_archiver
from hostile_warcs import article, bomb_warc, head, write_warc
from test_export_archive import T0, WarcBuilder

ADDRESS_SPACE = 1 << 30  # a 1 GiB bomb decoded whole cannot fit in it, beside the interpreter


def limited_extract(*args) -> subprocess.CompletedProcess:
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    return subprocess.run([sys.executable, "-m", "archiver", "extract", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, preexec_fn=limit)


def derived(result) -> dict[str, dict]:
    return {item["url"]: item for item in map(json.loads, result.stdout.splitlines())}


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    return bomb_warc(tmp_path_factory.mktemp("bomb"))


def test_a_gzip_bomb_gets_a_reason_and_the_pages_after_it_are_derived(bomb):
    result = limited_extract(bomb)
    assert result.returncode == 0, result.stderr
    items = derived(result)
    assert list(items) == ["http://news.test/before", "http://news.test/bomb", "http://news.test/after",
                           "http://news.test/last"]
    assert items["http://news.test/bomb"]["reason"] == "body over 8 MiB decoded"
    assert items["http://news.test/bomb"]["body"] is None
    for url, title in (("before", "Before the bomb"), ("after", "After the bomb"), ("last", "Last page")):
        assert items[f"http://news.test/{url}"]["title"] == title
        assert "paragraph 3 of the article" in items[f"http://news.test/{url}"]["body"]
    # Named (file and offset) and counted.
    warning = next(line for line in result.stderr.splitlines() if "http://news.test/bomb" in line)
    assert bomb.name in warning and "body over 8 MiB decoded" in warning
    assert "1 captures failed to derive" in result.stderr.splitlines()[-1]


def test_a_charset_no_web_page_uses_does_not_stop_extract(tmp_path):
    page = article("Caf\u00e9 news").replace(b"Caf\xc3\xa9", b"Caf\xe9")  # a latin-1 byte, as in the wild
    warc = write_warc(tmp_path / "w", [
        ("http://news.test/puny", head("text/html; charset=punycode"), page),
        ("http://news.test/idna", head("text/html; charset=idna"), page),
        ("http://news.test/escape", head("text/html; charset=unicode_escape"), b"<title>\\u0041</title>" + page),
        ("http://news.test/good", head(), article("The good page after them")),
    ])
    result = limited_extract(warc)
    assert result.returncode == 0, result.stderr
    items = derived(result)
    assert len(items) == 4
    for url in ("puny", "idna", "escape"):
        # The label is ignored, as browsers ignore one they do not know: the page reads as cp1252.
        assert items[f"http://news.test/{url}"]["title"] == "Caf\u00e9 news", url
        assert "Caf\u00e9 news: paragraph 0" in items[f"http://news.test/{url}"]["body"]
    assert items["http://news.test/good"]["title"] == "The good page after them"


def test_a_truncated_warc_and_a_text_file_warn_and_exit_1_after_deriving_what_they_can(tmp_path):
    pages = [(f"http://news.test/{n}", head(), article(f"Page {n}")) for n in range(3)]
    good = write_warc(tmp_path / "w", pages, prefix="good")
    data = good.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[:-40])  # inside the last record's gzip member
    text = tmp_path / "notes.warc.gz"
    text.write_text("these are my notes, not a WARC\n" * 10)
    result = run_archiver(tmp_path / "unused", "extract", str(good), str(cut), str(text))
    assert result.returncode == 1
    warnings = [line for line in result.stderr.splitlines() if line.startswith("archiver: warning:")]
    assert len(warnings) == 2, result.stderr
    assert str(cut) in warnings[0] and "cut short" in warnings[0] and "records before it were derived" in warnings[0]
    assert str(text) in warnings[1] and "not a WARC file" in warnings[1]
    assert "2 files not WARC or cut short" in result.stderr.splitlines()[-1]
    # The good file whole, and the cut one up to its last whole record.
    urls = [json.loads(line)["url"] for line in result.stdout.splitlines()]
    assert urls == [p[0] for p in pages] + [p[0] for p in pages[:2]]
    # An uncompressed WARC cut inside a payload says so too.
    import gzip

    plain = tmp_path / "plain.warc"
    plain.write_bytes(gzip.decompress(data)[:-100])
    result = run_archiver(tmp_path / "unused", "extract", str(plain))
    assert result.returncode == 1 and "cut short" in result.stderr
    assert [json.loads(line)["url"] for line in result.stdout.splitlines()] == [p[0] for p in pages[:2]]


@pytest.fixture
def archive(tmp_path):
    b = WarcBuilder(tmp_path / "archive")
    for n in range(3):
        b.capture(f"http://example.com/{n}", T0, article(f"Story {n}"), title=f"Story {n}")
    b.close()
    from archiver.store.state import CrawlState

    state = CrawlState(tmp_path / "archive" / "state.sqlite3")
    state.add_urls([f"http://example.com/{n}" for n in range(3)])
    state.close()
    return tmp_path / "archive"


def test_an_export_never_writes_into_the_archive_it_reads(archive, tmp_path):
    warc = next((archive / "warcs").glob("*.warc.gz"))
    items = next((archive / "items").glob("*.jsonl"))
    state = archive / "state.sqlite3"
    before = {p: p.read_bytes() for p in (warc, items, state)}
    cases = [(state, "the state database of the archive"), (warc, "a WARC of the archive"),
             (items, "an item file of the archive"), (archive / "export.csv", "inside the archive")]
    for target, what in cases:
        for fmt in ("csv", "wacz"):
            result = run_archiver(archive, "export", "--format", fmt, "--to", str(target))
            assert result.returncode == 2, (target, result.stderr)
            assert result.stderr.strip() == (f"archiver: export: refusing to write {target}: it is {what} {archive}, "
                                             "which this export reads; give a --to outside the archive folder")
    # Through --from, and through a link from outside, too.
    link = tmp_path / "link.wacz"
    link.symlink_to(warc)
    result = run_archiver(tmp_path / "elsewhere", "export", "--format", "wacz", "--to", str(link), "--from", str(archive))
    assert result.returncode == 2 and "a WARC of the archive" in result.stderr
    assert {p: p.read_bytes() for p in before} == before
    assert not (archive / "export.csv").exists()
    assert [p.name for p in archive.rglob(".*")] == []
    status = run_archiver(archive, "status")
    assert status.returncode == 0 and "3 known" in status.stdout, status.stderr
    ok = run_archiver(archive, "export", "--format", "csv", "--to", str(tmp_path / "out.csv"))
    assert ok.returncode == 0, ok.stderr


def test_a_killed_export_leaves_nothing_the_next_one_does_not_remove(archive, tmp_path):
    scratch_root = tmp_path / "tmp"
    scratch_root.mkdir()
    env = dict(os.environ, TMPDIR=str(scratch_root))
    # An item file that is a pipe with no writer: the export blocks on it, once its output and
    # scratch folder exist, and waits there to be killed.
    os.mkfifo(archive / "items" / "zz-pipe.jsonl")
    out = tmp_path / "out" / "items.jsonl"
    out.parent.mkdir()
    child = subprocess.Popen([sys.executable, "-m", "archiver", "--archive", str(archive), "export",
                              "--format", "jsonl", "--to", str(out)], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not (list(out.parent.glob(".items.jsonl.part-*")) and list(scratch_root.glob("archiver-export-*"))):
            assert child.poll() is None, "the export ended before it could be killed"
            assert time.monotonic() < deadline, "the export never reached its output"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    (part,) = out.parent.glob(".items.jsonl.part-*")
    (scratch,) = scratch_root.glob("archiver-export-*")
    assert part.name.endswith(f"-{child.pid}") and f"-{child.pid}-" in scratch.name
    os.unlink(archive / "items" / "zz-pipe.jsonl")
    # A run that is still alive keeps its files: only the dead one's are removed.
    alive = out.parent / f".items.jsonl.part-{part.name.split('.part-')[1].rsplit('-', 1)[0]}-{os.getpid()}"
    alive.write_text("in progress")

    result = run_archiver(archive, "export", "--format", "jsonl", "--to", str(out), env={"TMPDIR": str(scratch_root)})
    assert result.returncode == 0, result.stderr
    assert f"removed {part}, left by an export that was killed" in result.stderr
    assert f"removed {scratch}, left by an export that was killed" in result.stderr
    assert sorted(p.name for p in out.parent.iterdir()) == sorted([alive.name, "items.jsonl"])
    assert list(scratch_root.iterdir()) == []
    assert len(out.read_text().splitlines()) == 3


def test_csv_cells_a_spreadsheet_would_run_get_a_quote(tmp_path):
    import csv
    import io

    archive = tmp_path / "archive"
    b = WarcBuilder(archive)
    titles = ["=HYPERLINK(\"http://evil.test\",\"click\")", "+1+1", "@SUM(A1:A9)", "-2+3", "\tTabbed", "Plain title"]
    for n, title in enumerate(titles):
        b.capture(f"http://example.com/{n}", T0, article(title), title=title)
    b.item("http://example.com/x", T0, {"filename": "f", "record_id": "r", "offset": 1}, title="ok",
           body="=cmd|' /C calc'!A0")
    b.close()
    rows = {}
    for raw in (False, True):
        result = run_archiver(archive, "export", "--format", "csv", "--to", "-", *(["--csv-raw"] if raw else []))
        assert result.returncode == 0, result.stderr
        rows[raw] = list(csv.DictReader(io.StringIO(result.stdout)))
    safe = {r["url"]: r for r in rows[False]}
    for n, title in enumerate(titles):
        expected = title if title == "Plain title" else "'" + title
        assert safe[f"http://example.com/{n}"]["title"] == expected
    assert safe["http://example.com/x"]["body"] == "'=cmd|' /C calc'!A0"
    # Numbers we write ourselves are left alone.
    assert safe["http://example.com/0"]["status"] == "200" and safe["http://example.com/x"]["warc_offset"] == "1"
    raw = {r["url"]: r for r in rows[True]}
    assert [raw[f"http://example.com/{n}"]["title"] for n in range(len(titles))] == titles
    assert raw["http://example.com/x"]["body"] == "=cmd|' /C calc'!A0"
