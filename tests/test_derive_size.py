"""HTML too large to be an article page is archived but not derived (derive/item.py)."""
from archiver.derive.item import MAX_HTML_BYTES, derive_item

HEADERS = [("Content-Type", "text/html; charset=utf-8")]
PARAGRAPH = b"<p>" + b"A paragraph that goes on and on. " * 100 + b"</p>\n"


def page(size: int) -> bytes:
    head = b"<!DOCTYPE html><html><head><title>Endless</title></head><body>"
    return (head + PARAGRAPH * (size // len(PARAGRAPH) + 1))[:size]


def test_html_over_the_limit_is_not_derived():
    fields = derive_item("http://example.org/endless", 200, HEADERS, page(MAX_HTML_BYTES + 1))
    assert fields == {"reason": f"HTML of {MAX_HTML_BYTES + 1} bytes, over {MAX_HTML_BYTES}: not derived"}


def test_html_under_the_limit_is_derived():
    fields = derive_item("http://example.org/long", 200, HEADERS, page(200_000))
    assert not fields.get("reason") and fields["title"] == "Endless"
