"""End to end: crawl 200 articles, re-crawl them unchanged, change 20, re-crawl again.

The unchanged re-crawl must write revisit records only, and few bytes; the changed one must store
exactly the 20 changed pages in full; `history` and `diff` must show the new versions; (pywb replay of
revisits is in test_recrawl_replay.py).
"""
import json
import random
import sqlite3
import subprocess
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import FAST, run_archiver
from site_fixture import FixtureSite, _Handler
from warc_helpers import items, records

PAGES = 200
EDITED = list(range(3, PAGES, 10))  # 20 pages


def page_weight(path: str) -> bytes:
    """What a real news page carries besides the article (menus, inline scripts and styles),
    so that a page weighs what one does on the wire: about 20 KB gzip'd, 70 KB decoded."""
    rng = random.Random(path)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rng.randint(4, 12)))
             for _ in range(2500)]
    menu = "".join(f'<li><a href="/{words[i]}/{words[i + 1]}/">{words[i + 2]}</a></li>' for i in range(0, 900, 3))
    script = "window.__config=" + json.dumps({w: words[(i * 7) % len(words)] for i, w in enumerate(words[900:2500])})
    return f'<nav class="mega-menu"><ul>{menu}</ul></nav><script>{script}</script>'.encode()


class NewsSite(FixtureSite):
    """The fixture site, with article pages of a real news page's weight."""

    def start(self):
        site = self
        weights: dict[str, bytes] = {}

        class Handler(_Handler):
            def _send(self, status, body=b"", headers=(), **kwargs):
                if status == 200 and self.path.startswith("/article/"):
                    weight = weights.get(self.path) or weights.setdefault(self.path, page_weight(self.path))
                    body = body.replace(b"</body>", weight + b"</body>")
                return super()._send(status, body, headers, **kwargs)

        Handler.site = site
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self


def warc_files(archive) -> set[str]:
    return {p.name for p in Path(archive, "warcs").glob("*.warc.gz")}


def new_records(archive, before: set[str]) -> list[dict]:
    return [r for r in records(archive) if r["file"] not in before]


def size_of(archive, names) -> int:
    return sum(Path(archive, "warcs", n).stat().st_size for n in names)


def is_article(rec) -> bool:
    return "/article/" in (rec["headers"].get("WARC-Target-URI") or "")


@pytest.fixture(scope="module")
def site():
    s = NewsSite(pages=PAGES).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def rounds(site, tmp_path_factory):
    """First crawl, unchanged re-crawl, re-crawl after 20 edits: the files each one wrote."""
    work = tmp_path_factory.mktemp("recrawl")
    archive = work / "archive"
    seeds = work / "seeds.txt"
    seeds.write_text("\n".join(site.article_urls(PAGES)) + "\n")
    out = {"archive": archive}

    result = run_archiver(archive, "crawl", "--urls", str(seeds), *FAST)
    assert result.returncode == 0, result.stderr
    out["first"] = warc_files(archive)

    result = run_archiver(archive, "recrawl", "--all", *FAST)
    assert result.returncode == 0, result.stderr
    out["unchanged"] = warc_files(archive) - out["first"]
    out["unchanged_result"] = result
    out["unchanged_state"] = intervals(archive)

    for n in EDITED:
        site.edit(n)
    result = run_archiver(archive, "recrawl", "--all", *FAST)
    assert result.returncode == 0, result.stderr
    out["changed"] = warc_files(archive) - out["first"] - out["unchanged"]
    out["changed_state"] = intervals(archive)
    return out


def intervals(archive) -> dict[str, float]:
    with sqlite3.connect(Path(archive, "state.sqlite3")) as db:
        return dict(db.execute("SELECT url, interval FROM urls"))


def test_unchanged_recrawl_writes_only_revisits(site, rounds):
    archive = rounds["archive"]
    recs = [r for r in new_records(archive, rounds["first"]) if r["file"] in rounds["unchanged"]]
    articles = [r for r in recs if is_article(r) and r["type"] in ("response", "revisit")]
    assert len(articles) == PAGES
    assert [r for r in articles if r["type"] == "response"] == []
    for rec in articles:
        assert rec["headers"]["WARC-Profile"].endswith("/revisit/server-not-modified")
        assert rec["http"].get_statuscode() == "304"
        assert rec["headers"]["WARC-Refers-To"].startswith("<urn:uuid:")
        assert rec["headers"]["WARC-Refers-To-Target-URI"] == rec["headers"]["WARC-Target-URI"]
        assert rec["headers"]["WARC-Refers-To-Date"] < rec["headers"]["WARC-Date"]
    # The conditional request that earned the 304 is archived beside it.
    requests = [r for r in recs if r["type"] == "request" and is_article(r)]
    assert len(requests) == PAGES and all(r["http"].get_header("If-None-Match") for r in requests)
    kinds = {t: len([r for r in recs if r["type"] == t]) for t in ("warcinfo", "response", "revisit", "request")}
    print(f"unchanged re-crawl records: {kinds}")


