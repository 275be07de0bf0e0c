"""Normalisation of article fields: pure functions of plain values.

`normalize_item` applies them all and is idempotent, so it can run after extraction and again
in a crawl pipeline without changing anything the second time.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
import warnings
from datetime import date, datetime, time
from itertools import filterfalse
from urllib.parse import urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as date_parser

# Zero-width characters, the soft hyphen, word joiner and BOM: invisible, but they break
# searching, hashing and word counts.
_INVISIBLE_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def _nfc_visible(text: str) -> str:
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    # Seven substring searches cost far less than one regex pass over a long body, and most
    # texts have none of these characters.
    if any(char in text for char in _INVISIBLE_CHARS):
        text = _INVISIBLE.sub("", text)
    return text


def _is_one_line(text: str) -> bool:
    """Whether `text` is non-empty and already what `" ".join(text.split())` makes of it.

    Every white-space and line-break character except the space is unprintable (the tests
    check all of Unicode), so a printable text with no space at either end and no two spaces
    in a row has nothing for split() to change.
    """
    return (
        text.isprintable() and "  " not in text
        and text[:1] not in ("", " ") and text[-1] != " "
    )


def clean_text(value: str | None) -> str | None:
    """NFC, no invisible characters, runs of white space as one space; None when empty."""
    if value is None:
        return None
    text = _nfc_visible(str(value))
    if not _is_one_line(text):
        text = " ".join(text.split())
    return text or None


def clean_body(value: str | None) -> str | None:
    """Paragraphs separated by exactly one blank line, each paragraph on one line."""
    if value is None:
        return None
    text = _nfc_visible(str(value))
    # Profile bodies arrive already in this form (text.paragraphs splits and joins each one):
    # checking that is a few C calls per paragraph, re-splitting every word is not.
    if all(map(_is_one_line, text.split("\n\n"))):
        return text
    paragraphs = (" ".join(p.split()) for p in text.splitlines())
    joined = "\n\n".join(p for p in paragraphs if p)
    return joined or None


def paragraphs(body: str | None) -> list[str]:
    return [p for p in (body or "").split("\n\n") if p]


_WORD = re.compile(r"\w[\w'’-]*")


def word_count(body: str | None) -> int:
    """How many times `_WORD` matches the body, in half the time of running it over the whole.

    No match spans white space, so the count is the sum over white-space-separated tokens; a
    token of letters and digits only (str.isalnum, which is what \\w means) is exactly one word,
    and the regex runs only over the rest (punctuation, apostrophes, dashes), joined by spaces.
    """
    tokens = (body or "").split()
    odd = list(filterfalse(str.isalnum, tokens))
    return len(tokens) - len(odd) + len(_WORD.findall(" ".join(odd)))


def content_hash(body: str | None) -> str | None:
    return hashlib.sha256(body.encode("utf-8")).hexdigest() if body else None


_VIEWS = re.compile(r"(\d[\d,.\s\u00a0\u202f']*)\s*([kKmM]?)\b")


def parse_views(value: str | int | None) -> int | None:
    """'10,645 Views' -> 10645; '1.2K views' -> 1200; None when there is no number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    match = _VIEWS.search(str(value))
    if not match:
        return None
    digits, suffix = match.group(1).strip(), match.group(2).lower()
    if suffix:
        number = float(digits.replace(",", "."))
        return int(round(number * (1000 if suffix == "k" else 1_000_000)))
    return int(re.sub(r"\D", "", digits))


_BYLINE_PREFIX = re.compile(
    r"^\s*(?:(?:written|authored|posted|submitted|reported)\s+by|by|von|par|por|di|door|av)\s*[:\-]?\s+",
    re.IGNORECASE,
)
_NAME_SPLIT = re.compile(r"\s*(?:;|,|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|\bog\b|\|)\s*", re.I)
_NOT_A_NAME = re.compile(r"@|https?://|\d{3,}")


