"""Serve the bundled demo site on 127.0.0.1 (gzip'd, with ETag), in a thread.

The port is fixed (8765 unless told otherwise) so that the archive's URLs stay the same from
one run to the next: a re-crawl finds the pages where the first capture found them. `edited=True`
serves the site as it is "a day later", with the changes listed in site/edits.json applied to two
articles; the pages themselves stay as they are (tests label them field by field).
"""
from __future__ import annotations

import errno
import gzip
import hashlib
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SITE = Path(__file__).resolve().parent / "site"
DEFAULT_PORT = 8765


class PortInUse(OSError):
    """The demo's port is taken (another demo serving it, or another program)."""


def default_port() -> int:
    return int(os.environ.get("ARCHIVER_DEMO_PORT") or DEFAULT_PORT)


def load_pages(site: Path = SITE) -> dict[str, bytes]:
    index = json.loads((site / "index.json").read_text(encoding="utf-8"))
    return {entry["path"]: (site / entry["file"]).read_bytes() for entry in index}


def load_edits(site: Path = SITE) -> list[dict]:
    return json.loads((site / "edits.json").read_text(encoding="utf-8"))


def apply_edits(pages: dict[str, bytes], edits: list[dict]) -> dict[str, bytes]:
    """The pages with each edit's replacements made; an edit whose text is not on its page is an
    error, not a silent no-op (the demo would then show no change)."""
    out = dict(pages)
    for edit in edits:
        page = out[edit["path"]].decode("utf-8")
        for old, new in edit["replace"]:
            if old not in page:
                raise ValueError(f"demo edit of {edit['path']}: {old!r} is not on the page")
            page = page.replace(old, new)
        out[edit["path"]] = page.encode("utf-8")
    return out


class DemoServer:
    def __init__(self, site: Path = SITE, *, port: int | None = None, edited: bool = False):
        self.pages = load_pages(site)
        if edited:
            self.pages = apply_edits(self.pages, load_edits(site))
        self.edited = edited
        self.server = None
        self.port = default_port() if port is None else port

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def urls(self) -> list[str]:
        return [self.url(path) for path in self.pages]

    def start(self) -> "DemoServer":
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path == "/robots.txt":
                    body, ctype = b"User-agent: *\nAllow: /\n", "text/plain"
                elif self.path in pages:
                    body, ctype = pages[self.path], "text/html; charset=UTF-8"
                else:
                    body = b"<html><head><title>Not found</title></head><body>Not found</body></html>"
                    self.send_response(404)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                gz = "gzip" in (self.headers.get("Accept-Encoding") or "") and ctype.startswith("text/html")
                if gz:
                    body = gzip.compress(body, mtime=0)
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("ETag", etag)
                if gz:
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        try:
            self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(f"port {self.port} on 127.0.0.1 is in use (is another demo serving it?); "
                                "stop it, or choose another port with --port") from None
            raise
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
