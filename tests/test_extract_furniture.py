"""Page furniture kept out of a generic body, the standfirst rule of the vote, and the jusText
reader that walks the tree in place."""
import copy

import justext
import pytest
from lxml import etree
from trafilatura.baseline import basic_cleaning

from archiver.extract import ensemble
from archiver.extract import extract_article
from archiver.extract.article import parse_html
from archiver.extract.boilerplate import is_furniture, without_furniture
from site_fixture import article_html


@pytest.mark.parametrize("line", [
    "Read more: Looted colonial art: Germany to set up new contact office",
    "Lesen Sie auch:",
    "Auch interessant",
    "Le puede interesar: JEP abrirá tres nuevos macrocasos",
    "À lire aussi » Ballonnements, lourdeurs",
    "Czytaj też: Czy grozi nam wojna atomowa?",
    "(Bild: Dieter Stork)",
    "Foto: Matthias Kern/Bongarts/Getty Images",
    "© dpa | Kay Nietfeld",
    "(Credit: Clayton Aldern / Grist)",
    "Subscribe now to our eNATION edition for the full story.",
    "Never miss the latest news by signing up to our newsletter today!",
    "Follow The Gleaner on Twitter and Instagram @JamaicaGleaner.",
    "Zum Newsletter anmelden",
    "Teilen mit:",
    "Weitere Themen",
])
def test_furniture_is_recognised(line):
    assert is_furniture(line)


@pytest.mark.parametrize("line", [
    "Lea: Ich finde, wir sollten früher anfangen.",  # an interview, not "Lea también:"
    "Related parties must disclose the loans, the regulator said.",
    "Photographs of the meeting were never released, the court heard.",
    "The newspaper's subscribers fell by a third after the paywall went up, its owner said in a"
    " statement to shareholders on Monday, blaming the end of the print edition for most of it"
    " and the price rise for the rest.",  # long: a sentence about subscriptions, not an appeal
    "Wer sich auf Instagram, YouTube oder Twitch umsieht, findet eine Fülle an Informationen.",
    "Weitere Informationen folgen.",
])
def test_text_that_mentions_the_same_words_stays(line):
    assert not is_furniture(line)


def test_a_label_left_dangling_at_the_end_goes_but_one_in_the_text_stays():
    text = ["Mix the flour and the butter.", "Zutaten:", "Bake for an hour.", "Kontakt:"]
    assert without_furniture(text) == ["Mix the flour and the butter.", "Zutaten:", "Bake for an hour."]


def test_a_standfirst_that_leads_straight_into_the_text_is_its_lead():
    main = ["First paragraph of the story, long enough to count as one.",
            "Second paragraph of the story, long enough to count as one."]
    lead = "Short description of the story in one sentence."
    # Both voters keep the same text; resiliparse lists the standfirst right before it.
    resili = ["Headline", lead] + main
    assert ensemble.vote(main, main, resili, ("Headline",), lead) == [lead] + main
    # A byline between the two: it is the header's sub-title, not a paragraph of the body.
    resili = ["Headline", lead, "By Jane Doe, March 14, 2019"] + main
    assert ensemble.vote(main, main, resili, ("Headline",), lead) == main


def test_the_justext_reader_gives_what_justext_gives_on_a_cleaned_copy():
    tree = parse_html(article_html(3).decode("utf-8"))
    before = etree.tostring(tree)
    paragraphs = ensemble._make_paragraphs(tree, ensemble.cleaned_away(tree))
    assert etree.tostring(tree) == before  # the tree is read, never edited
    expected = justext.core.ParagraphMaker.make_paragraphs(basic_cleaning(copy.deepcopy(tree)))
    assert [(p.text, p.dom_path, p.chars_count_in_links, p.tags_count) for p in paragraphs] == \
        [(p.text, p.dom_path, p.chars_count_in_links, p.tags_count) for p in expected]
    assert ensemble.justext_paragraphs(tree)


def test_what_is_skipped_is_what_trafilaturas_cleaning_removes():
    page = """<html><body><div id="page"><aside>side</aside><div class="site-footer">f</div>
    <footer>f</footer><script>x</script><style>y</style><svg></svg><template>t</template>
    <div class="Cookie-Banner top">c</div><section id="onetrust-consent-sdk">o</section>
    <div id="footer-links" class="x">l</div><div class="cmplz-cookiebanner">z</div>
    <p class="note">kept</p><div id="main" class="content">kept too</div></div></body></html>"""
    tree = parse_html(page)
    assert ensemble.cleaned_away(tree) == set(ensemble.BASIC_CLEAN_XPATH(tree))
    assert len(ensemble.cleaned_away(tree)) == 11


PARAGRAPHS = [
    "The council approved the new budget on Tuesday after a debate that lasted well into the night.",
    "Members argued over the cost of road repairs, which rose by a third since the last spring.",
    "The mayor said the plan would keep every branch library open for at least another two years.",
    "Opposition members called the figures optimistic and asked for an independent review of them.",
    "A final vote on the detailed spending plan is expected at the next meeting of the full council.",
]


def test_a_page_without_a_profile_keeps_its_furniture_out_and_its_subtitle_apart():
    text = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2])
    text += '<p>Read more: <a href="/other/">Council tax to rise by five per cent next year</a></p>'
    text += "<p>(Photo: Jane Roe / Example Press)</p>"
    text += "".join(f"<p>{p}</p>" for p in PARAGRAPHS[2:])
    text += "<p>Sign up for our morning newsletter to get the news first.</p>"
    page = f"""<html><head><title>Council passes budget</title>
    <meta property="og:description" content="Road repairs cost a third more than planned.">
    </head><body><nav><a href="/">Home</a> <a href="/news/">News</a></nav>
    <article><header><h1>Council passes budget</h1>
    <p class="standfirst">Road repairs cost a third more than planned.</p>
    <div class="byline">By John Smith, 3 March 2021</div></header>
    <div class="entry-content">{text}</div></article>
    <footer>Copyright Example News</footer></body></html>""".encode()
    item = extract_article("http://news.example.org/2021/03/budget/", {"Content-Type": "text/html"}, page)
    assert item["extractor"] == "generic"
    assert item["body"].split("\n\n") == PARAGRAPHS
    assert item["subtitle"] == "Road repairs cost a third more than planned."
