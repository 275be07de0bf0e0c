"""Metadata a page declares about itself: JSON-LD, OpenGraph, article:*, Dublin Core, microdata.

Each reader returns plain candidate values; `embedded_metadata` merges them with JSON-LD first,
because publishers fill it for search engines and it names the article rather than the site.
"""
from __future__ import annotations

import json
import re

from lxml import etree

from .text import inline_text

ARTICLE_TYPES = frozenset(
    t.lower()
    for t in (
        "Article NewsArticle ReportageNewsArticle AnalysisNewsArticle OpinionNewsArticle "
        "BackgroundNewsArticle ReviewNewsArticle BlogPosting LiveBlogPosting SocialMediaPosting "
        "TechArticle ScholarlyArticle Report SatiricalArticle AdvertiserContentArticle"
    ).split()
)
_PERSONISH = frozenset({"person", ""})


def _types(obj: dict) -> set[str]:
    value = obj.get("@type", "")
    values = value if isinstance(value, list) else [value]
    return {str(v).rsplit("/", 1)[-1].lower() for v in values}


def _walk_jsonld(data):
    if isinstance(data, list):
        for entry in data:
            yield from _walk_jsonld(entry)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "itemListElement"):
            if key in data:
                yield from _walk_jsonld(data[key])


def _load_json(text: str):
    try:
        return json.loads(text)
    except ValueError:
        # Control characters and trailing commas are common in hand-made JSON-LD.
        cleaned = re.sub(r"[\x00-\x1f]+", " ", text)
        cleaned = re.sub(r",\s*([}\]])", r"\1", cleaned)
        try:
            return json.loads(cleaned)
        except ValueError:
            return None


def _names(value) -> list[str]:
    """Person names from a JSON-LD author value; organisations are publishers, not authors."""
    out: list[str] = []
    for entry in value if isinstance(value, list) else [value]:
        if isinstance(entry, str):
            out.append(entry)
        elif isinstance(entry, dict) and _types(entry) <= _PERSONISH:
            name = entry.get("name")
            if isinstance(name, list):
                name = " ".join(map(str, name))
            if isinstance(name, str):
                out.append(name)
    return [n for n in out if n.strip()]


def _urls(value) -> list[str]:
    out: list[str] = []
    for entry in value if isinstance(value, list) else [value]:
        if isinstance(entry, str):
            out.append(entry)
        elif isinstance(entry, dict):
            url = entry.get("url") or entry.get("contentUrl") or entry.get("@id")
            if isinstance(url, str):
                out.append(url)
    return out


def _keywords(value) -> list[str]:
    if isinstance(value, str):
        return [k.strip() for k in value.split(",") if k.strip()]
    if isinstance(value, list):
        return [str(k).strip() for k in value if str(k).strip()]
    return []


def _text(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@id")
    return value.strip() if isinstance(value, str) and value.strip() else None


def jsonld_article(tree) -> dict:
    """Fields of the first article object in the page's JSON-LD."""
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        data = _load_json(script.text or "")
        for obj in _walk_jsonld(data):
            if not _types(obj) & ARTICLE_TYPES:
                continue
            main = obj.get("mainEntityOfPage")
            return {
                "title": _text(obj.get("headline")) or _text(obj.get("name")),
                "subtitle": _text(obj.get("alternativeHeadline")) or _text(obj.get("description")),
                "authors": _names(obj.get("author")),
                "published_at": _text(obj.get("datePublished")) or _text(obj.get("dateCreated")),
                "modified_at": _text(obj.get("dateModified")),
                "section": _text(obj.get("articleSection")),
                "tags": _keywords(obj.get("keywords")),
                "images": _urls(obj.get("image")),
                "canonical_url": _text(main.get("@id") if isinstance(main, dict) else main) or _text(obj.get("url")),
                "language": _text(obj.get("inLanguage")),
            }
    return {}


def _meta_map(tree) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content")
        if key and content and content.strip():
            found.setdefault(key.strip().lower(), []).append(content.strip())
    return found


def _first(found: dict, *keys: str) -> str | None:
    for key in keys:
        if found.get(key):
            return found[key][0]
    return None


def _not_url(value: str | None) -> str | None:
    # article:author and some author metas hold profile URLs, not names.
    return None if not value or re.match(r"https?://|www\.", value) else value


_PUBLISHED_KEYS = (
    "article:published_time", "og:article:published_time", "datepublished", "dc.date.issued",
    "dcterms.issued", "dc.date", "dcterms.date", "dcterms.created", "date", "pubdate",
    "publishdate", "publish-date", "sailthru.date", "parsely-pub-date",
)
# '/descendant::' rather than '//': libxml2 evaluates it without building a node set per level.
_ITEMPROP_AUTHOR = etree.XPath('/descendant::*[@itemprop="author"]/descendant::*[@itemprop="name"]')
_ITEMPROP_PUBLISHED = etree.XPath('/descendant::*[@itemprop="datePublished"]/@datetime | /descendant::*[@itemprop="datePublished"]/@content')
_LANG = etree.XPath("/html/@lang | /html/@xml:lang")


def meta_tags(tree, wanted: frozenset[str] | None = None) -> dict:
    """OpenGraph, article:*, Dublin Core, plain meta names and microdata itemprops.

    `wanted` names the fields the caller still lacks; the microdata look-ups, which walk the
    whole page, run only for those (and only when the meta tags leave a gap).
    """
    found = _meta_map(tree)
    author = _not_url(_first(found, "author", "article:author", "dc.creator", "dcterms.creator", "sailthru.author", "parsely-author", "byl"))
    if not author and (wanted is None or "authors" in wanted):
        itemprop_names = _ITEMPROP_AUTHOR(tree)
        if itemprop_names:
            author = ", ".join(inline_text(n) for n in itemprop_names[:3])
    canonical = [link.get("href") for link in tree.iter("link")
                 if (link.get("rel") or "").lower() == "canonical" and link.get("href") is not None]
    published = _first(found, *_PUBLISHED_KEYS)
    if not published and (wanted is None or "published_at" in wanted):
        time_props = _ITEMPROP_PUBLISHED(tree)
        published = time_props[0] if time_props else None
    lang = _LANG(tree)
    return {
        "title": _first(found, "og:title", "twitter:title", "dc.title", "dcterms.title", "title"),
        "subtitle": _first(found, "og:description", "description", "twitter:description", "dc.description", "dcterms.abstract"),
        "authors": [author] if author else [],
        "published_at": published,
        "modified_at": _first(found, "article:modified_time", "og:updated_time", "datemodified", "dcterms.modified", "last-modified"),
        "section": _first(found, "article:section", "section", "parsely-section"),
        "tags": found.get("article:tag") or [k.strip() for k in (_first(found, "news_keywords", "keywords") or "").split(",") if k.strip()],
        "images": found.get("og:image", [])[:1] or found.get("twitter:image", [])[:1],
        "canonical_url": (canonical[0] if canonical else None) or _first(found, "og:url"),
        "language": (lang[0] if lang else None) or _first(found, "og:locale", "dc.language", "content-language", "language"),
        "site_name": _first(found, "og:site_name", "application-name"),
    }


def embedded_metadata(tree, wanted: frozenset[str] | None = None) -> dict:
    """JSON-LD values where present, else the meta tags'. With `wanted`, the values of other
    fields may be left out."""
    jsonld = jsonld_article(tree)
    meta = meta_tags(tree, wanted)
    merged = dict(meta)
    for key, value in jsonld.items():
        if value:
            merged[key] = value
    merged["sources"] = {"jsonld": jsonld, "meta": meta}
    return merged
