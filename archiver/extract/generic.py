"""Extraction for sites without a profile: embedded metadata, trafilatura, htmldate.

Each field has candidates from several sources; `combine` picks per field in an order chosen
by measurement on the development set (see benchmarks/extraction.py, which prints how often
each source is right).
"""
from __future__ import annotations

import trafilatura

from .metadata import embedded_metadata
from .text import paragraphs

# Which source wins each field, best first (benchmarks/extraction.py --sources measures them).
ORDER = {
    "title": ("jsonld", "trafilatura", "meta"),
    "subtitle": ("jsonld", "meta", "trafilatura"),
    "authors": ("jsonld", "trafilatura", "meta"),
    "published_at": ("jsonld", "meta", "trafilatura"),
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
        include_links=True,
        include_images=True,
    )


def trafilatura_fields(doc) -> dict:
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
        fields["body"] = "\n\n".join(paragraphs(body))
        fields["links"] = body.xpath(".//ref/@target")
        fields["body_images"] = body.xpath(".//graphic/@src")
    return fields


def candidates(tree, url: str | None) -> dict[str, dict]:
    """Field values by source: 'jsonld', 'meta', 'trafilatura'."""
    meta = embedded_metadata(tree)
    return {
        "jsonld": meta["sources"]["jsonld"],
        "meta": meta["sources"]["meta"],
        "trafilatura": trafilatura_fields(main_text(tree, url)),
    }


def combine(found: dict[str, dict], order: dict[str, tuple[str, ...]] = ORDER) -> dict:
    out: dict = {}
    for name, sources in order.items():
        for source in sources:
            value = found.get(source, {}).get(name)
            if value:
                out[name] = value
                break
    text = found.get("trafilatura", {})
    for name in ("body", "links", "body_images"):
        if text.get(name):
            out[name] = text[name]
    return out


def extract_generic(tree, url: str | None) -> dict:
    return combine(candidates(tree, url))
