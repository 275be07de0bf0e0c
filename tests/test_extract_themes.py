"""Pages of WordPress-like themes that no profile knows: the generic path must get every field.

Each tests/fixtures/themes/NAME.html was written by hand in the shape of the seed page (title,
sub-title, author, date, view count, body, donation box, comment widget, three appended
"Latest" articles), and NAME.expected.json holds what the page says. They carry what the
generic path must read without a profile: credit lines ("Authored by X via Y", "Written by X
for Y:", "Via Z", "Originally published at ..."), view counts in several forms, day-only dates,
a time without an offset, and "most viewed" lists whose numbers must not be taken.
"""
import json
import re
from pathlib import Path

import pytest

from archiver.extract import ARTICLE_FIELDS, extract_article, normalize_item

THEMES = Path(__file__).parent / "fixtures" / "themes"
PAGES = sorted(THEMES.glob("*.html"))
HEADERS = [("Content-Type", "text/html; charset=UTF-8")]


def load(page: Path) -> tuple[dict, dict]:
    expected = json.loads(page.with_suffix(".expected.json").read_text(encoding="utf-8"))
    return expected, extract_article(expected["url"], HEADERS, page.read_bytes())


def test_there_are_theme_pages():
    assert len(PAGES) >= 4


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_field_matches(page):
    expected, item = load(page)
    assert item["extractor"] == "generic"
    for name in ARTICLE_FIELDS:
        assert item[name] == expected[name], name


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_no_time_or_offset_that_the_page_does_not_give(page):
    _, item = load(page)
    html = page.read_text(encoding="utf-8")
    published = item["published_at"]
    if "T" in published:
        assert published[:16] in html.replace(" ", "T") or published[11:16] in html
    offset = re.search(r"[+-]\d\d:\d\d$", published)
    if offset:
        assert offset.group(0) in html


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_appended_articles_sidebars_and_widgets_stay_out(page):
    _, item = load(page)
    html = page.read_text(encoding="utf-8")
    # Counts shown anywhere but the article's header: sidebars and appended articles.
    header_count = item["views"]
    for shown in re.findall(r"(\d[\d,.]*)(?:</span>\s*<span[^>]*>)?\s*(?:views|Views|visualizaciones)", html):
        digits = int(re.sub(r"\D", "", shown))
        if digits >= 5000:
            assert header_count != digits
    for text in ("Liked it?", "Patreon", "Leave a Reply", "Click to comment", "Latest", "Newsletter",
                 "Deja un comentario", "Most Viewed", "Lo más visto", "Become a patron"):
        assert text not in (item["body"] or "")
    for teaser in re.findall(r'<h2[^>]*><a href="[^"]+">([^<]+)</a></h2>', html):
        assert teaser not in item["body"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_normalising_again_changes_nothing(page):
    _, item = load(page)
    assert normalize_item(item) == item
