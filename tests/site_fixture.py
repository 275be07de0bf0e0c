"""A news site served on 127.0.0.1 for the tests and benchmarks: seed-shaped article pages,
served gzip'd (some chunked), with ETag and Last-Modified, and a few misbehaving endpoints.

The server remembers the exact body bytes it sent for each path, so that tests can compare what
the archive holds with what crossed the wire. Pages can be edited between runs (`site.edit(n)`).
"""
from __future__ import annotations

import email.utils
import gzip
import hashlib
import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

SEED_PARAGRAPHS = [
    "A post via The Anti Media written by Darius Shahtahmasebi, exposes what many following the Syria "
    "\u201ccivil war\u201d narrative have known for some time now.",
    "The proxy army being used to force an Assad regime change is the Islamic State (ISIS).",
    "The following video, and accompanying post, shows the US military providing ISIS jihadists with a "
    "safe escape from the Syrian city of Raqqa.",
    "Needless to say it would have been drop dead simple to have bombed the convoy of ISIS jihadists as "
    "seen in the video, but this was not the goal. The goal was safe passage out of Raqqa.",
]

LATEST = [
    ("Beijing Threatens \u201cSevere\u201d Retaliation Against Canada If Huawei CFO Is Not Released",
     "Via Zerohedge", "Canada\u2019s extraordinary arrest one week ago of Huawei CFO Meng Wanzhou."),
    ("The trials of Julian Assange", "Authored by Eresh Omar Jamal for The Daily Star (Bangladesh):",
     "Stefania Maurizi is an investigative journalist working for the Italian daily La Repubblica."),
]


def article_html(n: int, version: int = 1) -> bytes:
    title = f"New video footage exposes US military helping ISIS fighters escape Raqqa (part {n})"
    paragraphs = list(SEED_PARAGRAPHS)
    if version > 1:
        paragraphs[1] = f"The proxy army, edited in revision {version}, is the Islamic State (ISIS)."
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    latest = "\n".join(
        f'<article class="latest"><h2>{html.escape(t)}</h2><p>{html.escape(c)}</p><p>{html.escape(x)}</p></article>'
        for t, c, x in LATEST)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} | The Duran</title>
