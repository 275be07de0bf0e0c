"""Site profiles: declarative extraction rules for one site or theme, kept in TOML files.

Bundled profiles live in `profiles/`; users add their own in the folder named by the
ARCHIVER_PROFILES environment variable (several folders separated by os.pathsep). The format
is described in `profiles/README.md`.
"""
from __future__ import annotations

import functools
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from cssselect import HTMLTranslator, SelectorError
from lxml import etree

from .text import inline_text, paragraphs, remove

BUNDLED = Path(__file__).with_name("profiles")
FIELDS = (
    "root title subtitle authors published_at modified_at section tags views credit body "
    "images language canonical_url"
).split()
LIST_FIELDS = frozenset({"authors", "tags", "images"})
_ATTR = re.compile(r"::attr\(\s*([\w:-]+)\s*\)\s*$")


class ProfileError(ValueError):
    """A profile file that cannot be used; the message names the file and the problem."""


# '//meta[@property='x']' costs libxml2 a node set per level of the page; '/descendant::meta[...]'
# selects the same elements in a third of the time. Only when the first step's predicates test
# attributes, never a position (//p[1] is each parent's first p, not the page's).
_LEADING_ANY_DEPTH = re.compile(r"^//(?=(?:[\w:-]+|\*)(?:\[@[\w:-]+(?:\s*=\s*(?:'[^']*'|\"[^\"]*\"))?\])*(?:/|$))")


@functools.lru_cache(maxsize=2048)
def compile_selector(selector: str) -> tuple[etree.XPath, str | None]:
    """A CSS selector (optionally ending in ::attr(name)) or an XPath, compiled once."""
    attribute = None
    match = _ATTR.search(selector)
    if match:
        attribute, selector = match.group(1), selector[: match.start()].strip()
    if selector.startswith(("/", "./", "(")):
        return etree.XPath(_LEADING_ANY_DEPTH.sub("/descendant::", selector)), attribute
    try:
        return etree.XPath(HTMLTranslator().css_to_xpath(selector)), attribute
    except SelectorError as exc:
        raise ProfileError(f"bad selector {selector!r}: {exc}") from exc


_SIMPLE = re.compile(r"^(?P<tag>[a-zA-Z][\w-]*)?(?P<rest>(?:[.#][\w-]+)*)$")


@functools.lru_cache(maxsize=2048)
def simple_selector(selector: str) -> tuple[str | None, str | None, frozenset[str]] | None:
    """(tag, id, classes) for selectors like 'div#main.post', which Python matches faster than
    lxml evaluates cssselect's translation (that one normalises every class attribute)."""
    match = _SIMPLE.match(selector.strip())
    if not match or not (match.group("tag") or match.group("rest")):
        return None
    parts = re.findall(r"([.#])([\w-]+)", match.group("rest"))
    ids = [name for mark, name in parts if mark == "#"]
    if len(ids) > 1:
        return None
    tag = match.group("tag")
    return (tag.lower() if tag else None, ids[0] if ids else None,
            frozenset(name for mark, name in parts if mark == "."))


def _matches(element, simple) -> bool:
    tag, id_, classes = simple
    if tag and element.tag != tag:
        return False
    if id_ and element.get("id") != id_:
        return False
    return not classes or classes <= set((element.get("class") or "").split())


def _inside(element, scope) -> bool:
    """Whether `element` is `scope` or still hangs below it (not in a removed subtree)."""
    while element is not None:
        if element is scope:
            return True
        element = element.getparent()
    return False


def _select(root, selector: str) -> list:
    """Matches of one selector under `root`, in document order, without an index."""
    simple = simple_selector(selector)
    if simple:
        return [el for el in root.iter(simple[0] or etree.Element) if _matches(el, simple)]
    return _evaluate(root, *compile_selector(selector))


def _evaluate(root, xpath, attribute: str | None) -> list:
    found = xpath(root)
    if not isinstance(found, list):
        found = [found]
    if attribute:
        return [n.get(attribute) for n in found if hasattr(n, "get") and n.get(attribute)]
    return found


def _index_key(simple) -> tuple[str, str] | None:
    """How an indexed lookup finds a simple selector's candidates: by its id, else a class."""
    tag, id_, classes = simple
    if id_:
        return ("#", id_)
    if classes:
        return (".", min(classes))
    return None


def _top_level_split(selector: str) -> tuple[str, str] | None:
    """'HEAD REST' split at the first descendant combinator outside brackets and quotes; None
    for a group ('a b, c'), whose second member is not below the first's head."""
    depth, quote, split = 0, None, None
    for i, ch in enumerate(selector):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == "," and not depth:
            return None
        elif ch.isspace() and not depth and split is None:
            split = i
    return (selector[:split], selector[split:].strip()) if split is not None else None


