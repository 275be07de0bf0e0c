"""Bad input to `archiver export`: each gets one clear line naming what is wrong, and the right exit code."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from archiver.export.wacz import verify_wacz
from conftest import run_archiver
from test_export_archive import WarcBuilder, day


@pytest.fixture
def archive(tmp_path):
    b = WarcBuilder(tmp_path / "archive")
    for n in range(3):
        b.capture(f"http://example.com/{n}", day(n), f"<html><title>{n}</title>page {n}</html>".encode(), title=str(n))
    b.close()
    return tmp_path / "archive"


def export(archive, *args):
    return run_archiver(archive, "export", *args)


def only_line(stderr: str) -> str:
    lines = [l for l in stderr.splitlines() if l.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


def test_unknown_format_is_bad_usage(archive, tmp_path):
    result = export(archive, "--format", "warc", "--to", str(tmp_path / "x"))
    assert result.returncode == 2
    assert "invalid choice: 'warc'" in result.stderr


def test_bad_dates_and_domains_are_bad_usage(archive, tmp_path):
    result = export(archive, "--format", "jsonl", "--to", "-", "--since", "last tuesday")
    assert result.returncode == 2 and "not a date: 'last tuesday'" in result.stderr
    result = export(archive, "--format", "jsonl", "--to", "-", "--since", "2024-03-05", "--until", "2024-03-01")
    assert result.returncode == 2 and "--since is after --until" in result.stderr
    result = export(archive, "--format", "wacz", "--to", "-")
    assert result.returncode == 2 and "cannot go to standard output" in result.stderr


@pytest.mark.parametrize("target, message", [
    ("/dev/null/export.jsonl", "cannot write /dev/null/export.jsonl: Not a directory"),
    ("{tmp}/no/such/folder/export.jsonl",
     "cannot write {tmp}/no/such/folder/export.jsonl: folder {tmp}/no/such/folder does not exist"),
    ("{tmp}", "cannot write {tmp}: it is a folder"),
])
def test_unwritable_target(archive, tmp_path, target, message):
    target = target.format(tmp=tmp_path)
    result = export(archive, "--format", "jsonl", "--to", target)
    assert result.returncode == 1
    assert only_line(result.stderr) == "archiver: export: " + message.format(tmp=tmp_path)


def test_missing_and_empty_archives(tmp_path):
    # A missing archive is bad usage, as for every command that reads one (exit 2).
    result = export(tmp_path / "nowhere", "--format", "cdxj", "--to", str(tmp_path / "x.cdxj"))
    assert result.returncode == 2
    assert only_line(result.stderr).startswith(f"archiver: --archive {tmp_path / 'nowhere'} does not exist")
    empty = tmp_path / "empty"
    (empty / "warcs").mkdir(parents=True)
    # A WARC still being written is not a closed WARC: it does not count.
    (empty / "warcs" / "a-20240101000000000-00000-h.warc.gz.open").write_bytes(b"partial")
    for fmt, what in (("wacz", "no closed WARC files"), ("cdxj", "no closed WARC files"), ("csv", "no item files")):
        result = export(empty, "--format", fmt, "--to", str(tmp_path / f"x.{fmt}"))
        assert result.returncode == 1, fmt
        assert what in only_line(result.stderr) and str(empty) in result.stderr
        assert not (tmp_path / f"x.{fmt}").exists()


def corrupt_copies(archive: Path) -> list[Path]:
    """Three damaged WARCs next to the good one: cut short, not WARC at all, and empty."""
    good = next((archive / "warcs").glob("*.warc.gz"))
    data = good.read_bytes()
    paths = [archive / "warcs" / f"bad-2024030{n}120000000-00000-h.warc.gz" for n in range(3)]
    paths[0].write_bytes(data[: len(data) * 2 // 3])
    paths[1].write_bytes(b"these are not the WARC records you are looking for\n" * 20)
    paths[2].write_bytes(b"")
    return paths


@pytest.mark.parametrize("fmt", ["wacz", "cdxj"])
def test_corrupt_warcs_are_named_and_skipped(archive, tmp_path, fmt):
    bad = corrupt_copies(archive)
    out = tmp_path / f"out.{fmt}"
    result = export(archive, "--format", fmt, "--to", str(out))
    assert result.returncode == 0, result.stderr
    warnings = [l for l in result.stderr.splitlines() if l.startswith("archiver: warning:")]
    assert len(warnings) == 3, result.stderr
    for path, reason in zip(bad, ("cut short", "not a WARC record", "the file is empty")):
        line = next(l for l in warnings if str(path) in l)
        assert "corrupt WARC, skipped" in line and reason in line
    assert "3 warning(s)" in result.stderr.splitlines()[-1]
    if fmt == "wacz":
        with zipfile.ZipFile(out) as zf:
            assert not any(n.startswith("archive/bad-") for n in zf.namelist())
        assert verify_wacz(out) == []
    else:
        assert len(out.read_text().splitlines()) == 3
        assert "bad-" not in out.read_text()


def test_a_record_failing_its_digest_is_left_out_and_named(archive, tmp_path):
    good = next((archive / "warcs").glob("*.warc.gz"))
    # Re-write the file with one response body changed but its digests kept: the file reads, one record lies.
    import gzip
    text = gzip.decompress(good.read_bytes())
    members = [b"WARC/1.1\r\n" + m for m in text.split(b"WARC/1.1\r\n")[1:]]
    members = [m.replace(b"page 1", b"page X") for m in members]
    good.write_bytes(b"".join(gzip.compress(m) for m in members))
    result = export(archive, "--format", "cdxj", "--to", str(tmp_path / "x.cdxj"))
    assert result.returncode == 0
    assert "left out (block digest failed" in result.stderr and str(good) in result.stderr
    assert "example.com/1" not in (tmp_path / "x.cdxj").read_text()
    assert len((tmp_path / "x.cdxj").read_text().splitlines()) == 2


def test_when_every_warc_is_corrupt_the_export_fails_and_keeps_the_old_file(archive, tmp_path):
    out = tmp_path / "out.wacz"
    out.write_bytes(b"yesterday's export")
    for path in (archive / "warcs").glob("*.warc.gz"):
        path.write_bytes(path.read_bytes()[:100])
    result = export(archive, "--format", "wacz", "--to", str(out))
    assert result.returncode == 1
    assert "nothing to package" in result.stderr.splitlines()[-1]
    assert out.read_bytes() == b"yesterday's export"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.wacz")] == []


def test_filters_that_match_nothing(archive, tmp_path):
    result = export(archive, "--format", "wacz", "--to", str(tmp_path / "x.wacz"), "--domain", "other.org")
    assert result.returncode == 1 and "matches the filters" in result.stderr
    result = export(archive, "--format", "jsonl", "--to", str(tmp_path / "x.jsonl"), "--domain", "other.org")
    assert result.returncode == 0 and (tmp_path / "x.jsonl").read_text() == ""
    assert "exported 0 items" in result.stderr
