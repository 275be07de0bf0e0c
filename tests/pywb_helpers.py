"""pywb, run as a user would: `wb-manager` to make a collection, `wayback` to serve it."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest


def pywb_bin(name: str) -> str | None:
    """Find a pywb command: $ARCHIVER_PYWB_BIN, this interpreter's bin, .venv-pywb, then PATH."""
    root = Path(__file__).resolve().parent.parent
    for folder in (os.environ.get("ARCHIVER_PYWB_BIN"), str(Path(sys.executable).parent), str(root / ".venv-pywb" / "bin")):
        if folder and Path(folder, name).exists():
            return str(Path(folder, name))
    return shutil.which(name)


def require_pywb() -> tuple[str, str]:
    manager, wayback = pywb_bin("wb-manager"), pywb_bin("wayback")
    if not (manager and wayback):
        if os.environ.get("CI") == "true":
            pytest.fail("pywb is not installed (pip install -e '.[test]')")
        pytest.skip("pywb is not installed (pip install -e '.[test]')")
    return manager, wayback


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Wayback:
    """A pywb collection `coll` in `workdir`, served on 127.0.0.1 while the context is open."""

    def __init__(self, workdir: Path, warcs: list[Path], coll: str = "coll"):
        self.manager, self.wayback = require_pywb()
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.coll = coll
        self.warcs = [str(w) for w in warcs]
        self.proc = None

    def __enter__(self) -> "Wayback":
        subprocess.run([self.manager, "init", self.coll], cwd=self.workdir, check=True, capture_output=True)
        subprocess.run([self.manager, "add", self.coll, *self.warcs], cwd=self.workdir, check=True, capture_output=True)
        self.port = free_port()
        self.proc = subprocess.Popen([self.wayback, "-p", str(self.port), "-b", "127.0.0.1"], cwd=self.workdir,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2).read()
                return self
            except (urllib.error.URLError, ConnectionError, OSError):
                if self.proc.poll() is not None:
                    raise RuntimeError("wayback exited: " + self.proc.stderr.read().decode(errors="replace"))
                time.sleep(0.3)
        raise RuntimeError("wayback did not start within 60 s")

    def __exit__(self, *exc):
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def get(self, url: str, timestamp: str = "2999", modifier: str = "id_") -> tuple[int, dict, bytes]:
        """Fetch a capture back; `id_` returns it as archived, without pywb's rewriting."""
        target = f"http://127.0.0.1:{self.port}/{self.coll}/{timestamp}{modifier}/{url}"
        req = urllib.request.Request(target, headers={"Accept-Encoding": "identity"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()
