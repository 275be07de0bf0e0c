"""The adaptive re-crawl schedule: when each URL is fetched next.

An article that changed is checked sooner (its interval shrinks), one that did not is checked
later (it grows), always within [ARCHIVER_MIN_INTERVAL, ARCHIVER_MAX_INTERVAL]. Young articles
change most, so an article is never left longer than a fraction of its age
(ARCHIVER_AGE_FACTOR) unless that is below the minimum. A 404 or 410 marks it gone (kept, with
the date) and it is checked again only every ARCHIVER_GONE_INTERVAL; failures back off
exponentially from ARCHIVER_FAILURE_BACKOFF. Pure arithmetic on `UrlState`: no clock, no I/O.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from .state import UrlState

GONE_STATUSES = (404, 410)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw]?)")


def parse_duration(text) -> float:
    """Seconds from '90', '90s', '15m', '6h', '2d', '1w' or '1h30m'; ValueError otherwise."""
    if isinstance(text, (int, float)):
        return float(text)
    cleaned = str(text).strip().lower().replace(" ", "")
    if not cleaned:
        raise ValueError("empty duration")
    total, pos = 0.0, 0
    for m in _DURATION.finditer(cleaned):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNITS[m.group(2) or "s"]
        pos = m.end()
    if pos != len(cleaned) or total <= 0:
        raise ValueError(f"not a duration: {text!r} (e.g. 30m, 6h, 2d)")
    return total


def format_duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}".replace(".0" + unit, unit)
    return f"{seconds:.0f}s"


def iso_utc(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch(iso: str | None) -> float | None:
    if not iso:
        return None
    try:
        parsed = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()


@dataclass(frozen=True)
class Schedule:
    min_interval: float = 3600.0
    max_interval: float = 30 * 86400.0
    initial_interval: float = 86400.0
    growth: float = 2.0
    shrink: float = 0.5
    age_factor: float = 0.25
    gone_interval: float = 90 * 86400.0
    failure_backoff: float = 3600.0

    @classmethod
    def from_settings(cls, settings) -> "Schedule":
        def duration(name, default):
            value = settings.get(name)
            return parse_duration(value) if value not in (None, "") else default

        base = cls()
        return cls(
            min_interval=duration("ARCHIVER_MIN_INTERVAL", base.min_interval),
            max_interval=duration("ARCHIVER_MAX_INTERVAL", base.max_interval),
            initial_interval=duration("ARCHIVER_INITIAL_INTERVAL", base.initial_interval),
            growth=settings.getfloat("ARCHIVER_INTERVAL_GROWTH", base.growth),
            shrink=settings.getfloat("ARCHIVER_INTERVAL_SHRINK", base.shrink),
            age_factor=settings.getfloat("ARCHIVER_AGE_FACTOR", base.age_factor),
            gone_interval=duration("ARCHIVER_GONE_INTERVAL", base.gone_interval),
            failure_backoff=duration("ARCHIVER_FAILURE_BACKOFF", base.failure_backoff),
        )

    def clamp(self, interval: float) -> float:
        return max(self.min_interval, min(self.max_interval, interval))

    def after_fetch(self, state: UrlState, status: int, changed: bool, now: float) -> None:
        """Update `state` after an answer from the server (`changed`: the article changed)."""
        if status in GONE_STATUSES:
            state.gone_since = state.gone_since or iso_utc(now)
            state.failures = 0
            state.next_due = now + self.gone_interval
            return
        if status >= 500 or status == 429:
            self.after_failure(state, now)
            return
        state.failures = 0
        state.gone_since = None
        if state.interval is None:
            interval = self.initial_interval
        elif changed:
            interval = state.interval * self.shrink
        else:
            interval = state.interval * self.growth
        interval = self.clamp(interval)
        published = _epoch(state.published_at)
        if published is not None and published <= now:
            # A young article is checked often; the cap loosens as it ages.
            interval = min(interval, max(self.min_interval, (now - published) * self.age_factor))
        state.interval = interval
        state.next_due = now + interval

    def after_failure(self, state: UrlState, now: float) -> None:
        """No usable answer: try again later and later, never later than the maximum interval."""
        state.failures += 1
        delay = self.failure_backoff * (2 ** min(state.failures - 1, 30))
        state.next_due = now + min(delay, self.max_interval)
