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
