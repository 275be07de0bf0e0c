"""Replay after a re-crawl: every capture date of an unchanged page replays as the page.

An identical-payload revisit replays in pywb as the original page, from the WARCs. After an
unchanged re-crawl with conditional requests (the default) the archive holds 304
`server-not-modified` revisits; the whole archive and a `--since` export, as WACZ, replay the
article at every capture date of every sampled URL in pywb through the WACZ's own index.
(tests/test_replay_browser.py does the same in ReplayWeb.page.)
"""
import email.utils
import gzip
import random
import time
from pathlib import Path

import pytest

from archiver.export.wacz import verify_wacz
from conftest import FAST, run_archiver
from site_fixture import FixtureSite
from warc_helpers import records


@pytest.fixture
def revisited(site, tmp_path):
    archive = tmp_path / "archive"
    urls = site.article_urls(3)
    first = run_archiver(archive, "crawl", *urls, *FAST)
    assert first.returncode == 0, first.stderr
    originals = {path: site.sent[path] for path in ("/article/0/", "/article/1/", "/article/2/")}
    # Without validators the server sends the same page again: an identical-payload-digest revisit.
    again = run_archiver(archive, "recrawl", "--all", *FAST, "-s", "ARCHIVER_CONDITIONAL_REQUESTS=0")
    assert again.returncode == 0, again.stderr
    return archive, originals


def test_identical_payload_is_a_revisit(site, revisited):
    archive, _ = revisited
    recs = records(archive)
    revisits = [r for r in recs if r["type"] == "revisit" and "/article/" in r["headers"]["WARC-Target-URI"]]
    assert len(revisits) == 3
    for rec in revisits:
        assert rec["headers"]["WARC-Profile"].endswith("/revisit/identical-payload-digest")
        assert rec["http"].get_statuscode() == "200"
        assert rec["payload"] == b""  # the head only: never a copy of the payload


def test_pywb_replays_a_revisit_as_the_original_page(site, revisited, tmp_path):
    from pywb_helpers import Wayback

    archive, originals = revisited
    path = "/article/1/"
    url = site.url(path)
    (revisit,) = [r for r in records(archive) if r["type"] == "revisit" and r["headers"]["WARC-Target-URI"] == url]
    stamp = "".join(ch for ch in revisit["headers"]["WARC-Date"] if ch.isdigit())[:14]
    original_stamp = "".join(ch for ch in revisit["headers"]["WARC-Refers-To-Date"] if ch.isdigit())[:14]
    assert stamp != original_stamp  # so that which capture pywb served is plain to see
    with Wayback(tmp_path / "pywb", sorted(Path(archive, "warcs").glob("*.warc.gz"))) as wayback:
        status, headers, body = wayback.get(url, timestamp=stamp)
    assert status == 200
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    assert body == gzip.decompress(originals[path])
    # pywb served the revisit (its own capture time) with the payload it refers to.
    served = email.utils.parsedate_to_datetime(headers["Memento-Datetime"]).strftime("%Y%m%d%H%M%S")
    assert served == stamp


# --- an unchanged re-crawl with conditional requests: 304 revisits -----------------------------

ARTICLES = 30
SAMPLED = 10
PARAGRAPH = "The proxy army being used to force an Assad regime change"


def article_heading(n: int) -> str:
    return f"escape Raqqa (part {n})"


def stamp(warc_date: str) -> str:
    return "".join(ch for ch in warc_date if ch.isdigit())[:14]


_RECRAWLED: dict = {}


