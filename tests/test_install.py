"""What a fresh install must give: every module imports, and every package the code imports is
declared in pyproject.toml itself, not left to arrive as somebody else's dependency."""
from __future__ import annotations

import ast
import importlib
import importlib.metadata
import pkgutil
import re
import sys
import tomllib
from pathlib import Path

import archiver

ROOT = Path(__file__).resolve().parent.parent
# Imported only where the running Python has them (zstd: 3.14's compression.zstd, or its backport).
OPTIONAL = {"compression", "backports"}


def _modules():
    # `archiver.__main__` runs the command line when imported: it is `python -m archiver`.
    return sorted(info.name for info in pkgutil.walk_packages(archiver.__path__, "archiver.")
                  if not info.name.endswith("__main__"))


def test_every_module_imports():
    failures = {}
    for name in _modules():
        try:
            importlib.import_module(name)
        except Exception as exc:  # the message is the point: name what a fresh install misses
            failures[name] = f"{type(exc).__name__}: {exc}"
    assert not failures, failures
    assert len(_modules()) > 40


def test_trafilatura_imports():
    # jusText imports lxml.html.clean, which pip 23 does not install through lxml's extra.
    import lxml_html_clean  # noqa: F401
    import trafilatura  # noqa: F401


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = project["dependencies"] + project["optional-dependencies"]["test"]
    return {re.split(r"[\s<>=!~\[;]", spec, maxsplit=1)[0].lower().replace("_", "-") for spec in names}


def _third_party_imports(folder: Path) -> set[str]:
    found = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    local = {p.stem for p in (ROOT / "tests").glob("*.py")} | {"archiver", "conftest"}
    return {m for m in found if m not in sys.stdlib_module_names and m not in local and m not in OPTIONAL}


def test_every_imported_package_is_declared():
    declared = _declared()
    providers = importlib.metadata.packages_distributions()
    missing = {}
    for module in sorted(_third_party_imports(ROOT / "archiver") | _third_party_imports(ROOT / "tests")):
        dists = {d.lower().replace("_", "-") for d in providers.get(module, [module])}
        if not dists & declared:
            missing[module] = sorted(dists)
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"