def split_authors(value: str | list | None) -> list[str]:
    """'By A and B' -> ['A', 'B']; lists are cleaned and de-duplicated, order kept."""
    if value is None:
        return []
    raw = value if isinstance(value, list) else [value]
    names: list[str] = []
    for entry in raw:
        text = clean_text(entry if isinstance(entry, str) else str(entry))
        if not text:
            continue
        text = _BYLINE_PREFIX.sub("", text).strip(" :,;|-–—")
        for part in _NAME_SPLIT.split(text):
            name = _BYLINE_PREFIX.sub("", part).strip(" :,;|-–—.")
            if name and not _NOT_A_NAME.search(name) and len(name) <= 80:
                if name.casefold() not in {n.casefold() for n in names}:
                    names.append(name)
    return names


# "Authored by A for The Daily Star (Bangladesh):" / "Authored by Stephen Lendman:" /
# "Written by A via Zerohedge" / "Submitted by A of B".
_AUTHORED = re.compile(
    r"^(?:authored|written|submitted)\s+by\s+(?P<names>.+?)"
    r"(?:\s+(?P<how>for|at|via|of)\s+(?P<source>.+?))?\s*[:,;]?\s*$",
    re.IGNORECASE,
)
# "Via Zerohedge", "Via The Anti Media:" — a short source line on its own.
_VIA = re.compile(r"^via\s+(?P<source>\S.{0,80}?)\s*[:,;]?\s*$", re.IGNORECASE)
# "Originally published at The Conversation.", "This article was first published on Medium."
_ORIGINALLY = re.compile(
    r"^(?:this\s+(?:article|post|story|piece)\s+(?:was\s+)?)?(?:originally|first)\s+"
    r"(?:published|appeared|posted)\s+(?:at|on|in|by)\s+\S.{0,100}$",
    re.IGNORECASE,
)
_LEADING_LINES = 3
_TRAILING_LINES = 2
_MAX_LINE = 160


def _credit_line(para: str) -> tuple[list[str], str | None] | None:
    """(authors, credit) when a paragraph is a credit line, else None."""
    if len(para) > _MAX_LINE:
        return None
    authored = _AUTHORED.match(para)
    if authored:
        source = clean_text(authored.group("source"))
        if source and authored.group("how").lower() == "via":
            # "Via Zerohedge" is how the page itself credits a source: the credit reads the same.
            source = "Via " + source
        return split_authors(authored.group("names")), source
    if _VIA.match(para):
        return [], clean_text(para.rstrip(":,; "))
    if _ORIGINALLY.match(para):
        return [], clean_text(para)
    return None


def credit_line_run(parts: list[str]) -> tuple[int, int]:
    """How many of the paragraphs `parts` are credit lines at the start, and at the end.

    At the start, a run of byline and source lines among the first few; at the end, at most
    two "Originally published ..." lines. Only short lines count: a sentence that merely starts
    with "Via" stays in the text.
    """
    lead = 0
    for para in parts[:_LEADING_LINES]:
        if _credit_line(para) is None:
            break
        lead += 1
    trail = 0
    while (trail < _TRAILING_LINES and len(parts) - lead - trail > 1
           and len(parts[-1 - trail]) <= _MAX_LINE and _ORIGINALLY.match(parts[-1 - trail])):
        trail += 1
    return lead, trail


def split_credit_lines(body: str | None) -> tuple[str | None, list[str], str | None]:
    """Pull byline and source lines ("Authored by X via Y", "Via Z", "Written by X for Y:",
    "Originally published at ...") out of a body.

    Returns (body without them, authors named there, credit); see `credit_line_run`.
    """
    parts = paragraphs(body)
    lead, trail = credit_line_run(parts)
    authors: list[str] = []
    credit: str | None = None
    for para in parts[:lead] + parts[len(parts) - trail:][::-1]:
        found_authors, found_credit = _credit_line(para)
        if _AUTHORED.match(para):
            authors = found_authors  # the last byline of the run names the writer
        credit = credit or found_credit
    return ("\n\n".join(parts[lead:len(parts) - trail]) or None), authors, credit


def zone(name: str | None):
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


