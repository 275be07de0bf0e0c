"""A misbehaving web server on 127.0.0.1, written on raw sockets.

http.server always sends well-formed messages; the faults a crawler meets in the wild (a reset
in the middle of the head, a Content-Length longer than the body, a body that says gzip and is
not, a server that never answers) need the bytes written by hand. Each path names its fault;
`server.sent[path]` holds the exact bytes written after the head, `server.hits[path]` the
monotonic times of each request.
"""
from __future__ import annotations

import email.utils
import gzip
import random
import socket
import struct
import threading
import time

HTML = b"<!DOCTYPE html><html><head><title>%s</title></head><body><p>%s</p></body></html>"


# Ten levels of ten: a few hundred bytes that expand to a billion "lol"s if entities are resolved.
BILLION_LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE urlset [\n<!ENTITY lol "lol">\n'
                  + b"".join(b'<!ENTITY lol%d "%s">\n' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
                             for n in range(1, 10))
                  + b']>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                    b"<url><loc>http://127.0.0.1/&lol9;</loc></url></urlset>\n")


# /endless: this opening, then this paragraph again and again, chunked, until the client hangs up.
ENDLESS_OPENING = b"<!DOCTYPE html><html><head><title>Endless</title></head><body>\n"
ENDLESS_PIECE = b"<p>" + b"A paragraph that goes on and on. " * 1000 + b"</p>\n"


def endless_body(size: int) -> bytes:
    """The first `size` bytes /endless sends."""
    return (ENDLESS_OPENING + ENDLESS_PIECE * (size // len(ENDLESS_PIECE) + 1))[:size]


def page(title: str, text: str = "A paragraph of text.") -> bytes:
    return HTML % (title.encode(), text.encode())


class FaultyServer:
    def __init__(self):
        self.sent: dict[str, bytes] = {}
        self.hits: dict[str, list[float]] = {}
        self.requests: dict[str, bytes] = {}  # the last request head received, per path
        self.lock = threading.Lock()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self._stopping = threading.Event()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def start(self) -> "FaultyServer":
        threading.Thread(target=self._accept_loop, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._sock.close()

    def _accept_loop(self):
        while not self._stopping.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket):
        try:
            with conn:
                conn.settimeout(30)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                request_line = data.split(b"\r\n", 1)[0].decode("latin-1")
                path = request_line.split(" ")[1]
                with self.lock:
                    self.hits.setdefault(path, []).append(time.monotonic())
                    self.requests[path] = data
                self.respond(conn, path)
        except OSError:
            pass

    # -- writing ------------------------------------------------------------------------------
    def _record(self, path: str, body: bytes) -> None:
        with self.lock:
            self.sent[path] = body

    def send(self, conn, path, status: str, headers: list[tuple[str, str]], body: bytes = b"",
             *, length: bool = True):
        head = f"HTTP/1.1 {status}\r\n"
        for name, value in headers:
            head += f"{name}: {value}\r\n"
        if length:
            head += f"Content-Length: {len(body)}\r\n"
        head += "Connection: close\r\n\r\n"
        self._record(path, body)
        conn.sendall(head.encode("latin-1") + body)

    @staticmethod
    def reset(conn):
        # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()

    def respond(self, conn, path: str):
        html = [("Content-Type", "text/html; charset=utf-8")]
        base = path.split("?")[0]
        if base == "/robots.txt":
            return self.send(conn, path, "200 OK", [("Content-Type", "text/plain")], b"User-agent: *\nAllow: /\n")
        if base == "/ok" or base.startswith("/ok/"):
            return self.send(conn, path, "200 OK", html, page("Fine", base))
        if base == "/timeout":
            # Never answers: holds the connection until the client gives up.
            self._stopping.wait(60)
            return
        if base == "/stall-body":
            # Sends the head and part of the body, then goes silent.
            body = page("Stalled", "x" * 5000)
            head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n\r\n"
            self._record(path, body[:1000])
            conn.sendall(head.encode() + body[:1000])
            self._stopping.wait(60)
            return
        if base.startswith("/status/"):
            code = int(base.rsplit("/", 1)[1])
            reasons = {500: "Internal Server Error", 404: "Not Found", 410: "Gone", 401: "Unauthorized",
                       503: "Service Unavailable"}
            extra = [("WWW-Authenticate", 'Basic realm="news"')] if code == 401 else []
            return self.send(conn, path, f"{code} {reasons.get(code, 'Status')}", html + extra,
                             page(f"Error {code}"))
        if base == "/retry-after":
            # 429 with Retry-After: 1 on the first hit, then the page.
            if len(self.hits[path]) == 1:
                return self.send(conn, path, "429 Too Many Requests", html + [("Retry-After", "1")], page("Slow down"))
            return self.send(conn, path, "200 OK", html, page("Finally"))
        if base == "/retry-after-date":
            if len(self.hits[path]) == 1:
                when = email.utils.formatdate(time.time() + 2, usegmt=True)
                return self.send(conn, path, "503 Service Unavailable", html + [("Retry-After", when)], page("Later"))
            return self.send(conn, path, "200 OK", html, page("Back"))
        if base == "/retry-after-far":
            return self.send(conn, path, "429 Too Many Requests", html + [("Retry-After", "86400")], page("Tomorrow"))
        if base.startswith("/loop/"):
            other = "/loop/b" if base == "/loop/a" else "/loop/a"
            return self.send(conn, path, "302 Found", [("Location", other)])
        if base == "/offsite":
            return self.send(conn, path, "301 Moved Permanently", [("Location", self.url("/ok/elsewhere", "localhost"))])
        if base == "/to-file":
            return self.send(conn, path, "302 Found", [("Location", "file:///etc/passwd")])
        if base == "/pdf":
            body = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n\x00\xff\xfe binary \x89\n%%EOF\n"
            return self.send(conn, path, "200 OK", [("Content-Type", "application/pdf")], body)
        if base == "/huge":
            # Far over the size limit, with a Content-Length announcing it.
            body = (page("Huge", "y" * 100) * 40000)[:4_000_000]
            return self.send(conn, path, "200 OK", html, body)
        if base == "/huge-chunked":
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
            piece = b"z" * 65536
            try:
                conn.sendall(head)
                for _ in range(60):
                    conn.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
                conn.sendall(b"0\r\n\r\n")
            except OSError:
                pass
            return
        if base == "/endless":
            # A body that never ends (a broken generator, a log streamed for ever).
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n")
                conn.sendall(b"%x\r\n%s\r\n" % (len(ENDLESS_OPENING), ENDLESS_OPENING))
                chunk = b"%x\r\n%s\r\n" % (len(ENDLESS_PIECE), ENDLESS_PIECE)
                while not self._stopping.is_set():
                    conn.sendall(chunk)
            except OSError:
                pass
            return
        if base == "/refresh-long":
            # A meta refresh in the head of a page longer than the start the middleware reads.
            body = (b'<html><head><meta http-equiv="refresh" content="0; url=/ok/refreshed">'
                    b"<title>Moved</title></head><body>" + b"<p>Padding.</p>" * 4000 + b"</body></html>")
            return self.send(conn, path, "200 OK", html, body)
        if base == "/cp1252":
            body = ("<html><head><title>Caf\u00e9 \u201cquoted\u201d \u2014 news</title></head>"
                    "<body><p>It\u2019s a caf\u00e9 \u20ac5 story.</p></body></html>").encode("cp1252")
            return self.send(conn, path, "200 OK", [("Content-Type", "text/html")], body)
        if base == "/fake-gzip":
            return self.send(conn, path, "200 OK", html + [("Content-Encoding", "gzip")], page("Not gzip at all"))
        if base == "/short-body":
            body = page("Short", "w" * 2000)
            head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body) + 5000}\r\nConnection: close\r\n\r\n"
            self._record(path, body)
            conn.sendall(head.encode() + body)
            return
        if base == "/reset-headers":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/ht")
            time.sleep(0.1)
            return self.reset(conn)
        if base == "/empty":
            return self.send(conn, path, "200 OK", html, b"")
        if base == "/close-delimited":
            body = page("No length", "v" * 3000)
            self._record(path, body)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n" + body)
            return
        if base == "/close-delimited-reset":
            body = page("No length, reset", "u" * 3000)
            self._record(path, body[:2000])
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n" + body[:2000])
            time.sleep(0.1)
            return self.reset(conn)
        if base == "/chunked-gzip":
            body = gzip.compress(page("Chunked gzip", "t" * 4000), mtime=0)
            self._record(path, body)
            out = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
            for i in range(0, len(body), 100):
                piece = body[i:i + 100]
                out += b"%x\r\n" % len(piece) + piece + b"\r\n"
            conn.sendall(out + b"0\r\n\r\n")
            return
        if base == "/nul":
            body = b"<html><head><title>Broken\x00 page</title><body><p>Unclosed <b>bold <i>and\x00 NUL</p><div></html>"
            return self.send(conn, path, "200 OK", html, body)
        if base.startswith("/caf%C3%A9/"):
            return self.send(conn, path, "200 OK", html, page("Encoded path", base))
        if base.startswith("/random/"):
            # 300 KB that gzip cannot shrink, and nothing to extract: fills a WARC file fast.
            return self.send(conn, path, "200 OK", [("Content-Type", "application/octet-stream")],
                             random.Random(base).randbytes(300_000))
        if base == "/sitemap-garbage.xml":
            return self.send(conn, path, "200 OK", [("Content-Type", "application/xml")], b"\x00\x01 this is <not xml at all")
        if base == "/sitemap-html.xml":
            return self.send(conn, path, "200 OK", [("Content-Type", "text/html")], page("A page, not a sitemap"))
        if base == "/sitemap-bomb.xml":
            return self.send(conn, path, "200 OK", [("Content-Type", "application/xml")], BILLION_LAUGHS)
        if base == "/feed-html":
            return self.send(conn, path, "200 OK", html, page("A page, not a feed"))
        if base == "/feed-bomb":
            return self.send(conn, path, "200 OK", [("Content-Type", "application/rss+xml")], BILLION_LAUGHS)
        if base == "/slow":
            time.sleep(2)
            return self.send(conn, path, "200 OK", html, page("Slow"))
        if base.startswith("/delay/"):
            time.sleep(float(base.rsplit("/", 1)[1]))
            return self.send(conn, path, "200 OK", html, page("Delayed", base * 200))
        return self.send(conn, path, "404 Not Found", html, page("Unknown fault"))
