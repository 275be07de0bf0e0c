from __future__ import annotations

import json
import sys

from . import fail


def register(sub):
    p = sub.add_parser("extract", help="derive items from WARC files or folders, no network",
                       description="Derive article items from WARC files (ours or any other tool's) with the same "
                                   "code the crawl uses. Writes JSON Lines to stdout, or to --items FILE.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="WARC files or folders holding them")
    p.add_argument("--pending", action="store_true",
                   help="derive the archive's captures whose article was never derived (a crawl stopped early, "
                        "or run with ARCHIVER_DERIVE off), record their versions, and add their items to the "
                        "archive's items/ (or --items FILE)")
    p.add_argument("--items", metavar="FILE", help="write the items here instead of stdout")
    p.add_argument("--workers", type=int, metavar="N",
                   help="derive in N worker processes (default: one per core; 0: in this process)")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..derive.pool import DerivePool
    from ..derive.rederive import Rederiver, warc_files

    if args.pending:
        if args.paths:
            return fail("extract: --pending reads the archive's own WARCs; give no PATH with it", 2)
        return run_pending(args)
    if not args.paths:
        return fail("extract: give WARC files or folders, or --pending", 2)

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
    with out if args.items else _nullcontext(out), DerivePool(args.workers) as pool:
        for item in rederiver.items(files, pool):
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


def run_pending(args) -> int:
    from ..derive.pending import derive_pending
    from ..derive.pool import DerivePool
    from ..store.archive import Archive
    from ..store.schedule import Schedule

    archive = Archive(args.archive)
    if not archive.state_path.is_file():
        return fail(f"extract: no crawl state in {archive.root}", 2)
    target = args.items or archive.new_items_path()
    warnings = []

    def warn(message):
        warnings.append(message)
        print(f"archiver: warning: {message}", file=sys.stderr)

    count = 0
    path = None
    out = None
    with DerivePool(args.workers) as pool:
        for item in derive_pending(archive, pool, Schedule(), warn):
            if out is None:  # no empty items file when nothing was pending
                path = target
                if not args.items:
                    archive.items.mkdir(parents=True, exist_ok=True)
                out = open(path, "a", encoding="utf-8")
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
            count += 1
    if out is not None:
        out.close()
    print(f"archiver: {count} pending captures derived" + (f" into {path}" if count else "")
          + (f" ({len(warnings)} warnings)" if warnings else ""), file=sys.stderr)
    return 1 if warnings else 0


class _nullcontext:
    def __init__(self, obj):
        self.obj = obj

    def __enter__(self):
        return self.obj

    def __exit__(self, *exc):
        return False