def recrawled_unchanged(tmp_path_factory) -> dict:
    """30 seed-shaped articles crawled, exported, re-crawled unchanged (304s) and exported again.

    Once per session: the pywb and the browser tests replay the same WACZ files. Holds the WACZ
    of the first crawl (`fresh`), of the whole archive after the re-crawl (`whole`) and of the
    re-crawl alone (`since`), and for each sampled article its URL and two capture dates.
    """
    if _RECRAWLED:
        return _RECRAWLED
    root = tmp_path_factory.mktemp("recrawled")
    archive = root / "archive"
    site = FixtureSite(pages=ARTICLES).start()
    try:
        urls = site.article_urls()
        first = run_archiver(archive, "crawl", *urls, *FAST)
        assert first.returncode == 0, first.stderr
        fresh = root / "fresh.wacz"
        exported = run_archiver(archive, "export", "--format", "wacz", "--to", str(fresh))
        assert exported.returncode == 0, exported.stderr
        time.sleep(1.1)  # the re-crawl's captures get later timestamps (second resolution)
        again = run_archiver(archive, "recrawl", "--all", *FAST)
        assert again.returncode == 0, again.stderr
    finally:
        site.stop()
    recs = records(archive)
    originals = {r["headers"]["WARC-Target-URI"]: r for r in recs if r["type"] == "response"}
    revisits = {r["headers"]["WARC-Target-URI"]: r for r in recs
                if r["type"] == "revisit" and r["headers"]["WARC-Target-URI"] in urls}
    # The setup the issue describes: every article answered 304, stored as a server-not-modified revisit.
    assert sorted(revisits) == sorted(urls)
    for rec in revisits.values():
        assert rec["headers"]["WARC-Profile"].endswith("/revisit/server-not-modified")
        assert rec["http"].get_statuscode() == "304"
    since = min(rec["headers"]["WARC-Date"] for rec in revisits.values())
    whole, narrowed = root / "whole.wacz", root / "since.wacz"
    for out, extra in ((whole, []), (narrowed, ["--since", since])):
        result = run_archiver(archive, "export", "--format", "wacz", "--to", str(out), *extra)
        assert result.returncode == 0, result.stderr
        assert "warning" not in result.stderr
    sample = sorted(random.Random(13).sample(range(ARTICLES), SAMPLED))
    _RECRAWLED.update(
        archive=archive, fresh=fresh, whole=whole, since=narrowed, since_date=since,
        sample=[{"n": n, "url": urls[n], "first": stamp(originals[urls[n]]["headers"]["WARC-Date"]),
                 "again": stamp(revisits[urls[n]]["headers"]["WARC-Date"])} for n in sample])
    return _RECRAWLED


@pytest.fixture(scope="module")
def recrawled(tmp_path_factory):
    return recrawled_unchanged(tmp_path_factory)


def page_text(headers: dict, body: bytes) -> str:
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode("utf-8")


@pytest.mark.parametrize("which", ["whole", "since"])
def test_pywb_replays_every_capture_date_through_the_wacz_index(recrawled, which, tmp_path):
    from pywb_helpers import Wayback

    with Wayback(tmp_path / "pywb", [recrawled[which]]) as wayback:
        for article in recrawled["sample"]:
            assert article["first"] != article["again"]
            for date in (article["first"], article["again"]):
                status, headers, body = wayback.get(article["url"], timestamp=date)
                assert status == 200, (which, article["url"], date)
                text = page_text(headers, body)
                assert article_heading(article["n"]) in text and PARAGRAPH in text, (which, article["url"], date)


def test_since_export_carries_the_originals_and_verifies(recrawled):
    assert verify_wacz(recrawled["whole"]) == []
    assert verify_wacz(recrawled["since"]) == []
    import json
    import zipfile

    with zipfile.ZipFile(recrawled["since"]) as zf:
        names = [n for n in zf.namelist() if n.startswith("archive/")]
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()[1:]]
    # Both crawls' WARCs: the re-crawl's revisits and the first crawl's originals they refer to.
    assert len(names) == 2
    # The pages are the re-crawl's captures (the originals ride along, they are not new pages).
    assert len(pages) == ARTICLES
    assert all(p["ts"].replace("-", "").replace(":", "").replace("T", "").rstrip("Z") >= stamp(recrawled["since_date"])
               for p in pages)


def test_without_originals_the_since_export_fails_verify(recrawled, tmp_path):
    out = tmp_path / "narrow.wacz"
    result = run_archiver(recrawled["archive"], "export", "--format", "wacz", "--to", str(out),
                          "--since", recrawled["since_date"], "--without-originals")
    assert result.returncode == 0, result.stderr
    problems = verify_wacz(out)
    assert len([p for p in problems if "not in this WACZ" in p]) >= ARTICLES, problems
    checked = run_archiver(recrawled["archive"], "verify", str(out))
    assert checked.returncode == 1
