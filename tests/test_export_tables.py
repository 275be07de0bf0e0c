"""JSON Lines and CSV export of items: latest version per URL, or every version; filters; CSV flattening."""
from __future__ import annotations

import csv
import io
import json

import pytest

from archiver.store.items import ITEM_FIELDS
from conftest import run_archiver
from test_export_archive import WarcBuilder, crawled_archive, day


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    return crawled_archive(tmp_path_factory)


def export(archive, fmt, *options, sources=()):
    extra = [arg for s in sources for arg in ("--from", str(s))]
    result = run_archiver(archive, "export", "--format", fmt, "--to", "-", *extra, *options)
    assert result.returncode == 0, result.stderr
    return result.stdout, result.stderr


def jsonl(archive, *options, **kw) -> list[dict]:
    out, _ = export(archive, "jsonl", *options, **kw)
    return [json.loads(line) for line in out.splitlines()]


def csv_rows(archive, *options) -> list[dict]:
    out, _ = export(archive, "csv", *options)
    return list(csv.DictReader(io.StringIO(out, newline="")))


def test_jsonl_has_the_latest_version_of_each_article(crawled):
    rows = jsonl(crawled["archive"])
    assert sorted(r["url"] for r in rows) == sorted(crawled["urls"])
    assert all(list(r) == list(ITEM_FIELDS) for r in rows)
    revised = next(r for r in rows if r["url"] == crawled["revised"])
    assert "Correction 2" in revised["body"]
    assert all(r["title"].startswith("Harbour council approves") for r in rows)


def test_all_versions_adds_the_changed_articles_earlier_version(crawled):
    rows = jsonl(crawled["archive"], "--all-versions")
    assert len(rows) == len(crawled["urls"]) + 1
    versions = [r for r in rows if r["url"] == crawled["revised"]]
    assert [("Correction 2" in r["body"]) for r in versions] == [False, True]
    assert versions[0]["fetched_at"] < versions[1]["fetched_at"]


def test_csv_matches_jsonl_row_for_row(crawled):
    rows = csv_rows(crawled["archive"], "--all-versions")
    items = jsonl(crawled["archive"], "--all-versions")
    assert len(rows) == len(items)
    for row, item in zip(rows, items):
        assert row["url"] == item["url"] and row["title"] == item["title"]
        assert row["body"] == item["body"]  # blank lines between paragraphs survive quoting
        assert row["authors"] == "; ".join(item["authors"])
        assert (row["warc_filename"], row["warc_record_id"], row["warc_offset"]) == (
            item["warc"]["filename"], item["warc"]["record_id"], str(item["warc"]["offset"]))


@pytest.fixture
def versioned(tmp_path):
    """Hand-built items: explicit version numbers for one URL, null versions for another."""
    b = WarcBuilder(tmp_path / "v")
    b.capture("http://example.com/numbered", day(0), b"<p>one</p>", title="One", version=1)
    b.capture("http://example.com/numbered", day(1), b"<p>one</p>", title="One", version=1)  # unchanged re-crawl
    b.capture("http://example.com/numbered", day(2), b"<p>two</p>", title="Two", version=2)
    b.capture("http://news.example.com/unnumbered", day(0), b"<p>first</p>", title="First")
    b.capture("http://news.example.com/unnumbered", day(3), b"<p>second</p>", title="Second")
    b.capture("http://other.org/page", day(4), b"<p>other</p>", title="Other")
    b.capture("http://example.com/gone", day(5), b"gone", status="404 Not Found")
    b.close()
    return tmp_path / "v"


def test_versions_by_number_and_by_content_when_numbers_are_null(versioned):
    latest = {r["url"]: r["title"] for r in jsonl(versioned)}
    assert latest == {"http://example.com/numbered": "Two", "http://news.example.com/unnumbered": "Second",
                      "http://other.org/page": "Other", "http://example.com/gone": None}
    every = [(r["url"], r["title"], r["fetched_at"][:10]) for r in jsonl(versioned, "--all-versions")]
    assert every == [
        ("http://example.com/gone", None, "2024-03-06"),
        # the unchanged re-crawl of version 1 is the same version: listed once, at its first capture
        ("http://example.com/numbered", "One", "2024-03-01"),
        ("http://example.com/numbered", "Two", "2024-03-03"),
        ("http://news.example.com/unnumbered", "First", "2024-03-01"),
        ("http://news.example.com/unnumbered", "Second", "2024-03-04"),
        ("http://other.org/page", "Other", "2024-03-05"),
    ]


def test_domain_filter_takes_the_host_and_its_subdomains(versioned):
    urls = {r["url"] for r in jsonl(versioned, "--domain", "example.com", "--all-versions")}
    assert urls == {"http://example.com/numbered", "http://news.example.com/unnumbered", "http://example.com/gone"}
    assert {r["url"] for r in jsonl(versioned, "--domain", "news.example.com")} == {"http://news.example.com/unnumbered"}
    assert jsonl(versioned, "--domain", "xample.com") == []


def test_date_filter_picks_the_latest_version_inside_the_window(versioned):
    rows = jsonl(versioned, "--since", "2024-03-01", "--until", "2024-03-02")
    assert {r["url"]: r["title"] for r in rows} == {"http://example.com/numbered": "One",
                                                     "http://news.example.com/unnumbered": "First"}
    rows = jsonl(versioned, "--since", "2024-03-05T12:00:00+00:00")
    assert [r["url"] for r in rows] == ["http://example.com/gone", "http://other.org/page"]


def test_csv_flattens_lists_and_warc(versioned):
    rows = csv_rows(versioned)
    assert rows[0]["authors"] == "Maria Jensen; Ole Berg" and rows[0]["tags"] == "harbour; ferries"
    assert "warc" not in rows[0] and rows[0]["warc_filename"].endswith(".warc.gz")
    assert rows[0]["views"] == ""  # null is an empty cell


def test_items_from_several_archive_folders(tmp_path):
    for host in ("alpha", "beta"):
        b = WarcBuilder(tmp_path / host, host=host)
        b.capture(f"http://{host}.example/", day(0), b"<p>x</p>", title=host)
        b.close()
    rows = jsonl(tmp_path / "unused", sources=[tmp_path / "alpha", tmp_path / "beta"])
    assert [r["title"] for r in rows] == ["alpha", "beta"]


def test_a_broken_item_line_is_named_and_skipped(versioned):
    items_file = next((versioned / "items").glob("*.jsonl"))
    with open(items_file, "a", encoding="utf-8") as fh:
        fh.write('{"url": "http://example.com/half", "tit')
    out, err = export(versioned, "jsonl")
    assert f"{items_file}:8: not a JSON item, skipped" in err
    assert len(out.splitlines()) == 4
