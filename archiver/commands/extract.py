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
    with out if args.items else _nullcontext(out):
        for item in Rederiver(warn).items(files):
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
            count += 1
    print(f"archiver: {count} items from {len(files)} WARC files" + (f" ({len(warnings)} warnings)" if warnings else ""),
          file=sys.stderr)
    return 0


class _nullcontext:
    def __init__(self, obj):
        self.obj = obj

    def __enter__(self):
        return self.obj

    def __exit__(self, *exc):
        return False
