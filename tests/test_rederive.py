"""`archiver extract` over the crawl's WARCs gives the items the live crawl wrote."""
import json
from pathlib import Path

from conftest import FAST
from warc_helpers import items


def test_extract_reproduces_live_items(site, archiver_cmd, tmp_path):
    archive = tmp_path / "a"
    seeds = site.article_urls(6) + [site.url("/chunked/8/"), site.url("/short/9"), site.url("/cookies"),
                                    site.url("/missing"), site.url("/error")]
    crawl = archiver_cmd(archive, "crawl", *seeds, *FAST, "-s", "RETRY_TIMES=1")
    assert crawl.returncode == 0, crawl.stderr
    live = sorted(items(archive), key=lambda i: i["url"])

    out = tmp_path / "extracted.jsonl"
    result = archiver_cmd(archive, "extract", str(archive / "warcs"), "--items", str(out))
    assert result.returncode == 0, result.stderr
    derived = sorted((json.loads(line) for line in out.read_text().splitlines()), key=lambda i: i["url"])
    assert [i["url"] for i in derived] == [i["url"] for i in live]
    for a, b in zip(live, derived):
        assert a == b, a["url"]
    # Articles came out whole, not just matching empties.
    assert sum(1 for i in derived if i["body"] and i["title"]) >= 7


def test_extract_to_stdout_and_bad_paths(site, archiver_cmd, tmp_path):
    archive = tmp_path / "a"
    assert archiver_cmd(archive, "crawl", *site.article_urls(2), *FAST).returncode == 0
    result = archiver_cmd(archive, "extract", str(archive))
    assert result.returncode == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 2 and "2 items from 1 WARC files" in result.stderr
    missing = archiver_cmd(archive, "extract", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    none = archiver_cmd(archive, "extract", str(empty))
    assert none.returncode == 1 and "no WARC files" in none.stderr


def test_extract_reads_a_wget_warc(site, archiver_cmd, tmp_path):
    import shutil
    import subprocess

    import pytest

    wget = shutil.which("wget")
    if not wget:
        pytest.skip("wget is not installed")
    # wget stores chunked bodies as they came, and names its files its own way.
    subprocess.run([wget, "-q", "--warc-file", str(tmp_path / "wget"), "-O", "/dev/null", "--no-warc-keep-log",
                    "--header", "Accept-Encoding: gzip", site.url("/chunked/3/"), site.url("/article/4/")],
                   check=False, timeout=60, cwd=tmp_path)
    warc = tmp_path / "wget.warc.gz"
    assert warc.exists()
    result = archiver_cmd(tmp_path / "unused", "extract", str(warc))
    assert result.returncode == 0, result.stderr
    got = {i["url"]: i for i in map(json.loads, result.stdout.splitlines())}
    assert set(got) == {site.url("/chunked/3/"), site.url("/article/4/")}
    for item in got.values():
        assert item["title"].startswith("New video footage") and "safe passage out of Raqqa" in item["body"]
        assert item["warc"]["filename"] == "wget.warc.gz"
