"""The archive folder: where WARCs, items and state live (see the contract)."""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_ARCHIVE = "output"


def default_archive() -> str:
    return os.environ.get("ARCHIVER_ARCHIVE") or DEFAULT_ARCHIVE


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

    def __repr__(self) -> str:
        return f"Archive({str(self.root)!r})"
