"""Extraction for sites without a profile: embedded metadata, trafilatura, htmldate.

Each field has candidates from several sources; `combine` picks per field in an order chosen
by measurement on the development set (see benchmarks/extraction.py, which prints how often
each source is right).
"""
from __future__ import annotations

import functools
import re

import trafilatura
from lxml import etree

from .boilerplate import is_appeal, without_furniture
from .ensemble import body_paragraphs
from .metadata import embedded_metadata
from .normalize import credit_line_run, parse_date
from .text import BLOCKS, inline_text, paragraphs, remove

_TIME_DATETIME = etree.XPath("/descendant::time/@datetime")

# Which source wins each field, best first (benchmarks/extraction.py --sources measures them).
ORDER = {
    "title": ("jsonld", "trafilatura", "meta"),
    "subtitle": ("jsonld", "meta", "trafilatura"),
    "authors": ("jsonld", "trafilatura", "meta"),
    "published_at": ("trafilatura", "jsonld", "meta"),
    "modified_at": ("jsonld", "meta"),
    "section": ("jsonld", "meta", "trafilatura"),
    "tags": ("jsonld", "meta", "trafilatura"),
    "images": ("jsonld", "meta", "trafilatura"),
    "canonical_url": ("meta", "jsonld", "trafilatura"),
    "language": ("meta", "jsonld", "trafilatura"),
}


def main_text(tree, url: str | None):
    """trafilatura's reading of the page, or None when it finds no main text."""
    return trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        # Links and images stay off: with them on, trafilatura keeps a different main text and
        # scores lower on the development set (F1 0.900 against 0.914 on 150 pages).
    )


_STANDFIRST_WORDS = 25


def generic_body(main: list[str], title: str | None, description: str | None, vote=None) -> list[str]:
    """trafilatura's paragraphs `main` made the generic body: `vote(core, not_body, standfirst)`
    (ensemble.py) trims and fills them, then the page furniture goes (boilerplate.py)."""
    # Credit lines are short and jusText drops short lines: they stay out of the vote.
    lead, trail = credit_line_run(main)
    core = main[lead:len(main) - trail]
    if vote is not None:
        # Never filled in: the headline and the credit lines. A short description is filled in
        # only as the article's lead (ensemble.py). A longer one is the lead paragraph itself,
        # and on the development set that is body text (excluding it lost 3 snippets in 150 pages).
        standfirst = description if description and len(description.split()) <= _STANDFIRST_WORDS else None
        core = vote(core, ((title,) if title else ()) + tuple(main[:lead]), standfirst)
    return main[:lead] + without_furniture(core) + main[len(main) - trail:]


def trafilatura_fields(doc, tree=None, html: str | None = None) -> dict:
    """Fields of trafilatura's reading; with `tree`, its body goes through the vote
    (ensemble.py) with jusText and resiliparse."""
    if doc is None:
        return {}
    body = doc.body
    fields = {
        "title": doc.title,
        "subtitle": doc.description,
        "authors": [a for a in (doc.author or "").split(";") if a.strip()],
        "published_at": doc.date,
        "section": doc.categories[0] if doc.categories else None,
        "tags": [t.strip() for tag in doc.tags or [] for t in tag.split(",") if t.strip()],
        "images": [doc.image] if doc.image else [],
        "canonical_url": doc.url,
        "language": doc.language,
    }
    if body is not None:
        vote = functools.partial(body_paragraphs, tree, html) if tree is not None else None
        main = [p for p in paragraphs(body) if not is_appeal(p)]
        fields["body"] = "\n\n".join(generic_body(main, doc.title, doc.description, vote))
    return fields


