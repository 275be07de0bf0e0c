"""The normalisation pipeline: raw fields from any component come out in normal form, and
derived items, already normal, pass unchanged."""
import json
from pathlib import Path

from archiver.extract import extract_article
from archiver.crawler.pipelines import NormalizePipeline

SITE = Path(__file__).resolve().parent.parent / "archiver" / "demo" / "site"


def test_raw_fields_are_normalised():
    item = {
        "url": "http://example.org/a", "final_url": "http://example.org/news/a",
        "title": "  Cafe\u0301 \u200bnews ", "authors": ["By Ann Lee and Bo Chan"],
        "body": "First  para\u00adgraph.\n\n\n Second\tone. ", "views": "10,645 Views",
        "published_at": "2017-06-09T10:00:00+03:00", "links": ["/x#frag", "javascript:void(0)"],
        "canonical_url": "/news/a", "tags": [" Syria ", "Syria"],
    }
    out = NormalizePipeline().process_item(dict(item))
    assert out["title"] == "Caf\u00e9 news"
    assert out["authors"] == ["Ann Lee", "Bo Chan"]
    assert out["body"] == "First paragraph.\n\nSecond one."
    assert out["views"] == 10645
    assert out["links"] == ["http://example.org/x"]
    assert out["canonical_url"] == "http://example.org/news/a"
    assert out["tags"] == ["Syria"]
    assert out["word_count"] == 4 and len(out["content_hash"]) == 64
    assert out["url"] == item["url"]


def test_derived_items_pass_unchanged():
    index = json.loads((SITE / "index.json").read_text())
    for page in index:
        url = "http://127.0.0.1:8000" + page["path"]
        derived = extract_article(url, [("Content-Type", "text/html; charset=utf-8")], (SITE / page["file"]).read_bytes())
        item = dict(derived, url=url, final_url=url)
        assert NormalizePipeline().process_item(dict(item)) == item


def test_error_pages_are_left_alone():
    item = {"url": "http://example.org/x", "final_url": "http://example.org/x", "status": 404, "reason": "HTTP 404"}
    assert NormalizePipeline().process_item(dict(item)) == item
