"""`archiver demo`: the bundled pages served on 127.0.0.1, crawled, and the output explained; then
the same URLs a day later with two articles edited, re-crawled into new versions."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, run_archiver
from pywb_helpers import free_port
from warc_helpers import items

SITE = Path(__file__).resolve().parent.parent / "archiver" / "demo" / "site"
PAGES = json.loads((SITE / "index.json").read_text())
EDITS = json.loads((SITE / "edits.json").read_text())


def demo(archive, *args, port):
    return run_archiver(archive, "demo", "--port", str(port), *args)


def known_urls(archive) -> list[str]:
    result = run_archiver(archive, "status", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["urls"]


def test_demo_crawls_the_bundled_site(tmp_path):
    archive, port = tmp_path / "demo-archive", free_port()
    result = demo(archive, port=port)
    assert result.returncode == 0, result.stderr
    assert f"serving {len(PAGES)} sample pages on http://127.0.0.1:{port}/" in result.stdout
    assert f"WARCs:   {archive / 'warcs'}/ (1 file)" in result.stdout
    assert f"Items:   {archive / 'items'}/ (1 file," in result.stdout
    assert f"--archive {archive} demo --edit" in result.stdout
    got = items(archive)
    assert len(got) == len(PAGES)
    assert all(i["status"] == 200 and i["title"] and i["body"] for i in got)
    # The appended "Latest" articles never reach the main article's body.
    main = next(i for i in got if "new-video-footage" in i["url"])
    assert main["title"].startswith("New video footage exposes US military helping ISIS fighters escape")
    assert "Huawei" not in main["body"] and "Patreon" not in main["body"]
    assert run_archiver(archive, "verify").returncode == 0


def test_demo_items_match_the_labelled_fixtures_field_by_field(tmp_path):
    """Through the whole crawl (gzip on the wire, WARC, pipelines), every labelled field is right."""
    fixtures = ROOT / "tests" / "fixtures" / "articles"
    archive, port = tmp_path / "demo-archive", free_port()
    result = demo(archive, port=port)
    assert result.returncode == 0, result.stderr
    origin = f"http://127.0.0.1:{port}"
    got = {i["url"]: i for i in items(archive)}
    for page in PAGES:
        expected = json.loads((fixtures / page["file"].replace(".html", ".expected.json")).read_text())
        # The labels were written for port 8000. Some pages name their canonical URL absolutely
        # (on 8000), so both sides are put on one origin.
        item = json.loads(json.dumps(got[origin + page["path"]]).replace(origin, "http://127.0.0.1:8000"))
        for field, value in expected.items():
            assert item[field] == value, (page["file"], field)


def test_the_story_capture_edit_recrawl_history_diff(tmp_path):
    archive, port = tmp_path / "demo-archive", free_port()
    assert demo(archive, port=port).returncode == 0
    # A second plain demo: the same URLs (a stable port), nothing doubled, nothing new.
    again = demo(archive, port=port)
    assert again.returncode == 0, again.stderr
    assert known_urls(archive) == len(PAGES)

    edited = demo(archive, "--edit", port=port)
    assert edited.returncode == 0, edited.stderr
    assert f"Changed: {len(EDITS)} of {len(PAGES)} articles have a new version" in edited.stdout
    assert known_urls(archive) == len(PAGES)
    for edit in EDITS:
        url = f"http://127.0.0.1:{port}{edit['path']}"
        assert f"  {url} (version 2)" in edited.stdout
        history = run_archiver(archive, "history", url, "--format", "json")
        assert history.returncode == 0, history.stderr
        assert [v["version"] for v in json.loads(history.stdout)] == [1, 2]
        diff = run_archiver(archive, "diff", url)
        assert diff.returncode == 0, diff.stderr
        added = [line for line in diff.stdout.splitlines() if line.startswith("+") and not line.startswith("+++")]
        # Each edit's new text shows up in the diff, in the body or as a changed title.
        assert added or "title:" in diff.stdout, diff.stdout
    unedited = f"http://127.0.0.1:{port}{PAGES[0]['path']}"
    history = run_archiver(archive, "history", unedited, "--format", "json")
    assert [v["version"] for v in json.loads(history.stdout)] == [1]
    assert run_archiver(archive, "verify").returncode == 0


def test_edit_before_any_capture_says_what_to_run(tmp_path):
    archive = tmp_path / "empty"
    archive.mkdir()
    result = demo(archive, "--edit", port=free_port())
    assert result.returncode == 2
    assert "holds no capture" in result.stderr and "demo` first" in result.stderr


def test_serve_mode_lets_a_plain_recrawl_find_the_edits(tmp_path):
    archive, port = tmp_path / "demo-archive", free_port()
    assert demo(archive, port=port).returncode == 0
    server = subprocess.Popen([sys.executable, "-m", "archiver", "demo", "--serve", "--edit", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=str(tmp_path))
    try:
        assert "with two articles edited" in server.stdout.readline()
        result = run_archiver(archive, "recrawl", "--all", "-s", "ARCHIVER_PROGRESS=0")
        assert result.returncode == 0, result.stderr
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(30) == 0
    status = json.loads(run_archiver(archive, "status", "--format", "json").stdout)
    assert status["versions"] == len(PAGES) + len(EDITS)
    assert status["changed_urls"] == len(EDITS)
    assert not list(tmp_path.glob("output")), "--serve writes no archive"


def test_every_edit_changes_its_page():
    sys.path.insert(0, str(ROOT))
    from archiver.demo.server import apply_edits, load_edits, load_pages

    pages = load_pages()
    edited = apply_edits(pages, load_edits())
    changed = [path for path in pages if pages[path] != edited[path]]
    assert sorted(changed) == sorted(e["path"] for e in EDITS) and len(changed) == 2
    with pytest.raises(ValueError, match="is not on the page"):
        apply_edits(pages, [{"path": PAGES[0]["path"], "replace": [["no such text", "x"]]}])


def test_a_second_demo_on_the_same_archive_waits_its_turn(tmp_path):
    """The archive lock: while one demo runs, another on the same archive writes nothing."""
    archive, port = tmp_path / "demo-archive", free_port()
    archive.mkdir()
    # Hold the lock as a running crawl does (flock, released when the holder exits).
    holder = subprocess.Popen([sys.executable, "-c",
                               "import sys, time; sys.path.insert(0, sys.argv[1]);"
                               "from archiver.store.lock import CrawlLock;"
                               "lock = CrawlLock(sys.argv[2]).acquire(); print('held', flush=True); time.sleep(60)",
                               str(ROOT), str(archive / "crawl.lock")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = demo(archive, port=port)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 1
    assert "another crawl is running" in result.stderr and "demo did not start" in result.stderr
    assert sorted(p.name for p in archive.iterdir()) == ["crawl.lock"]
    # The port was not taken either: nothing listens on it.
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0


def test_a_port_in_use_is_named(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = demo(tmp_path / "a", port=port)
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []
