"""`archiver demo`: the bundled pages served on 127.0.0.1, crawled, and the output explained."""
import json
from pathlib import Path

from warc_helpers import items

SITE = Path(__file__).resolve().parent.parent / "archiver" / "demo" / "site"


def test_demo_crawls_the_bundled_site(archiver_cmd, tmp_path):
    archive = tmp_path / "demo-archive"
    result = archiver_cmd(archive, "demo", "-s", "ARCHIVER_PROGRESS=0")
    assert result.returncode == 0, result.stderr
    pages = json.loads((SITE / "index.json").read_text())
    assert f"serving {len(pages)} sample pages on http://127.0.0.1:" in result.stdout
    assert f"WARCs:  {archive / 'warcs'}" in result.stdout
    assert f"Items:  {archive / 'items'}" in result.stdout
    assert "wb-manager" in result.stdout and "wacz" in result.stdout
    got = items(archive)
    assert len(got) == len(pages)
    assert all(i["status"] == 200 and i["title"] and i["body"] for i in got)
    # The appended "Latest" articles never reach the main article's body.
    main = next(i for i in got if "new-video-footage" in i["url"])
    assert main["title"].startswith("New video footage exposes US military helping ISIS fighters escape")
    assert "Huawei" not in main["body"] and "Patreon" not in main["body"]
    assert archiver_cmd(archive, "verify").returncode == 0
