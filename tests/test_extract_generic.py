"""The generic path: how its sources are combined, and the lines it keeps out of `body`."""
import pytest

from site_fixture import article_html

from archiver.extract import extract_article
from archiver.extract.boilerplate import is_appeal
from archiver.extract.generic import combine


def found(htmldate=None, jsonld=None, meta=None, visible=None) -> dict:
    return {"trafilatura": {"published_at": htmldate}, "jsonld": {"published_at": jsonld},
            "meta": {"published_at": meta}, "time": {"published_at": visible}}


def test_htmldate_wins_over_a_lone_declaration():
    assert combine(found("2020-01-01", jsonld="2020-02-02T10:00:00+01:00"))["published_at"] == "2020-01-01"


def test_a_declaration_the_page_shows_in_a_time_element_outvotes_htmldate():
    out = combine(found("2020-01-01", jsonld="2020-02-02T10:00:00+01:00", visible="2020-02-02"))
    assert out["published_at"] == "2020-02-02T10:00:00+01:00"
    out = combine(found("2020-01-01", meta="2020-02-02", visible="2020-02-02T08:00:00Z"))
    assert out["published_at"] == "2020-02-02"


def test_a_time_element_alone_does_not_outvote_htmldate():
    assert combine(found("2020-01-01", visible="2020-02-02T08:00:00Z"))["published_at"] == "2020-01-01"


def test_the_timestamp_on_htmldates_day_keeps_its_offset():
    assert combine(found("2017-06-09", visible="2017-06-09T10:00:00+03:00"))["published_at"] == "2017-06-09T10:00:00+03:00"
    assert combine(found("2017-06-09", visible="2017-06-10T10:00:00+03:00"))["published_at"] == "2017-06-09"


@pytest.mark.parametrize("line", [
    "Liked it? Take a second to support The Duran on Patreon!",
    "Enjoyed this article? Please consider a donation.",
    "Please support The Duran on Patreon.",
    "Become a patron today!",
    "Advertisement",
    "Continue Reading",
    "Click to comment",
    "Leave a Reply",
    "Share this:",
])
def test_appeals_and_widget_labels_are_recognised(line):
    assert is_appeal(line)


@pytest.mark.parametrize("line", [
    "Advertisement revenue fell by half last year.",
    "Did you like it? We did.",
    "Werbung",  # a table cell or a heading on German pages
    "like this:",  # the first half of a sentence split by a code block
    "Liked it? " + "x" * 300 + " support",
])
def test_text_that_only_looks_like_one_stays(line):
    assert not is_appeal(line)


def test_a_wordpress_page_without_a_profile_keeps_the_appeal_out_of_the_body():
    item = extract_article("http://127.0.0.1:8000/article/3/", {"Content-Type": "text/html"}, article_html(3))
    assert item["extractor"] == "generic"
    assert "Patreon" not in item["body"]
    assert item["body"].endswith("The goal was safe passage out of Raqqa.")
    # The appended "Latest" articles stay out as well.
    assert "Huawei" not in item["body"] and "Assange" not in item["body"]
    assert item["published_at"] == "2017-06-09T10:00:00+03:00"
    assert item["authors"] == ["Alex Christoforou"]
