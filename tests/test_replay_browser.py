"""ReplayWeb.page in a real browser: a crawled article renders, fresh and after an unchanged re-crawl.

ReplayWeb.page (the `replaywebpage` npm package) and the WACZ are served from one 127.0.0.1
server and opened in headless Chromium (Debian's `chromium`, driven by playwright-core). For each
sampled article the test reads the text of the replayed page's frame: the article's heading and
a paragraph of its body must be there, in the frame of the capture date asked for. Skipped, with
the reason, only where Chromium, Node.js or the npm packages cannot be had.
"""
from __future__ import annotations

import pytest

from replayweb_helpers import ReplayServer, replay_texts, require_browser
from test_recrawl_replay import PARAGRAPH, article_heading, recrawled_unchanged


@pytest.fixture(scope="module")
def recrawled(tmp_path_factory):
    require_browser()
    return recrawled_unchanged(tmp_path_factory)


def replays(recrawled, wacz: str, date_of: str) -> list[str]:
    """Each sampled article's problem in ReplayWeb.page, if any, opened at the capture date `date_of`."""
    with ReplayServer({name: recrawled[name] for name in ("fresh", "whole", "since")}) as server:
        asks = [(server.page_url(wacz, article["url"], article[date_of]), article_heading(article["n"]))
                for article in recrawled["sample"]]
        results = replay_texts(asks)
    problems = []
    for article, result in zip(recrawled["sample"], results):
        frame = next((f for f in result["frames"] if f["url"] == result.get("frame")), None)
        where = f"{wacz} {article['url']} at {article[date_of]}"
        if frame is None:
            shown = [(f["url"][-120:], f["text"][:200]) for f in result["frames"]]
            problems.append(f"{where}: not rendered; frames {shown}; console {result['console'][-8:]}")
        elif PARAGRAPH not in frame["text"]:
            problems.append(f"{where}: the body is missing from the replayed page")
        elif f"/{article[date_of]}mp_/{article['url']}" not in frame["url"]:
            problems.append(f"{where}: replayed another capture ({frame['url']})")
    return problems


def test_a_fresh_crawl_renders_in_replaywebpage(recrawled):
    assert replays(recrawled, "fresh", "first") == []


@pytest.mark.parametrize("wacz", ["whole", "since"])
def test_an_unchanged_recrawl_renders_at_its_own_date(recrawled, wacz):
    assert replays(recrawled, wacz, "again") == []


def test_the_first_capture_still_renders_after_the_recrawl(recrawled):
    assert replays(recrawled, "since", "first") == []
