"""Every fixture page gives exactly its expected item, and nothing appended leaks in."""
import json
from pathlib import Path

import pytest

from archiver.extract import ARTICLE_FIELDS, extract_article, normalize_item

# The pages are the demo site's own; their labels (NAME.expected.json) live beside the tests.
FIXTURES = Path(__file__).parent / "fixtures" / "articles"
SITE = Path(__file__).parent.parent / "archiver" / "demo" / "site"
PAGES = sorted(SITE.glob("*.html"))
HEADERS = [("Content-Type", "text/html; charset=UTF-8")]


def load(page: Path) -> tuple[dict, dict]:
    expected = json.loads((FIXTURES / (page.stem + ".expected.json")).read_text(encoding="utf-8"))
    return expected, extract_article(expected["url"], HEADERS, page.read_bytes())


def test_there_are_enough_fixture_pages():
    assert len(PAGES) >= 6


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_field_matches(page):
    expected, item = load(page)
    assert set(item) == set(ARTICLE_FIELDS)
    for name in ARTICLE_FIELDS:
        assert item[name] == expected[name], name


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_appended_articles_and_boilerplate_stay_out(page):
    expected, item = load(page)
    others = [json.loads(p.read_text(encoding="utf-8")) for p in FIXTURES.glob("*.expected.json")]
    others = [o for o in others if o["url"] != expected["url"]]
    for other in others:
        first, last = other["body"].split("\n\n")[0], other["body"].split("\n\n")[-1]
        assert first not in item["body"] and last not in item["body"]
        assert other["title"] != item["title"]
        assert not set(other["authors"]) & set(item["authors"]) - set(expected["authors"])
    for text in ("Liked it?", "Patreon", "Advertisement", "Click to comment", "Leave a Reply",
                 "Continue Reading", "Newsletter", "Trending", "Notify of", "Related Topics"):
        assert text not in item["body"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_normalising_again_changes_nothing(page):
    _, item = load(page)
    assert normalize_item(item) == item
    assert normalize_item(item, tz="Europe/London") == item


def test_every_demo_page_is_labelled():
    assert sorted(p.stem for p in PAGES) == sorted(p.name.removesuffix(".expected.json")
                                                    for p in FIXTURES.glob("*.expected.json"))


def test_demo_index_lists_every_page():
    index = json.loads((SITE / "index.json").read_text(encoding="utf-8"))
    assert sorted(entry["file"] for entry in index) == sorted(p.name for p in SITE.glob("*.html"))
    assert all(entry["path"].startswith("/") for entry in index)


def test_inline_links_keep_their_spaces():
    page = SITE / "new-video-footage-isis-raqqa.html"
    _, item = load(page)
    assert "as noted by the Guardian" in item["body"]
    assert "now openly siding" in item["body"]
    assert "written by Darius Shahtahmasebi, exposes" in item["body"]


def test_the_demo_profile_is_chosen_on_any_port():
    page = SITE / "central-bank-holds-rates-signals-caution.html"
    for url in ("http://127.0.0.1:49152/x/", "http://localhost/x/", "https://example.org/x/"):
        assert extract_article(url, HEADERS, page.read_bytes())["extractor"] == "profile:archiver-demo"


def test_the_same_page_on_theduran_uses_its_profile():
    page = SITE / "new-video-footage-isis-raqqa.html"
    item = extract_article("https://theduran.com/new-video-footage/", HEADERS, page.read_bytes())
    assert item["extractor"] == "profile:theduran"
    assert item["authors"] == ["Alex Christoforou"]
    assert item["views"] == 10645
    # The page gives a day: the item keeps a day, with no time or offset made up for it.
    assert item["published_at"] == "2017-06-09"
