"""The tree shows the flow: Scrapy's components in archiver/crawler/, pure parts apart.

store/, derive/, warc/, extract/ and export/ import no Scrapy or Twisted, and nothing imports
back up: pure packages never import crawler/ or commands/, crawler/ never imports commands/.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "archiver"
PURE = ("store", "derive", "warc", "extract", "export")
FRAMEWORKS = ("scrapy", "twisted", "itemadapter")


def _imports(path: Path) -> set[str]:
    """Absolute names of every module `path` imports."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    package = package.removesuffix(".__init__")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


def _files(sub: str):
    return sorted((PACKAGE / sub).rglob("*.py"))


@pytest.mark.parametrize("sub", PURE)
def test_pure_packages_import_no_framework_and_nothing_above(sub):
    bad = {}
    for path in _files(sub):
        names = _imports(path)
        wrong = sorted(n for n in names if n.split(".")[0] in FRAMEWORKS
                       or n.startswith(("archiver.crawler", "archiver.commands", "archiver.cli")))
        if wrong:
            bad[str(path.relative_to(PACKAGE))] = wrong
    assert not bad, bad


def test_crawler_never_imports_the_command_line():
    bad = {str(p.relative_to(PACKAGE)): sorted(n for n in _imports(p) if n.startswith(("archiver.commands", "archiver.cli")))
           for p in _files("crawler")}
    assert not any(bad.values()), bad


def test_no_loose_modules_beyond_the_entry_points():
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert set(loose) <= {"__init__.py", "__main__.py", "cli.py", "keys.py", "page.py"}, loose


def test_every_scrapy_component_lives_in_crawler():
    outside = []
    for path in PACKAGE.rglob("*.py"):
        if "crawler" in path.relative_to(PACKAGE).parts or path.parent.name == "commands":
            continue
        if any(n.split(".")[0] in ("scrapy", "twisted") for n in _imports(path)):
            outside.append(str(path.relative_to(PACKAGE)))
    assert not outside, outside
