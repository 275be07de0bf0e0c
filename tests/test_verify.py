"""`archiver verify` passes on a crawl's files and names what is wrong in a damaged one."""
import gzip
import shutil
import zlib
from pathlib import Path

from conftest import FAST


def _members(data: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(data):
        d = zlib.decompressobj(31)
        out.append(d.decompress(data[pos:]))
        pos = len(data) - len(d.unused_data)
    return out


def _crawl(site, archiver_cmd, archive):
    result = archiver_cmd(archive, "crawl", *site.article_urls(3), *FAST)
    assert result.returncode == 0, result.stderr
    return sorted(Path(archive, "warcs").glob("*.warc.gz"))


def test_verify_passes_then_fails_on_corruption(site, archiver_cmd, tmp_path):
    archive = tmp_path / "a"
    (warc,) = _crawl(site, archiver_cmd, archive)
    ok = archiver_cmd(archive, "verify")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "1 files checked, 0 with problems" in ok.stdout

    members = _members(warc.read_bytes())
    # Flip bytes inside the second response's payload, keep the length: only digests can tell.
    target = 3
    body_at = members[target].rindex(b"\r\n\r\n", 0, len(members[target]) - 4) + 4
    damaged = bytearray(members[target])
    damaged[body_at + 10] ^= 0xFF
    members[target] = bytes(damaged)
    bad = tmp_path / "bad" / warc.name
    bad.parent.mkdir()
    bad.write_bytes(b"".join(gzip.compress(m) for m in members))
    result = archiver_cmd(archive, "verify", str(bad))
    assert result.returncode == 1
    assert "digest failed" in result.stdout and warc.name in result.stdout


def test_verify_finds_broken_pairing_and_missing_warcinfo(site, archiver_cmd, tmp_path):
    archive = tmp_path / "a"
    (warc,) = _crawl(site, archiver_cmd, archive)
    members = _members(warc.read_bytes())
    # Drop the warcinfo and one request record.
    broken = [members[i] for i in range(len(members)) if i not in (0, 2)]
    bad = tmp_path / "bad" / warc.name
    bad.parent.mkdir()
    bad.write_bytes(b"".join(gzip.compress(m) for m in broken))
    result = archiver_cmd(archive, "verify", str(bad))
    assert result.returncode == 1
    assert "not warcinfo" in result.stdout
    assert "not followed by its request record" in result.stdout


def test_verify_on_truncated_file_and_missing_path(site, archiver_cmd, tmp_path):
    archive = tmp_path / "a"
    (warc,) = _crawl(site, archiver_cmd, archive)
    cut = tmp_path / "cut" / warc.name
    cut.parent.mkdir()
    cut.write_bytes(warc.read_bytes()[:-40])
    result = archiver_cmd(archive, "verify", str(cut))
    assert result.returncode == 1
    assert "FAIL" in result.stdout
    missing = archiver_cmd(archive, "verify", str(tmp_path / "nope.warc.gz"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
