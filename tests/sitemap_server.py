"""Seed sources served on 127.0.0.1: large gzip'd sitemap indexes made on the fly, indexes that
list each other or an endless chain of fresh ones, pages that never answer, hostile feeds.

`server.hits[path]` counts the requests of each path (query included), `server.paths()` lists
them, so that tests can tell which sitemaps were read and which pages fetched.
"""
from __future__ import annotations

import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PAGE = "<!DOCTYPE html><html><head><title>Article {n}</title></head><body><p>Article {n}.</p></body></html>"
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(locs) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}>'
            + "".join(f"<url><loc>{loc}</loc></url>" for loc in locs) + "</urlset>").encode()


def index(locs) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {NS}>'
            + "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs) + "</sitemapindex>").encode()


# An RSS feed in UTF-16 (with its byte order mark) that declares an entity: a byte search for
# `<!ENTITY` does not see it.
def utf16_entity_feed(url: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
            f'<rss version="2.0"><channel><title>&b;</title><item><title>x</title><link>{url}</link></item>'
            '</channel></rss>').encode("utf-16")


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a crawler that stops resets its connections: expected here


class SitemapServer:
    def __init__(self):
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()
        self.extra: dict[str, tuple[bytes, str]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                with server.lock:
                    server.hits[self.path] = server.hits.get(self.path, 0) + 1
                server.respond(self)

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._stop = threading.Event()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> "SitemapServer":
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def paths(self, prefix: str) -> list[str]:
        with self.lock:
            return sorted(p for p in self.hits if p.startswith(prefix))

    def serve(self, path: str, body: bytes, ctype: str = "application/xml") -> None:
        """Serve `body` at `path` (for documents a test writes itself)."""
        self.extra[path] = (body, ctype)

    def respond(self, handler) -> None:
        parts = urlsplit(handler.path)
        path, query = parts.path, parse_qs(parts.query)
        if handler.path in self.extra:
            return self.send(handler, *self.extra[handler.path])
        if path == "/robots.txt":
            return self.send(handler, b"User-agent: *\nAllow: /\n", "text/plain")
        if path == "/big-index.xml":
            # ?sitemaps=S&urls=U: S gzip'd sitemaps of U URLs each, made when asked for.
            count, per = int(query["sitemaps"][0]), int(query["urls"][0])
            return self.send(handler, index(self.url(f"/big/{n}.xml.gz?urls={per}") for n in range(count)))
        if path.startswith("/big/"):
            n, per = int(path.split("/")[2].split(".")[0]), int(query["urls"][0])
            body = urlset(self.url(f"/article/{n * per + i}") for i in range(per))
            return self.send(handler, gzip.compress(body, compresslevel=1), "application/x-gzip")
        if path.startswith("/chain/"):
            # Each index lists the next one, under a new URL, without end.
            n = int(path.split("/")[2].split(".")[0])
            return self.send(handler, index([self.url(f"/chain/{n + 1}.xml"), self.url(f"/chain-urls/{n}.xml")]))
        if path.startswith("/chain-urls/"):
            n = int(path.split("/")[2].split(".")[0])
            return self.send(handler, urlset([self.url(f"/article/{1000 + n}")]))
        if path in ("/loop-a.xml", "/loop-b.xml"):
            other = "/loop-b.xml" if path == "/loop-a.xml" else "/loop-a.xml"
            return self.send(handler, index([self.url(other), self.url(path), self.url("/chain-urls/0.xml")]))
        if path.startswith("/article/"):
            n = path.rsplit("/", 1)[1]
            return self.send(handler, PAGE.format(n=n).encode(), "text/html; charset=utf-8")
        if path.startswith("/never/"):
            # Sends nothing until the client gives up (DOWNLOAD_TIMEOUT) or the test ends.
            self._stop.wait(120)
            return
        if path.startswith("/trickle/"):
            # A head and a little body, then a byte a second: a download that is never done.
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", "100000")
            handler.end_headers()
            try:
                handler.wfile.write(b"<html><body><p>" + b"t" * 1000)
                handler.wfile.flush()
                while not self._stop.wait(1):
                    handler.wfile.write(b"t")
                    handler.wfile.flush()
            except OSError:
                pass
            return
        if path == "/feed-utf16-entities":
            return self.send(handler, utf16_entity_feed(self.url("/article/feed")), "application/rss+xml")
        return self.send(handler, b"not here", "text/plain", status=404)

    @staticmethod
    def send(handler, body: bytes, ctype: str = "application/xml", status: int = 200) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


def wait_for(condition, seconds: float, proc=None, interval: float = 0.05) -> bool:
    """Poll `condition` until it holds (True) or `seconds` pass (False); fails if `proc` died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        if proc is not None and proc.poll() is not None:
            return condition()
        time.sleep(interval)
    return False
