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


# What a tag does to the text around it; any tag not listed is inline.
_INLINE, _SKIP, _BREAK, _BLOCK, _ITEM = range(5)
_ROLES = {
    **{tag: _BLOCK for tag in BLOCKS},
    "li": _ITEM, "item": _ITEM,
    "br": _BREAK, "lb": _BREAK,
    **{tag: _SKIP for tag in SKIPPED},
}


def _one_line(text: str) -> str:
    """`" ".join(text.split())`, without splitting the common case of a paragraph whose only
    stray white space is at its ends (every other white-space character is unprintable)."""
    text = text.strip()
    if text.isprintable() and "  " not in text:
        return text
    return " ".join(text.split())


def paragraphs(element) -> list[str]:
    """Paragraph texts of an element; list items come out as '- item'."""
    out: list[str] = []
    buffer: list[str] = []
    prefix = ""

    def flush() -> None:
        nonlocal prefix
        if buffer:
            text = _one_line("".join(buffer))
            buffer.clear()
            if text:
                out.append(prefix + text)
        prefix = ""

    def walk(node) -> None:
        nonlocal prefix
        if node.text:
            buffer.append(node.text)
        for child in node:
            tag = child.tag
            # Comments and processing instructions have no string tag: only their tail counts.
            if isinstance(tag, str):
                role = _ROLES.get(tag)
                if role is None:  # HTML parsers give lower case; other trees may not
                    role = _ROLES.get(tag.lower(), _INLINE)
                if role == _INLINE:
                    walk(child)
                elif role >= _BLOCK:
                    flush()
                    if role == _ITEM:
                        prefix = "- "
                    walk(child)
                    flush()
                elif role == _BREAK:
                    flush()
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
