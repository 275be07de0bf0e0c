"""Seed checks end to end: credentials in a URL are refused and never logged nor stored; URLs
longer than URLLENGTH_LIMIT are bad seeds, named and counted; an entity declaration is refused
in any encoding."""
import sqlite3
from pathlib import Path

import pytest

from conftest import FAST, run_archiver
from faulty_server import BILLION_LAUGHS
from sitemap_server import SitemapServer, urlset, utf16_entity_feed
from warc_helpers import items, records

from archiver.store.seeds import declares_entities, without_credentials

SECRET = "s3cr3t-pw"


@pytest.fixture(scope="module")
def server():
    s = SitemapServer().start()
    yield s
    s.stop()


def everything_written(archive: Path, published: str) -> bytes:
    """Every byte the crawl left in the archive (WARC records, items, state, any other file), but the
    archived copy of the document `published` itself, which holds what the server put in it."""
    out = b""
    for path in archive.rglob("*"):
        if path.is_file() and not path.name.endswith(".warc.gz"):
            out += path.read_bytes()
    for record in records(archive):
        if record["type"] == "response" and record["headers"]["WARC-Target-URI"] == published:
            continue
        out += repr(record["headers_list"]).encode() + repr(record["http"]).encode() + record["payload"]
    state = archive / "state.sqlite3"
    if state.exists():
        db = sqlite3.connect(state)
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
            out += repr(db.execute(f"SELECT * FROM {table}").fetchall()).encode()
        db.close()
    return out


def test_credentials_in_seed_urls_are_refused_and_never_logged_nor_stored(server, tmp_path):
    archive = tmp_path / "archive"
    in_list = server.url("/article/cred-list").replace("://", f"://reader:{SECRET}@")
    in_sitemap = server.url("/article/cred-sitemap").replace("://", f"://{SECRET}@")
    server.serve("/cred-sitemap.xml", urlset([in_sitemap, server.url("/article/cred-ok")]))
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(in_list + "\n")
    argument = server.url("/article/cred-arg").replace("://", f"://user:{SECRET}@")
    result = run_archiver(archive, "crawl", argument, "--urls", str(seeds), "--sitemap", server.url("/cred-sitemap.xml"),
                          *FAST, "-v")
    assert result.returncode == 0, result.stderr
    assert SECRET not in result.stderr + result.stdout
    for shown in (argument, in_list, in_sitemap):
        masked = without_credentials(shown)
        assert SECRET not in masked and "***@127.0.0.1" in masked
        (line,) = [line for line in result.stderr.splitlines() if masked in line]
        assert "holds credentials (user:password@): refused" in line
    assert "bad seed lines: 3" in result.stderr
    assert not [p for p in server.hits if p.startswith("/article/cred-") and p != "/article/cred-ok"]
    assert [i["url"] for i in items(archive)] == [server.url("/article/cred-ok")]
    written = everything_written(archive, server.url("/cred-sitemap.xml"))
    assert written and SECRET.encode() not in written


def test_only_credentialed_seeds_is_bad_usage(server, tmp_path):
    result = run_archiver(tmp_path / "a", "crawl", server.url("/article/x").replace("://", f"://u:{SECRET}@"), *FAST)
    assert result.returncode == 2 and "no usable seed" in result.stderr and SECRET not in result.stderr


def test_over_long_seed_urls_are_named_and_counted(server, tmp_path):
    base = server.url("/article/")
    at_limit = base + "a" * (2083 - len(base))
    over = [base + "b" * (2084 - len(base)), base + "c" * (8000 - len(base))]
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("\n".join([over[0], at_limit, over[1]]) + "\n")
    server.serve("/long-sitemap.xml", urlset([base + "d" * (3000 - len(base))]))
    result = run_archiver(tmp_path / "a", "crawl", "--urls", str(seeds), "--sitemap", server.url("/long-sitemap.xml"), *FAST)
    assert result.returncode == 0, result.stderr
    assert f"{seeds}:1: '{over[0][:117]}...' (2084 characters, longer than 2083 (URLLENGTH_LIMIT))" in result.stderr
    assert f"{seeds}:3: '{over[1][:117]}...' (8000 characters, longer than 2083 (URLLENGTH_LIMIT))" in result.stderr
    assert "(3000 characters, longer than 2083 (URLLENGTH_LIMIT))" in result.stderr
    assert "bad seed lines: 3" in result.stderr
    # The URL at the limit was fetched; none of the longer ones were asked for.
    assert [i["url"] for i in items(tmp_path / "a")] == [at_limit]
    assert not [p for p in server.hits if p.startswith(("/article/bbb", "/article/ccc", "/article/ddd"))]


def test_a_longer_limit_is_a_setting(server, tmp_path):
    long_url, in_list = server.url("/article/") + "e" * 2500, server.url("/article/") + "f" * 3000
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(in_list + "\n")
    result = run_archiver(tmp_path / "a", "crawl", long_url, "--urls", str(seeds), *FAST, "-s", "URLLENGTH_LIMIT=4000")
    assert result.returncode == 0, result.stderr
    assert sorted(i["url"] for i in items(tmp_path / "a")) == [long_url, in_list]


def test_utf16_feed_declaring_entities_is_refused(server, tmp_path):
    assert b"<!ENTITY" not in utf16_entity_feed("http://x/")  # a byte search would miss it
    result = run_archiver(tmp_path / "a", "crawl", "--feed", server.url("/feed-utf16-entities"), *FAST)
    assert result.returncode == 2, result.stderr
    assert f"feed {server.url('/feed-utf16-entities')} refused: it declares XML entities" in result.stderr
    assert "/article/feed" not in server.hits


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_entity_declarations_found_in_any_encoding(encoding):
    text = BILLION_LAUGHS.decode().replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding.upper()}"?>')
    assert declares_entities(text.encode(encoding))
    plain = text.split("]>", 1)[1].replace("&lol9;", "x")
    assert not declares_entities(plain.encode(encoding))
