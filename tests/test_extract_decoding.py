import gzip
import zlib

import brotli

from archiver.extract import extract_article, is_html

PAGE = """<html><head><title>Déjà vu</title></head><body><article><h1>Déjà vu – “quoted”</h1>
<p>Crème brûlée is served in a café near the façade, as everyone knows, every day of the week.</p>
<p>Second paragraph with enough words to count as the main text of the page for the extractor here.</p>
<p>Third paragraph, because main-text extractors want some length before they trust a page's text.</p>
</article></body></html>"""


def test_windows_1252_without_charset_header_is_detected():
    body = PAGE.encode("cp1252")
    item = extract_article("https://example.org/a", [("Content-Type", "text/html")], body)
    assert "Crème brûlée" in item["body"]
    assert "“quoted”" in item["title"]


def test_meta_charset_is_used_when_the_header_has_none():
    body = PAGE.replace("<head>", '<head><meta charset="windows-1252">').encode("cp1252")
    item = extract_article("https://example.org/a", {"Content-Type": "text/html"}, body)
    assert "café" in item["body"]


def test_header_charset_wins_over_meta():
    body = PAGE.replace("<head>", '<head><meta charset="iso-8859-5">').encode("utf-8")
    item = extract_article("https://example.org/a", {"Content-Type": "text/html; charset=utf-8"}, body)
    assert "façade" in item["body"]


def test_gzip_and_deflate_and_brotli_bodies():
    raw = PAGE.encode("utf-8")
    for coding, data in (("gzip", gzip.compress(raw)), ("deflate", zlib.compress(raw)), ("br", brotli.compress(raw))):
        item = extract_article("https://example.org/a", [("Content-Type", "text/html"), ("Content-Encoding", coding)], data)
        assert "Crème brûlée" in item["body"], coding
        assert item["reason"] is None


def test_undecodable_content_encoding_gives_a_reason():
    headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]
    item = extract_article("https://example.org/a", headers, b"\x1f\x8b\x08\x00garbage")
    assert item["body"] is None and item["title"] is None
    assert "gzip" in item["reason"]
    unknown = extract_article("https://example.org/a", [("Content-Encoding", "snappy")], b"abc")
    assert "snappy" in unknown["reason"]


def test_is_html():
    assert is_html({"Content-Type": "text/html; charset=utf-8"}, b"")
    assert not is_html({"Content-Type": "application/pdf"}, b"%PDF-1.4")
    assert is_html({}, b"  <!DOCTYPE html><html><body>x</body></html>")
    assert not is_html({}, b"%PDF-1.4 binary")


def test_pdf_is_not_extracted_but_says_why():
    item = extract_article("https://example.org/a.pdf", {"Content-Type": "application/pdf"}, b"%PDF-1.4")
    assert item["body"] is None and "not an HTML page" in item["reason"]


def test_empty_and_garbage_pages_never_crash():
    for body in (b"", b"   ", b"\x00\xff\xfe", b"<html></html>", b"<?xml version='1.0' encoding='utf-8'?><html><body><p>x</p></body></html>"):
        item = extract_article("https://example.org/", {"Content-Type": "text/html"}, body)
        assert item["reason"]


def test_cyrillic_windows_1251_is_still_detected():
    text = "<html><body><article><p>" + "Москва — столица России, крупнейший город страны и её политический центр. " * 6 + "</p></article></body></html>"
    item = extract_article("https://example.ru/a", {"Content-Type": "text/html"}, text.encode("cp1251"))
    assert "Москва" in (item["body"] or "")


def test_parser_gets_the_body_bytes_only_when_they_are_the_text_in_utf8():
    import codecs
    from pathlib import Path

    from lxml import etree

    from archiver.extract.article import _utf8_body, parse_html
    from archiver.extract.decoding import decode_text

    page = "<html><body><p>Caf\u00e9 \u201cquoted\u201d \U0001F600</p></body></html>"
    bodies = [
        (page.encode("utf-8"), True),
        (codecs.BOM_UTF8 + page.encode("utf-8"), False),  # the mark is not part of the text
        (page.encode("utf-8").replace(b"\xc3\xa9", b"\xe9"), False),  # a stray byte, replaced
        (page.encode("utf-8").replace(b"Caf", b"\xed\xa0\x80"), False),  # encoded surrogate
        ("<p>\ufffd as a character</p>".encode("utf-8"), False),  # safe to re-encode instead
        (page.encode("cp1252", "replace"), False),
    ]
    site = Path(__file__).resolve().parent.parent / "archiver" / "demo" / "site"
    bodies += [(p.read_bytes(), True) for p in sorted(site.glob("*.html"))]
    for raw, passed in bodies:
        for headers in ({"Content-Type": "text/html; charset=utf-8"}, {}):
            text, charset = decode_text(headers, raw)
            utf8 = _utf8_body(raw, charset, text)
            assert (utf8 is not None) == passed, raw[:40]
            if utf8 is not None:
                assert utf8 == text.encode("utf-8")
            tree = etree.tostring(parse_html(text, plain=True, utf8=utf8))
            assert tree == etree.tostring(parse_html(text, plain=True))
    assert parse_html(" \n\t", plain=True) is None and parse_html("", plain=True, utf8=b"") is None


