"""The closed WARCs and item files of one or more archive folders, as one export reads them.

Archives written by several machines are exported together; a WARC is named by its file name
in the CDXJ `filename` field and inside a WACZ, so two different files of one name cannot mix.
`.warc.gz.open` files are still being written and are never exported.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..store.archive import Archive
from . import ExportError


@dataclass
class Sources:
    archives: list[Archive]
    warcs: list[Path] = field(default_factory=list)
    items: list[Path] = field(default_factory=list)

    @property
    def names(self) -> str:
        return ", ".join(str(a.root) for a in self.archives)


def collect_sources(folders: list[str | os.PathLike]) -> Sources:
    archives: list[Archive] = []
    seen_roots: set[Path] = set()
    for folder in folders:
        root = Path(folder)
        if not root.exists():
            raise ExportError(f"archive folder {root} does not exist")
        if not root.is_dir():
            raise ExportError(f"archive folder {root} is not a folder")
        resolved = root.resolve()
        # The same folder given twice (--archive and --from) is one archive, not two.
        if resolved in seen_roots:
            continue
        seen_roots.add(resolved)
        archives.append(Archive(root))

    sources = Sources(archives)
    by_name: dict[str, Path] = {}
    for archive in archives:
        for path in archive.warc_files():
            other = by_name.get(path.name)
            if other is not None:
                if _same_file(path, other):
                    continue
                raise ExportError(f"two different WARC files share the name {path.name}: {other} and {path}")
            by_name[path.name] = path
            sources.warcs.append(path)
        sources.items.extend(archive.item_files())
    return sources


def _same_file(a: Path, b: Path) -> bool:
    # A WARC copied between machines' folders is the same capture; same size and bytes means same file.
    if a.stat().st_size != b.stat().st_size:
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            chunk_a, chunk_b = fa.read(1 << 20), fb.read(1 << 20)
            if chunk_a != chunk_b:
                return False
            if not chunk_a:
                return True
