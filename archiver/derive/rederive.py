"""Items again from WARC files, with no network: the derivation a live crawl does, over old captures.

The rules that decide which captures become items are the crawl's own: a redirect hop or
robots.txt is not an article; a retried failure is superseded by the attempt that followed it;
the item of a redirected seed carries the seed's URL; a revisit is derived from the capture
that holds its payload; versions count changes of `content_hash` per URL in capture order.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator
from urllib.parse import urljoin, urlsplit

from ..page import CapturedPage
from .item import is_failure
from .pool import DerivePool, Derived
from ..store.items import ArticleItem, ordered_item
from ..warc.captures import Capture, UnreadableWarc, iter_captures, read_response

RETRY_STATUSES = {408, 429, 500, 502, 503, 504, 522, 524}


def warc_files(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.name.endswith((".warc.gz", ".warc")))
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(raw)
    return files


def _fetched_at(warc_date: str) -> str:
    # The live crawl records the capture start to the second, in UTC.
    return warc_date[:19] + "Z"


class Rederiver:
    """The crawl's rules over WARC files: `pages` gives the captures that become items, in
    capture order; `items` derives them (in a DerivePool's workers) and numbers the versions.

    What went wrong is kept as data as well as warned: `bad_files` (not a WARC, or cut short:
    every whole record before the damage is still derived) and `failed` (captures whose
    derivation failed, each named with its file and offset)."""

    def __init__(self, warn=None):
        self.warn = warn or (lambda message: None)
        self.redirected_from: dict[str, str] = {}
        self.responses: dict[str, tuple[Path, int]] = {}
        self.hashes: dict[str, tuple[str | None, int]] = {}
        self.bad_files: list[UnreadableWarc] = []
        self.failed = 0

    def items(self, files: list[Path], pool: DerivePool | None = None) -> Iterator[dict]:
        pool = pool or DerivePool(0)
        for page, derived in pool.imap(self.pages(files)):
            yield self.item(page, derived)

    def pages(self, files: list[Path]) -> Iterator[CapturedPage]:
        for path in files:
            try:
                yield from self._file_pages(path)
            except UnreadableWarc as exc:
                self.bad_files.append(exc)
                done = "skipped" if exc.problem.startswith("not a WARC") else "the records before it were derived"
                self.warn(f"{path}: {exc.problem}; {done}")

    def _file_pages(self, path: Path) -> Iterator[CapturedPage]:
        pending: dict[str, Capture] = {}
        damage = None
        try:
            for capture in iter_captures(path):
                if capture.record_type == "response":
                    self.responses[capture.record_id] = (path, capture.offset)
                uri = capture.target_uri
                earlier = pending.pop(uri, None)
                if earlier is not None:
                    pass  # a retried attempt: the later capture stands for it
                if urlsplit(uri).path == "/robots.txt":
                    continue
                location = capture.header("Location")
                if capture.status and 300 <= capture.status < 400 and capture.status != 304 and location:
                    target = urljoin(uri, location.strip())
                    self.redirected_from[target] = self.redirected_from.get(uri, uri)
                    continue
                if capture.status in RETRY_STATUSES:
                    pending[uri] = capture
                    continue
                yield self._page(capture)
        except UnreadableWarc as exc:
            damage = exc
        # Failed attempts not retried before the damage still stand for themselves.
        for capture in pending.values():
            yield self._page(capture)
        if damage is not None:
            raise damage

    def _page(self, capture: Capture) -> CapturedPage:
        headers, body, payload_status = capture.headers, capture.payload, None
        if capture.record_type == "revisit":
            stored = self._referred(capture)
            if stored is None:
                self.warn(f"{capture.filename} @{capture.offset}: the capture this revisit refers to is not in the given files")
                headers, body = [], b""
            else:
                headers, body, payload_status = stored.headers, stored.payload, stored.status
        return CapturedPage(
            url=self.redirected_from.get(capture.target_uri, capture.target_uri),
            final_url=capture.target_uri,
            status=capture.status or 0,
            fetched_at=_fetched_at(capture.warc_date),
            warc={"filename": capture.filename, "record_id": capture.record_id, "offset": capture.offset},
            headers=tuple(headers),
            body=body,
            payload_status=payload_status,
            payload_digest=capture.payload_digest,
            revisit=capture.record_type == "revisit",
        )

    def item(self, page: CapturedPage, derived: Derived) -> dict:
        item = ArticleItem.of(page, derived.fields)
        if derived.error or is_failure(item):
            self.failed += 1
            self.warn(f"{page.warc['filename']} @{page.warc['offset']} ({page.final_url}): {item['reason']}")
        item["version"] = self._version(item)
        return ordered_item(item)

    def _referred(self, capture: Capture):
        place = self.responses.get(capture.refers_to or "")
        if place is None:
            return None
        path, offset = place
        return read_response(path.parent, path.name, offset)

    def _version(self, item: dict) -> int | None:
        content_hash = item.get("content_hash")
        last_hash, version = self.hashes.get(item["url"], (None, 0))
        if content_hash is None:
            return version or None
        if content_hash != last_hash:
            version += 1
        self.hashes[item["url"]] = (content_hash, version)
        return version
