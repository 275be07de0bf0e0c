"""ReplayWeb.page, run as a reader would: its files and a WACZ served from one 127.0.0.1 server,
opened in headless Chromium (Debian's `chromium`, driven by playwright-core from Node).

The npm packages live in tests/browser/node_modules (`npm ci` there, as .ci/run does); the first
test that needs them installs them the same way. ReplayWeb.page replays through a service worker,
which browsers allow on http://127.0.0.1, so the page, its worker and the WACZ share one origin.
"""
from __future__ import annotations

import fcntl
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

BROWSER_DIR = Path(__file__).resolve().parent / "browser"
REPLAYWEBPAGE = BROWSER_DIR / "node_modules" / "replaywebpage"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _install_node_packages() -> str | None:
    """`npm ci` in tests/browser unless done; None when it worked, else why not."""
    if (REPLAYWEBPAGE / "ui.js").exists() and (BROWSER_DIR / "node_modules" / "playwright-core").exists():
        return None
    npm = shutil.which("npm")
    if not npm:
        return "npm is not installed (apt-get install npm)"
    lock_path = Path(tempfile.gettempdir(), f"archiver-npm-{hashlib.sha1(str(BROWSER_DIR).encode()).hexdigest()[:12]}.lock")
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (REPLAYWEBPAGE / "ui.js").exists() and (BROWSER_DIR / "node_modules" / "playwright-core").exists():
            return None
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=BROWSER_DIR, capture_output=True, text=True)
        if done.returncode:
            return f"npm ci in {BROWSER_DIR} failed: {(done.stderr or done.stdout).strip()[-500:]}"
    return None


def require_browser() -> None:
    """Skip, saying why, where Chromium is not installed; fail on CI, where .ci/run installs it."""
    problem = None
    if not Path(CHROMIUM).exists():
        problem = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    elif not shutil.which("node"):
        problem = "Node.js is not installed (apt-get install nodejs npm)"
    else:
        problem = _install_node_packages()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(problem)
        pytest.skip(problem)


class ReplayServer:
    """Serves ReplayWeb.page (`/`, `/ui.js`, `/replay/sw.js`) and WACZ files (`/w/NAME`, with ranges)."""

    def __init__(self, waczs: dict[str, Path]):
        self.waczs = {name: Path(path) for name, path in waczs.items()}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                server.handle(self)

            def do_HEAD(self):
                server.handle(self, head=True)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]

    def __enter__(self) -> "ReplayServer":
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def page_url(self, wacz: str, url: str, timestamp: str) -> str:
        return f"http://127.0.0.1:{self.port}/?wacz={wacz}&url={url}&ts={timestamp}"

    def handle(self, req: BaseHTTPRequestHandler, head: bool = False) -> None:
        path, _, query = req.path.partition("?")
        if path == "/":
            params = dict(part.split("=", 1) for part in query.split("&") if "=" in part)
            # embed="replayonly": the archived page alone, without ReplayWeb.page's page list
            # (which shows titles and text from pages.jsonl, and so would prove nothing).
            body = (f'<!doctype html><html><head><script src="/ui.js"></script></head><body>'
                    f'<replay-web-page style="height: 600px; display: block" embed="replayonly" replayBase="/replay/" '
                    f'source="/w/{html.escape(params.get("wacz", ""))}" url="{html.escape(params.get("url", ""))}" '
                    f'ts="{html.escape(params.get("ts", ""))}"></replay-web-page></body></html>').encode()
            return self._send(req, 200, body, "text/html; charset=utf-8", head)
        if path in ("/ui.js", "/replay/ui.js"):
            return self._file(req, REPLAYWEBPAGE / "ui.js", "application/javascript", head)
        if path == "/replay/":
            # The viewer's own frame. Its service worker serves it once in control; the first
            # page of a fresh profile can ask before that, and must find it here (a 404 there
            # left that page blank in 2 of 4 runs with both cores busy).
            return self._file(req, REPLAYWEBPAGE / "index.html", "text/html; charset=utf-8", head)
        if path == "/replay/sw.js":
            return self._file(req, REPLAYWEBPAGE / "sw.js", "application/javascript", head)
        if path.startswith("/w/") and path[3:] in self.waczs:
            return self._file(req, self.waczs[path[3:]], "application/wacz+zip", head)
        self._send(req, 404, b"not found", "text/plain", head)

    def _file(self, req, path: Path, content_type: str, head: bool) -> None:
        size = path.stat().st_size
        match = _RANGE.match(req.headers.get("Range", "").strip())
        if not match:
            return self._send(req, 200, b"" if head else path.read_bytes(), content_type, head, length=size)
        first, last = match.groups()
        if first == "":  # the last N bytes: the zip's central directory
            start, end = max(0, size - int(last)), size - 1
        else:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        with open(path, "rb") as fh:
            fh.seek(start)
            data = fh.read(end - start + 1)
        self._send(req, 206, data, content_type, head, extra=[("Content-Range", f"bytes {start}-{end}/{size}")])

    @staticmethod
    def _send(req, status, body, content_type, head, length=None, extra=()):
        req.send_response(status)
        req.send_header("Content-Type", content_type)
        req.send_header("Content-Length", str(len(body) if length is None else length))
        req.send_header("Accept-Ranges", "bytes")
        for name, value in extra:
            req.send_header(name, value)
        req.end_headers()
        if not head:
            req.wfile.write(body)


def replay_texts(pages: list[tuple[str, str]], timeout_s: float = 60) -> list[dict]:
    """Open each (page URL, expected text) in one headless Chromium; for each, whether a frame showed the text."""
    spec = json.dumps([{"url": url, "expected": expected} for url, expected in pages])
    done = subprocess.run(["node", str(BROWSER_DIR / "replay.mjs"), str(int(timeout_s * 1000))], input=spec,
                          cwd=BROWSER_DIR, capture_output=True, text=True, timeout=timeout_s * len(pages) + 60,
                          env=dict(os.environ, CHROMIUM=CHROMIUM))
    if done.returncode:
        raise RuntimeError(f"the browser driver failed: {(done.stderr or done.stdout).strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
