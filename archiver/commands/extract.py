from __future__ import annotations

import json
import sys

from . import fail


def register(sub):
    p = sub.add_parser("extract", help="derive items from WARC files or folders, no network",
                       description="Derive article items from WARC files (ours or any other tool's) with the same "
                                   "code the crawl uses. Writes JSON Lines to stdout, or to --items FILE.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="WARC files or folders holding them")
    p.add_argument("--items", metavar="FILE", help="write the items here instead of stdout")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..derive.rederive import Rederiver, warc_files

    try:
        files = warc_files(args.paths)
    except FileNotFoundError as exc:
        return fail(f"extract: no such file or folder: {exc}", 2)
    if not files:
        return fail(f"extract: no WARC files in {', '.join(args.paths)}", 1)
    warnings = []

    def warn(message):
        warnings.append(message)
        print(f"archiver: warning: {message}", file=sys.stderr)

    try:
        out = open(args.items, "w", encoding="utf-8") if args.items else sys.stdout
    except OSError as exc:
        return fail(f"extract: cannot write {args.items}: {exc.strerror or exc}", 1)
    count = 0
    rederiver = Rederiver(warn)
    with out if args.items else _nullcontext(out):
        for item in rederiver.items(files):
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
            count += 1
    notes = [f"{len(warnings)} warnings"] if warnings else []
    if rederiver.failed:
        notes.append(f"{rederiver.failed} captures failed to derive")
    if rederiver.bad_files:
        notes.append(f"{len(rederiver.bad_files)} files not WARC or cut short")
    print(f"archiver: {count} items from {len(files)} WARC files" + (f" ({', '.join(notes)})" if notes else ""),
          file=sys.stderr)
    # A file that is no WARC, or ends early, means captures are missing: not a clean run.
    return 1 if rederiver.bad_files else 0


class _nullcontext:
    def __init__(self, obj):
        self.obj = obj

    def __enter__(self):
        return self.obj

    def __exit__(self, *exc):
        return False
