"""`extract_article`: from one HTTP response (URL, headers, body bytes) to an article item.

Pure: no network, no crawler. The live crawl and `archiver extract` over WARCs call the same
function, so an archive can be re-derived by a later version of these rules.
"""
from __future__ import annotations

import codecs
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from .decoding import Headers, UndecodableBody, content_type, decode_content, decode_text, is_html
from .generic import extract_generic
from .metadata import embedded_metadata
from .normalize import normalize_item
from .profile import choose_profile
from .views import find_views

ARTICLE_FIELDS = (
    "title", "subtitle", "authors", "published_at", "modified_at", "section", "tags", "views",
    "credit", "body", "language", "word_count", "links", "images", "canonical_url",
    "content_hash", "extractor", "reason",
)
_LIST_FIELDS = ("authors", "tags", "links", "images")
_UTF8_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
# Plain lxml elements: lxml.html's element classes cost a Python call for every node touched,
# which is most of the profile path's time. trafilatura needs the lxml.html kind.
# No table of ids: nothing here asks XPath's id(), and filling it is a quarter of the parse.
_PLAIN_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, collect_ids=False)


def empty_item() -> dict:
    return {name: [] if name in _LIST_FIELDS else None for name in ARTICLE_FIELDS}


def parse_html(text: str, plain: bool = False, utf8: bytes | None = None):
    """An lxml tree of the page, or None for an empty document.

    `utf8`, when the caller has it, is `text` already encoded as UTF-8 (the body as it came).
    """
    data = text.encode("utf-8", "surrogatepass") if utf8 is None else utf8
    # isspace() tests the same ASCII white space that strip() removes, without a copy.
    if not data or data.isspace():
        return None
    try:
        if plain:
            root = etree.fromstring(data, parser=_PLAIN_PARSER)
            return root if root is not None and len(root) else None
        return lxml.html.document_fromstring(data, parser=_UTF8_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


def extract_article(url: str, headers: Headers | None, body: bytes) -> dict:
    """The article fields of one response; never raises on bad input, says why in `reason`."""
    item = empty_item()
    try:
        raw = decode_content(headers, body or b"")
    except UndecodableBody as exc:
        item["reason"] = f"body not decodable: {exc}"
        return item
    if not is_html(headers, raw if not _encoded(headers) else body):
        item["reason"] = f"not an HTML page ({content_type(headers) or 'unknown type'})"
        return item
    text, charset = decode_text(headers, raw)
    tree = parse_html(text, plain=True, utf8=_utf8_body(raw, charset, text))
    if tree is None:
        item["reason"] = "empty HTML document"
        return item
    return extract_from_tree(url, tree, lambda: parse_html(text), text)


def _utf8_body(raw: bytes, charset: str, text: str) -> bytes | None:
    """`raw` when it is exactly `text` in UTF-8, sparing the parser a re-encoded copy.

    A UTF-8 body decodes to a text without U+FFFD only when every byte was valid, and valid
    UTF-8 encodes back to the same bytes; a byte-order mark is not part of the text.
    """
    if charset == "utf-8" and "\ufffd" not in text and not raw.startswith(codecs.BOM_UTF8):
        return raw
    return None


def _encoded(headers: Headers | None) -> bool:
    from .decoding import header_value

    return bool((header_value(headers, "content-encoding") or "").strip())


def extract_from_tree(url: str, tree, generic_tree=None, html: str | None = None) -> dict:
    """Fields of a parsed page. A profile edits `tree` in place; `generic_tree` gives a fresh
    lxml.html tree for the generic path when the profile finds no article."""
    item = empty_item()
    host = urlsplit(url).hostname or ""
    profile = choose_profile(host, tree)
    fields: dict = {}
    timezone = None
    if profile is not None:
        timezone = profile.timezone
        fields = profile.extract(tree)
    if fields.get("body"):
        item["extractor"] = f"profile:{profile.name}"
        # What the profile's selectors did not find, the page's own metadata may declare.
        # Read after the profile removed the appended articles, so theirs cannot leak in.
        missing = frozenset(name for name in item if not fields.get(name))
        declared = embedded_metadata(tree, missing)
        for name, value in declared.items():
            if name in missing and value:
                fields[name] = value
        fields.setdefault("language", profile.language)
    else:
        if profile is not None or generic_tree is not None:
            tree = generic_tree() if generic_tree is not None else tree
        fields = extract_generic(tree, url, html) if tree is not None else {}
        item["extractor"] = "generic"
    if not fields.get("views") and tree is not None and fields.get("body"):
        # No profile selector found one: the count the article's header shows, on any page.
        fields["views"] = find_views(tree, fields.get("title"), fields.get("body"))
    for name in ARTICLE_FIELDS:
        if fields.get(name):
            item[name] = fields[name]
    item["images"] = list(fields.get("images") or []) + list(fields.get("body_images") or [])
    item["url"] = url
    item = normalize_item(item, tz=timezone)
    del item["url"]
    missing = [name for name in ("title", "body") if not item[name]]
    if missing:
        item["reason"] = "no " + " and no ".join("article body" if m == "body" else m for m in missing) + " found"
    return item
