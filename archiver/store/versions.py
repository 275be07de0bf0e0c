"""Article versions: what a new capture means for a URL's state, and what changed between two.

`version` goes up when the article's `content_hash` (of its normalised body) changes; a capture
whose payload is unchanged (a 304, or the same payload digest) is the same version and carries
the content hash it had. The commands `history` and `diff` read the versions kept in the state.
"""
from __future__ import annotations

import difflib
from datetime import datetime, timezone

from .items import ordered_item
from .schedule import Schedule
from .state import CrawlState, UrlState, Version

# The fields `diff` compares besides the body, in the item's order.
COMPARED_FIELDS = ("title", "subtitle", "authors", "published_at", "modified_at", "section", "tags",
                   "credit", "canonical_url", "language")


def _header(headers, name: str) -> str | None:
    lname = name.lower()
    for key, value in headers or []:
        if key.lower() == lname:
            return value
    return None


def _now_iso(now: float) -> str:
    return datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_capture(state: CrawlState, schedule: Schedule, item: dict, now: float) -> bool:
    """Update the URL's state from one captured item; sets the item's `version` (and, when the
    payload is unchanged, the `content_hash` it had). True if this capture is a new version."""
    url = item["url"]
    status = int(item.get("status") or 0)
    capture = item.get("_capture") or {}
    known = state.get(url) or UrlState(url)
    fetched_at = item.get("fetched_at") or _now_iso(now)
    known.first_fetch = known.first_fetch or fetched_at
    known.last_fetch = fetched_at
    known.last_status = status

    ok = 200 <= status < 300 or status == 304
    digest = capture.get("payload_digest")
    if status == 304 and not capture.get("refers_to"):
        digest = known.payload_digest  # a 304 we could not resolve: the validators still stand
    same_payload = status == 304 or (bool(digest) and digest == known.payload_digest)
    changed = new_version = False
    if ok and same_payload and known.content_hash:
        item["content_hash"] = known.content_hash
    elif ok and item.get("content_hash"):
        changed = item["content_hash"] != known.content_hash

    if ok and item.get("content_hash"):
        if known.version == 0 or changed:
            known.version += 1
            new_version = True
            item["version"] = known.version
            state.add_version(url, known.version, ordered_item(item))
        else:
            item["version"] = known.version
        known.content_hash = item["content_hash"]
    if ok:
        known.final_url = item.get("final_url") or url
        headers = item.get("_headers") or []
        known.etag = _header(headers, "ETag") or (known.etag if status == 304 else None)
        known.last_modified = _header(headers, "Last-Modified") or (known.last_modified if status == 304 else None)
        known.payload_digest = digest
        known.published_at = item.get("published_at") or known.published_at
    schedule.after_fetch(known, status, changed and known.version > 1, now)
    state.save(known)
    return new_version


def record_failure(state: CrawlState, schedule: Schedule, url: str, now: float) -> None:
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
