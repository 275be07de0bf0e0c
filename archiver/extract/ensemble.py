"""The generic body: trafilatura's paragraphs, checked and completed by two other extractors.

A vote at the paragraph level among extractors that fail in different ways beats each of them
(Bevendorff et al., SIGIR 2023). The voters were chosen by measurement on the development set
(990 pages; `benchmarks/extraction.py --sources` prints this table; body P / R / F1, CPU ms):

    trafilatura 2.3.1      0.907 / 0.944 / 0.925   25 ms  (the main text: order, lists, tables)
    jusText 3.0            0.877 / 0.902 / 0.889    6 ms  (paragraph classifier: stop words, links)
    resiliparse 2.0        0.764 / 0.956 / 0.849    2 ms  (main-content DOM rules; document order)
    the vote below         0.923 / 0.946 / 0.935    2 ms  (on top of the three)
    + standfirst rule and
      furniture dropped    0.934 / 0.946 / 0.940          (boilerplate.py)
    readability-lxml 0.9   0.883 / 0.864 / 0.873   21 ms  (not used: with the two above it added
                                                           nothing, F1 0.926 either way, for its time)

jusText's own paragraph maker walks a copy of the tree through SAX events and recomputes each
paragraph's text on every look (23 ms a page); `_make_paragraphs` gives the same paragraphs,
checked on all 990 pages, from the tree as it is (6 ms with the classification).

Three rules:

- Trim: a paragraph at either end of trafilatura's text that jusText and resiliparse do not
  both keep is boilerplate trafilatura took along (a teaser, a "more on this" line, a photo
  credit, a newsletter box), and goes. Only at the ends: dropping such paragraphs in the middle
  as well cost recall 0.944 -> 0.92 for no gain in precision. With one voter's word enough to
  keep a paragraph, precision rose only to 0.911.
- Fill: a line that resiliparse and jusText both keep, lying before or between trafilatura's
  paragraphs in document order, is text trafilatura missed (a lead paragraph, a passage after
  a widget), and is added in its place. Not after trafilatura's last paragraph: there the two
  agree mostly on comments and teasers (7 snippets of article text against 77 of boilerplate).
- Standfirst: the page's short description (25 words or fewer) is filled in only when the very
  next line is the text's first paragraph: then it is the article's lead, printed in bold (15
  article snippets on the development set, no boilerplate). With a byline, a date or a credit
  line between the two it is the sub-title in the page's header, a field of its own.

A voter is heard only when it found the same article: when it holds at least 70% of
trafilatura's text; otherwise it picked another part of the page (a comment thread, a list of
teasers) and its votes would be noise. Tried and left out, on the same pages: choosing one
extractor's whole text per page by agreement (F1 0.926), and voting every paragraph (0.926).
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable

import justext
from justext.core import PARAGRAPH_TAGS, classify_paragraphs, revise_paragraph_classification
from justext.paragraph import Paragraph
from justext.utils import normalize_whitespace
from lxml import etree
from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree

# What trafilatura cleans away before it asks jusText (scripts, asides, footers, banners).
from trafilatura import settings as _trafilatura_settings
from trafilatura.settings import BASIC_CLEAN_XPATH

_WORD = re.compile(r"\w+")
_SAME_ARTICLE = 0.7  # share of trafilatura's text a voter must hold to be heard
_HOLDS = 0.5  # share of a paragraph's word triples found in a text for the text to hold it
_FILL_MIN_WORDS = 5  # shorter lines are menu items and labels as often as text


def shingles(text: str) -> set:
    """Word triples of a text, case-folded: what two extractors' outputs share, whatever their
    paragraph breaks and white space. A text of fewer than three words is one shingle."""
    words = _WORD.findall(text.casefold())
    if len(words) < 3:
        return {tuple(words)} if words else set()
    return set(zip(words, words[1:], words[2:]))


def _share(part: set, whole: set) -> float:
    return len(part & whole) / len(part) if part else 0.0


@functools.lru_cache(maxsize=1)
def _stoplist() -> frozenset[str]:
    # All of jusText's languages at once, as trafilatura does: pages rarely say which they use.
    return frozenset(w for lang in justext.get_stoplists() for w in justext.get_stoplist(lang))


class _Paragraph(Paragraph):
    """jusText's paragraph with its text worked out once, when the paragraph closes: jusText
    recomputes it on every look (about 1,900 times a page), a third of its time."""

    text = None  # shadows the base class's property

    def __init__(self, dom_path: str):  # noqa: D107 - the base wants a path object for an XPath it never uses here
        self.dom_path = dom_path
        self.text_nodes: list[str] = []
        self.chars_count_in_links = 0
        self.tags_count = 0
        self.class_type = ""

    def stopwords_density(self, stopwords) -> float:
        # The base splits the text three times for this.
        words = self.text.split()
        return sum(word.lower() in stopwords for word in words) / len(words) if words else 0


def _make_paragraphs(root, skipped) -> list[_Paragraph]:
    """jusText's ParagraphMaker, event for event, walking the lxml tree directly instead of
    through SAX events, and passing over the elements in `skipped` (keeping their tails) instead
    of deleting them from a copy of the tree: the same paragraphs in a quarter of the time."""
    paragraphs: list[_Paragraph] = []
    path: list[str] = []
    current = _Paragraph("")
    in_link = after_br = False

    def new_paragraph() -> None:
        nonlocal current
        if current.text_nodes:
            current.text = normalize_whitespace("".join(current.text_nodes).strip())
            paragraphs.append(current)
        current = _Paragraph(".".join(path))

    def characters(content: str) -> None:
        nonlocal after_br
        if not content or content.isspace():
            return
        text = normalize_whitespace(content)
        current.text_nodes.append(text)
        if in_link:
            current.chars_count_in_links += len(text)
        after_br = False

    def start(name: str) -> None:
        nonlocal after_br, in_link
        path.append(name)
        if name in PARAGRAPH_TAGS or (name == "br" and after_br):
            if name == "br":
                current.tags_count -= 1  # <br><br> separates paragraphs; it is no tag of either
            new_paragraph()
        else:
            after_br = name == "br"
            if after_br:
                current.text_nodes.append(" ")
            elif name == "a":
                in_link = True
            current.tags_count += 1

    def end(name: str) -> None:
        nonlocal in_link
        path.pop()
        if name in PARAGRAPH_TAGS:
            new_paragraph()
        if name == "a":
            in_link = False

    start(root.tag)
    characters(root.text or "")
    stack = [(root, iter(root))]
    while stack:
        element, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            end(element.tag)
            characters(element.tail or "")
            continue
        if not isinstance(child.tag, str) or child in skipped:  # comments, scripts, footers...
            characters(child.tail or "")
            continue
        start(child.tag)
        characters(child.text or "")
        stack.append((child, iter(child)))
    new_paragraph()
    return paragraphs


# BASIC_CLEAN_XPATH tests a regular expression on every element's class and id through EXSLT,
# a call back into Python per element: half of jusText's time. The same selection, made with one
# XPath for the tags and a Python test of the elements that have a class or an id, takes a
# third of that. Used only while trafilatura's XPath is exactly the one this reproduces.
_CLEANED_TAGS = (".//aside|.//div[contains(@class|@id, 'footer')]|.//fencedframe|.//footer|.//script"
                 "|.//style|.//svg|.//template")
_CONSENT = getattr(_trafilatura_settings, "_COOKIE_CONSENT_RE", None)
if _CONSENT and BASIC_CLEAN_XPATH.path == (
        _CLEANED_TAGS + f"|.//*[re:test(@class, '{_CONSENT}', 'i') or re:test(@id, '{_CONSENT}', 'i')]"):
    _tagged = etree.XPath(_CLEANED_TAGS)
    _named = etree.XPath(".//*[@class or @id]")
    _consent = re.compile(_CONSENT, re.IGNORECASE)

    def cleaned_away(tree) -> set:
        """The elements trafilatura's pre-cleaning for jusText removes."""
        found = set(_tagged(tree))
        for element in _named(tree):
            if _consent.search(element.get("class") or "") or _consent.search(element.get("id") or ""):
                found.add(element)
        return found
