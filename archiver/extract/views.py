"""A page's view count, read from the article's header on any page, without a site profile.

"10,645 Views", "Views: 1.2K", "1,2 mil visualizaciones", "1.234 Aufrufe": a number and a word
for views, together in one short piece of text. Only near the article's own title (its <h1>),
before its body begins: a count lower down belongs to an appended article, and one inside a
sidebar, a widget or a "most viewed" list belongs to another article.
"""
from __future__ import annotations

import re

from .normalize import parse_views
from .text import inline_text

# Words for "views" and "reads" in the languages of the sites we archive.
_WORDS = (
    r"views?|vistas|visualizaciones|visualiza[cç](?:ão|ões)|visualizzazioni|lecturas|leituras|"
    r"letture|visites|vues|lectures|aufrufe|gelesen|hits|reads|weergaven|wy[sś]wietle[nń]|"
    r"просмотр(?:ов|а)?|visninger|visningar"
)
_WORD_IN = re.compile(_WORDS, re.IGNORECASE)
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


def find_views(tree, title: str | None, body: str | None = None) -> int | None:
    """The view count shown in the article's header (between its title and its body), or None.

    Only the elements around the title are read: a window of the page in document order from a
    few elements before the <h1> to where the body begins (or a teaser's linked heading). An
    XPath over every text node of the page cost 20 ms a page on the development set; this walk
    costs a fraction of one.
    """
    heading = _title_heading(tree, title)
    if heading is None:
        return None
    elements = [el for el in tree.iter() if isinstance(el.tag, str)]
    start = elements.index(heading)
    # The first paragraph long enough to be text: a short one may be a credit line ("Via X").
    first = next((" ".join(p.split())[:40] for p in (body or "").split("\n\n") if len(p) >= 40), "")
    best = None
    low = max(0, start - _BEFORE_TITLE)
    for position, element in enumerate(elements[low:start + _AFTER_TITLE], start=low):
        if position > start:
            if element.tag == "p" and first and " ".join(inline_text(element).split()).startswith(first):
                break  # the body begins: the header is over
            if element.tag in ("h1", "h2", "h3") and element.find(".//a[@href]") is not None:
                break  # another article's teaser
        for text, owner in ((element.text, element), (element.tail, element.getparent())):
            if not text or len(text) > 80 or owner is None or not _WORD_IN.search(text):
                continue
            count = _label_count(owner)
            if count is not None and (best is None or abs(position - start) < abs(best[0] - start)):
                best = (position, count)
    return best[1] if best else None


def _label_count(element) -> int | None:
    """The count of a short label, climbing from the element holding the word while the text
    stays short ("<span>10,645</span> <span>Views</span>"); None inside another article's box."""
    for _ in range(3):
        if element is None:
            return None
        text = inline_text(element)
        count = _count(text)
        if count is not None:
            return None if _elsewhere(element) else count
        if len(text) > 60:
            return None
        element = element.getparent()
    return None
