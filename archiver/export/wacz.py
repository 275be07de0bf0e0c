"""WACZ 1.1.1 (https://specs.webrecorder.net/wacz/1.1.1/): writing one from an archive, and checking one.

Layout written: `archive/*.warc.gz` stored uncompressed in the zip (replay tools read records
by byte range without inflating), `indexes/index.cdx.gz` (sorted CDXJ in gzip blocks, stored) with
its block index `indexes/index.idx`, `indexes/not-modified.cdx.gz` when the archive holds 304
revisits (the lines with which pywb replays them as pages; ReplayWeb.page reads only the block
index, see cdxj.py), `pages/pages.jsonl` (one line per article page, with its
text for full-text search), `datapackage.json` (sha256 and size of every file) and
`datapackage-digest.json` (the sha256 of datapackage.json). The index comes from cdxj-indexer
and the layout is py-wacz's, so `wacz validate` accepts it; we write the zip ourselves to stream
the WARCs in and to take pages from our items rather than re-extract them from HTML.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable
from urllib.parse import urldefrag

from . import ExportError
from .cdxj import write_compressed_cdxj
from ..warc.reader import StrictArchiveIterator
from .revisits import RecordTable, profile_of, refers_to
from .select import ItemSelector, Selection
from .sources import Sources

WACZ_VERSION = "1.1.1"
PAGES_FORMAT = "json-pages-1.0"
CHUNK = 1 << 20


@dataclass
class WaczReport:
    records: int = 0
    warcs: int = 0
    pages: int = 0
    originals: int = 0  # earlier captures carried because a selected revisit refers to them
    skipped: list[str] = field(default_factory=list)


def _software() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"archiver {version('archiver')}"
    except PackageNotFoundError:
        return "archiver"


def write_wacz(sources: Sources, out, selection: Selection, warn, title: str | None = None) -> WaczReport:
    """Write a WACZ to `out` (a binary file opened for writing, seekable)."""
    report = WaczReport()
    with tempfile.TemporaryDirectory(prefix="archiver-wacz-") as tmp:
        tmp = Path(tmp)
        index = write_compressed_cdxj(sources.warcs, tmp / "index.cdx.gz", tmp / "index.idx", selection,
                                      tmp / "not-modified.cdx.gz")
        report.skipped = index.skipped
        report.originals = index.originals
        for line in index.warnings:
            warn(line)
        if not index.lines:
            what = "matches the filters" if selection.filters_records else "could be read"
            raise ExportError(f"no response or revisit record {what} in {sources.names}; nothing to package")
        report.records = index.lines - index.not_modified  # the pywb lines are second lines of a record
        pages_path = tmp / "pages.jsonl"
        report.pages = _write_pages(ItemSelector(sources.items, selection, warn), index.files_used, pages_path)

        with zipfile.ZipFile(out, "w", allowZip64=True) as zf:
            resources = []
            # Only the WARCs that hold a selected record; the index points into no other.
            for warc in sources.warcs:
                if warc.name in index.files_used:
                    resources.append(_add_file(zf, warc, f"archive/{warc.name}", zipfile.ZIP_STORED))
                    report.warcs += 1
            # The gzip blocks are read by range, so the index is stored too; the rest may be deflated.
            resources.append(_add_file(zf, tmp / "index.cdx.gz", "indexes/index.cdx.gz", zipfile.ZIP_STORED))
            resources.append(_add_file(zf, tmp / "index.idx", "indexes/index.idx", zipfile.ZIP_DEFLATED))
            if index.not_modified:
                resources.append(_add_file(zf, tmp / "not-modified.cdx.gz", "indexes/not-modified.cdx.gz",
                                           zipfile.ZIP_STORED))
            resources.append(_add_file(zf, pages_path, "pages/pages.jsonl", zipfile.ZIP_DEFLATED))
            package = {
                "profile": "data-package",
                "resources": resources,
                # Folder names only: a package leaves the machine, its local paths need not.
                "title": title or "Archive of " + ", ".join(a.root.resolve().name for a in sources.archives),
                "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "wacz_version": WACZ_VERSION,
                "software": _software(),
            }
            package_bytes = json.dumps(package, indent=2).encode("utf-8")
            _write_bytes(zf, "datapackage.json", package_bytes)
            digest = {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest()}
            _write_bytes(zf, "datapackage-digest.json", json.dumps(digest, indent=2).encode("utf-8"))
    return report


def _write_pages(items: Iterable[dict], warcs_used: set[str], path: Path) -> int:
    """pages.jsonl: a header, then each article page whose capture is inside the WACZ."""
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write(json.dumps({"format": PAGES_FORMAT, "id": "pages", "title": "Articles", "hasText": True}) + "\n")
        for item in items:
            page = page_entry(item)
            if page is None or (item.get("warc") or {}).get("filename") not in warcs_used:
                continue
            out.write(json.dumps(page, ensure_ascii=False) + "\n")
            count += 1
    return count


def page_entry(item: dict) -> dict | None:
    """A page for an item of a 2xx or 304 capture (an article page); None for errors and non-pages.

    A 304 capture's item is the page the server confirmed unchanged, and the index replays it as
    that page at the 304's date; an export of a re-crawl alone lists those pages too.
    """
    status = item.get("status")
    warc = item.get("warc")
    if (not isinstance(status, int) or not (200 <= status < 300 or status == 304) or not isinstance(warc, dict)
            or not item.get("fetched_at")):
        return None
    # The capture's URI is the URL fetched last (after redirects), without its fragment.
    url = urldefrag(item.get("final_url") or item["url"])[0]
    page = {
        "id": str(warc.get("record_id") or "").strip("<>").removeprefix("urn:uuid:") or url,
        "url": url,
        "ts": item["fetched_at"],
        "title": item.get("title") or url,
    }
    if item.get("body"):
        page["text"] = item["body"]
    return page


class _Hashing:
    def __init__(self):
        self.sha256 = hashlib.sha256()
        self.size = 0

    def update(self, data: bytes) -> None:
        self.sha256.update(data)
        self.size += len(data)

    def resource(self, path: str) -> dict:
        name = path.rsplit("/", 1)[-1].lower()
        return {"name": name, "path": path, "hash": "sha256:" + self.sha256.hexdigest(), "bytes": self.size}


def _add_file(zf: zipfile.ZipFile, src: Path, arcname: str, compress_type: int) -> dict:
    info = zipfile.ZipInfo.from_file(src, arcname)
    info.compress_type = compress_type
    hashing = _Hashing()
    with open(src, "rb") as fin, zf.open(info, "w") as fout:
        while chunk := fin.read(CHUNK):
            hashing.update(chunk)
            fout.write(chunk)
    return hashing.resource(arcname)


def _write_bytes(zf: zipfile.ZipFile, arcname: str, data: bytes) -> None:
    info = zipfile.ZipInfo(arcname, datetime.now(timezone.utc).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


# --- checking -------------------------------------------------------------------------------


def verify_wacz(path) -> list[str]:
    """Every problem found in a WACZ file, one line each; an empty list when it is sound.

    Checks the zip, datapackage.json (every file listed, sizes and sha256 hashes match),
    datapackage-digest.json, the index and page list, that WARCs are stored uncompressed, that
    each index line points at a WARC inside, every WARC record's block and payload digests, and
    that every revisit's original is inside (or its page cannot be replayed from the package).
    """
    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        return [f"{path}: no such file"]
    except (zipfile.BadZipFile, OSError) as exc:
        return [f"{path}: not a readable zip file ({exc})"]
    with zf:
        return [f"{path}: {problem}" for problem in _ZipCheck(zf).run()]


class _ZipCheck:
    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf
        self.names = {info.filename: info for info in zf.infolist()}
        self.problems: list[str] = []

    def run(self) -> list[str]:
        package = self._datapackage()
        if package is not None:
            self._resources(package)
        self._digest_file()
        warcs = [n for n in self.names if n.startswith("archive/") and n.endswith((".warc", ".warc.gz"))]
        if not warcs:
            self.problems.append("no WARC file under archive/")
        with tempfile.TemporaryDirectory(prefix="archiver-verify-") as tmp:
            self.records = RecordTable(Path(tmp))
            try:
                for name in warcs:
                    if self.names[name].compress_type != zipfile.ZIP_STORED:
                        self.problems.append(f"{name} is compressed in the zip; WARCs must be stored uncompressed")
                    self.records.file()
                    self._warc_records(name)
                    self.records.keep()
                self._revisits()
            finally:
                self.records.close()
        self._index(set(n.split("/", 1)[1] for n in warcs))
        self._pages()
        return self.problems

    def _read(self, name: str) -> bytes | None:
        try:
            return self.zf.read(name)
        except KeyError:
            return None
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            self.problems.append(f"{name} cannot be read from the zip ({exc})")
            return None

    def _datapackage(self) -> dict | None:
        data = self._read("datapackage.json")
        if data is None:
            self.problems.append("datapackage.json is missing")
            return None
        try:
            package = json.loads(data)
        except ValueError as exc:
            self.problems.append(f"datapackage.json is not JSON ({exc})")
            return None
        if not isinstance(package, dict) or not isinstance(package.get("resources"), list):
            self.problems.append("datapackage.json has no resources list")
            return None
        if package.get("wacz_version") != WACZ_VERSION:
            self.problems.append(f"datapackage.json wacz_version is {package.get('wacz_version')!r}, expected {WACZ_VERSION!r}")
        return package

    def _resources(self, package: dict) -> None:
        listed = set()
        for resource in package["resources"]:
            if not isinstance(resource, dict) or "path" not in resource:
                self.problems.append(f"datapackage.json resource without a path: {resource!r}")
                continue
            name = resource["path"]
            listed.add(name)
            if name not in self.names:
                self.problems.append(f"{name} is listed in datapackage.json but missing from the zip")
                continue
            algorithm, _, expected = str(resource.get("hash", "")).partition(":")
            if algorithm not in ("sha256", "md5"):
                self.problems.append(f"{name}: datapackage.json gives no sha256 or md5 hash")
                continue
            size, actual = self._hash_entry(name, algorithm)
            if actual is None:
                continue
            if actual != expected:
                self.problems.append(f"{name}: {algorithm} does not match datapackage.json")
            if resource.get("bytes") is not None and resource["bytes"] != size:
                self.problems.append(f"{name}: {size} bytes, datapackage.json says {resource['bytes']}")
        for name, info in self.names.items():
            if not info.is_dir() and name not in listed and name not in ("datapackage.json", "datapackage-digest.json"):
                self.problems.append(f"{name} is in the zip but not listed in datapackage.json")

    def _hash_entry(self, name: str, algorithm: str) -> tuple[int, str | None]:
        hasher = hashlib.new(algorithm)
        size = 0
        try:
            with self.zf.open(name) as fh:
                while chunk := fh.read(CHUNK):
                    hasher.update(chunk)
                    size += len(chunk)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            self.problems.append(f"{name} cannot be read from the zip ({exc})")
            return size, None
        return size, hasher.hexdigest()

    def _digest_file(self) -> None:
        data = self._read("datapackage-digest.json")
        if data is None:
            self.problems.append("datapackage-digest.json is missing")
            return
        try:
            digest = json.loads(data)
            algorithm, _, expected = digest["hash"].partition(":")
            actual = hashlib.new(algorithm, self.zf.read("datapackage.json")).hexdigest()
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self.problems.append(f"datapackage-digest.json is not a digest of datapackage.json ({exc})")
            return
        if actual != expected:
            self.problems.append("datapackage-digest.json does not match datapackage.json")

    def _warc_records(self, name: str) -> None:
        try:
            with self.zf.open(name) as fh:
                records = StrictArchiveIterator(fh, gzipped=name.endswith(".gz"), check_digests=True)
                for record in records:
                    content = record.content_stream()
                    while content.read(CHUNK):
                        pass
                    self._note(name, record, records.get_record_offset())
                    if record.digest_checker.passed is False:
                        record_id = record.rec_headers.get_header("WARC-Record-ID")
                        for problem in record.digest_checker.problems:
                            self.problems.append(f"{name}: record {record_id} at offset {records.get_record_offset()}: {problem}")
        except Exception as exc:  # a damaged WARC can raise from gzip, zlib or the parser
            self.problems.append(f"{name}: cannot be read as WARC ({' '.join(str(exc).split()) or type(exc).__name__})")

    def _note(self, name: str, record, offset: int) -> None:
        headers = record.rec_headers
        if record.rec_type not in ("response", "revisit"):
            return
        record_id = headers.get_header("WARC-Record-ID") or ""
        uri = headers.get_header("WARC-Target-URI") or ""
        digest = headers.get_header("WARC-Payload-Digest") or ""
        timestamp = "".join(ch for ch in headers.get_header("WARC-Date") or "" if ch.isdigit())[:14]
        if record.rec_type == "response":
            self.records.add_response(record_id, uri, digest, "", timestamp, {}, indexed=True)
        else:
            refers_to_id, refers_to_uri = refers_to(record)
            self.records.add_revisit("", timestamp, {}, refers_to_id, refers_to_uri, digest, profile_of(record),
                                     f"{name}: revisit {record_id} of {uri} at offset {offset}")

    def _revisits(self) -> None:
        """Every revisit's original must be inside: replay tools look for it nowhere else."""
        for _, timestamp, _, refers_to_id, uri, digest, _, place in self.records.revisits():
            if self.records.original(refers_to_id, uri, digest, timestamp) is None:
                self.problems.append(f"{place} refers to {refers_to_id or uri}, which is not in this WACZ "
                                     "(export without --without-originals to carry it)")

    def _index_lines(self):
        if "indexes/index.cdx.gz" in self.names:
            with self.zf.open("indexes/index.cdx.gz") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
                yield from lines
        elif "indexes/index.cdx" in self.names:
            with self.zf.open("indexes/index.cdx") as raw:
                for line in raw:
                    yield line.decode("utf-8")
        else:
            self.problems.append("no index: neither indexes/index.cdx.gz nor indexes/index.cdx")

    def _index(self, warc_names: set[str]) -> None:
        if "indexes/index.cdx.gz" in self.names and "indexes/index.idx" not in self.names:
            self.problems.append("indexes/index.cdx.gz has no indexes/index.idx beside it")
        previous = ""
        count = 0
        try:
            for line in self._index_lines():
                line = line.rstrip("\n")
                if not line:
                    continue
                count += 1
                key = line.split(" {", 1)[0]
                if key < previous:
                    self.problems.append(f"index is not sorted at line {count}: {key}")
                    return
                previous = key
                fields = json.loads(line[line.index("{"):])
                if fields.get("filename") not in warc_names:
                    self.problems.append(f"index line {count} points at {fields.get('filename')!r}, not a WARC in archive/")
                    return
                if fields.get("mime") == "warc/revisit" and str(fields.get("status", "")).startswith("3"):
                    # pywb and ReplayWeb.page play such a line as its 3xx head with an empty body.
                    self.problems.append(f"index line {count}: {fields.get('url')} at {key.rsplit(' ', 1)[-1]} is a "
                                         f"{fields.get('status')} revisit, which replays as an empty page, not as "
                                         "the page it refers to")
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
            self.problems.append(f"index cannot be read ({exc})")
            return
        if count == 0 and ("indexes/index.cdx.gz" in self.names or "indexes/index.cdx" in self.names):
            self.problems.append("index is empty")

    def _pages(self) -> None:
        if "pages/pages.jsonl" not in self.names:
            self.problems.append("pages/pages.jsonl is missing")
            return
        try:
            with self.zf.open("pages/pages.jsonl") as fh:
                for number, line in enumerate(fh, 1):
                    entry = json.loads(line)
                    if number == 1:
                        if entry.get("format") != PAGES_FORMAT:
                            self.problems.append(f"pages/pages.jsonl header has format {entry.get('format')!r}, expected {PAGES_FORMAT!r}")
                            return
                    elif not entry.get("url") or not entry.get("ts"):
                        self.problems.append(f"pages/pages.jsonl line {number} has no url or ts")
                        return
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
            self.problems.append(f"pages/pages.jsonl cannot be read ({exc})")
