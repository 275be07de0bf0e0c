"""The archive folder: where WARCs, items and state live (see the contract)."""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_ARCHIVE = "output"


def default_archive() -> str:
    return os.environ.get("ARCHIVER_ARCHIVE") or DEFAULT_ARCHIVE


class ArchiveError(ValueError):
    """`--archive` names something no command can use (bad usage, exit 2); the message says what."""


def check_archive(path: str | os.PathLike, *, create: bool, option: str = "--archive") -> "Archive":
    """The one check every command's `--archive` goes through, before anything is read or created.

    A command that starts an archive (crawl, demo, worker) may create the folder and its missing
    parents; the others need it to exist and create nothing: a typo gets a message, not an empty
    archive."""
    root = Path(path)
    if root.exists() and not root.is_dir():
        raise ArchiveError(f"{option} {root} is a file, not a folder")
    if not root.exists():
        if not create:
            raise ArchiveError(f"{option} {root} does not exist (nothing was archived there; "
                               "`archiver crawl` or `archiver demo` makes one)")
        parent = root.parent
        while not parent.exists():
            parent = parent.parent
        if not parent.is_dir():
            raise ArchiveError(f"{option} {root} cannot be created: {parent} is a file, not a folder")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise ArchiveError(f"{option} {root} cannot be created: no permission to write in {parent}")
    elif create and not os.access(root, os.W_OK | os.X_OK):
        raise ArchiveError(f"{option} {root} is not writable")
    return Archive(root)


def first_missing(path: str | os.PathLike) -> Path | None:
    """The outermost folder of `path` that does not exist yet (None if `path` exists): what a
    command that creates `path` would create, and so what it may take back."""
    missing = None
    for folder in (Path(path), *Path(path).parents):
        if folder.exists():
            break
        missing = folder
    return missing


class Archive:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    @property
    def warcs(self) -> Path:
        return self.root / "warcs"

    @property
    def items(self) -> Path:
        return self.root / "items"

    @property
    def state_path(self) -> Path:
        return self.root / "state.sqlite3"

    @property
    def lock_path(self) -> Path:
        return self.root / "crawl.lock"

    def warc_files(self, include_open: bool = False) -> list[Path]:
        if not self.warcs.is_dir():
            return []
        files = sorted(self.warcs.glob("*.warc.gz"))
        if include_open:
            files += sorted(self.warcs.glob("*.warc.gz.open"))
        return files

    def new_items_path(self) -> Path:
        """A file of its own for one run's items: the run's start, host and process in its name."""
        from datetime import datetime, timezone

        from ..warc.naming import crawl_host

        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")
        return self.items / f"items-{stamp}-{crawl_host()}-{os.getpid()}.jsonl"

    def item_files(self) -> list[Path]:
        return sorted(self.items.glob("*.jsonl")) if self.items.is_dir() else []

    def state_files(self) -> list[Path]:
        """The SQLite state and its journal files."""
        return sorted(p for p in self.root.glob("state.sqlite3*") if p.is_file())

    def discard_unused(self, created: Path) -> bool:
        """Take back a folder this run created (`created`, the outermost one) when the run stored
        nothing in it: no WARC, no item. Only what an empty run leaves (the lock, an empty state,
        empty folders and item files) is removed; anything else keeps the folder. True if removed."""
        if any(p.stat().st_size for p in self.warc_files(include_open=True) + self.item_files()):
            return False
        leftovers = [*self.warc_files(include_open=True), *self.item_files(), *self.state_files(), self.lock_path]
        for path in leftovers:
            path.unlink(missing_ok=True)
        for folder in (self.warcs, self.items):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        folder = self.root
        while True:
            if not folder.is_dir() or any(folder.iterdir()):
                return False
            folder.rmdir()
            if folder == created or folder.parent == folder:
                return True
            folder = folder.parent

    def __repr__(self) -> str:
        return f"Archive({str(self.root)!r})"
