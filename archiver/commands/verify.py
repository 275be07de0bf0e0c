from __future__ import annotations

from pathlib import Path

from . import fail
from ..store.archive import Archive


def register(sub):
    p = sub.add_parser("verify", help="check every record's digests and structure",
                       description="Re-read WARC (and WACZ) files and check digests, pairing and warcinfo. "
                                   "Exits 1 if any problem is found.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="WARC/WACZ files or folders (default: the archive's warcs/)")
    p.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    p.set_defaults(run=run, archive_use=lambda args: None if args.paths else "existing")


def _expand(paths: list[str]) -> list[Path]:
    files = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.name.endswith((".warc.gz", ".warc", ".wacz")))
        elif path.exists():
            files.append(path)
        else:
            raise FileNotFoundError(raw)
    return files


def run(args) -> int:
    archive = Archive(args.archive)
    try:
        files = _expand(args.paths or [str(archive.warcs)]) if (args.paths or archive.warcs.is_dir()) else []
    except FileNotFoundError as exc:
        return fail(f"verify: no such file or folder: {exc}", 2)
    if not files:
        return fail(f"verify: no WARC or WACZ files found in {', '.join(args.paths) or archive.warcs}", 1)
    bad = 0
    for path in files:
        if path.name.endswith(".wacz"):
            from ..export.wacz import verify_wacz
            problems = verify_wacz(path)
        else:
            from ..warc.verify import verify_warc
            problems = verify_warc(path)
        if problems:
            bad += 1
            print(f"FAIL {path}")
            for text in problems:
                print(f"  {text}")
        elif not args.quiet:
            print(f"ok   {path}")
    print(f"{len(files)} files checked, {bad} with problems")
    return 1 if bad else 0
