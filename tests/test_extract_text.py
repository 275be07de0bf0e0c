"""text.paragraphs against a plain statement of its rules, on every element of the demo pages
and on random trees (mixed-case tags, comments, odd white space)."""
import random
from pathlib import Path

from lxml import etree

from archiver.extract.article import parse_html
from archiver.extract.text import BLOCKS, SKIPPED, paragraphs

SITE = Path(__file__).resolve().parent.parent / "archiver" / "demo" / "site"


def reference_paragraphs(element) -> list[str]:
    out, buffer, prefix = [], [], [""]

    def flush():
        text = " ".join("".join(buffer).split())
        buffer.clear()
        if text:
            out.append(prefix[0] + text)
        prefix[0] = ""

    def walk(node):
        if node.text:
            buffer.append(node.text)
        for child in node:
            tag = child.tag.lower() if isinstance(child.tag, str) else ""
            if not tag or tag in SKIPPED:
                pass
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


def test_paragraphs_of_every_demo_element():
    for page in sorted(SITE.glob("*.html")):
        tree = parse_html(page.read_text(encoding="utf-8"), plain=True)
        for element in tree.iter():
            assert paragraphs(element) == reference_paragraphs(element), (page.name, element.tag)


def test_paragraphs_of_random_trees():
    rng = random.Random(7)
    tags = ["p", "P", "li", "LI", "item", "br", "Br", "lb", "span", "B", "div", "script", "SCRIPT", "h2", "x-y"]
    texts = ["", "a", " b ", "c\n", "\u00a0d", "e  f", "\t", "g\u2028h", "日"]

    def grow(parent, depth):
        for _ in range(rng.randint(0, 3)):
            if rng.random() < 0.1:
                child = etree.Comment("note")
                parent.append(child)
            else:
                child = etree.SubElement(parent, rng.choice(tags))
                child.text = rng.choice(texts) or None
                if depth < 4:
                    grow(child, depth + 1)
            child.tail = rng.choice(texts) or None

    for _ in range(3000):
        root = etree.Element("div")
        root.text = rng.choice(texts) or None
        grow(root, 0)
        assert paragraphs(root) == reference_paragraphs(root), etree.tostring(root)
