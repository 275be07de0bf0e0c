import pytest

from archiver.extract.normalize import (
    clean_body, clean_text, content_hash, normalize_item, parse_date, parse_views,
    split_authors, split_credit_lines, word_count,
)


def test_clean_text_nfc_invisible_and_spaces():
    assert clean_text("Cafe\u0301\u00a0 \u200bsoft\u00adware\n") == "Café software"
    assert clean_text(" \u200b ") is None


def test_clean_body_one_blank_line_between_paragraphs():
    assert clean_body("One\n\n\n  two\r\nthree \n") == "One\n\ntwo\n\nthree"


@pytest.mark.parametrize("raw, views", [
    ("10,645 Views", 10645), ("1.2K views", 1200), ("3 Views", 3), ("no views", None), (None, None), (42, 42),
])
def test_views(raw, views):
    assert parse_views(raw) == views


@pytest.mark.parametrize("raw, names", [
    ("By A. Smith and B. Jones", ["A. Smith", "B. Jones"]),
    ("Alex Christoforou", ["Alex Christoforou"]),
    (["By Jane Doe", "jane doe", "John Roe"], ["Jane Doe", "John Roe"]),
    ("Von Roland Brockmann und Sebastian Drescher", ["Roland Brockmann", "Sebastian Drescher"]),
    ("A; B & C", ["A", "B", "C"]),
    ("https://example.org/author/x", []),
    (None, []),
])
def test_split_authors(raw, names):
    assert split_authors(raw) == names


def test_authored_by_for_gives_author_and_credit():
    body = "Authored by Eresh Omar Jamal for The Daily Star (Bangladesh):\n\nFirst paragraph."
    assert split_credit_lines(body) == ("First paragraph.", ["Eresh Omar Jamal"], "The Daily Star (Bangladesh)")


def test_authored_by_without_source():
    assert split_credit_lines("Authored by Stephen Lendman:\n\nText.") == ("Text.", ["Stephen Lendman"], None)


def test_via_line_is_credit():
    assert split_credit_lines("Via Zerohedge\n\nText.") == ("Text.", [], "Via Zerohedge")


def test_a_sentence_starting_with_via_stays_in_the_body():
    body = "First.\n\n" + "Via the new road, the trip takes an hour less than it did before the bridge opened." * 3
    assert split_credit_lines(body)[0] == body


@pytest.mark.parametrize("raw, zone, iso", [
    ("June 9, 2017", "Europe/London", "2017-06-09"),
    ("Published on June 9, 2017", "Europe/London", "2017-06-09"),
    ("June 9, 2017 10:30", "Europe/London", "2017-06-09T10:30:00+01:00"),
    ("2018-12-10", "Europe/London", "2018-12-10"),
    ("20181210", "Europe/London", "2018-12-10"),
    ("2018-12-09T10:12:44+00:00", "America/New_York", "2018-12-09T10:12:44+00:00"),
    ("2018-12-09T10:12:44Z", None, "2018-12-09T10:12:44+00:00"),
    ("2018-12-09 10:12", "Europe/Berlin", "2018-12-09T10:12:00+01:00"),
    ("2018-12-09", None, "2018-12-09"),
    ("June 9, 2017", None, "2017-06-09"),
    ("12.03.2020 10:00 CET", "Europe/Berlin", "2020-03-12T10:00:00+01:00"),
    ("not a date", "Europe/London", None),
    ("", None, None),
])
def test_parse_date(raw, zone, iso):
    assert parse_date(raw, zone) == iso


def test_word_count_and_hash():
    assert word_count("It’s a well-known fact.\n\n- Two words") == 6
    assert content_hash(None) is None
    assert content_hash("x") == "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"


def test_word_count_counts_what_the_word_pattern_matches():
    # word_count skips the regex for plain tokens; it must agree with running it everywhere.
    import random
    import re

    word = re.compile(r"\w[\w'’-]*")
    alphabet = "ab_-'’ .,;:!?\"()“”«»…/1é²日\u00ad\u200b—–\t\n\u00a0\u3000"
    rng = random.Random(3)
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert word_count(text) == len(word.findall(text)), repr(text)
    assert word_count("U.S. co-op — naïve 3.5% rock’n’roll --") == 7


def test_normalize_item_is_idempotent_and_fills_derived_fields():
    item = {
        "title": "  A\u00adtitle ", "authors": "By A and B", "views": "10,645 Views",
        "published_at": "June 9, 2017", "body": "Via Zerohedge\n\nOne  two.\n\n\nThree.",
        "links": ["/a", "https://x.org/b#frag", "javascript:void(0)", "/a"], "images": ["img.jpg"],
        "url": "https://site.org/post/", "canonical_url": "/post/", "tags": ["x", " x "],
    }
    once = normalize_item(item, tz="Europe/London")
    assert once["title"] == "Atitle"
    assert once["authors"] == ["A", "B"]
    assert once["views"] == 10645
    assert once["credit"] == "Via Zerohedge"
    assert once["body"] == "One two.\n\nThree."
    assert once["word_count"] == 3
    assert once["links"] == ["https://site.org/a", "https://x.org/b"]
    assert once["images"] == ["https://site.org/post/img.jpg"]
    assert once["canonical_url"] == "https://site.org/post/"
    assert once["tags"] == ["x"]
    assert once["published_at"] == "2017-06-09"
    assert normalize_item(once) == once
    assert normalize_item(once, tz="Europe/London") == once


