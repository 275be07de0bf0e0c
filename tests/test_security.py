"""Security: no listening port, credentials redacted, only the seeds' sites and schemes, private
addresses refused on request, and no file name built from a hostname escapes the archive."""
import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FAST, ROOT, run_archiver
from faulty_server import FaultyServer
from warc_helpers import records

from archiver.crawler.headers import redact_credentials
from archiver.crawler.policy import is_public_address
from archiver.warc.naming import safe_component, warc_filename
from archiver.warc.writer import RotatingWarcWriter


@pytest.fixture(scope="module")
def server():
    s = FaultyServer().start()
    yield s
    s.stop()


# -- no listening port -----------------------------------------------------------------------

def listening_sockets(pid: int) -> set[str]:
    """Local addresses of the TCP sockets in LISTEN state that process `pid` holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = set()
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: TCP_LISTEN
                found.add(fields[1])
    return found


def sockets_while_crawling(server, archive, *settings):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "archiver", "--archive", str(archive), "crawl",
                             server.url("/delay/3"), *FAST, *settings],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=str(ROOT))
    try:
        # The crawl is under way once robots.txt is archived; the page takes 3 s more.
        deadline = time.monotonic() + 30
        while not list(Path(archive, "warcs").glob("*.open")) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()[1]
            time.sleep(0.05)
        return listening_sockets(proc.pid)
    finally:
        proc.kill()
        proc.communicate()


def test_a_crawl_opens_no_listening_port(server, tmp_path):
    assert sockets_while_crawling(server, tmp_path / "archive") == set()


def test_the_probe_sees_a_listening_port_when_there_is_one(server, tmp_path):
    # The telnet console on: the same probe must see it, or the test above proves nothing.
    assert sockets_while_crawling(server, tmp_path / "archive", "-s", "TELNETCONSOLE_ENABLED=1",
                                  "-s", "TELNETCONSOLE_PORT=0,0")


# -- credentials -----------------------------------------------------------------------------

SECRETS = {"Authorization": "Basic c2VjcmV0LXVzZXI6cGFzcw==", "Cookie": "session=secret-cookie-value"}


def test_credentials_sent_but_redacted_in_records(server, tmp_path):
    archive = tmp_path / "archive"
    result = run_archiver(archive, "crawl", server.url("/ok/private"), *FAST,
                          "-s", f"DEFAULT_REQUEST_HEADERS={json.dumps(SECRETS)}")
    assert result.returncode == 0, result.stderr
    sent = server.requests["/ok/private"]
    assert all(value.encode() in sent for value in SECRETS.values())  # they did cross the wire
    (req,) = [r for r in records(archive) if r["type"] == "request"
              and r["headers"]["WARC-Target-URI"] == server.url("/ok/private")]
    assert req["http"].get_header("Authorization") == "REDACTED"
    assert req["http"].get_header("Cookie") == "REDACTED"
    stored = b"".join(gzip.decompress(p.read_bytes()) for p in Path(archive, "warcs").glob("*.warc.gz"))
    assert b"secret" not in stored and b"c2VjcmV0" not in stored


def test_redaction_of_every_credential_header():
    head = (b"GET / HTTP/1.1\r\nHost: a\r\nauthorization: Bearer tok\r\nCOOKIE:a=b\r\n"
            b"Proxy-Authorization:  Basic cHJveHk=\r\nX-Other: keep\r\n\r\n")
    out = redact_credentials(head)
    assert b"tok" not in out and b"a=b" not in out and b"cHJveHk" not in out
    assert b"X-Other: keep\r\n" in out and out.endswith(b"\r\n\r\n") and out.count(b"REDACTED") == 3


# -- where the crawler goes ------------------------------------------------------------------

def test_redirect_to_another_scheme_is_not_followed(server, tmp_path):
    result = run_archiver(tmp_path / "archive", "crawl", server.url("/to-file"), *FAST)
    assert result.returncode == 0 and "redirect off the seed's site" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("address,public", [
    ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False),
    ("::1", False), ("fe80::1", False), ("fc00::1", False), ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False),
    ("8.8.8.8", True), ("2001:4860:4860::8888", True), ("not an address", False),
])
def test_public_addresses(address, public):
    assert is_public_address(address) is public


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_refuse_private_checks_the_resolved_address(server, tmp_path, host):
    url = server.url(f"/ok/refused-{host}", host)
    result = run_archiver(tmp_path / "archive", "crawl", url, *FAST, "-s", "ARCHIVER_REFUSE_PRIVATE=1")
    assert result.returncode == 0, result.stderr
    assert f"/ok/refused-{host}" not in server.hits
    assert "private address: " in result.stderr and "is not a public address" in result.stderr
    assert "Traceback" not in result.stderr
    assert not [r for r in records(tmp_path / "archive") if r["type"] in ("request", "response")]


def test_private_addresses_allowed_by_default(server, tmp_path):
    result = run_archiver(tmp_path / "archive", "crawl", server.url("/ok/allowed"), *FAST)
    assert result.returncode == 0 and "/ok/allowed" in server.hits


# -- file names from hostnames ---------------------------------------------------------------

HOSTILE = ["../../etc", "..", ".", "a/b\\c", "host/../../x", "\x00evil", "", "-rf", "é.example",
           "x" * 300, "/absolute", "C:\\windows", "..\\..\\up"]


@pytest.mark.parametrize("host", HOSTILE)
def test_warc_names_from_hostile_hostnames_stay_in_the_folder(tmp_path, host):
    name = warc_filename("archiver", 0, host)
    assert "/" not in name and "\\" not in name and "\x00" not in name and not name.startswith(".")
    assert (tmp_path / name).resolve().parent == tmp_path.resolve()
    component = safe_component(host)
    assert component not in ("", ".", "..") and "/" not in component
    writer = RotatingWarcWriter(tmp_path / "warcs", prefix=host, host=host)
    writer.write([])
    writer.close()
    (written,) = list((tmp_path / "warcs").iterdir())
    assert written.resolve().parent == (tmp_path / "warcs").resolve()
    assert [p.name for p in tmp_path.iterdir()] == ["warcs"]


def test_hostile_prefix_setting_stays_in_the_archive(server, tmp_path):
    archive = tmp_path / "deep" / "archive"
    result = run_archiver(archive, "crawl", server.url("/ok/prefix"), *FAST, "-s", "ARCHIVER_WARC_PREFIX=../../../escape")
    assert result.returncode == 0, result.stderr
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and archive not in p.parents]
    assert outside == []
    assert list(Path(archive, "warcs").glob("escape-*.warc.gz"))
