"""Readable text from an HTML element: blocks become paragraphs, inline tags never glue words.

Used by site profiles, whose selectors already point at the article, so no boilerplate
heuristics live here (trafilatura does that for the generic path).
"""
from __future__ import annotations

from lxml import etree

BLOCKS = frozenset(
    "address article aside blockquote dd details div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody thead tfoot tr "
    "td th ul center".split()
    # trafilatura's XML for the main text: list/item, quote, head, row/cell, code.
    + "list item quote head row cell code".split()
)
# Content a reader never sees as text.
SKIPPED = frozenset("script style noscript template iframe svg button select option textarea input".split())
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())


def _tag(element) -> str:
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else ""


def paragraphs(element) -> list[str]:
    """Paragraph texts of an element; list items come out as '- item'."""
    out: list[str] = []
    buffer: list[str] = []
    prefix = [""]

    def flush() -> None:
        text = " ".join("".join(buffer).split())
        buffer.clear()
        if text:
            out.append(prefix[0] + text)
        prefix[0] = ""

    def walk(node) -> None:
        if node.text:
            buffer.append(node.text)
        for child in node:
            tag = _tag(child)
            if not tag or tag in SKIPPED:
                pass  # comments, processing instructions and invisible elements
            elif tag in ("br", "lb"):
                flush()
            elif tag in BLOCKS:
                flush()
                if tag in ("li", "item"):
                    prefix[0] = "- "
                walk(child)
                flush()
            else:
                walk(child)
            if child.tail:
                buffer.append(child.tail)

    walk(element)
    flush()
    return out


def inline_text(element) -> str:
    """All the text of an element on one line, with a space wherever a block or <br> ends."""
    return " ".join(paragraphs(element))


def remove(element) -> None:
    """Drop an element but keep its tail text, which belongs to the parent."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def is_element(node) -> bool:
    return isinstance(node, etree._Element) and isinstance(node.tag, str)
