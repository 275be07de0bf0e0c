"""A page's view count, read from the article's header on any page, without a site profile.

"10,645 Views", "Views: 1.2K", "1,2 mil visualizaciones", "1.234 Aufrufe": a number and a word
for views, together in one short piece of text. Only near the article's own title (its <h1>),
before its body begins: a count lower down belongs to an appended article, and one inside a
sidebar, a widget or a "most viewed" list belongs to another article.
"""
from __future__ import annotations

import re

from lxml import etree

from .normalize import parse_views
from .text import inline_text

# Words for "views" and "reads" in the languages of the sites we archive; the XPath below finds
# the text nodes that may hold one (contains() on lower-cased text runs in libxml2, not Python).
_WORDS = (
    r"views?|vistas|visualizaciones|visualiza[cç](?:ão|ões)|visualizzazioni|lecturas|leituras|"
    r"letture|visites|vues|lectures|aufrufe|gelesen|hits|reads|weergaven|wy[sś]wietle[nń]|"
    r"просмотр(?:ов|а)?|visninger|visningar"
)
_STEMS = ("view", "vista", "visuali", "lectur", "leitur", "lettur", "visite", "vues", "aufruf",
          "gelesen", "hits", "reads", "weergave", "wyświetl", "просмотр", "visning")
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZÇÃÕŚŃПРОСМТ"
_LOWER = "abcdefghijklmnopqrstuvwxyzçãõśńпросмт"
_CANDIDATES = etree.XPath(
    "/descendant::body//text()[string-length(.) < 80][" + " or ".join(
        f"contains(translate(., '{_UPPER}', '{_LOWER}'), '{stem}')" for stem in _STEMS) + "]"
)
_NUMBER = r"(?P<number>\d{1,3}(?:[.,\s\u00a0\u202f']\d{3})+|\d+(?:[.,]\d+)?)"
_SUFFIX = r"(?:\s*(?P<suffix>k|m|mil|mill?\.?|mln|mio\.?|tsd\.?|tys\.?|thousand|million|millones))?"
# The whole piece of text must be the count: "Views: 1.2K", "10,645 Views", "1,2 mil visualizaciones".
_COUNTS = (
    re.compile(rf"^\W*{_NUMBER}{_SUFFIX}\.?\s*(?:{_WORDS})\W*$", re.IGNORECASE),
    re.compile(rf"^\W*(?:{_WORDS})\s*[:：]?\s*{_NUMBER}{_SUFFIX}\W*$", re.IGNORECASE),
)
# Containers of other articles or of the site's furniture.
_ELSEWHERE_TAGS = frozenset({"aside", "nav", "footer", "a"})
_ELSEWHERE = re.compile(
    r"sidebar|widget|popular|most|trending|related|recommend|footer|menu|comment|teaser|ranking|"
    r"top-?list", re.IGNORECASE)
_BEFORE_TITLE = 12  # elements between a count shown above the title and the title itself
_AFTER_TITLE = 40  # at most this many elements after the title, when the body's start is not seen


def _count(text: str) -> int | None:
    text = " ".join(text.split())
    match = _COUNTS[0].match(text) or _COUNTS[1].match(text)
    if not match:
        return None
    number, suffix = match.group("number"), (match.group("suffix") or "").lower().rstrip(".")
    if suffix in ("k", "mil", "tsd", "tys", "thousand"):
        return int(round(float(number.replace(",", ".").replace(" ", "")) * 1000))
    if suffix in ("m", "mill", "mln", "mio", "million", "millones"):
        return int(round(float(number.replace(",", ".").replace(" ", "")) * 1_000_000))
    return parse_views(number)


def _elsewhere(element) -> bool:
    # <body> and <html> are not looked at: themes name their layout there ("right-sidebar").
    while element is not None and element.tag not in ("body", "html"):
        if element.tag in _ELSEWHERE_TAGS:
            return True
        marks = (element.get("class") or "") + " " + (element.get("id") or "")
        if marks.strip() and _ELSEWHERE.search(marks):
            return True
        element = element.getparent()
    return False


def _title_heading(tree, title: str | None):
    headings = list(tree.iter("h1"))
    if not headings:
        return None
    wanted = " ".join((title or "").split()).casefold()
    for heading in headings:
        text = " ".join(inline_text(heading).split()).casefold()
        if text and wanted and (text == wanted or text in wanted or wanted in text):
            return heading
    return headings[0]


def _body_start(tree, body: str | None):
    """The first <p> of the page that begins the extracted body, or None."""
    # The first paragraph long enough to be text: a short one may be a credit line ("Via X").
    first = next((" ".join(p.split())[:40] for p in (body or "").split("\n\n") if len(p) >= 40), "")
    if not first:
        return None
    for paragraph in tree.iter("p"):
        if " ".join(inline_text(paragraph).split()).startswith(first):
            return paragraph
    return None


def find_views(tree, title: str | None, body: str | None = None) -> int | None:
    """The view count shown in the article's header (between its title and its body), or None."""
    texts = _CANDIDATES(tree)
    if not texts:
        return None
    heading = _title_heading(tree, title)
    if heading is None:
        return None
    found: list[tuple[object, int]] = []
    for text in texts:
        element = text.getparent()
        if text.is_tail and element is not None:
            element = element.getparent()
        # "<span>10,645</span> <span>Views</span>": climb while the text is still a short label.
        count = None
        for _ in range(3):
            if element is None:
                break
            count = _count(inline_text(element))
            if count is not None or len(inline_text(element)) > 60:
                break
            element = element.getparent()
        if count is not None and not _elsewhere(element):
            found.append((element, count))
    if not found:
        return None
    order = {}
    for position, element in enumerate(tree.iter()):
        order[element] = position
    start = order[heading]
    # The header ends where the body begins; a count after that belongs to something else.
    first = _body_start(tree, body)
    end = order[first] if first is not None and order[first] > start else start + _AFTER_TITLE
    # Nor past the next heading that links elsewhere: another article's teaser.
    for element in tree.iter("h1", "h2", "h3"):
        if start < order[element] < end and element.find(".//a[@href]") is not None:
            end = order[element]
            break
    best = None
    for element, count in found:
        where = order.get(element)
        if where is None or not (start - _BEFORE_TITLE <= where <= end):
            continue
        if best is None or abs(where - start) < abs(best[0] - start):
            best = (where, count)
    return best[1] if best else None