@functools.lru_cache(maxsize=2048)
def plan_selector(selector: str):
    """How `PageIndex.select` evaluates a selector, decided once per selector string.

    ("simple", parts, attribute): looked up in the index; ("scoped", head parts, (xpath, attr)):
    the head looked up in the index, the rest evaluated below it; ("xpath", None, (xpath, attr)).
    """
    attribute = None
    match = _ATTR.search(selector)
    css = selector
    if match:
        attribute, css = match.group(1), selector[: match.start()].strip()
    if not css.startswith(("/", "./", "(")):
        simple = simple_selector(css)
        if simple:
            return ("simple", simple, attribute)
        split = _top_level_split(css)
        if split:
            head, rest = split
            head_simple = simple_selector(head)
            if head_simple and _index_key(head_simple) and not rest.startswith((">", "+", "~")):
                try:
                    xpath = etree.XPath(HTMLTranslator().css_to_xpath(rest, prefix="descendant::"))
                except SelectorError:
                    xpath = None
                if xpath is not None:
                    return ("scoped", head_simple, (xpath, attribute))
    return ("xpath", None, compile_selector(selector))


def index_names(selectors) -> tuple[frozenset[str], frozenset[str]]:
    classes, ids = set(), set()
    for selector in selectors:
        kind, simple, _ = plan_selector(selector)
        key = _index_key(simple) if simple else None
        if key:
            (ids if key[0] == "#" else classes).add(key[1])
    return frozenset(classes), frozenset(ids)


_CLASS_VALUES = etree.XPath("/descendant::*/@class")
# Compiled once, and plain strings: a "smart" string keeps a proxy of its element, which costs
# more than the look-up itself and is never used for these URLs.
_BODY_LINKS = etree.XPath(".//a/@href", smart_strings=False)
_BODY_IMAGES = etree.XPath(".//img/@src", smart_strings=False)
_ID_VALUES = etree.XPath("/descendant::*/@id")


class PageIndex:
    """The elements carrying the classes and ids a profile names.

    lxml evaluates a class test in XPath at about a microsecond per element per selector, and a
    Python walk calling .get() on every element costs twice what reading all the attribute
    values at once does; so one read of every id, and one of every class, serves every selector
    of the profile. The classes are read when first asked for, so that containers removed by id
    before then (appended articles: half of a seed-shaped page) are not read at all. Removing
    elements does not rebuild the index: lookups keep only elements still below their scope.
    """

    def __init__(self, tree, classes: frozenset[str], ids: frozenset[str]):
        self.tree = tree
        self.classes = classes
        self.found: dict[tuple[str, str], list] = {}
        if ids:
            for value in _ID_VALUES(tree):
                if value in ids:
                    self.found.setdefault(("#", str(value)), []).append(value.getparent())
        self._classes_read = not classes

    def _read_classes(self) -> None:
        self._classes_read = True
        found, classes = self.found, self.classes
        for value in _CLASS_VALUES(self.tree):
            names = value.split()
            if classes.isdisjoint(names):
                continue
            element = value.getparent()
            for name in names:
                if name in classes:
                    bucket = found.setdefault((".", name), [])
                    if not bucket or bucket[-1] is not element:
                        bucket.append(element)

    def _simple(self, scope, simple) -> list:
        key = _index_key(simple)
        if key is None:
            return [el for el in scope.iter(simple[0] or etree.Element) if _matches(el, simple)]
        if key[0] == "." and not self._classes_read:
            self._read_classes()
        return [el for el in self.found.get(key, ()) if _matches(el, simple) and _inside(el, scope)]

    def select(self, scope, selector: str) -> list:
        kind, simple, compiled = plan_selector(selector)
        if kind == "simple":
            found = self._simple(scope, simple)
            return [n.get(compiled) for n in found if n.get(compiled)] if compiled else found
        if kind == "scoped":
            heads = self._simple(scope, simple)
            # Nested heads could interleave their matches out of document order.
            if len(heads) <= 1:
                return [n for head in heads for n in _evaluate(head, *compiled)]
            compiled = compile_selector(selector)
        return _evaluate(scope, *compiled)

    def select_all(self, scope, selectors: list[str]) -> list:
        """Matches of any of the selectors (for removal lists: order does not matter)."""
        return [el for selector in selectors for el in self.select(scope, selector)]


def _as_text(node) -> str | None:
    if isinstance(node, str):
        return node.strip() or None
    return inline_text(node) or None