<meta name="generator" content="WordPress 4.9.8">
<link rel="canonical" href="/article/{n}/"></head>
<body class="post-template-default single single-post">
<nav>Connect with us | Latest | Video | News</nav>
<div id="infinite-article">
<article class="post" id="post-{n}">
<h1 class="entry-title">{html.escape(title)}</h1>
<span class="subtitle">US military provides safe passage for ISIS forces out of Raqqa.</span>
<span class="author-name"><a href="/author/alex/">Alex Christoforou</a></span>
<span class="post-date">Published on <time datetime="2017-06-09T10:00:00+03:00">June 9, 2017</time></span>
<span class="post-views">10,{n % 1000:03d} Views</span>
<div class="entry-content">
{body}
<p>Liked it? Take a second to support The Duran on Patreon!</p>
</div></article>
<div class="advertisement">Advertisement</div>
<div class="comments"><a href="#respond">Click to comment</a><h3>Leave a Reply</h3></div>
{latest}
</div>
<aside>Your donations make all the difference. The Duran Newsletter. Trending</aside>
</body></html>"""
    return page.encode("utf-8")


class FixtureSite:
    """Start with `site.start()`; `site.url(path)`; `site.sent[path]` holds the last body sent."""

    def __init__(self, pages: int = 20):
        self.pages = pages
        self.versions: dict[int, int] = {}
        self.gone: set[int] = set()
        self.sent: dict[str, bytes] = {}
        self.sent_heads: dict[str, bytes] = {}
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()
        self.server = None
        # Set to an Event to hold every request until it is set (a test lets its clients line up first).
        self.gate: threading.Event | None = None
        # A dict here keeps each page's gzip'd form (the benchmarks: a site that compresses every
        # response anew takes CPU from the crawl it serves, on the same cores).
        self.gzip_cache: dict[bytes, bytes] | None = None

    # -- control -----------------------------------------------------------------------------
    def edit(self, n: int) -> None:
        self.versions[n] = self.versions.get(n, 1) + 1

    def remove(self, n: int) -> None:
        self.gone.add(n)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def article_urls(self, count: int | None = None) -> list[str]:
        return [self.url(f"/article/{n}/") for n in range(count or self.pages)]

    def start(self) -> "FixtureSite":
        site = self

        class Handler(_Handler):
            pass

        Handler.site = site
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    site: FixtureSite

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", headers=(), reason=None, chunked=False, gzip_it=None):
        path = self.path
        accepts_gzip = "gzip" in (self.headers.get("Accept-Encoding") or "")
        if gzip_it is None:
            gzip_it = accepts_gzip and len(body) > 0
        if gzip_it:
            cache = self.site.gzip_cache
            if cache is None:
                body = gzip.compress(body, mtime=0)
            else:
                body = cache.get(body) or cache.setdefault(body, gzip.compress(body, mtime=0))
        self.send_response(status, reason)
        for name, value in headers:
            self.send_header(name, value)
        if gzip_it:
            self.send_header("Content-Encoding", "gzip")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with self.site.lock:
            self.site.sent[path] = body
            self.site.hits[path] = self.site.hits.get(path, 0) + 1
        if self.command == "HEAD":
            return
        if chunked:
            for i in range(0, len(body), 700):
                piece = body[i:i + 700]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(body)

    def do_GET(self):
        parts = urlsplit(self.path)
        path = parts.path
        site = self.site
        if site.gate is not None:
            site.gate.wait()
        if path == "/robots.txt":
            return self._send(200, b"User-agent: *\nDisallow: /private/\n", [("Content-Type", "text/plain")], gzip_it=False)
        if path.startswith("/article/") or path.startswith("/chunked/"):
            try:
                n = int(path.strip("/").split("/")[1])
            except (IndexError, ValueError):
                return self._send(404, b"not found", [("Content-Type", "text/plain")])
            if n in site.gone:
                return self._send(410, b"<h1>Gone</h1>", [("Content-Type", "text/html")])
            version = site.versions.get(n, 1)
            body = article_html(n, version)
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            modified = email.utils.formatdate(1496991600 + version * 3600, usegmt=True)
            headers = [("Content-Type", "text/html; charset=UTF-8"), ("ETag", etag),
                       ("Last-Modified", modified), ("Vary", "Accept-Encoding")]
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with site.lock:
                    site.sent[self.path] = b""
                return
            return self._send(200, body, headers, chunked=path.startswith("/chunked/"))
        if path in FEEDS:
            body, ctype = FEEDS[path](site)
            return self._send(200, body, [("Content-Type", ctype)], gzip_it=path.endswith(".gz") or None)
        if path.startswith("/short/"):
            n = path.rsplit("/", 1)[-1]
            return self._send(301, b"", [("Location", f"/article/{n}/")], gzip_it=False)
        if path == "/search":
            body = f"<html><head><title>Search {html.escape(parts.query)}</title></head><body><p>Results for {html.escape(parts.query)}</p></body></html>".encode()
            return self._send(200, body, [("Content-Type", "text/html; charset=utf-8")])
        if path == "/cookies":
            return self._send(200, b"<html><head><title>Cookies</title></head><body><p>Two cookies set.</p></body></html>",
                              [("Content-Type", "text/html"), ("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=2; Path=/; HttpOnly")])
        if path == "/error":
            return self._send(500, b"<h1>Internal error</h1>", [("Content-Type", "text/html")], reason="Server Exploded")
        return self._send(404, b"<h1>Not here</h1>", [("Content-Type", "text/html")], reason="Not Found Here")

    do_HEAD = do_GET


def _urlset(site, numbers, news=False):
    ns = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
    entries = "".join(
        f"<url><loc>{site.url(f'/article/{n}/')}</loc>"
        + ("<news:news><news:publication><news:name>The Duran</news:name><news:language>en</news:language>"
           "</news:publication><news:publication_date>2017-06-09</news:publication_date>"
           f"<news:title>Article {n}</news:title></news:news>" if news else "<lastmod>2017-06-09</lastmod>")
        + "</url>" for n in numbers)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{ns}>{entries}</urlset>'.encode()


def _sitemap_index(site):
    body = ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{site.url('/sitemap-1.xml.gz')}</loc></sitemap>"
            f"<sitemap><loc>{site.url('/news-sitemap.xml')}</loc></sitemap></sitemapindex>").encode()
    return body, "application/xml"


def _rss(site):
    items = "".join(f"<item><title>Article {n}</title><link>{site.url(f'/article/{n}/')}</link></item>" for n in (10, 11))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>The Duran</title>{items}</channel></rss>').encode(), "application/rss+xml"


def _atom(site):
    entries = "".join(f'<entry><title>Article {n}</title><link href="{site.url(f"/article/{n}/")}"/><id>n{n}</id>'
                      f"<updated>2017-06-09T00:00:00Z</updated></entry>" for n in (12, 13))
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>The Duran</title>'
            f"<id>duran</id><updated>2017-06-09T00:00:00Z</updated>{entries}</feed>").encode(), "application/atom+xml"


# Seed sources: a sitemap index pointing at a gzipped sitemap and a news sitemap; RSS and Atom.
FEEDS = {
    "/sitemap.xml": _sitemap_index,
    "/sitemap-1.xml.gz": lambda site: (_urlset(site, (0, 1, 2)), "application/x-gzip"),
    "/news-sitemap.xml": lambda site: (_urlset(site, (3, 4), news=True), "application/xml"),
    "/feed.rss": _rss,
    "/atom.xml": _atom,
}
