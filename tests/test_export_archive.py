"""Archives to export, for the export tests: a crawled one and hand-built ones.

`crawled_archive` runs the real `archiver crawl` against article pages served on 127.0.0.1,
twice, with one article changed in between. `WarcBuilder` writes WARC files directly with the
archiver's own writer, for cases a crawl cannot make on demand (revisits, many hosts, dates).
The tests at the bottom check the archive-folder plumbing the exporters share.
"""
from __future__ import annotations

import html
import json
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from archiver.export import ExportError
from archiver.export.sources import collect_sources
from archiver.warc.record import (PROFILE_IDENTICAL, PROFILE_NOT_MODIFIED, http_record, revisit_record,
                                  sha1_digest, warc_date)
from archiver.warc.writer import RotatingWarcWriter
from conftest import run_archiver

FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "ROBOTSTXT_OBEY=0", "-s", "ARCHIVER_PROGRESS=0"]
ARTICLES = 4


def article_title(n: int) -> str:
    return f"Harbour council approves new ferry timetable, part {n}"


def article_page(n: int, revision: int = 1) -> bytes:
    paragraphs = [
        f"The harbour council voted on Tuesday to approve the ferry timetable for route {n}.",
        "Residents of the islands had asked for earlier morning crossings for two years.",
        "The new timetable starts in the spring and adds three crossings on weekdays.",
    ]
    if revision > 1:
        paragraphs[1] = f"Correction {revision}: residents had asked for earlier crossings for three years."
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(article_title(n))}</title>
<meta name="author" content="Maria Jensen"></head>
<body><nav>Home | News | Sport</nav>
<article><h1>{html.escape(article_title(n))}</h1>
<p class="byline">By Maria Jensen</p>
<time datetime="2024-03-0{n % 9 + 1}T09:00:00+01:00">March {n % 9 + 1}, 2024</time>
<div class="entry-content">{body}</div></article>
<footer>Contact | About</footer></body></html>""".encode("utf-8")


class ArticleSite:
    """Article pages on 127.0.0.1; `revise(n)` changes article n's text for the next fetch."""

    def __init__(self, count: int = ARTICLES):
        self.revisions = {n: 1 for n in range(count)}
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # as news sites serve: keep-alive with Content-Length

            def log_message(self, *args):
                pass

            def do_GET(self):
                parts = self.path.strip("/").split("/")
                if len(parts) == 2 and parts[0] == "news" and parts[1].isdigit() and int(parts[1]) in site.revisions:
                    n = int(parts[1])
                    body = article_page(n, site.revisions[n])
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                else:
                    body = b"not found"
                    self.send_response(404)
                    self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.port}/news/{n}/"

    def urls(self) -> list[str]:
        return [self.url(n) for n in self.revisions]

    def revise(self, n: int) -> None:
        self.revisions[n] += 1

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def crawl(archive: Path, urls: list[str]) -> None:
    result = run_archiver(archive, "crawl", *urls, *FAST)
    assert result.returncode == 0, result.stderr


_CRAWLED: dict[str, dict] = {}


def crawled_archive(tmp_path_factory) -> dict:
    """One archive for the whole session: every article crawled, article 1 revised, all crawled again."""
    if "archive" not in _CRAWLED:
        root = tmp_path_factory.mktemp("crawled") / "archive"
        site = ArticleSite()
        try:
            crawl(root, site.urls())
            time.sleep(1.1)  # the second crawl's captures get later timestamps (second resolution)
            site.revise(1)
            crawl(root, site.urls())
        finally:
            site.stop()
        _CRAWLED.update(archive=root, urls=site.urls(), revised=site.url(1), port=site.port)
    return _CRAWLED


