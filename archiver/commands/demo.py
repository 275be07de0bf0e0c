from __future__ import annotations

from pathlib import Path

from . import fail
from .crawl import add_crawl_options, crawl_exit_code
from ..store.archive import Archive
from ..crawler.runner import build_settings, parse_setting_overrides, run_spider


def register(sub):
    p = sub.add_parser("demo", help="serve the bundled sample pages on 127.0.0.1 and crawl them",
                       description="Serve the bundled sample news pages on 127.0.0.1 (a free port), crawl them "
                                   "into the archive, and say where the WARCs and items are. Needs no internet.")
    add_crawl_options(p)
    p.set_defaults(run=run)


def run(args) -> int:
    from ..demo.server import DemoServer

    try:
        overrides = parse_setting_overrides(args.settings)
    except ValueError as exc:
        return fail(str(exc), 2)
    # A local demo needs no politeness delays.
    demo_settings = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "ARCHIVER_CONTACT": "demo@localhost"}
    demo_settings.update(overrides)
    server = DemoServer().start()
    try:
        print(f"archiver demo: serving {len(server.pages)} sample pages on http://127.0.0.1:{server.port}/")
        settings = build_settings(args.archive, demo_settings, log_level="INFO" if args.verbose else "WARNING")
        stats = run_spider(settings, seeds=server.urls())
    finally:
        server.stop()
    archive = Archive(args.archive)
    warcs = archive.warc_files()
    items = archive.item_files()
    print(f"\nWARCs:  {archive.warcs}/ ({len(warcs)} files)")
    print(f"Items:  {archive.items}/ ({', '.join(p.name for p in items[-1:]) or 'none'})")
    print("Check:  archiver --archive {0} verify".format(archive.root))
    print("Replay: archiver --archive {0} export --format wacz --to demo.wacz, then open demo.wacz in "
          "ReplayWeb.page;\n        or with pywb: wb-manager init demo && wb-manager add demo {1}/*.warc.gz && wayback"
          .format(archive.root, archive.warcs))
    return crawl_exit_code(stats)
