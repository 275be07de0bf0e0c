"""The command line: parses arguments, calls the library, prints. Nothing else lives here."""
from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys

from .commands import fail
from .store.archive import ArchiveError, check_archive, default_archive

# Each command is a module in archiver.commands with `register(subparsers)` and `run(args) -> int`;
# it says how it uses --archive with `set_defaults(archive_use=...)`: "existing" (it must exist),
# "create" (made if missing), or a function of the arguments returning one of those or None (the
# archive is not used, e.g. `verify FILE`). Commands that set nothing do not use the archive.
COMMANDS = ["crawl", "recrawl", "worker", "extract", "export", "verify", "status", "history", "diff", "demo"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archiver",
        description="Re-crawl news articles into WARC archives and derive clean article records.",
    )
    parser.add_argument("--archive", default=default_archive(), metavar="DIR",
                        help="the archive folder every command works on (default: %(default)s, env ARCHIVER_ARCHIVE)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"archiver.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"archiver.commands.{name}":
                continue
            raise
        module.register(sub)
    # `archiver crawl --archive DIR ...` works as well as `archiver --archive DIR crawl ...`.
    for command in sub.choices.values():
        command.add_argument("--archive", default=argparse.SUPPRESS, metavar="DIR",
                             help="the archive folder (same as before the command)")
    return parser


def _terminated(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    # SIGTERM (systemd, `kill`) ends a command the way Ctrl-C does: its `finally` blocks close
    # what it writes. A crawl replaces this with Scrapy's graceful stop (crawler/stopping.py).
    signal.signal(signal.SIGTERM, _terminated)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return 2
    use = getattr(args, "archive_use", None)
    if callable(use):
        use = use(args)
    if use:
        try:
            check_archive(args.archive, create=use == "create")
        except ArchiveError as exc:
            return fail(str(exc), 2)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("archiver: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (`archiver extract ... | head`): stop quietly, and
        # keep Python from failing again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE


if __name__ == "__main__":
    sys.exit(main())