@dataclass
class Profile:
    name: str
    domains: list[str] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)
    priority: int = 0
    timezone: str | None = None
    language: str | None = None
    appended: list[str] = field(default_factory=list)
    boilerplate: list[str] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)
    path: str | None = None

    @classmethod
    def from_dict(cls, data: dict, path: str | None = None, parents: dict[str, "Profile"] | None = None) -> "Profile":
        if not data.get("name"):
            raise ProfileError(f"{path}: a profile needs a name")
        base = None
        if data.get("extends"):
            base = (parents or {}).get(data["extends"])
            if base is None:
                raise ProfileError(f"{path}: extends unknown profile {data['extends']!r}")
        removal = data.get("remove", {})
        fields = dict(base.fields) if base else {}
        for key, value in data.get("fields", {}).items():
            if key not in FIELDS:
                raise ProfileError(f"{path}: unknown field {key!r} (known: {', '.join(FIELDS)})")
            fields[key] = [value] if isinstance(value, str) else list(value)
        profile = cls(
            name=data["name"],
            domains=[d.lower().lstrip(".") for d in data.get("domains", [])],
            markers=list(data.get("markers", [])),
            priority=int(data.get("priority", 0)),
            timezone=data.get("timezone", base.timezone if base else None),
            language=data.get("language", base.language if base else None),
            # A derived profile adds to what its base removes: themes share their boilerplate.
            appended=(base.appended if base else []) + list(removal.get("appended", [])),
            boilerplate=(base.boilerplate if base else []) + list(removal.get("boilerplate", [])),
            fields=fields,
            path=path,
        )
        for selector in profile.markers + profile.appended + profile.boilerplate + [s for v in fields.values() for s in v]:
            compile_selector(selector)
        for selector in profile.appended + profile.boilerplate:
            if _ATTR.search(selector):
                raise ProfileError(f"{path}: {selector!r}: remove lists take elements, not attributes")
        return profile

    def matches_domain(self, host: str) -> int:
        """Length of the matching domain (longer is more specific), 0 when none matches."""
        host = host.lower().split(":")[0]
        for domain in self.domains:
            if host == domain or host.endswith("." + domain):
                return len(domain)
        return 0

    def matches_markers(self, tree) -> bool:
        return any(_select(tree, marker) for marker in self.markers)

    @functools.cached_property
    def _index_names(self) -> tuple[frozenset[str], frozenset[str]]:
        return index_names(self.appended + self.boilerplate + [s for v in self.fields.values() for s in v])

    @functools.cached_property
    def _appended_by_id_first(self) -> list[str]:
        # Containers named by id go first: the class index is then read without them.
        def by_id(selector: str) -> bool:
            kind, simple, _ = plan_selector(selector)
            return kind == "simple" and simple[1] is not None
        return sorted(self.appended, key=lambda s: not by_id(s))

    def extract(self, tree) -> dict:
        """Field values by this profile's selectors, raw (normalisation comes later).

        Works on the tree in place: appended articles and boilerplate are removed from it.
        """
        index = PageIndex(tree, *self._index_names)
        for selector in self._appended_by_id_first:
            for node in index.select(tree, selector):
                remove(node)
        roots = index.select(tree, self.fields["root"][0]) if "root" in self.fields else [tree]
        root = roots[0] if roots else tree
        for node in index.select_all(root, self.boilerplate):
            remove(node)
        out: dict = {}
        for name, selectors in self.fields.items():
            if name == "root":
                continue
            for selector in selectors:
                found = index.select(root, selector)
                if not found:
                    continue
                if name == "body":
                    out["body"] = "\n\n".join(paragraphs(found[0]))
                    out["links"] = _BODY_LINKS(found[0])
                    out["body_images"] = _BODY_IMAGES(found[0])
                elif name in LIST_FIELDS:
                    out[name] = [t for t in map(_as_text, found) if t]
                else:
                    out[name] = _as_text(found[0])
                if out.get(name):
                    break
        return out


def _profile_files(extra: str | None) -> list[Path]:
    folders = [Path(p) for p in (extra or "").split(os.pathsep) if p]
    files: list[Path] = []
    # User folders first, so a user's profile of the same name replaces a bundled one.
    for folder in folders:
        files += sorted(folder.glob("*.toml"))
    files += sorted(BUNDLED.glob("*.toml"))
    return files


@functools.lru_cache(maxsize=8)
def _load(extra: str | None) -> tuple[Profile, ...]:
    raw: dict[str, tuple[dict, str]] = {}
    for path in _profile_files(extra):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ProfileError(f"{path}: {exc}") from exc
        raw.setdefault(data.get("name", path.stem), (data, str(path)))
    loaded: dict[str, Profile] = {}

    def build(name: str, seen: tuple[str, ...] = ()) -> Profile:
        if name in loaded:
            return loaded[name]
        if name in seen:
            raise ProfileError(f"profiles extend each other in a loop: {' -> '.join(seen + (name,))}")
        data, path = raw[name]
        parent = data.get("extends")
        if parent in raw:
            build(parent, seen + (name,))
        loaded[name] = Profile.from_dict({"name": name, **data}, path, loaded)
        return loaded[name]

    for name in raw:
        build(name)
    return tuple(loaded.values())


def load_profiles() -> tuple[Profile, ...]:
    return _load(os.environ.get("ARCHIVER_PROFILES"))


def choose_profile(host: str, tree, profiles: tuple[Profile, ...] | None = None) -> Profile | None:
    """The profile for a page: by domain first (most specific wins), then by markers (priority)."""
    profiles = load_profiles() if profiles is None else profiles
    by_domain = [(p.matches_domain(host), p.priority, p) for p in profiles]
    by_domain = [entry for entry in by_domain if entry[0]]
    if by_domain:
        return max(by_domain, key=lambda e: (e[0], e[1]))[2]
    # Highest priority first (ties in load order), so the first profile whose markers match wins
    # and the others' markers need not be looked for.
    for profile in sorted(profiles, key=lambda p: -p.priority):
        if profile.markers and profile.matches_markers(tree):
            return profile
    return None
