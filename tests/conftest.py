import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from site_fixture import FixtureSite  # noqa: E402

# Fast, deterministic crawls against 127.0.0.1; politeness defaults are tested apart.
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
        "-s", "ARCHIVER_PROGRESS=0"]


@pytest.fixture
def site():
    s = FixtureSite().start()
    yield s
    s.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_archiver(archive, *args, input=None, timeout=180, env=None):
    """Run the real `archiver` command in a subprocess."""
    full_env = dict(os.environ, PYTHONUNBUFFERED="1")
    # `archiver demo` serves on a fixed port (8765) so that a user's URLs stay the same; tests that
    # run on one machine at once would fight over it, so each run gets a free one unless told.
    full_env.setdefault("ARCHIVER_DEMO_PORT", str(_free_port()))
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "archiver", "--archive", str(archive), *args],
        input=input, capture_output=True, text=True, timeout=timeout, env=full_env, cwd=str(ROOT),
    )


@pytest.fixture
def archiver_cmd():
    return run_archiver