def test_unchanged_recrawl_costs_at_most_5_percent(rounds):
    archive = rounds["archive"]
    first, unchanged = size_of(archive, rounds["first"]), size_of(archive, rounds["unchanged"])
    print(f"first crawl {first} B, unchanged re-crawl {unchanged} B, ratio {unchanged / first:.2%}")
    assert unchanged <= 0.05 * first


def test_revisits_refer_to_the_stored_capture(rounds):
    archive = rounds["archive"]
    by_id = {r["headers"]["WARC-Record-ID"]: r for r in records(archive)}
    for rec in new_records(archive, rounds["first"]):
        if rec["type"] != "revisit":
            continue
        original = by_id[rec["headers"]["WARC-Refers-To"]]
        assert original["type"] == "response"
        assert original["headers"]["WARC-Target-URI"] == rec["headers"]["WARC-Refers-To-Target-URI"]
        assert original["headers"]["WARC-Date"] == rec["headers"]["WARC-Refers-To-Date"]
        assert original["headers"]["WARC-Payload-Digest"] == rec["headers"]["WARC-Payload-Digest"]


def test_unchanged_items_say_unchanged(site, rounds):
    archive = rounds["archive"]
    got = items(archive)
    first = {i["url"]: i for i in got if i["status"] == 200}
    again = [i for i in got if i["status"] == 304]
    assert len(first) == PAGES and len(again) >= PAGES
    by_pointer = {(r["file"], r["offset"]): r for r in records(archive)}
    for item in again:
        before = first[item["url"]]
        assert item["version"] == before["version"] == 1 or item["url"] in {site.url(f"/article/{n}/") for n in EDITED}
        assert item["title"] == before["title"]
        rec = by_pointer[(item["warc"]["filename"], item["warc"]["offset"])]
        assert rec["type"] == "revisit"


def test_changed_recrawl_stores_exactly_the_changed_pages(site, rounds):
    archive = rounds["archive"]
    recs = [r for r in new_records(archive, rounds["first"]) if r["file"] in rounds["changed"]]
    full = sorted(r["headers"]["WARC-Target-URI"] for r in recs if r["type"] == "response" and is_article(r))
    assert full == sorted(site.url(f"/article/{n}/") for n in EDITED)
    revisits = [r for r in recs if r["type"] == "revisit" and is_article(r)]
    assert len(revisits) == PAGES - len(EDITED)
    print(f"changed re-crawl: {len(full)} responses, {len(revisits)} revisits, "
          f"{len([r for r in recs if r['type'] == 'request'])} requests, {len(recs)} records in all")


def test_changed_pages_get_a_second_version(site, rounds):
    archive = rounds["archive"]
    url = site.url(f"/article/{EDITED[0]}/")
    result = run_archiver(archive, "history", url, "--format", "json")
    assert result.returncode == 0, result.stderr
    versions = json.loads(result.stdout)
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["content_hash"] != versions[1]["content_hash"]
    assert versions[1]["fetched_at"] > versions[0]["fetched_at"]
    assert versions[1]["title"].startswith("New video footage")
    assert {"filename", "record_id", "offset"} <= set(versions[1]["warc"])
    unchanged = json.loads(run_archiver(archive, "history", site.url("/article/0/"), "--format", "json").stdout)
    assert [v["version"] for v in unchanged] == [1]
    latest = {i["url"]: i for i in items(archive)}
    assert latest[url]["version"] == 2 and latest[site.url("/article/0/")]["version"] == 1


def test_diff_shows_the_changed_paragraph(site, rounds):
    result = run_archiver(rounds["archive"], "diff", site.url(f"/article/{EDITED[0]}/"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(l.startswith("-The proxy army being used to force an Assad regime change") for l in lines), result.stdout
    assert any(l.startswith("+The proxy army, edited in revision 2") for l in lines), result.stdout
    assert not any(l.startswith(("-", "+")) and "Raqqa." in l and "safe escape" in l for l in lines)


def test_intervals_shrink_on_change_and_grow_otherwise(site, rounds):
    before, after = rounds["unchanged_state"], rounds["changed_state"]
    changed = site.url(f"/article/{EDITED[0]}/")
    same = site.url("/article/0/")
    assert after[changed] < before[changed]
    assert after[same] > before[same]


def test_status_counts(rounds):
    result = run_archiver(rounds["archive"], "status", "--format", "json")
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["urls"] == PAGES
    assert status["versions"] == PAGES + len(EDITED)
    assert status["gone"] == 0 and status["failing"] == 0
    assert status["due_now"] == 0
    assert status["archive_bytes"] > size_of(rounds["archive"], rounds["first"])


def test_warcio_check_passes_with_revisits(rounds):
    files = [str(f) for f in Path(rounds["archive"], "warcs").glob("*.warc.gz")]
    result = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", *files], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
