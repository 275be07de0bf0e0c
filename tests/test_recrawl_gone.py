"""A removed article (410) is kept and marked gone; only due URLs are re-fetched; --limit holds."""
import json
import sqlite3
from pathlib import Path

from conftest import FAST, run_archiver
from warc_helpers import items


def url_state(archive, url):
    with sqlite3.connect(Path(archive, "state.sqlite3")) as db:
        db.row_factory = sqlite3.Row
        return dict(db.execute("SELECT * FROM urls WHERE url = ?", (url,)).fetchone())


def test_410_marks_the_article_gone(site, tmp_path):
    archive = tmp_path / "archive"
    urls = site.article_urls(4)
    assert run_archiver(archive, "crawl", *urls, *FAST).returncode == 0
    site.remove(2)
    result = run_archiver(archive, "recrawl", "--all", *FAST)
    assert result.returncode == 0, result.stderr

    gone = url_state(archive, urls[2])
    assert gone["last_status"] == 410 and gone["gone_since"]
    alive = url_state(archive, urls[1])
    assert alive["gone_since"] is None
    # Checked again rarely: much later than a live article.
    assert gone["next_due"] - alive["next_due"] > 30 * 86400

    status = json.loads(run_archiver(archive, "status", "--format", "json").stdout)
    assert status["gone"] == 1 and status["urls"] == 4
    # Kept: its version is still there, and diff says it is gone.
    history = json.loads(run_archiver(archive, "history", urls[2], "--format", "json").stdout)
    assert [v["version"] for v in history] == [1]
    diff = run_archiver(archive, "diff", urls[2])
    assert diff.returncode == 0
    assert f"article gone: HTTP 410 since {gone['gone_since']}" in diff.stdout


def test_only_due_urls_are_fetched_and_limit_holds(site, tmp_path):
    archive = tmp_path / "archive"
    urls = site.article_urls(6)
    assert run_archiver(archive, "crawl", *urls, *FAST).returncode == 0
    result = run_archiver(archive, "recrawl", *FAST)
    assert result.returncode == 0
    assert "nothing is due" in result.stderr
    assert len(items(archive)) == 6

    # Make three overdue, the most overdue first; --limit 2 takes those two.
    with sqlite3.connect(Path(archive, "state.sqlite3")) as db:
        for age, url in zip((300, 200, 100), urls[:3]):
            db.execute("UPDATE urls SET next_due = strftime('%s','now') - ? WHERE url = ?", (age, url))
    result = run_archiver(archive, "recrawl", "--limit", "2", *FAST)
    assert result.returncode == 0, result.stderr
    again = [i["url"] for i in items(archive) if i["status"] == 304]
    assert sorted(again) == urls[:2]


def test_recrawl_of_an_empty_archive_says_so(tmp_path):
    empty = tmp_path / "nothing"
    empty.mkdir()
    result = run_archiver(empty, "recrawl")
    assert result.returncode == 0
    assert "nothing to re-crawl" in result.stderr