def links_in_text(tree, body: str | None) -> list[str]:
    """Hrefs of the page's links whose paragraph made it into the main text."""
    if not body:
        return []
    text = " ".join(body.split())
    verdicts: dict = {}
    links: list[str] = []
    for anchor in tree.iter("a"):
        href = anchor.get("href")
        if not href:
            continue
        block = anchor.getparent()
        while block is not None and block.tag not in BLOCKS:
            block = block.getparent()
        if block is None:
            continue
        if block not in verdicts:
            words = inline_text(block)
            # Short blocks (menus, buttons) would match by accident.
            verdicts[block] = len(words) >= 40 and words in text
        if verdicts[block]:
            links.append(href)
    return links


# Donation boxes, comment widgets and related-article teasers that trafilatura keeps when their
# class names are not the English ones it knows ("caja-donacion", "patreon-kit",
# "nota-relacionada", wpDiscuz). Not "kommentar" or "comentario": on news sites that is also the
# opinion column, the article itself. Small containers only, so that a theme's class on the
# whole article cannot take the article with it.
_WIDGET_NAMES = ("donat", "donac", "patreon", "wpdiscuz", "relacionad")
_WIDGET_NAME = re.compile("|".join(_WIDGET_NAMES), re.IGNORECASE)
# Named containers of the kinds that hold a widget; their names are tested in Python, which is
# ten times faster than lower-casing every element's class in XPath, or searching the page's text.
_NAMED_CONTAINERS = etree.XPath(
    "/descendant::body//*[self::div or self::section or self::aside or self::form or self::p][@class or @id]")
_WIDGET_MAX_TEXT = 2000


def drop_widgets(tree) -> None:
    for element in _NAMED_CONTAINERS(tree):
        if not _WIDGET_NAME.search((element.get("class") or "") + " " + (element.get("id") or "")):
            continue
        if element.getparent() is not None and len("".join(element.itertext())) <= _WIDGET_MAX_TEXT:
            remove(element)


def candidates(tree, url: str | None, html: str | None = None) -> dict[str, dict]:
    """Field values by source: 'jsonld', 'meta', 'trafilatura'."""
    meta = embedded_metadata(tree)
    times = _TIME_DATETIME(tree)
    drop_widgets(tree)
    text = trafilatura_fields(main_text(tree, url), tree, html)
    if not text.get("body") and html:
        # trafilatura repairs some broken markup only when it parses the page itself.
        text = trafilatura_fields(main_text(html, url), tree, html) or text
    text["links"] = links_in_text(tree, text.get("body"))
    return {"jsonld": meta["sources"]["jsonld"], "meta": meta["sources"]["meta"], "trafilatura": text,
            # The first <time datetime> is the date a reader sees, when the page marks it up.
            "time": {"published_at": times[0].strip() if times else None}}


def _day(value: str | None) -> str | None:
    return (parse_date(value) or "")[:10] or None if value else None


def combine(found: dict[str, dict], order: dict[str, tuple[str, ...]] = ORDER) -> dict:
    out: dict = {}
    for name, sources in order.items():
        for source in sources:
            value = found.get(source, {}).get(name)
            if value:
                out[name] = value
                break
    text = found.get("trafilatura", {})
    # htmldate (through trafilatura) finds the right day more often than the page's declared
    # date (31 disagreements on the development set: htmldate right in 18, the declaration in 9).
    # But when the declaration and the date the page shows in <time datetime> agree with each
    # other, two sources outvote it (development set: 5 days put right, 1 put wrong).
    day = text.get("published_at")
    visible = _day(found.get("time", {}).get("published_at"))
    for source in ("jsonld", "meta"):
        declared = _day(found.get(source, {}).get("published_at"))
        if declared and declared == visible and declared != day:
            day = declared
            break
    # htmldate gives only the day: take a declared timestamp (with its offset) that falls on it.
    for source in ("jsonld", "meta", "time"):
        declared = found.get(source, {}).get("published_at")
        if day and declared and _day(declared) == day:
            out["published_at"] = declared
            break
    for name in ("body", "links"):
        if text.get(name):
            out[name] = text[name]
    return out


def extract_generic(tree, url: str | None, html: str | None = None) -> dict:
    return combine(candidates(tree, url, html))
