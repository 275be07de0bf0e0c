"""Lines of page furniture that extractors keep inside an article's text.

Each is a whole paragraph on its own: an appeal for money, a "Read more:" link to another
article, a photo credit, an invitation to subscribe or follow, a widget's label. All extractors
keep some, because a theme puts them inside the article's container, between its paragraphs,
where neither position nor link density gives them away. So they are recognised by what they
say, and only when they are short and say nothing else.

Measured on the development set (990 pages; `benchmarks/extraction.py`): dropping these after
the vote removed 35 of its 232 boilerplate snippets and not one article snippet. Words that are
also ordinary text are not here: "Werbung", "Anzeige" and "like this:" stood alone as table
cells and halves of sentences, and a bare "Lea:" or "Mire:" opens a line of an interview.
"""
from __future__ import annotations

import re

# Donation appeals and widget labels.
_APPEAL = re.compile(
    r"""^(?:
        (?:liked|enjoyed|like|love)\s+(?:it|this|this\s+(?:article|post|story))\s*\?
            .{0,120}\b(?:support|donat(?:e|ion)s?|patreon|patron)\b.{0,60}
      | (?:please\s+)?(?:support|donate\s+to)\s+.{1,60}\s+on\s+patreon\b.{0,40}
      | become\s+a\s+patron\b.{0,60}
      | support\s+(?:independent\s+\w+|our\s+(?:work|journalism|reporting)|us)
      | advertisement | continue\s+reading | click\s+to\s+comment | leave\s+a\s+(?:reply|comment)
      | share\s+this\s*:
    )\s*[.!:]?$""",
    re.IGNORECASE | re.VERBOSE,
)
_APPEAL_MAX = 200

# A label that sends the reader to another article: "Read more: <its headline>", "Lesen Sie
# auch:", "Lea también:", "À lire aussi »", "Czytaj też:". The label must be followed by a colon,
# a guillemet or a bar, or stand alone.
_READ_MORE = re.compile(
    r"""^\W{0,3}(?:
        (?:read|see)\s+(?:more|also) | related(?:\s+(?:articles?|stories|posts?|content))?
      | more\s+on\s+this(?:\s+story)? | also\s+read | recommended(?:\s+for\s+you)? | you\s+may\s+also\s+like
      | (?:lesen|lies|sehen)\s+sie\s+(?:auch|hier|mehr|dazu|weiter)(?:\s+(?:die\s+folgenden\s+)?(?:beiträge|artikel))?
      | lies\s+(?:auch|hier|mehr) | auch\s+(?:interessant|lesen) | mehr\s+(?:zum\s+thema|dazu|lesen)
      | weiterlesen | siehe\s+auch | (?:das\s+)?könnte\s+(?:sie|dich)\s+auch\s+interessieren | schon\s+gelesen
      | lea\s+(?:también|más|además) | lee\s+(?:también|más) | vea\s+también | (?:le|te)\s+puede\s+interesar
      | también\s+(?:le|te)\s+puede\s+interesar | puedes?\s+ver | ver\s+(?:también|más) | más\s+sobre
      | noticias?\s+relacionadas? | notas\s+relacionadas
      | (?:à|a)\s+lire\s+(?:aussi|également) | lire\s+(?:aussi|également) | (?:à\s+)?voir\s+aussi
      | leia\s+(?:também|mais) | veja\s+(?:também|mais)
      | (?:czytaj|zobacz)\s+(?:też|także|więcej|również) | dowiedz\s+się\s+więcej
      | leggi\s+anche | vedi\s+anche
    )\s*(?:[:»|>\-–—]|\.{3}|…|$)""",
    re.IGNORECASE | re.VERBOSE,
)
_READ_MORE_MAX = 300

# A photo credit: "Foto: X", "(Bild: X)", "© X", "Crédits photos : X".
_PHOTO_CREDIT = re.compile(
    r"""^[(\[]?\s*(?:
        © | \(c\) | copyright\b
      | (?:photo|photos|foto|fotos|picture|pictures|image|images|imagen|imagens|bild|bilder|titelbild
         |beitragsbild|bildquelle|fotoquelle|credit|credits|photo\s+credit|crédito|créditos|crédit
         |crédits(?:\s+photos?)?|photograph|zdjęcie|fot\.)\s*[:/]
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_PHOTO_CREDIT_WORDS = 20

# An invitation to subscribe, sign up, follow or download the app.
_CALL_TO_ACTION = re.compile(
    r"""(?:
        \bsubscribe\s+(?:now|today|to|for)\b | \bsign\s+up\b | \balready\s+a\s+subscriber\b
      | \bplease\s+subscribe\b | ^(?:\w+\s+){0,3}newsletter\b
      | \b(?:our|the|unseren?|zum|den)\s+(?:\w+[\s-])?newsletter\b
      | \bdownload\s+(?:the|our)\s+(?:\w+\s+){0,2}apps?\b | \bfollow\s+(?:us|the\s+\w+)\s+on\b
      | \b(?:jetzt|hier)\s+(?:abonnieren|anmelden)\b | \babonnieren\s+sie\b | \bfolgen\s+sie\s+uns\b
      | \bunterstütze\s+\w+
      | \bsuscr[ií]bete\b | \bs[ií]guenos\b | \b[uú]nete\b | \bcanal\s+de\s+(?:telegram|youtube|whatsapp)\b
      | \bje\s+m[’']abonne\b | \babonnez-vous\b | \binscrivez-vous\b
      | \bzaprenumeruj\b | \bobserwuj\s+nas\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_CALL_TO_ACTION_WORDS = 30

# The labels of sharing, comment and navigation widgets, alone on a line.
_WIDGET_LABEL = re.compile(
    r"""^(?:
        teilen(?:\s+mit)? | bewerten | wird\s+geladen | keine\s+kommentare | bild\s+anzeigen | merken | drucken
      | loading(?:\.\.\.|…)? | no\s+comments | share(?:\s+this(?:\s+(?:article|story|post))?)? | like\s+this
      | print | e-?mail
      | weitere\s+(?:themen|artikel|beiträge|nachrichten) | vorschau\s+auf\s+den\s+nächsten\s+artikel
      | más\s+noticias
    )\s*[:.!]?$""",
    re.IGNORECASE | re.VERBOSE,
)

# A label that ends the text ("Kontakt:", "Weitere Informationen:") introduces something that
# is not in it: a form, a list of links, an address block.
_TRAILING_LABEL_WORDS = 8


def is_appeal(paragraph: str) -> bool:
    return len(paragraph) <= _APPEAL_MAX and _APPEAL.match(paragraph) is not None


def is_furniture(paragraph: str) -> bool:
    """Whether a paragraph is one of the lines above, not article text."""
    line = paragraph.strip()
    if is_appeal(line) or _WIDGET_LABEL.match(line):
        return True
    if len(line) <= _READ_MORE_MAX and _READ_MORE.match(line):
        return True
    words = len(line.split())
    return ((words <= _PHOTO_CREDIT_WORDS and _PHOTO_CREDIT.match(line) is not None)
            or (words <= _CALL_TO_ACTION_WORDS and _CALL_TO_ACTION.search(line) is not None))


def without_furniture(paragraphs: list[str]) -> list[str]:
    """The paragraphs less furniture, and less the labels left dangling at the end."""
    kept = [p for p in paragraphs if not is_furniture(p)]
    while len(kept) > 1 and kept[-1].rstrip().endswith(":") and len(kept[-1].split()) <= _TRAILING_LABEL_WORDS:
        kept.pop()
    return kept
