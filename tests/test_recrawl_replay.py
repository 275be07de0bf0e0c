"""pywb replays a revisit as the page it refers to: the revisit's capture time, the original's bytes."""
import email.utils
import gzip
from pathlib import Path

import pytest

from conftest import FAST, run_archiver
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
