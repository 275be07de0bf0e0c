"""WACZ export: a crawled archive packaged, checked by py-wacz's validator, replayed by pywb,
and checked by `verify_wacz`, which must also catch a damaged package."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from archiver.export.wacz import verify_wacz
from conftest import run_archiver
from pywb_helpers import Wayback
from test_export_archive import WarcBuilder, article_title, crawled_archive, day, read_items

WACZ_CLI = str(Path(sys.executable).parent / "wacz")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    return crawled_archive(tmp_path_factory)


@pytest.fixture(scope="module")
def wacz_file(crawled, tmp_path_factory):
    out = tmp_path_factory.mktemp("wacz") / "export.wacz"
    result = run_archiver(crawled["archive"], "export", "--format", "wacz", "--to", str(out))
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    return out


def pages_of(wacz: Path) -> list[dict]:
    with zipfile.ZipFile(wacz) as zf:
        return [json.loads(line) for line in zf.read("pages/pages.jsonl").decode("utf-8").splitlines()]


def test_wacz_passes_py_wacz_validation(wacz_file):
    result = subprocess.run([WACZ_CLI, "validate", "-f", str(wacz_file)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the passed WACZ is valid" in result.stdout


def test_wacz_layout_follows_the_spec(wacz_file, crawled):
    with zipfile.ZipFile(wacz_file) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        package = json.loads(zf.read("datapackage.json"))
    warcs = sorted(p.name for p in (crawled["archive"] / "warcs").glob("*.warc.gz"))
    assert sorted(n.split("/", 1)[1] for n in infos if n.startswith("archive/")) == warcs
    for name, info in infos.items():
        if name.startswith("archive/") or name == "indexes/index.cdx.gz":
            assert info.compress_type == zipfile.ZIP_STORED, name
    assert {"indexes/index.cdx.gz", "indexes/index.idx", "pages/pages.jsonl", "datapackage.json",
            "datapackage-digest.json"} <= set(infos)
    assert package["wacz_version"] == "1.1.1"
    listed = {r["path"] for r in package["resources"]}
    assert listed == set(infos) - {"datapackage.json", "datapackage-digest.json"}
    assert all(r["hash"].startswith("sha256:") and r["bytes"] > 0 for r in package["resources"])


def test_pages_list_every_article_with_its_title_and_text(wacz_file, crawled):
    header, *pages = pages_of(wacz_file)
    assert header["format"] == "json-pages-1.0"
    assert sorted(p["url"] for p in pages) == sorted(crawled["urls"])  # latest version of each
    for page in pages:
        n = int(page["url"].rstrip("/").rsplit("/", 1)[1])
        assert page["title"] == article_title(n)
        assert "harbour council" in page["text"].lower()
        assert page["ts"].endswith("Z")
    revised = next(p for p in pages if p["url"] == crawled["revised"])
    assert "Correction 2" in revised["text"]


def test_all_versions_lists_each_capture_of_a_changed_article(crawled, tmp_path):
    out = tmp_path / "all.wacz"
    result = run_archiver(crawled["archive"], "export", "--format", "wacz", "--to", str(out), "--all-versions")
    assert result.returncode == 0, result.stderr
    pages = pages_of(out)[1:]
    assert len(pages) == len(crawled["urls"]) + 1
    assert [p["url"] for p in pages].count(crawled["revised"]) == 2


def test_verify_wacz_finds_nothing_wrong_in_an_export(wacz_file):
    assert verify_wacz(wacz_file) == []


def test_pywb_replays_pages_from_the_warcs_inside(wacz_file, crawled, tmp_path):
    extracted = tmp_path / "extracted"
    with zipfile.ZipFile(wacz_file) as zf:
        names = [n for n in zf.namelist() if n.startswith("archive/")]
        zf.extractall(extracted, members=names)
    pages = pages_of(wacz_file)[1:]
    with Wayback(tmp_path / "pywb", sorted((extracted / "archive").glob("*.warc.gz"))) as wayback:
        for page in pages:
            timestamp = page["ts"].replace("-", "").replace(":", "").replace("T", "").rstrip("Z")
            status, headers, body = wayback.get(page["url"], timestamp=timestamp)
            assert status == 200, page["url"]
            assert article_title(int(page["url"].rstrip("/").rsplit("/", 1)[1])) in body.decode("utf-8")
        # The revised article replays as each version at its own time.
        revised_items = sorted((i for i in read_items(crawled["archive"]) if i["url"] == crawled["revised"]),
                               key=lambda i: i["fetched_at"])
        first = revised_items[0]["fetched_at"].replace("-", "").replace(":", "").replace("T", "").rstrip("Z")
        _, _, old = wayback.get(crawled["revised"], timestamp=first)
        _, _, new = wayback.get(crawled["revised"])
        assert b"Correction 2" not in old and b"Correction 2" in new


# --- verify_wacz on damaged packages -----------------------------------------------------------


def rewrite_zip(src: Path, dst: Path, change) -> None:
    """Copy a zip entry by entry; `change(name, data, info)` returns new data (or None to drop it)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename), info)
            if data is not None:
                zout.writestr(info, data)


