"""Serve the bundled demo site on 127.0.0.1 on a free port (gzip'd, with ETag), in a thread."""
from __future__ import annotations

import gzip
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SITE = Path(__file__).resolve().parent / "site"


def load_pages(site: Path = SITE) -> dict[str, bytes]:
    index = json.loads((site / "index.json").read_text(encoding="utf-8"))
    return {entry["path"]: (site / entry["file"]).read_bytes() for entry in index}


class DemoServer:
    def __init__(self, site: Path = SITE):
        self.pages = load_pages(site)
        self.server = None
        self.port = None

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

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
