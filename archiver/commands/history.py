from __future__ import annotations

import json

from . import fail
from ..store.archive import Archive
from ..store.state import CrawlState
from ..store.versions import UnknownURL, history


def register(sub):
    p = sub.add_parser("history", help="an article's versions over time",
                       description="List the versions of an article: version, fetched_at, content_hash, title, "
                                   "and where its capture lies in the WARCs.")
    p.add_argument("url", metavar="URL", help="the URL as seeded (or the URL it ended at)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run, archive_use="existing")


def run(args) -> int:
    state = CrawlState.open_existing(Archive(args.archive).state_path)
    if state is None:
        return fail(f"no state in {args.archive}: nothing was crawled there")
    try:
        versions, known = history(state, args.url)
    except UnknownURL as exc:
        return fail(str(exc))
    finally:
        state.close()
    if args.format == "json":
        print(json.dumps([v.summary() for v in versions], indent=2, ensure_ascii=False))
        return 0
    for v in versions:
        warc = v.warc or {}
        print(f"{v.version:>3}  {v.fetched_at}  {(v.content_hash or '-')[:16]}  {v.title or '(no title)'}")
        print(f"     {warc.get('filename')}@{warc.get('offset')}")
    if known.gone_since:
        print(f"gone since {known.gone_since} (HTTP {known.last_status})")
    if not versions:
        print(f"no article version of {args.url} yet (last status {known.last_status})")
    return 0