def test_verify_wacz_names_a_changed_file(wacz_file, tmp_path):
    damaged = tmp_path / "damaged.wacz"
    rewrite_zip(wacz_file, damaged, lambda n, d, i: d.replace(b"Harbour", b"Harbor") if n == "pages/pages.jsonl" else d)
    problems = verify_wacz(damaged)
    assert any("pages/pages.jsonl: sha256 does not match datapackage.json" in p for p in problems), problems


def test_verify_wacz_names_a_record_whose_digest_fails(wacz_file, tmp_path):
    """A WARC changed inside, with datapackage.json rewritten to match: only record digests can tell."""
    import gzip
    import hashlib

    def tamper(name, data, info):
        if name.startswith("archive/") and not tamper.done:
            tamper.done = True
            text = gzip.decompress(data).replace(b"three crossings", b"four crossings!")
            members = []
            for chunk in text.split(b"WARC/1.1\r\n")[1:]:
                members.append(gzip.compress(b"WARC/1.1\r\n" + chunk))
            tamper.new = (name, b"".join(members))
            return tamper.new[1]
        return data
    tamper.done = False

    step = tmp_path / "step.wacz"
    rewrite_zip(wacz_file, step, tamper)
    name, new_warc = tamper.new

    def fix_package(n, data, info):
        if n == "datapackage.json":
            package = json.loads(data)
            for r in package["resources"]:
                if r["path"] == name:
                    r["hash"] = "sha256:" + hashlib.sha256(new_warc).hexdigest()
                    r["bytes"] = len(new_warc)
            fix_package.bytes = json.dumps(package).encode()
            return fix_package.bytes
        if n == "datapackage-digest.json":
            return json.dumps({"path": "datapackage.json",
                               "hash": "sha256:" + hashlib.sha256(fix_package.bytes).hexdigest()}).encode()
        return data

    damaged = tmp_path / "damaged.wacz"
    rewrite_zip(step, damaged, fix_package)
    problems = verify_wacz(damaged)
    assert problems and all(name in p for p in problems), problems
    assert any("digest" in p.lower() for p in problems), problems


def test_verify_wacz_names_a_deflated_warc_and_missing_parts(wacz_file, tmp_path):
    damaged = tmp_path / "damaged.wacz"

    def change(name, data, info):
        if name.startswith("archive/"):
            info.compress_type = zipfile.ZIP_DEFLATED
        return None if name in ("datapackage-digest.json", "pages/pages.jsonl") else data

    rewrite_zip(wacz_file, damaged, change)
    problems = verify_wacz(damaged)
    assert any("must be stored uncompressed" in p for p in problems), problems
    assert any("datapackage-digest.json is missing" in p for p in problems), problems
    assert any("pages/pages.jsonl is missing" in p for p in problems), problems


def test_verify_wacz_on_files_that_are_not_wacz(tmp_path):
    not_zip = tmp_path / "x.wacz"
    not_zip.write_bytes(b"hello")
    assert "not a readable zip file" in verify_wacz(not_zip)[0]
    assert "no such file" in verify_wacz(tmp_path / "missing.wacz")[0]