def test_every_content_encoding_is_capped_and_says_so():
    import pytest

    from archiver.extract.decoding import BodyTooLarge, UndecodableBody, decode_content, decode_prefix

    raw = PAGE.encode("utf-8") * 400  # 172 KB
    packers = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}
    try:
        from compression import zstd as zstd_module  # Python 3.14+
    except ImportError:
        try:
            from backports import zstd as zstd_module
        except ImportError:
            zstd_module = None
    if zstd_module is not None:
        packers["zstd"] = zstd_module.compress
    for coding, pack in packers.items():
        headers = {"Content-Encoding": coding}
        data = pack(raw)
        assert decode_content(headers, data) == raw, coding
        assert decode_content(headers, data, limit=len(raw)) == raw, coding
        with pytest.raises(BodyTooLarge, match="body over 100000 bytes decoded"):
            decode_content(headers, data, limit=100_000)
        assert decode_prefix(headers, data, 4096) == raw[:4096], coding
        with pytest.raises(UndecodableBody, match=coding):
            decode_content(headers, data[: len(data) // 2])
    # Raw deflate (no zlib wrapper), gzip members one after another, and stacked codings.
    assert decode_content({"Content-Encoding": "deflate"}, zlib.compress(raw)[2:-4]) == raw
    assert decode_content({"Content-Encoding": "gzip"}, gzip.compress(raw[:9]) + gzip.compress(raw[9:])) == raw
    assert decode_content({"Content-Encoding": "gzip, br"}, brotli.compress(gzip.compress(raw))) == raw
    with pytest.raises(BodyTooLarge):
        decode_content({}, raw, limit=1000)  # an identity body over the limit too


def test_a_body_over_the_limit_gets_a_reason():
    # (The memory this saves is measured by benchmarks/hostile.py, and held to a limit by
    # tests/test_hostile_inputs.py.)
    from archiver.derive.item import derive_item

    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = b"".join(packer.compress(bytes(1 << 20)) for _ in range(64)) + packer.flush()  # 64 MiB of zeros
    headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
    assert derive_item("https://example.org/a", 200, headers, bomb) == {"reason": "body over 8 MiB decoded"}
    item = extract_article("https://example.org/a", headers, bomb)
    assert item["reason"] == "body not decodable: body over 8 MiB decoded" and item["body"] is None
    assert derive_item("https://example.org/a", 200, {"Content-Type": "text/html"}, bytes(9 << 20)) == \
        {"reason": "body over 8 MiB"}


def test_an_item_body_is_cut_at_a_paragraph_end():
    from archiver.derive.item import BODY_TEXT_LIMIT, derive_item

    paragraphs = "".join(f"<p>Paragraph {n}: " + f"sentence {n} of the endless article, said once more. " * 40
                         + "</p>\n" for n in range(600))
    page = f"<html><head><title>Endless</title></head><body><article>{paragraphs}</article></body></html>".encode()
    item = derive_item("https://example.org/a", 200, {"Content-Type": "text/html"}, page)
    assert item["title"] == "Endless"
    assert BODY_TEXT_LIMIT - 3000 < len(item["body"]) <= BODY_TEXT_LIMIT
    assert item["body"].endswith("once more.") and item["reason"] == "body cut at 1 MiB of text"
    assert item["word_count"] > len(item["body"].split())  # counted over the whole text


def test_charsets_that_are_no_web_encoding_are_ignored():
    body = PAGE.encode("cp1252")
    for label in ("punycode", "idna", "unicode_escape", "raw_unicode_escape", "utf-7", "rot13", "base64", "x-unknown"):
        item = extract_article("https://example.org/a", {"Content-Type": f"text/html; charset={label}"}, body)
        assert "Crème brûlée" in item["body"], label
        meta = PAGE.replace("<head>", f'<head><meta charset="{label}">').encode("cp1252")
        item = extract_article("https://example.org/a", {"Content-Type": "text/html"}, meta)
        assert "Crème brûlée" in item["body"], label