_DATE_WORDS = re.compile(r"^\s*(?:published|posted|updated|modified)?\s*(?:on|am|le)?\s*[:\-]?\s*", re.I)
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(value: str | datetime | date | None, tz: str | None = None) -> str | None:
    """A date as ISO 8601, exactly as precise as the page gave it.

    A day stays a day ('Published on June 9, 2017' -> '2017-06-09'), with or without a zone:
    midnight and an offset would be a time the page never gave. A time keeps the page's own
    offset; a time without one takes the site's zone `tz` when there is one, else stays naive.
    """
    if value is None or value == "":
        return None
    site_zone = zone(tz)
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return value.isoformat()
    else:
        text = clean_text(value)
        if not text:
            return None
        text = _DATE_WORDS.sub("", text)
        if _DATE_ONLY.match(text):
            return text
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            try:
                with warnings.catch_warnings():
                    # Unknown zone names ("CET") come back naive; the site's zone then applies.
                    warnings.simplefilter("ignore", date_parser.UnknownTimezoneWarning)
                    # Dotted dates (12.03.2020) are day-first wherever they are written.
                    dayfirst = bool(re.search(r"\b\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}", text))
                    moment = date_parser.parse(text, default=datetime(1900, 1, 1), dayfirst=dayfirst)
            except (ValueError, OverflowError, TypeError):
                return None
            if moment.year == 1900:
                return None
        if not re.search(r"\d:\d", text):
            return moment.date().isoformat()
    if moment.tzinfo is None:
        if site_zone is None:
            return moment.isoformat()
        moment = moment.replace(tzinfo=site_zone)
    return moment.isoformat()


# An absolute http(s) URL of plain ASCII, without fragment, params (';') or an empty query:
# urljoin and the split/unsplit below give such a URL back unchanged, so it skips them.
_PLAIN_ABSOLUTE = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]*)?"
    r"(?:/[A-Za-z0-9._~!$&'()*+,=:@%/-]*)?"
    r"(?:\?[A-Za-z0-9._~!$&'()*+,=:@%/?-]+)?"
)


def absolute_url(url: str | None, base: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    if _PLAIN_ABSOLUTE.fullmatch(url):
        return url
    if url.startswith(("javascript:", "data:", "mailto:", "tel:", "#")):
        return None
    full = urljoin(base or "", url)
    parts = urlsplit(full)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    # The fragment names a place in the page, not another resource.
    return urlunsplit(parts._replace(fragment=""))


def absolute_urls(urls: list[str] | None, base: str | None) -> list[str]:
    seen: list[str] = []
    for url in urls or []:
        full = absolute_url(url, base)
        if full and full not in seen:
            seen.append(full)
    return seen


def clean_list(values: list | None) -> list[str]:
    out: list[str] = []
    for value in values or []:
        text = clean_text(value)
        if text and text not in out:
            out.append(text)
    return out


_TEXT_FIELDS = ("title", "subtitle", "section", "credit", "language")


def normalize_item(item: dict, tz: str | None = None) -> dict:
    """Every article field in its normal form. Idempotent: normalize_item(normalize_item(x)) == normalize_item(x)."""
    out = dict(item)
    for key in _TEXT_FIELDS:
        if key in out:
            out[key] = clean_text(out[key])
    if out.get("language"):
        out["language"] = out["language"].replace("_", "-").split("-")[0].lower() or None
    body, byline_authors, credit = split_credit_lines(clean_body(out.get("body")))
    out["body"] = body
    # A byline inside the text names the writer; the page's author field often names only the
    # account that posted it (e.g. the site itself).
    out["authors"] = byline_authors or split_authors(out.get("authors"))
    out["credit"] = clean_text(out.get("credit")) or credit
    out["tags"] = clean_list(out.get("tags"))
    out["views"] = parse_views(out.get("views"))
    for key in ("published_at", "modified_at"):
        if key in out:
            out[key] = parse_date(out[key], tz)
    base = out.get("final_url") or out.get("url") or out.get("canonical_url")
    if "canonical_url" in out:
        out["canonical_url"] = absolute_url(out["canonical_url"], base)
    out["links"] = absolute_urls(out.get("links"), base)
    out["images"] = absolute_urls(out.get("images"), base)
    out["word_count"] = word_count(out["body"]) if out["body"] else None
    out["content_hash"] = content_hash(out["body"])
    return out