else:
    def cleaned_away(tree) -> set:
        """The elements trafilatura's pre-cleaning for jusText removes."""
        return set(BASIC_CLEAN_XPATH(tree))


def justext_paragraphs(tree) -> list[str]:
    """jusText's non-boilerplate paragraphs of the page, after trafilatura's pre-cleaning for it
    (scripts, asides, footers, cookie banners), which is skipped over, the tree left untouched."""
    try:
        paragraphs = _make_paragraphs(tree, cleaned_away(tree))
        classify_paragraphs(paragraphs, _stoplist(), 50, 150, 0.1, 0.2, 0.25, True)
        revise_paragraph_classification(paragraphs, 150)
    except Exception:  # noqa: BLE001 - a voter that fails just does not vote
        return []
    return [p.text for p in paragraphs if not p.is_boilerplate and p.text.strip()]


def resiliparse_lines(html: str) -> list[str]:
    try:
        text = extract_plain_text(HTMLTree.parse(html), main_content=True, alt_texts=False,
                                  list_bullets=False, links=False)
    except Exception:  # noqa: BLE001
        return []
    return [line.strip() for line in text.split("\n") if line.strip()]


# A line before trafilatura's first paragraph is filled in only when it reads as a sentence:
# above an article both voters also keep its headline, its standfirst and the line of author,
# date and views, which are fields of their own and no part of the body.
_SENTENCE_END = re.compile(r"[.!?…:;\"”»)]$")