def test_wacz_from_hand_built_warcs_with_revisits(tmp_path):
    """Revisit records (both profiles) are indexed in the WACZ, and the result validates."""
    builder = WarcBuilder(tmp_path / "a")
    first = builder.capture("http://news.example/story", day(0), b"<html><title>Story</title>same</html>", title="Story")
    builder.revisit(first, day(1))
    builder.revisit(first, day(2), not_modified=True)
    builder.close()
    out = tmp_path / "r.wacz"
    result = run_archiver(tmp_path / "a", "export", "--format", "wacz", "--to", str(out))
    assert result.returncode == 0, result.stderr
    assert verify_wacz(out) == []
    check = subprocess.run([WACZ_CLI, "validate", "-f", str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    import gzip
    with zipfile.ZipFile(out) as zf:
        lines = gzip.decompress(zf.read("indexes/index.cdx.gz")).decode().splitlines()
        pywb_lines = gzip.decompress(zf.read("indexes/not-modified.cdx.gz")).decode().splitlines()
    fields = [json.loads(l.split(" ", 2)[2]) for l in lines]
    assert [f["mime"] for f in fields] == ["text/html", "warc/revisit", "warc/revisit"]
    # The 304 is indexed with the status of the page it stands for; its own record is unchanged.
    assert [f["status"] for f in fields] == ["200", "200", "200"] and fields[2]["revisit"] == "server-not-modified"
    assert all("recordDigest" in l for l in lines)
    # pywb's line for the 304's date points at the original record.
    (pywb_line,) = pywb_lines
    assert pywb_line.split(" ")[1] == "20240303120000"
    page = json.loads(pywb_line.split(" ", 2)[2])
    assert (page["offset"], page["filename"]) == (fields[0]["offset"], fields[0]["filename"])


def test_verify_fails_a_wacz_whose_revisits_do_not_resolve(tmp_path):
    builder = WarcBuilder(tmp_path / "a")
    first = builder.capture("http://news.example/story", day(0), b"<html><title>Story</title>same</html>", title="Story")
    builder.writer.close()  # the revisits go to a WARC of their own, as a later re-crawl's would
    builder.revisit(first, day(2), not_modified=True)
    builder.revisit(first, day(3))
    builder.close()
    carried, narrow = tmp_path / "carried.wacz", tmp_path / "narrow.wacz"
    for out, extra in ((carried, []), (narrow, ["--without-originals"])):
        result = run_archiver(tmp_path / "a", "export", "--format", "wacz", "--to", str(out), "--since", "2024-03-02",
                              *extra)
        assert result.returncode == 0, result.stderr
    assert verify_wacz(carried) == []
    problems = verify_wacz(narrow)
    assert len([p for p in problems if "refers to" in p and "not in this WACZ" in p]) == 2, problems
    # Without its original the 304 stays indexed as it is, and that is named too.
    assert len([p for p in problems if "replays as an empty page" in p]) == 1, problems
    assert len(problems) == 3, problems
    result = run_archiver(tmp_path / "a", "verify", str(narrow))
    assert result.returncode == 1 and "FAIL" in result.stdout


def test_verify_fails_a_wacz_that_indexes_a_304_as_it_is(tmp_path):
    """An index line that plays a 304 revisit as its own head replays an empty page."""
    import gzip

    builder = WarcBuilder(tmp_path / "a")
    first = builder.capture("http://news.example/story", day(0), b"<html>same</html>")
    builder.revisit(first, day(2), not_modified=True)
    builder.close()
    good, bad = tmp_path / "good.wacz", tmp_path / "bad.wacz"
    assert run_archiver(tmp_path / "a", "export", "--format", "wacz", "--to", str(good)).returncode == 0

    def as_it_was(name, data, info):
        if name != "indexes/index.cdx.gz":
            return data
        lines = gzip.decompress(data).decode().splitlines()
        return gzip.compress("".join(l.replace('"status": "200", ', '"status": "304", ') + "\n"
                                     if "server-not-modified" in l else l + "\n" for l in lines).encode())

    rewrite_zip(good, bad, as_it_was)
    assert any("replays as an empty page" in p for p in verify_wacz(bad))
