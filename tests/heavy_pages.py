"""Article pages that take a derive worker a while (about 0.5 s of CPU each), served on
127.0.0.1: long enough that a test can kill a worker while it is busy with one."""
from __future__ import annotations

import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SENTENCE = "The harbour town voted again on its ferry, and the council met late into the night to weigh the cost. "


def heavy_article(n: int, paragraphs: int = 2000) -> bytes:
    body = "\n".join(f"<p>Paragraph {i} of article {n}: {html.escape(SENTENCE * 3)}</p>" for i in range(paragraphs))
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Long read {n}</title></head>"
            f"<body><article><h1>Long read {n}</h1>{body}</article></body></html>").encode()


class HeavySite:
    def __init__(self, pages: int):
        self.pages = pages

    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{self.port}/long/{n}/" for n in range(self.pages)]

    def start(self) -> "HeavySite":
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                parts = self.path.strip("/").split("/")
                if self.path == "/robots.txt" or len(parts) != 2 or parts[0] != "long":
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = heavy_article(int(parts[1]))
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def cpu_ticks(pid: int) -> int:
    """User + system CPU ticks of a process (from /proc): grows only while it computes."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def children(pid: int) -> list[int]:
    found = []
    try:
        for task in __import__("os").listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                found += [int(p) for p in fh.read().split()]
    except FileNotFoundError:
        pass
    return found


def is_derive_worker(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"multiprocessing" in fh.read()
    except FileNotFoundError:
        return False
