"""`diff` between two versions: an edited sentence, a changed title, a removed author, gone."""
import sys

from conftest import ROOT, run_archiver

sys.path.insert(0, str(ROOT))
from archiver.store.state import CrawlState, UrlState  # noqa: E402

URL = "https://news.example/2024/05/article/"
V1 = {"title": "Council approves budget", "authors": ["Ann Lee", "Bo Chan"], "fetched_at": "2024-05-01T08:00:00Z",
      "content_hash": "h1", "warc": {"filename": "a.warc.gz", "record_id": "<urn:uuid:1>", "offset": 10},
      "body": "The council met on Monday.\n\nIt approved the budget by seven votes to two.\n\nThe mayor was absent."}
V2 = dict(V1, title="Council approves budget after long debate", authors=["Ann Lee"], fetched_at="2024-05-02T08:00:00Z",
          content_hash="h2", warc={"filename": "b.warc.gz", "record_id": "<urn:uuid:2>", "offset": 20},
          body="The council met on Monday.\n\nIt approved the budget by six votes to three.\n\nThe mayor was absent.")


def make_archive(tmp_path, gone=False):
    archive = tmp_path / "archive"
    state = CrawlState(archive / "state.sqlite3")
    state.add_version(URL, 1, V1)
    state.add_version(URL, 2, V2)
    state.save(UrlState(URL, final_url=URL, version=2, last_status=410 if gone else 200,
                        gone_since="2024-05-03T08:00:00Z" if gone else None))
    state.close()
    return archive


def test_diff_names_the_edited_sentence_and_changed_fields(tmp_path):
    result = run_archiver(make_archive(tmp_path), "diff", URL)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "title: Council approves budget -> Council approves budget after long debate" in lines
    assert "authors: removed Bo Chan" in lines
    assert "-It approved the budget by seven votes to two." in lines
    assert "+It approved the budget by six votes to three." in lines
    assert not any(l.startswith(("-", "+")) and "mayor" in l for l in lines)
    assert not any("gone" in l for l in lines)


def test_diff_says_the_article_is_gone(tmp_path):
    result = run_archiver(make_archive(tmp_path, gone=True), "diff", URL, "--from", "1", "--to", "2")
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == "article gone: HTTP 410 since 2024-05-03T08:00:00Z"


def test_diff_and_history_of_unknown_things(tmp_path):
    archive = make_archive(tmp_path)
    assert run_archiver(archive, "diff", URL, "--from", "7").returncode == 1
    missing = run_archiver(archive, "history", "https://news.example/other/")
    assert missing.returncode == 1 and "not in the archive" in missing.stderr
    text = run_archiver(archive, "history", URL)
    assert text.returncode == 0
    assert "b.warc.gz@20" in text.stdout and "Council approves budget after long debate" in text.stdout
