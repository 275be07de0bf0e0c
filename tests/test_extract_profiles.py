import pytest

from archiver.extract import extract_article
from archiver.extract.profile import ProfileError, Profile, _load, load_profiles

PAGE = b"""<html lang="de"><head><meta charset="utf-8"><meta property="article:published_time" content="2021-03-04T05:06:07+01:00"></head>
<body class="mysite"><div class="story"><h2 class="headline">Ein Titel</h2><span class="who">Von Anna Beispiel und Bert Muster</span>
<span class="hits">1.234 Aufrufe</span><span class="when">4. M\xc3\xa4rz 2021</span>
<div class="text"><p>Erster <b>Absatz</b> mit <a href="/x">einem Link</a> darin.</p><div class="ad">Anzeige</div><p>Zweiter Absatz.</p></div></div>
<div class="more"><div class="story"><h2 class="headline">Anderer Titel</h2><div class="text"><p>Fremder Text.</p></div></div></div>
</body></html>"""

PROFILE = """
name = "mysite"
markers = ["body.mysite"]
timezone = "Europe/Berlin"

[remove]
appended = [".more"]
boilerplate = [".ad"]

[fields]
root = ".story"
title = "h2.headline"
authors = ".who"
views = ".hits"
body = ".text"
"""


@pytest.fixture
def user_profiles(tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHIVER_PROFILES", str(tmp_path))
    _load.cache_clear()
    yield tmp_path
    _load.cache_clear()


def test_a_user_profile_is_a_small_data_file(user_profiles):
    (user_profiles / "mysite.toml").write_text(PROFILE, encoding="utf-8")
    item = extract_article("https://news.example.de/a", {"Content-Type": "text/html"}, PAGE)
    assert item["extractor"] == "profile:mysite"
    assert item["title"] == "Ein Titel"
    assert item["authors"] == ["Anna Beispiel", "Bert Muster"]
    assert item["views"] == 1234
    assert item["body"] == "Erster Absatz mit einem Link darin.\n\nZweiter Absatz."
    assert item["links"] == ["https://news.example.de/x"]
    # Not in the profile: taken from the page's own metadata.
    assert item["published_at"] == "2021-03-04T05:06:07+01:00"
    assert item["language"] == "de"
    assert "Fremder" not in item["body"]


def test_without_the_profile_the_generic_path_runs(user_profiles):
    item = extract_article("https://news.example.de/a", {"Content-Type": "text/html"}, PAGE)
    assert item["extractor"] == "generic"


def test_a_domain_beats_a_marker(user_profiles):
    (user_profiles / "mysite.toml").write_text(PROFILE, encoding="utf-8")
    (user_profiles / "bydomain.toml").write_text(PROFILE.replace('"mysite"', '"bydomain"', 1)
                                                 .replace('markers = ["body.mysite"]', 'domains = ["example.de"]'), encoding="utf-8")
    item = extract_article("https://news.example.de/a", {"Content-Type": "text/html"}, PAGE)
    assert item["extractor"] == "profile:bydomain"


def test_bad_profiles_are_named():
    with pytest.raises(ProfileError, match="unknown field"):
        Profile.from_dict({"name": "x", "fields": {"headline": "h1"}}, "x.toml")
    with pytest.raises(ProfileError, match="bad selector"):
        Profile.from_dict({"name": "x", "fields": {"title": "h1[["}}, "x.toml")
    with pytest.raises(ProfileError, match="extends unknown"):
        Profile.from_dict({"name": "x", "extends": "nope"}, "x.toml")


def test_bundled_profiles_load():
    names = {p.name for p in load_profiles()}
    assert {"zox-news", "theduran", "archiver-demo"} <= names
    duran = next(p for p in load_profiles() if p.name == "theduran")
    assert duran.timezone == "Europe/London"
    assert "#mvp-infinite-wrap" in duran.appended


INDEXED_PAGE = b"""<html><head><meta property="og:image" content="/i.png"></head><body>
<div id="main" class="story lead"><p class="x">one <a href="/a" rel="tag nofollow">A</a></p>
<div class="story"><p class="x y">two</p><span class="tags"><a rel="tag" href="/b">B</a></span></div></div>
<div class="more" id="more"><div class="story"><p class="x">three</p><a rel="tag" href="/c">C</a></div></div>
<p class="x" id="tail">four</p></body></html>"""

SELECTORS = [
    "#main", ".story", "div.story.lead", "p.x", ".x.y", "#more .x", ".story p", ".story a[rel~=tag]",
    ".tags a::attr(href)", "p.x, #more", "div > p", "//meta[@property='og:image']/@content",
    "[rel~=tag]::attr(href)", "#main.story", "#nope", ".nope p",
]


@pytest.mark.parametrize("selector", SELECTORS)
def test_the_page_index_selects_what_the_selector_means(selector):
    from lxml import etree

    from archiver.extract.profile import PageIndex, compile_selector, index_names

    def by_xpath(tree):
        xpath, attribute = compile_selector(selector)
        found = xpath(tree)
        return [e.get(attribute) for e in found if e.get(attribute)] if attribute else found

    tree = etree.fromstring(INDEXED_PAGE, etree.HTMLParser())
    index = PageIndex(tree, *index_names(SELECTORS))
    assert index.select(tree, selector) == by_xpath(tree)
    # The index is not rebuilt after a removal: what was removed must not come back.
    more = index.select(tree, "#more")[0]
    more.getparent().remove(more)
    assert index.select(tree, selector) == by_xpath(tree)
