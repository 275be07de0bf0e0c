"""From a capture (URL, status, headers, body) to the article fields of an item.

The live crawl and `archiver extract` both call `derive_item`, so that an archive written today
re-derives to the same items, and tomorrow's extractor can re-derive it better.

One capture's failure is that capture's `reason`: a hostile page (a gzip bomb, a charset no
codec reads) must not stop the crawl or the `extract` run that meets it, nor lose the pages after
it. Bodies too large or not decodable are reasons given here; any other exception is turned into
the page's reason by the derive pool (`pool.derive_fields`), which every caller goes through.
"""
from __future__ import annotations

# An item's `body` is cut here, at a paragraph end. The longest page of the 990 in the
# development set is 1.6 MB of HTML, so a real article's text stays far below; a body of more
# than 1 MiB of text is a dump, and every export and index copies the item's body.
BODY_TEXT_LIMIT = 1024 * 1024

# Reasons that say derivation failed on this capture (rather than that it was no article):
# `archiver extract` names and counts them, with those of the derive pool (its `Derived.error`).
FAILURE_REASONS = ("body over ", "body not decodable")


def derive_item(url: str, status: int, headers, body: bytes) -> dict:
    from ..extract import extract_article, is_html
    from ..extract.decoding import DECODED_LIMIT, BodyTooLarge, UndecodableBody, decode_content, header_list

    if not 200 <= status < 300:
        return {"reason": f"HTTP {status}"}
    body = body or b""
    if len(body) > DECODED_LIMIT:
        # Not even decoded: a body this large is skipped before it costs anything more.
        return {"reason": f"body over {DECODED_LIMIT >> 20} MiB"}
    # A PDF or an image is told from its type or first decoded bytes, before any full decoding.
    if not is_html(headers, body):
        return {"reason": "not HTML"}
    try:
        # Decoded once, here, under the limit; extraction then reads the decoded bytes.
        decoded = decode_content(headers, body)
    except BodyTooLarge as exc:
        return {"reason": str(exc)}
    except UndecodableBody as exc:
        return {"reason": f"body not decodable: {exc}"}
    if decoded is not body:
        headers = [(k, v) for k, v in header_list(headers) if k.lower() != "content-encoding"]
        body = decoded
    del decoded
    return _cap_body(extract_article(url, headers, body))


def is_failure(item: dict) -> bool:
    return str(item.get("reason") or "").startswith(FAILURE_REASONS)


def _cap_body(item: dict) -> dict:
    text = item.get("body")
    if not text or len(text) <= BODY_TEXT_LIMIT:
        return item
    cut = text.rfind("\n\n", 0, BODY_TEXT_LIMIT)
    item["body"] = text[:cut if cut > 0 else BODY_TEXT_LIMIT]
    # word_count and content_hash stay those of the whole text, so that a change past the cut
    # still makes a new version.
    note = f"body cut at {BODY_TEXT_LIMIT >> 20} MiB of text"
    item["reason"] = f"{item['reason']}; {note}" if item.get("reason") else note
    return item