def test_missing_body_has_no_hash_or_count():
    item = normalize_item({"body": None})
    assert item["content_hash"] is None and item["word_count"] is None



# What clean_text and clean_body did before they learnt to recognise text already in form.
def _clean_text_by_splitting(value):
    from archiver.extract.normalize import _nfc_visible

    return " ".join(_nfc_visible(value).split()) or None


def _clean_body_by_splitting(value):
    from archiver.extract.normalize import _nfc_visible

    lines = (" ".join(line.split()) for line in _nfc_visible(value).splitlines())
    return "\n\n".join(line for line in lines if line) or None


def test_only_the_space_is_printable_white_space():
    # The shortcuts trust str.isprintable to rule out every other white-space and line-break
    # character; this holds for all of Unicode in this Python.
    import sys

    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if char != " " and (char.isspace() or len(f"a{char}b".splitlines()) > 1):
            assert not char.isprintable(), hex(code)


def test_clean_text_and_body_shortcuts_agree_with_splitting():
    import random

    rng = random.Random(5)
    alphabet = "ab é日 \n\r\t\u00a0\u2028\u3000\u200b\u00ad\x0b\x1c\x85e\u0301"
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert clean_text(text) == _clean_text_by_splitting(text), repr(text)
        assert clean_body(text) == _clean_body_by_splitting(text), repr(text)
    # Text in normal form, most of it with one flaw added: the shortcuts must notice each.
    words = ["word", "é", "日本", "a-b", "x"]
    flaws = [" ", "\n", "\n\n", "  ", "\t", "\u00a0", "\u200b", "\r\n", "\n\n\n"]
    for _ in range(5000):
        paras = [" ".join(rng.choices(words, k=rng.randint(1, 4))) for _ in range(rng.randint(1, 4))]
        text = "\n\n".join(paras)
        if rng.random() < 0.7:
            at = rng.randint(0, len(text))
            text = text[:at] + rng.choice(flaws) + text[at:]
        assert clean_text(text) == _clean_text_by_splitting(text), repr(text)
        assert clean_body(text) == _clean_body_by_splitting(text), repr(text)


def test_clean_body_shortcut_on_every_fixture_body():
    from pathlib import Path

    from archiver.extract.article import parse_html
    from archiver.extract.profile import choose_profile

    site = Path(__file__).resolve().parent.parent / "archiver" / "demo" / "site"
    for page in sorted(site.glob("*.html")):
        tree = parse_html(page.read_text(encoding="utf-8"), plain=True)
        fields = choose_profile("127.0.0.1", tree).extract(tree)
        for name, value in fields.items():
            if name == "body":
                assert clean_body(value) == _clean_body_by_splitting(value)
            elif isinstance(value, str):
                assert clean_text(value) == _clean_text_by_splitting(value), name


def _absolute_url_by_joining(url, base):
    # absolute_url without its shortcut for plain absolute URLs.
    from urllib.parse import urljoin, urlsplit, urlunsplit

    if not url:
        return None
    url = url.strip()
    if url.startswith(("javascript:", "data:", "mailto:", "tel:", "#")):
        return None
    parts = urlsplit(urljoin(base or "", url))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return urlunsplit(parts._replace(fragment=""))


def test_absolute_url_shortcut_agrees_with_joining():
    import random

    from archiver.extract.normalize import _PLAIN_ABSOLUTE, absolute_url

    rng = random.Random(11)
    heads = ["http://", "https://"] * 4 + ["HTTP://", "http:/", "ftp://", "", "/", "//", " http://"]
    # Mostly characters a plain URL may hold, so that the shortcut is taken often.
    alphabet = "aZ09.-:/?=&%@~_+!$'()*," * 4 + "#;[] \t\né"
    bases = ["http://site.org/a/b", "https://site.org/", "", None]
    shortcut = 0
    for _ in range(30000):
        url = rng.choice(heads) + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        base = rng.choice(bases)
        try:
            want = _absolute_url_by_joining(url, base)
        except ValueError:  # bad IPv6 brackets; the shortcut must not accept these either
            assert not _PLAIN_ABSOLUTE.fullmatch(url.strip()), repr(url)
            continue
        assert absolute_url(url, base) == want, (url, base)
        shortcut += bool(_PLAIN_ABSOLUTE.fullmatch(url.strip()))
    assert shortcut > 500  # the shortcut itself was exercised
    for url in ("https://x.org/b?", "http://x.org/a;p", "http://x.org:/a", "http://x.org//a/../b?q=1?2"):
        assert absolute_url(url, "https://site.org/") == _absolute_url_by_joining(url, "https://site.org/")


def test_split_credit_lines_takes_only_a_leading_run():
    import random

    lines = ["Authored by A for B:", "Authored by C", "Via X", "Via the road " + "x" * 160, "Text.", "", "More text."]
    rng = random.Random(2)
    for _ in range(3000):
        body = "\n\n".join(rng.choice(lines) for _ in range(rng.randint(0, 6)))
        parts = [p for p in body.split("\n\n") if p]
        authors, credit, kept = [], None, []
        for index, para in enumerate(parts):  # the rule as first written
            if index < 3 and len(para) <= 160 and not kept:
                if para.lower().startswith("authored by"):
                    got = split_credit_lines(para)
                    authors, credit = got[1], credit or got[2]
                    continue
                if para.startswith("Via"):
                    credit = credit or para.rstrip(": ")
                    continue
            kept.append(para)
        assert split_credit_lines(body) == ("\n\n".join(kept) or None, authors, credit), repr(body)
