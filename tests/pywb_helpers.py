"""pywb, run as a user would: `wb-manager` to make a collection, `wayback` to serve it."""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parent.parent
# pywb pins redis==2.10.6 and the archiver needs redis>=5: pywb lives in a venv of its own.
PYWB_VENV = ROOT / ".venv-pywb"


def pywb_bin(name: str) -> str | None:
    """Find a pywb command: $ARCHIVER_PYWB_BIN, this interpreter's bin, .venv-pywb, then PATH."""
    for folder in (os.environ.get("ARCHIVER_PYWB_BIN"), str(Path(sys.executable).parent), str(PYWB_VENV / "bin")):
        if folder and Path(folder, name).exists():
            return str(Path(folder, name))
    return shutil.which(name)


def ensure_pywb() -> str | None:
    """Make .venv-pywb with pywb in it unless pywb is found; None when that worked, else why not.

    Once per machine: a file lock makes parallel test runs wait for the first one's install
    instead of racing it (`python3 -m venv .venv-pywb && .venv-pywb/bin/pip install pywb`).
    """
    if pywb_bin("wb-manager") and pywb_bin("wayback"):
        return None
    # The lock lies outside the work tree, so that it never shows up in `git status`.
    lock_path = Path(tempfile.gettempdir(), f"archiver-pywb-{hashlib.sha1(str(ROOT).encode()).hexdigest()[:12]}.lock")
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if pywb_bin("wb-manager") and pywb_bin("wayback"):
            return None
        python = shutil.which("python3") or sys.executable
        for step in ([python, "-m", "venv", str(PYWB_VENV)],
                     [str(PYWB_VENV / "bin" / "pip"), "install", "-q", "pywb"]):
            done = subprocess.run(step, capture_output=True, text=True)
            if done.returncode:
                return f"{' '.join(step)} failed: {(done.stderr or done.stdout).strip()[-500:]}"
    return None


def require_pywb() -> tuple[str, str]:
    problem = ensure_pywb()
    manager, wayback = pywb_bin("wb-manager"), pywb_bin("wayback")
    if problem or not (manager and wayback):
        reason = f"pywb could not be installed into {PYWB_VENV}: {problem or 'no wb-manager/wayback after install'}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return manager, wayback


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Wayback:
    """A pywb collection `coll` in `workdir`, served on 127.0.0.1 while the context is open.

    WARCs are indexed by pywb; a WACZ is added with `--unpack-wacz`, which copies its WARCs and
    merges the WACZ's own index into the collection's, so replay goes through that index.
    """

    def __init__(self, workdir: Path, warcs: list[Path], coll: str = "coll"):
        self.manager, self.wayback = require_pywb()
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.coll = coll
        self.warcs = [str(Path(w).resolve()) for w in warcs]
        self.proc = None

    def __enter__(self) -> "Wayback":
        subprocess.run([self.manager, "init", self.coll], cwd=self.workdir, check=True, capture_output=True)
        waczs = [w for w in self.warcs if w.endswith(".wacz")]
        warcs = [w for w in self.warcs if not w.endswith(".wacz")]
        if warcs:
            subprocess.run([self.manager, "add", self.coll, *warcs], cwd=self.workdir, check=True, capture_output=True)
        if waczs:
            subprocess.run([self.manager, "add", "--unpack-wacz", self.coll, *waczs], cwd=self.workdir, check=True,
                           capture_output=True)
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
