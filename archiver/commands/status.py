from __future__ import annotations

import json

from ..store.archive import Archive
from ..crawler.progress import human_bytes
from ..store.state import CrawlState


def register(sub):
    p = sub.add_parser("status", help="what is archived, due, failing",
                       description="URLs known, due now, gone, failing; versions seen; archive size.")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run)


def archive_status(archive: Archive) -> dict:
    state = CrawlState.open_existing(archive.state_path)
    summary = {"urls": 0, "due_now": 0, "gone": 0, "failing": 0, "versions": 0, "changed_urls": 0, "next_due": None,
               "pending": 0}
    if state is not None:
        try:
            summary = state.summary()
        finally:
            state.close()
    files = archive.warc_files(include_open=True) + archive.item_files()
    files += [p for p in archive.root.glob("state.sqlite3*") if p.is_file()]
    summary["warc_files"] = len(archive.warc_files())
    summary["archive_bytes"] = sum(p.stat().st_size for p in files)
    summary["archive"] = str(archive.root)
    return summary


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
    print(f"size:      {human_bytes(status['archive_bytes'])} ({status['warc_files']} WARC files)")
    return 0
