"""CDXJ export: sorted, SURT-keyed, one line per response or revisit record, served by pywb as is."""
from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import surt
from warcio.archiveiterator import ArchiveIterator

from conftest import run_archiver
from pywb_helpers import free_port, require_pywb
from test_export_archive import WarcBuilder, article_title, crawled_archive, day


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    return crawled_archive(tmp_path_factory)


def export_cdxj(archive: Path, out: Path, *options) -> list[str]:
    result = run_archiver(archive, "export", "--format", "cdxj", "--to", str(out), *options)
    assert result.returncode == 0, result.stderr
    return out.read_text(encoding="utf-8").splitlines()


def parse(line: str) -> tuple[str, str, dict]:
    key, timestamp, fields = line.split(" ", 2)
    return key, timestamp, json.loads(fields)


def test_cdxj_is_sorted_surt_keyed_one_line_per_capture(crawled, tmp_path):
    lines = export_cdxj(crawled["archive"], tmp_path / "index.cdxj")
    assert lines == sorted(lines)
    captured = []
    for path in sorted((crawled["archive"] / "warcs").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for record in it:
                if record.rec_type in ("response", "revisit"):
                    captured.append((path.name, it.get_record_offset(), record.rec_headers.get_header("WARC-Target-URI")))
    assert len(lines) == len(captured) == 2 * len(crawled["urls"])
    seen = set()
    for line in lines:
        key, timestamp, fields = parse(line)
        assert key == surt.surt(fields["url"])
        assert len(timestamp) == 14 and timestamp.isdigit()
        assert {"url", "mime", "status", "digest", "length", "offset", "filename"} <= set(fields)
        assert "/" not in fields["filename"]  # relative: the WARC's own name
        seen.add((fields["filename"], int(fields["offset"]), fields["url"]))
    assert seen == set(captured)


def pywb_config(workdir: Path, cdxj: Path, warcs: Path) -> None:
    """A pywb collection that reads our CDXJ file as its index and our warcs/ folder as its archive."""
    (workdir / "index").mkdir(parents=True)
    (workdir / "index" / cdxj.name).write_bytes(cdxj.read_bytes())
    (workdir / "config.yaml").write_text(
        "collections:\n"
        "  exported:\n"
        f"    index_paths: {workdir / 'index'}/\n"
        f"    archive_paths: {warcs}/\n",
        encoding="utf-8")


class ServedIndex:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        _, self.wayback = require_pywb()

    def __enter__(self):
        self.port = free_port()
        self.proc = subprocess.Popen([self.wayback, "-p", str(self.port), "-b", "127.0.0.1"], cwd=self.workdir,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2).read()
                return self
            except (urllib.error.URLError, OSError):
                if self.proc.poll() is not None:
                    raise RuntimeError("wayback exited: " + self.proc.stderr.read().decode(errors="replace"))
                time.sleep(0.3)
        raise RuntimeError("wayback did not start within 60 s")

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def get(self, url: str, timestamp: str = "2999") -> tuple[int, bytes]:
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/exported/{timestamp}id_/{url}",
                                     headers={"Accept-Encoding": "identity"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()


def test_pywb_serves_the_archive_from_the_exported_cdxj(crawled, tmp_path):
    cdxj = tmp_path / "index.cdxj"
    export_cdxj(crawled["archive"], cdxj)
    pywb_config(tmp_path / "pywb", cdxj, crawled["archive"] / "warcs")
    with ServedIndex(tmp_path / "pywb") as served:
        for n, url in enumerate(crawled["urls"]):
            status, body = served.get(url)
            assert status == 200, url
            assert article_title(n) in body.decode("utf-8")
        status, _ = served.get(crawled["urls"][0].replace("/news/", "/missing/"))
        assert status == 404


def test_revisits_are_indexed_and_replay_the_original_payload(tmp_path):
    builder = WarcBuilder(tmp_path / "a")
    original = builder.capture("http://news.example/story", day(0), b"<html><title>Story</title>first text</html>")
    builder.revisit(original, day(1))
    builder.revisit(original, day(2), not_modified=True)
    builder.close()
    cdxj = tmp_path / "index.cdxj"
    lines = export_cdxj(tmp_path / "a", cdxj)
    # The 304's date has two lines: the original's record for pywb, then the revisit for wabac.js.
    assert [parse(l)[2]["mime"] for l in lines] == ["text/html", "warc/revisit", "text/html", "warc/revisit"]
    assert [parse(l)[1] for l in lines] == ["20240301120000", "20240302120000", "20240303120000", "20240303120000"]
    assert {parse(l)[2]["digest"] for l in lines} == {original["digest"]}
    assert [parse(l)[2]["status"] for l in lines] == ["200", "200", "200", "200"]
    first, _, page, head = (parse(l)[2] for l in lines)
    assert (page["filename"], page["offset"], page["length"]) == (first["filename"], first["offset"], first["length"])
    assert head["revisit"] == "server-not-modified" and head["offset"] != first["offset"]
    pywb_config(tmp_path / "pywb", cdxj, tmp_path / "a" / "warcs")
    with ServedIndex(tmp_path / "pywb") as served:
        # pywb finds the payload of an identical-payload revisit through the index, by digest.
        status, body = served.get("http://news.example/story", "20240302120000")
        assert status == 200 and b"first text" in body
        # ... and serves the page at the date of the 304, not an empty 304.
        status, body = served.get("http://news.example/story", "20240303120000")
        assert status == 200 and b"first text" in body


def test_a_narrowed_cdxj_carries_the_originals_its_revisits_refer_to(tmp_path):
    builder = WarcBuilder(tmp_path / "a")
    original = builder.capture("http://news.example/story", day(0), b"<html><title>Story</title>first text</html>")
    builder.revisit(original, day(2), not_modified=True)
    builder.capture("http://news.example/other", day(0), b"<html>other</html>")
    builder.close()
    lines = export_cdxj(tmp_path / "a", tmp_path / "since.cdxj", "--since", "2024-03-02")
    assert [(parse(l)[1], parse(l)[2]["url"]) for l in lines] == [
        ("20240301120000", "http://news.example/story"),  # the original, outside the window
        ("20240303120000", "http://news.example/story"), ("20240303120000", "http://news.example/story")]
    narrow = export_cdxj(tmp_path / "a", tmp_path / "narrow.cdxj", "--since", "2024-03-02", "--without-originals")
    assert [parse(l)[2]["status"] for l in narrow] == ["304"]  # asked for: the revisit alone, as it is


@pytest.fixture
def many_hosts(tmp_path):
    builder = WarcBuilder(tmp_path / "hosts")
    for n, url in enumerate(["http://example.com/a", "http://news.example.com/b", "http://example.com.evil.org/c",
                             "http://notexample.com/d", "http://other.org/e"]):
        builder.capture(url, day(n), f"<html>{n}</html>".encode())
    builder.close()
    return tmp_path / "hosts"


def test_cdxj_domain_filter_takes_the_host_and_its_subdomains(many_hosts, tmp_path):
    lines = export_cdxj(many_hosts, tmp_path / "d.cdxj", "--domain", "example.com")
    assert sorted(parse(l)[2]["url"] for l in lines) == ["http://example.com/a", "http://news.example.com/b"]


def test_cdxj_date_filter_is_inclusive_of_whole_days(many_hosts, tmp_path):
    lines = export_cdxj(many_hosts, tmp_path / "t.cdxj", "--since", "2024-03-02", "--until", "2024-03-04")
    assert sorted(parse(l)[1] for l in lines) == ["20240302120000", "20240303120000", "20240304120000"]
    lines = export_cdxj(many_hosts, tmp_path / "t2.cdxj", "--since", "2024-03-02T12:00:01Z")
    assert sorted(parse(l)[1] for l in lines) == ["20240303120000", "20240304120000", "20240305120000"]


def test_cdxj_from_several_archive_folders(tmp_path):
    for host in ("alpha", "beta"):
        builder = WarcBuilder(tmp_path / host, host=host)
        builder.capture(f"http://{host}.example/", day(0), b"<html>x</html>")
        builder.close()
    out = tmp_path / "both.cdxj"
    result = run_archiver(tmp_path / "unused", "export", "--format", "cdxj", "--to", str(out),
                          "--from", str(tmp_path / "alpha"), "--from", str(tmp_path / "beta"))
    assert result.returncode == 0, result.stderr
    urls = [parse(l)[2]["url"] for l in out.read_text().splitlines()]
    assert urls == ["http://alpha.example/", "http://beta.example/"]
