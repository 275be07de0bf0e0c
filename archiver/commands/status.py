from __future__ import annotations

import json

from ..store.archive import Archive
from ..crawler.progress import human_bytes
from ..store.state import CrawlState


def register(sub):
    p = sub.add_parser("status", help="what is archived, due, failing",
                       description="URLs known, due now, gone, failing; versions seen; the size of the WARCs, the items and the state.")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run, archive_use="existing")


def archive_status(archive: Archive) -> dict:
    state = CrawlState.open_existing(archive.state_path)
    summary = {"urls": 0, "due_now": 0, "gone": 0, "failing": 0, "versions": 0, "changed_urls": 0, "next_due": None,
               "pending": 0}
    if state is not None:
        try:
            summary = state.summary()
        finally:
            state.close()
    # Each part named apart: the crawl summary's "WARC:" counts the WARCs alone, and a size that
    # silently added items and state to it (2.5 times as much on the demo) read as a contradiction.
    warcs, open_warcs = archive.warc_files(), archive.warc_files(include_open=True)
    items, state_files = archive.item_files(), archive.state_files()
    size = lambda paths: sum(p.stat().st_size for p in paths)  # noqa: E731
    summary["warc_files"] = len(warcs)
    summary["open_warc_files"] = len(open_warcs) - len(warcs)
    summary["warc_bytes"] = size(open_warcs)
    summary["item_files"] = len(items)
    summary["item_bytes"] = size(items)
    summary["state_bytes"] = size(state_files)
    summary["archive_bytes"] = summary["warc_bytes"] + summary["item_bytes"] + summary["state_bytes"]
    summary["archive"] = str(archive.root)
    return summary


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def run(args) -> int:
    from ..store.schedule import iso_utc

    status = archive_status(Archive(args.archive))
    if status["next_due"] is not None:
        status["next_due"] = iso_utc(status["next_due"])
    if args.format == "json":
        print(json.dumps(status, indent=2))
        return 0
    print(f"archive:   {status['archive']}")
    print(f"URLs:      {status['urls']} known, {status['due_now']} due now (next due {status['next_due'] or '-'})")
    print(f"gone:      {status['gone']}")
    print(f"failing:   {status['failing']}")
    print(f"versions:  {status['versions']} seen ({status['changed_urls']} URLs changed at least once)")
    if status.get("pending"):
        print(f"pending:   {status['pending']} captures not derived yet (`archiver extract --pending`)")
    being_written = f", {status['open_warc_files']} being written" if status["open_warc_files"] else ""
    print(f"WARCs:     {human_bytes(status['warc_bytes'])} in {plural(status['warc_files'], 'file')}{being_written}")
    print(f"items:     {human_bytes(status['item_bytes'])} in {plural(status['item_files'], 'file')}")
    print(f"state:     {human_bytes(status['state_bytes'])}")
    print(f"in all:    {human_bytes(status['archive_bytes'])}")
    return 0
