"""The adaptive schedule: intervals shrink on change, grow otherwise, within bounds; young
articles are checked more often; 404/410 mark an article gone; failures back off."""
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT))
from archiver.store.schedule import Schedule, parse_duration  # noqa: E402
from archiver.store.state import UrlState  # noqa: E402

HOUR, DAY = 3600.0, 86400.0
NOW = 1_700_000_000.0
OLD = "2015-01-01T00:00:00+00:00"
schedule = Schedule(min_interval=HOUR, max_interval=30 * DAY, initial_interval=DAY, growth=2, shrink=0.5,
                    age_factor=0.25, gone_interval=90 * DAY, failure_backoff=HOUR)


def fetched(state, status=200, changed=False, now=NOW):
    schedule.after_fetch(state, status, changed, now)
    return state


def test_first_fetch_gets_the_initial_interval():
    s = fetched(UrlState("u", published_at=OLD))
    assert s.interval == DAY and s.next_due == NOW + DAY


def test_unchanged_grows_changed_shrinks():
    s = fetched(UrlState("u", published_at=OLD))
    fetched(s, changed=False)
    assert s.interval == 2 * DAY
    fetched(s, changed=True)
    assert s.interval == DAY
    fetched(s, changed=True)
    assert s.interval == DAY / 2


def test_bounds_hold():
    s = UrlState("u", published_at=OLD, interval=DAY)
    for _ in range(20):
        fetched(s, changed=False)
    assert s.interval == 30 * DAY
    for _ in range(20):
        fetched(s, changed=True)
    assert s.interval == HOUR


def test_young_articles_are_checked_more_often():
    young = UrlState("young", published_at="2023-11-14T20:13:20+00:00", interval=4 * DAY)  # 2 hours before NOW
    old = UrlState("old", published_at=OLD, interval=4 * DAY)
    fetched(young)
    fetched(old)
    assert young.interval == HOUR  # a quarter of its age, but never below the minimum
    assert old.interval == 8 * DAY
    week_old = fetched(UrlState("week", published_at="2023-11-07T22:13:20+00:00", interval=8 * DAY))
    assert week_old.interval == pytest.approx(7 * DAY * 0.25)


@pytest.mark.parametrize("status", [404, 410])
def test_gone_is_kept_dated_and_checked_rarely(status):
    s = fetched(UrlState("u", interval=DAY, next_due=NOW), status=status)
    assert s.gone_since == "2023-11-14T22:13:20Z"
    assert s.next_due == NOW + 90 * DAY
    fetched(s, status=status, now=NOW + 90 * DAY)
    assert s.gone_since == "2023-11-14T22:13:20Z"  # the date it disappeared, not the last check
    fetched(s, status=200, now=NOW + 180 * DAY)
    assert s.gone_since is None


def test_failures_back_off_exponentially_up_to_the_maximum():
    s = UrlState("u", interval=DAY)
    delays = []
    for _ in range(12):
        schedule.after_failure(s, NOW)
        delays.append(s.next_due - NOW)
    assert delays[:4] == [HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR]
    assert max(delays) == 30 * DAY and s.failures == 12
    fetched(s, status=503)
    assert s.failures == 13
    fetched(s, status=200)
    assert s.failures == 0 and s.interval == 2 * DAY


@pytest.mark.parametrize("text,seconds", [("90", 90), ("90s", 90), ("15m", 900), ("6h", 6 * HOUR), ("2d", 2 * DAY),
                                          ("1w", 7 * DAY), ("1h30m", 5400), ("0.5h", 1800)])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["", "h", "-5m", "5x", "0", "1h 2q"])
def test_parse_duration_rejects(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


def test_from_settings_reads_durations():
    from scrapy.settings import Settings

    s = Schedule.from_settings(Settings({"ARCHIVER_MIN_INTERVAL": "30m", "ARCHIVER_MAX_INTERVAL": "2d", "ARCHIVER_INTERVAL_GROWTH": "3"}))
    assert (s.min_interval, s.max_interval, s.growth) == (1800, 2 * DAY, 3.0)
