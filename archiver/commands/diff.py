from __future__ import annotations

from . import fail
from ..store.archive import Archive
from ..store.state import CrawlState
from ..store.versions import UnknownURL, diff


def register(sub):
    p = sub.add_parser("diff", help="what changed between two versions of an article",
                       description="A unified diff of the body (a paragraph a line) and the fields that changed "
                                   "(title, authors, ...), between the last two versions unless --from/--to; "
                                   "says so if the article is gone.")
    p.add_argument("url", metavar="URL")
    p.add_argument("--from", dest="from_version", type=int, metavar="N", help="the older version (default: the one before --to)")
    p.add_argument("--to", dest="to_version", type=int, metavar="M", help="the newer version (default: the last)")
    p.set_defaults(run=run, archive_use="existing")


def run(args) -> int:
    state = CrawlState.open_existing(Archive(args.archive).state_path)
    if state is None:
        return fail(f"no state in {args.archive}: nothing was crawled there")
    try:
        lines = diff(state, args.url, args.from_version, args.to_version)
    except UnknownURL as exc:
        return fail(str(exc))
    finally:
        state.close()
    for line in lines:
        print(line)
    return 0
