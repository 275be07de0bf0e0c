"""`archiver export`: package one or more archive folders as WACZ, CDXJ, JSON Lines or CSV."""
from __future__ import annotations

import argparse
import sys

from . import fail
from ..export import ExportError
from ..export.select import ItemSelector, Selection, normalize_domain, parse_date
from ..export.sources import collect_sources
from ..export.target import Target, check_target, remove_leftovers, scratch_space
from ..store.archive import ArchiveError, check_archive

FORMATS = ("wacz", "cdxj", "jsonl", "csv")


def _date(end: bool):
    def parse(text: str) -> str:
        try:
            return parse_date(text, end=end)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return parse


def _domain(text: str) -> str:
    try:
        return normalize_domain(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(sub):
    p = sub.add_parser(
        "export", help="package the archive as WACZ, CDXJ, JSON Lines or CSV",
        description="Package the archive for other tools: a WACZ for replay (ReplayWeb.page, pywb), "
                    "a CDXJ index of its WARCs, or its items as JSON Lines or CSV. "
                    "WARCs still being written (.open) are left out; a corrupt WARC is named and skipped.",
        epilog="CSV flattens lists (authors, tags, links, images) by joining them with '; ' and splits "
               "warc into warc_filename, warc_record_id, warc_offset. Dates are UTC unless an offset is given.",
    )
    p.add_argument("--format", required=True, choices=FORMATS, help="what to write")
    p.add_argument("--to", required=True, metavar="PATH",
                   help="the file to write (- for standard output, except wacz); replaced only when the export succeeds")
    p.add_argument("--from", dest="sources", action="append", default=[], metavar="DIR",
                   help="an archive folder to read (repeatable, for archives written by several machines; "
                        "default: --archive)")
    p.add_argument("--since", type=_date(end=False), metavar="DATE",
                   help="only captures fetched at or after DATE (YYYY-MM-DD or ISO 8601 date-time)")
    p.add_argument("--until", type=_date(end=True), metavar="DATE",
                   help="only captures fetched at or before DATE (a bare date includes that whole day)")
    p.add_argument("--domain", type=_domain, metavar="D", help="only URLs on host D or its subdomains")
    p.add_argument("--without-originals", dest="with_originals", action="store_false",
                   help="with --since/--until/--domain: leave out the earlier captures that selected revisits "
                        "refer to (smaller, but those unchanged pages then do not replay, and verify says so)")
    p.add_argument("--all-versions", action="store_true",
                   help="every version of each URL (jsonl, csv and the WACZ page list); default: the latest")
    p.add_argument("--csv-raw", action="store_true",
                   help="write CSV cells as they are; by default a cell starting with =, +, -, @, a tab or a "
                        "carriage return gets a leading ' so that spreadsheets do not run it as a formula")
    p.set_defaults(run=run, archive_use=lambda args: None if args.sources else "existing")


def run(args) -> int:
    if args.since and args.until and args.since > args.until:
        return fail("export: --since is after --until; nothing could match", 2)
    if args.to == "-" and args.format == "wacz":
        return fail("export: a WACZ is a zip file and cannot go to standard output; give a file with --to", 2)
    for folder in args.sources:
        try:
            check_archive(folder, create=False, option="--from")
        except ArchiveError as exc:
            return fail(str(exc), 2)
    selection = Selection(since=args.since, until=args.until, domain=args.domain, all_versions=args.all_versions,
                          with_originals=args.with_originals)
    warnings: list[str] = []

    def warn(message: str) -> None:
        warnings.append(message)
        print(f"archiver: warning: {message}", file=sys.stderr)

    try:
        sources = collect_sources(args.sources or [args.archive])
        check_target(args.to, sources)
        _require_input(sources, args.format)
        for path in remove_leftovers(args.to):
            print(f"archiver: removed {path}, left by an export that was killed", file=sys.stderr)
        with scratch_space(), Target(args.to, binary=args.format == "wacz") as out:
            summary = _export(args.format, sources, out, selection, warn, raw_csv=args.csv_raw)
    except ExportError as exc:
        return fail(f"export: {exc}", getattr(exc, "exit_code", 1))
    where = "standard output" if args.to == "-" else args.to
    print(f"archiver: exported {summary} to {where}" + (f" ({len(warnings)} warning(s) above)" if warnings else ""),
          file=sys.stderr)
    return 0


def _require_input(sources, fmt: str) -> None:
    if fmt in ("wacz", "cdxj") and not sources.warcs:
        raise ExportError(f"no closed WARC files (warcs/*.warc.gz) in {sources.names}; nothing to export")
    if fmt in ("jsonl", "csv") and not sources.items:
        raise ExportError(f"no item files (items/*.jsonl) in {sources.names}; nothing to export")


def _export(fmt: str, sources, out, selection: Selection, warn, raw_csv: bool = False) -> str:
    if fmt == "wacz":
        from ..export.wacz import write_wacz

        report = write_wacz(sources, out, selection, warn)
        carried = f" ({report.originals} of them earlier captures that revisits refer to)" if report.originals else ""
        return f"{report.records} records{carried} from {report.warcs} WARC file(s) and {report.pages} page(s) as WACZ"
    if fmt == "cdxj":
        from ..export.cdxj import write_cdxj

        report = write_cdxj(sources.warcs, out, selection)
        for line in report.warnings:
            warn(line)
        if report.files_skipped == len(sources.warcs):
            raise ExportError(f"no WARC file in {sources.names} could be read")
        carried = f" ({report.originals} of them earlier captures that revisits refer to)" if report.originals else ""
        return f"{report.lines} CDXJ lines{carried}"
    from ..export.tables import write_csv, write_jsonl

    items = ItemSelector(sources.items, selection, warn)
    count = write_jsonl(items, out) if fmt == "jsonl" else write_csv(items, out, raw=raw_csv)
    versions = "every version" if selection.all_versions else "latest version per URL"
    return f"{count} items ({versions}) as {fmt.upper() if fmt == 'csv' else 'JSON Lines'}"
