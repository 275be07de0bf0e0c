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


@functools.lru_cache(maxsize=2048)
def compile_selector(selector: str) -> tuple[etree.XPath, str | None]:
    """A CSS selector (optionally ending in ::attr(name)) or an XPath, compiled once."""
    attribute = None
    match = _ATTR.search(selector)
    if match:
        attribute, selector = match.group(1), selector[: match.start()].strip()
    if selector.startswith(("/", "./", "(")):
        return etree.XPath(selector), attribute
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


def _select_all(root, selectors: list[str]) -> list:
    """Elements matching any of the selectors, in document order (parents first).

    Simple selectors are looked up by id, class or tag in one walk over the tree; lxml's XPath
    for a class test costs about a microsecond per element per selector, this far less.
    """
    by_id: dict[str, list] = {}
    by_class: dict[str, list] = {}
    by_tag: dict[str, list] = {}
    rest = []
    for selector in selectors:
        simple = simple_selector(selector)
        if simple is None:
            rest.append(selector)
        elif simple[1]:
            by_id.setdefault(simple[1], []).append(simple)
        elif simple[2]:
            by_class.setdefault(next(iter(simple[2])), []).append(simple)
        else:
            by_tag.setdefault(simple[0], []).append(simple)
    found = []
    if by_id or by_class or by_tag:
        for element in root.iter(etree.Element):
            candidates = by_tag.get(element.tag, [])
            id_ = element.get("id")
            if id_ and id_ in by_id:
                candidates = candidates + by_id[id_]
            classes = element.get("class")
            if classes and by_class:
                for name in classes.split():
                    if name in by_class:
                        candidates = candidates + by_class[name]
            if candidates and any(_matches(element, c) for c in candidates):
                found.append(element)
    if rest:
        found += _select(root, _union(rest))
    return found


def _select(root, selector: str) -> list:
    simple = simple_selector(selector)
    if simple:
        return [el for el in root.iter(simple[0] or etree.Element) if _matches(el, simple)]
    xpath, attribute = compile_selector(selector)
    found = xpath(root)
    if not isinstance(found, list):
        found = [found]
    if attribute:
        return [n.get(attribute) for n in found if hasattr(n, "get") and n.get(attribute)]
    return found


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

    def extract(self, tree) -> dict:
        """Field values by this profile's selectors, raw (normalisation comes later).

        Works on the tree in place: appended articles and boilerplate are removed from it.
        """
        # One pass over the page per list, rather than one per selector.
        for node in _select_all(tree, self.appended):
            remove(node)
        roots = _select(tree, self.fields["root"][0]) if "root" in self.fields else [tree]
        root = roots[0] if roots else tree
        for node in _select_all(root, self.boilerplate):
            remove(node)
        out: dict = {}
        for name, selectors in self.fields.items():
            if name == "root":
                continue
            for selector in selectors:
                found = _select(root, selector)
                if not found:
                    continue
                if name == "body":
                    out["body"] = "\n\n".join(paragraphs(found[0]))
                    out["links"] = found[0].xpath(".//a/@href")
                    out["body_images"] = found[0].xpath(".//img/@src")
                elif name in LIST_FIELDS:
                    out[name] = [t for t in map(_as_text, found) if t]
                else:
                    out[name] = _as_text(found[0])
                if out.get(name):
                    break
        return out


def _union(selectors: list[str]) -> str | None:
    """One XPath for a list of element selectors (CSS or XPath)."""
    parts = []
    for selector in selectors:
        if _ATTR.search(selector):
            raise ProfileError(f"{selector!r}: remove lists take elements, not attributes")
        parts.append(selector if selector.startswith(("/", "./", "(")) else HTMLTranslator().css_to_xpath(selector))
    return "(" + " | ".join(parts) + ")" if parts else None


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
    marked = [p for p in profiles if p.markers and p.matches_markers(tree)]
    return max(marked, key=lambda p: p.priority) if marked else None
