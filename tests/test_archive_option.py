"""`--archive`: every command agrees on what a bad one is (a clear message, exit 2, nothing
created), and a crawl with no usable seed leaves no archive folder behind."""
import json

import pytest

from conftest import FAST, run_archiver

URL = "http://127.0.0.1:9/"
# Every command that reads an archive, with the arguments it needs.
READERS = [["status"], ["status", "--format", "json"], ["history", URL], ["diff", URL], ["recrawl"], ["verify"],
           ["export", "--format", "jsonl", "--to", "OUT"], ["export", "--format", "wacz", "--to", "OUT"],
           ["demo", "--edit"]]
WRITERS = [["crawl", URL, *FAST], ["demo"], ["worker", "--redis", "redis://127.0.0.1:9/0"]]


def _args(command, tmp_path):
    return [str(tmp_path / "export.out") if a == "OUT" else a for a in command]


@pytest.mark.parametrize("command", READERS + WRITERS, ids=lambda c: " ".join(c[:2]))
def test_a_file_is_not_an_archive(command, tmp_path):
    afile = tmp_path / "notes.txt"
    afile.write_text("not an archive\n")
    result = run_archiver(afile, *_args(command, tmp_path))
    assert result.returncode == 2, result.stderr
    assert f"archiver: --archive {afile} is a file, not a folder" in result.stderr
    assert "Traceback" not in result.stderr
    assert afile.read_text() == "not an archive\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("command", READERS, ids=lambda c: " ".join(c[:2]))
def test_reading_a_missing_archive_is_an_error_that_creates_nothing(command, tmp_path):
    missing = tmp_path / "no-such-archive"
    result = run_archiver(missing, *_args(command, tmp_path))
    assert result.returncode == 2, result.stderr
    assert f"archiver: --archive {missing} does not exist" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", WRITERS, ids=lambda c: c[0])
def test_an_archive_under_a_file_cannot_be_created(command, tmp_path):
    afile = tmp_path / "notes.txt"
    afile.write_text("x")
    result = run_archiver(afile / "archive", *command)
    assert result.returncode == 2, result.stderr
    assert f"cannot be created: {afile} is a file, not a folder" in result.stderr


def test_export_from_a_missing_folder_is_bad_usage_too(tmp_path):
    result = run_archiver(tmp_path / "unused", "export", "--format", "jsonl", "--to", str(tmp_path / "x.jsonl"),
                          "--from", str(tmp_path / "gone"))
    assert result.returncode == 2
    assert f"archiver: --from {tmp_path / 'gone'} does not exist" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_empty_folder_is_an_empty_archive(tmp_path):
    result = run_archiver(tmp_path, "status", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["urls"] == 0


@pytest.mark.parametrize("seeds", [["htp://x"], ["not a url", "ftp://example.org/"]])
def test_a_seed_typo_leaves_no_archive_behind(seeds, tmp_path):
    archive = tmp_path / "deep" / "new-archive"
    result = run_archiver(archive, "crawl", *seeds, *FAST)
    assert result.returncode == 2
    assert "no usable seed" in result.stderr and seeds[0] in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_bad_seed_list_leaves_no_archive_behind(tmp_path):
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("htp://x\nexample.org/no-scheme\n")
    result = run_archiver(tmp_path / "archive", "crawl", "--urls", str(seeds), *FAST)
    assert result.returncode == 2
    assert "seeds.txt:1: 'htp://x'" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seeds.txt"]


def test_a_seed_typo_in_an_existing_archive_keeps_it(site, tmp_path):
    archive = tmp_path / "archive"
    assert run_archiver(archive, "crawl", site.url("/article/1/"), *FAST).returncode == 0
    before = sorted(p.relative_to(archive) for p in archive.rglob("*"))
    result = run_archiver(archive, "crawl", "htp://x", *FAST)
    assert result.returncode == 2
    after = sorted(p.relative_to(archive) for p in archive.rglob("*"))
    assert after == before
