"""`archiver demo`: the bundled sample site, captured; with --edit, re-crawled after two edits."""
from __future__ import annotations

import signal
import sys

from . import fail
from .crawl import add_crawl_options, crawl_exit_code
from ..store.archive import Archive, default_archive, first_missing
from ..store.lock import CrawlLock, CrawlRunning
from ..crawler.runner import build_settings, parse_setting_overrides, run_spider


def register(sub):
    p = sub.add_parser(
        "demo", help="serve the bundled sample pages on 127.0.0.1 and crawl them",
        description="Serve the bundled sample news pages on 127.0.0.1 (port 8765), crawl them into the archive, "
                    "and say where the WARCs and items are. Needs no internet. Then `archiver demo --edit` serves "
                    "the same pages a day later, two of them edited, and re-crawls them: `archiver history` and "
                    "`archiver diff` show the new versions.")
    p.add_argument("--edit", action="store_true",
                   help="serve the site with two articles edited and re-crawl every URL the archive knows "
                        "(as `archiver recrawl --all` does)")
    p.add_argument("--serve", action="store_true",
                   help="only serve the site (with --edit: the edited one) until Ctrl-C, for crawling it yourself")
    p.add_argument("--port", type=int, metavar="N",
                   help="the port on 127.0.0.1 (default 8765, or ARCHIVER_DEMO_PORT); the archive's URLs name it, "
                        "so re-crawls need the same one")
    add_crawl_options(p)
    # --serve writes nothing; --edit re-crawls what a first `archiver demo` captured.
    p.set_defaults(run=run, archive_use=lambda args: None if args.serve else "existing" if args.edit else "create")


def run(args) -> int:
    from ..demo.server import DemoServer, PortInUse

    try:
        overrides = parse_setting_overrides(args.settings)
    except ValueError as exc:
        return fail(str(exc), 2)
    if args.port is not None and not 0 < args.port < 65536:
        return fail(f"demo: --port {args.port} is not a port (1-65535)", 2)
    server = DemoServer(port=args.port, edited=args.edit)
    if args.serve:
        return _serve(server)
    # A local demo needs no politeness delays, and 6 pages take about 2 s: no progress display.
    demo_settings = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "ARCHIVER_CONTACT": "demo@localhost",
                     "ARCHIVER_PROGRESS": False}
    demo_settings.update(overrides)
    archive = Archive(args.archive)
    created = first_missing(archive.root)
    settings = build_settings(args.archive, demo_settings, log_level="INFO" if args.verbose else "WARNING")
    try:
        # The lock first: a second demo on the same archive must not write into it, nor take the port.
        with CrawlLock(archive.lock_path):
            server.start()
            try:
                code = _recrawl(server, archive, settings, args) if args.edit else _capture(server, archive, settings, args)
            finally:
                server.stop()
    except CrawlRunning as exc:
        return fail(f"{exc}; the demo did not start")
    except PortInUse as exc:
        code = fail(f"demo: {exc}")
    # A demo that could not run leaves no empty archive folder behind.
    if code and created is not None:
        archive.discard_unused(created)
    return code


def _command(args, text: str) -> str:
    """A command line to show the user, naming the archive only where it is not the default."""
    where = "" if str(args.archive) == default_archive() else f" --archive {args.archive}"
    return f"archiver{where} {text}"


def _capture(server, archive: Archive, settings, args) -> int:
    print(f"archiver demo: serving {len(server.pages)} sample pages on {server.url('/')}", flush=True)
    stats = run_spider(settings, seeds=server.urls())
    warcs, items = archive.warc_files(), archive.item_files()
    print(f"\nWARCs:   {archive.warcs}/ ({_plural(len(warcs), 'file')})")
    print(f"Items:   {archive.items}/ ({_plural(len(items), 'file')}, one article a line)")
    print(f"Check:   {_command(args, 'verify')}")
    # Not into the archive: an export refuses to write inside the folder it reads.
    print(f"Export:  mkdir -p exports && {_command(args, 'export --format wacz --to exports/demo.wacz')}")
    print(f"Next:    {_command(args, 'demo --edit')} (a day later: two articles edited, re-crawled)")
    return crawl_exit_code(stats)


def _recrawl(server, archive: Archive, settings, args) -> int:
    from ..crawler.recrawl import run_round
    from ..demo.server import load_edits

    urls = server.urls()
    before = _version_counts(archive, urls)
    if not any(before.values()):
        return fail(f"demo --edit: {archive.root} holds no capture of {server.url('/')} to re-crawl; "
                    f"run `{_command(args, 'demo')}` first" + (" with the same --port" if args.port else ""), 2)
    print(f"archiver demo: serving the {len(urls)} sample pages on {server.url('/')}, "
          f"{len(load_edits())} of them edited since the first capture", flush=True)
    print(f"re-crawling every URL the archive knows, as `{_command(args, 'recrawl --all')}` does", flush=True)
    done = run_round(settings, archive.state_path, include_all=True)
    after = _version_counts(archive, urls)
    changed = [url for url in urls if after.get(url, 0) > before.get(url, 0)]
    print(f"\nChanged: {len(changed)} of {len(urls)} articles have a new version")
    for url in changed:
        print(f"  {url} (version {after[url]})")
    if changed:
        print(f"See:     {_command(args, 'history ' + changed[0])}")
        print(f"         {_command(args, 'diff ' + changed[0])}")
    return done.code or (crawl_exit_code(done.stats) if done.stats else 0)


def _version_counts(archive: Archive, urls: list[str]) -> dict[str, int]:
    from ..store.state import CrawlState

    state = CrawlState.open_existing(archive.state_path)
    if state is None:
        return {}
    try:
        return {url: len(state.versions(url)) for url in urls}
    finally:
        state.close()


def _serve(server) -> int:
    from ..demo.server import PortInUse

    try:
        server.start()
    except PortInUse as exc:
        return fail(f"demo: {exc}")
    # systemd and `kill` send SIGTERM: stop the way Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    state = "with two articles edited" if server.edited else "as first published"
    print(f"archiver demo: serving {len(server.pages)} sample pages {state} on {server.url('/')} until Ctrl-C",
          flush=True)
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    print("archiver demo: stopped", file=sys.stderr)
    return 0


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