def vote(main: list[str], justext_text: list[str] | Callable[[], list[str]], resili: list[str],
         not_body: tuple[str, ...] = (), standfirst: str | None = None) -> list[str]:
    """trafilatura's paragraphs `main`, trimmed and filled by the two voters (see above).
    `justext_text` may be a function that gives it: it is called only when resiliparse is heard.
    Lines in `not_body` (the title, the credit lines) are never filled in. The `standfirst`
    is filled in only where it leads straight into the text (see above)."""
    main_sets = [shingles(p) for p in main]
    main_all = set().union(*main_sets) if main_sets else set()

    def heard(lines: list[str]) -> set | None:
        held = set().union(*map(shingles, lines)) if lines else set()
        return held if held and (not main_all or _share(main_all, held) >= _SAME_ARTICLE) else None

    rp_all = heard(resili)
    if rp_all is None:
        return main
    jt_all = heard(justext_text() if callable(justext_text) else justext_text)
    if jt_all is None:
        return main

    def kept_by_both(s: set) -> bool:
        return _share(s, jt_all) >= _HOLDS and _share(s, rp_all) >= _HOLDS

    start, end = 0, len(main)
    while start < end and not kept_by_both(main_sets[start]):
        start += 1
    while end > start and not kept_by_both(main_sets[end - 1]):
        end -= 1
    if start < end:
        main, main_sets = main[start:end], main_sets[start:end]
    # Where each word triple of the kept text sits, to place a filled line after its neighbour.
    where: dict = {}
    for index, s in enumerate(main_sets):
        for shingle in s:
            where.setdefault(shingle, index)
    leading: list[str] = []
    gaps: dict[int, list[str]] = {}
    pending: list[str] = []
    anchor = None  # the paragraph of `main` that the latest matched resiliparse line belongs to
    seen: set[str] = set()
    excluded = set().union(*map(shingles, not_body)) if not_body else set()
    standfirst_set = shingles(standfirst) if standfirst else set()
    standfirst_at = None  # where the standfirst's line is, among resiliparse's
    for at, line in enumerate(resili):
        s = shingles(line)
        hits = [where[x] for x in s if x in where]
        if s and len(hits) >= _HOLDS * len(s):
            if anchor is None and standfirst_at == at - 1:
                pending.append(resili[standfirst_at])
            # The lines waiting since the previous match lie in a gap, or before the start.
            (leading if anchor is None else gaps.setdefault(anchor, [])).extend(pending)
            pending = []
            anchor = max(hits)
        elif anchor is None and standfirst_at is None and standfirst_set and _share(s, standfirst_set) >= _HOLDS:
            standfirst_at = at
        elif (line not in seen and len(_WORD.findall(line)) >= _FILL_MIN_WORDS
              and _share(s, jt_all) >= _HOLDS and _share(s, excluded) < _HOLDS
              and (anchor is not None or _SENTENCE_END.search(line))):
            seen.add(line)
            pending.append(line)
    # What is still pending comes after trafilatura's last paragraph: not added.
    out = leading
    for index, paragraph in enumerate(main):
        out.append(paragraph)
        out.extend(gaps.get(index, ()))
    return out


def body_paragraphs(tree, html: str | None, main: list[str], not_body: tuple[str, ...] = (),
                    standfirst: str | None = None) -> list[str]:
    """The generic body: trafilatura's paragraphs `main` after the vote."""
    if html is None:
        html = etree.tostring(tree, encoding="unicode", method="html")
    return vote(main, lambda: justext_paragraphs(tree), resiliparse_lines(html), not_body, standfirst)