def read_items(archive: Path) -> list[dict]:
    return [json.loads(line) for path in sorted((archive / "items").glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# --- hand-built WARCs --------------------------------------------------------------------------


def http_head(status: str, content_type: str = "text/html; charset=utf-8", length: int | None = None,
              extra: str = "") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
    if length is not None:
        head += f"Content-Length: {length}\r\n"
    return (head + extra + "\r\n").encode("latin-1")


def request_head(url: str) -> bytes:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode("latin-1")


class WarcBuilder:
    """Writes captures (response + request), revisits and items, like a crawl would, at chosen times."""

    def __init__(self, archive: Path, host: str = "builder", max_size: int = 1_000_000_000):
        self.archive = Path(archive)
        self.writer = RotatingWarcWriter(self.archive / "warcs", prefix="test", host=host, max_size=max_size,
                                         info_fields=[("software", "archiver tests")])
        self.items_path = self.archive / "items" / f"items-{host}.jsonl"
        self.items_path.parent.mkdir(parents=True, exist_ok=True)
        self.items = open(self.items_path, "a", encoding="utf-8")

    def capture(self, url: str, when: datetime, body: bytes, *, status: str = "200 OK", title: str | None = None,
                version: int | None = None, item: bool = True) -> dict:
        date = warc_date(when)
        response = http_record("response", url, date, http_head(status, length=len(body)), body,
                               content_type="application/http; msgtype=response",
                               extra=[("WARC-IP-Address", "127.0.0.1")])
        request = http_record("request", url, date, request_head(url), b"",
                              content_type="application/http; msgtype=request",
                              extra=[("WARC-IP-Address", "127.0.0.1")])
        response.headers.append(("WARC-Concurrent-To", request.record_id))
        request.headers.append(("WARC-Concurrent-To", response.record_id))
        pointer = self.writer.write([response, request])[0]
        capture = {"url": url, "date": date, "record_id": response.record_id, "digest": sha1_digest(body),
                   "length": len(body), "pointer": pointer}
        if item:
            self.item(url, when, pointer.as_dict(), title=title, status=int(status.split()[0]), version=version,
                      body=body.decode("utf-8", "replace"))
        return capture

    def revisit(self, original: dict, when: datetime, *, not_modified: bool = False) -> None:
        url = original["url"]
        date = warc_date(when)
        # An identical-payload revisit keeps the response's own head (its Content-Length too).
        head = http_head("304 Not Modified") if not_modified else http_head("200 OK", length=original["length"])
        record = revisit_record(url, date, head, profile=PROFILE_NOT_MODIFIED if not_modified else PROFILE_IDENTICAL,
                                payload_digest=original["digest"], refers_to=original["record_id"],
                                refers_to_uri=url, refers_to_date=original["date"],
                                extra=[("WARC-IP-Address", "127.0.0.1")])
        request = http_record("request", url, date, request_head(url), b"",
                              content_type="application/http; msgtype=request",
                              extra=[("WARC-IP-Address", "127.0.0.1")])
        record.headers.append(("WARC-Concurrent-To", request.record_id))
        request.headers.append(("WARC-Concurrent-To", record.record_id))
        self.writer.write([record, request])

    def item(self, url: str, when: datetime, warc: dict, *, title=None, status=200, version=None, body=None) -> None:
        record = {"url": url, "final_url": url, "status": status,
                  "fetched_at": when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "title": title, "authors": ["Maria Jensen", "Ole Berg"], "tags": ["harbour", "ferries"],
                  "body": body, "content_hash": sha1_digest(body.encode()) if body else None,
                  "version": version, "warc": warc}
        self.items.write(json.dumps(record) + "\n")

    def close(self) -> None:
        self.writer.close()
        self.items.close()


T0 = datetime(2024, 3, 1, 12, 0, 0, tzinfo=timezone.utc)


def day(n: int, hours: int = 0) -> datetime:
    return T0 + timedelta(days=n, hours=hours)


# --- tests of the shared plumbing --------------------------------------------------------------


def test_sources_skip_open_warcs_and_merge_folders(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    for folder, host in ((one, "alpha"), (two, "beta")):
        builder = WarcBuilder(folder, host=host)
        builder.capture(f"http://{host}.example/a", day(0), b"<html>a</html>")
        builder.close()
    (one / "warcs" / "test-20240301120000000-00009-alpha.warc.gz.open").write_bytes(b"half written")
    sources = collect_sources([one, two, one])  # the same folder twice is one archive
    assert [p.parent.parent.name for p in sources.warcs] == ["one", "two"]
    assert not any(p.name.endswith(".open") for p in sources.warcs)
    assert len(sources.items) == 2


def test_sources_refuse_two_different_warcs_of_one_name(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    for folder, body in ((one, b"first"), (two, b"second")):
        builder = WarcBuilder(folder, host="same")
        builder.capture("http://same.example/", day(0), body)
        builder.close()
    name = next((one / "warcs").glob("*.warc.gz")).name
    (next((two / "warcs").glob("*.warc.gz"))).rename(two / "warcs" / name)
    with pytest.raises(ExportError, match="share the name"):
        collect_sources([one, two])
    # A copy of the very same file (an archive synced between machines) is exported once.
    (two / "warcs" / name).write_bytes((one / "warcs" / name).read_bytes())
    assert len(collect_sources([one, two]).warcs) == 1


def test_sources_name_a_missing_folder(tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        collect_sources([tmp_path / "nowhere"])
