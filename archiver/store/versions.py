"""Article versions: what a new capture means for a URL's state, and what changed between two.

`version` goes up when the article's `content_hash` (of its normalised body) changes; a capture
whose payload is unchanged (a 304, or the same payload digest) is the same version and carries
the content hash it had. The commands `history` and `diff` read the versions kept in the state.
"""
from __future__ import annotations

import difflib
import json
from dataclasses import dataclass

from ..page import CapturedPage
from .items import ordered_item
from .schedule import Schedule
from .state import CrawlState, UrlState, Version

# The fields `diff` compares besides the body, in the item's order.
COMPARED_FIELDS = ("title", "subtitle", "authors", "published_at", "modified_at", "section", "tags",
                   "credit", "canonical_url", "language")


@dataclass(frozen=True)
class Fetch:
    """What the state knew when a capture was recorded: what its article's derivation is
    compared with when it returns (`record_article`)."""

    url: str
    ok: bool                      # 2xx, or a 304 for a payload we hold
    same_payload: bool            # a 304, or the payload digest we already had
    version: int                  # the URL's version before this capture
    content_hash: str | None      # ... and its content hash
    prior_interval: float | None  # the interval before this capture's provisional scheduling


def record_fetch(state: CrawlState, schedule: Schedule, page: CapturedPage, now: float) -> Fetch:
    """Record a capture at once, before its article is derived: the URL is known, its
    validators and payload digest kept and its next visit scheduled, even if derivation then
    fails. An unchanged payload's schedule is final here; a new one's is provisional until
    `record_article` knows whether the article changed."""
    with state.transaction():
        known = state.get(page.url) or UrlState(page.url)
        prior = Fetch(page.url, False, False, known.version, known.content_hash, known.interval)
        known.first_fetch = known.first_fetch or page.fetched_at
        known.last_fetch = page.fetched_at
        known.last_status = page.status
        ok = 200 <= page.status < 300 or page.status == 304
        digest = page.payload_digest
        if page.status == 304 and not page.resolved:
            digest = known.payload_digest  # a 304 we could not resolve: the validators still stand
        same_payload = page.status == 304 or (bool(digest) and digest == known.payload_digest)
        if ok:
            known.final_url = page.final_url or page.url
            known.etag = page.header("ETag") or (known.etag if page.status == 304 else None)
            known.last_modified = page.header("Last-Modified") or (known.last_modified if page.status == 304 else None)
            known.payload_digest = digest
        if ok and not same_payload:
            # Cleared when its article is derived; a crawl stopped before that leaves it for `extract`.
            known.pending = json.dumps(page.warc)
        schedule.after_fetch(known, page.status, False, now)
        state.save(known)
    return Fetch(page.url, ok, same_payload, prior.version, prior.content_hash, prior.prior_interval)


def record_article(state: CrawlState, schedule: Schedule, fetch: Fetch, item: dict, now: float,
                   derive_error: bool = False) -> bool:
    """Take the decisions that need the derived article: its `version` (set on the item, with
    the content hash an unchanged payload had) and, when it changed, a new version row and a
    shorter interval. One transaction: a version row never lands without its URL row. True if
    this capture is a new version."""
    if fetch.ok and fetch.same_payload and fetch.content_hash:
        item["content_hash"] = fetch.content_hash
    content_hash = item.get("content_hash") if fetch.ok else None
    if not content_hash:
        if not derive_error:
            with state.transaction():
                state.clear_pending(fetch.url, item["warc"])
        return False
    changed = content_hash != fetch.content_hash
    new_version = fetch.version == 0 or changed
    item["version"] = fetch.version + 1 if new_version else fetch.version
    with state.transaction():
        known = state.get(fetch.url) or UrlState(fetch.url)
        if new_version:
            state.add_version(fetch.url, item["version"], ordered_item(item))
        known.version = item["version"]
        known.content_hash = content_hash
        known.published_at = item.get("published_at") or known.published_at
        # Scheduled again from the interval the capture found, now that the article is known.
        known.interval = fetch.prior_interval
        schedule.after_fetch(known, int(item.get("status") or 0), changed and item["version"] > 1, now)
        if known.pending == json.dumps(item.get("warc")):
            known.pending = None
        state.save(known)
    return new_version


def record_failure(state: CrawlState, schedule: Schedule, url: str, now: float) -> None:
    with state.transaction():
        known = state.get(url) or UrlState(url)
        schedule.after_failure(known, now)
        state.save(known)


# -- reading versions back -------------------------------------------------------------------

class UnknownURL(LookupError):
    pass


def resolve_url(state: CrawlState, url: str) -> str:
    """The state's key for `url`: as seeded, or the URL it ended at."""
    if state.get(url):
        return url
    row = state.db.execute("SELECT url FROM urls WHERE final_url = ? LIMIT 1", (url,)).fetchone()
    if row:
        return row[0]
    raise UnknownURL(f"not in the archive's state: {url}")


def history(state: CrawlState, url: str) -> tuple[list[Version], UrlState]:
    key = resolve_url(state, url)
    return state.versions(key), state.get(key)


def _field_text(value) -> str:
    if value in (None, "", []):
        return "(none)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def field_changes(old: dict, new: dict) -> list[str]:
    """One line per changed field; lists say what was added and removed."""
    lines = []
    for name in COMPARED_FIELDS:
        a, b = old.get(name), new.get(name)
        if (a or None) == (b or None):
            continue
        if isinstance(a, list) or isinstance(b, list):
            removed = [v for v in a or [] if v not in (b or [])]
            added = [v for v in b or [] if v not in (a or [])]
            parts = [f"removed {_field_text(removed)}"] if removed else []
            parts += [f"added {_field_text(added)}"] if added else []
            lines.append(f"{name}: " + "; ".join(parts or ["reordered"]))
        else:
            lines.append(f"{name}: {_field_text(a)!s} -> {_field_text(b)!s}")
    return lines


def body_diff(old: Version, new: Version) -> list[str]:
    """A unified diff of the bodies, a paragraph a line (paragraphs are the unit editors change)."""
    a = (old.item.get("body") or "").split("\n\n")
    b = (new.item.get("body") or "").split("\n\n")
    return list(difflib.unified_diff(
        a, b, fromfile=f"version {old.version} ({old.fetched_at})", tofile=f"version {new.version} ({new.fetched_at})",
        lineterm="", n=1))


def diff(state: CrawlState, url: str, from_version: int | None = None, to_version: int | None = None) -> list[str]:
    """What changed between two versions (default: the last two), and whether the article is gone."""
    versions, known = history(state, url)
    by_number = {v.version: v for v in versions}
    for number in (from_version, to_version):
        if number is not None and number not in by_number:
            raise UnknownURL(f"no version {number} of {url} (versions: {', '.join(map(str, by_number)) or 'none'})")
    lines: list[str] = []
    if to_version is None:
        to_version = versions[-1].version if versions else None
    if from_version is None and to_version is not None:
        earlier = [v.version for v in versions if v.version < to_version]
        from_version = earlier[-1] if earlier else None
    if from_version is not None and to_version is not None:
        old, new = by_number[from_version], by_number[to_version]
        lines += field_changes(old.item, new.item)
        lines += body_diff(old, new)
        if len(lines) == 0:
            lines.append(f"versions {from_version} and {to_version} are the same")
    elif to_version is not None and not (known and known.gone_since):
        lines.append(f"only one version of {url} so far (version {to_version}, {by_number[to_version].fetched_at})")
    if known and known.gone_since and (to_version is None or to_version == (versions[-1].version if versions else None)):
        lines.append(f"article gone: HTTP {known.last_status} since {known.gone_since}")
    return lines
