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


def test_demo_items_match_the_labelled_fixtures_field_by_field(archiver_cmd, tmp_path):
    """Through the whole crawl (gzip on the wire, WARC, pipelines), every labelled field is right."""
    import re

    fixtures = SITE.parent.parent.parent / "tests" / "fixtures" / "articles"
    archive = tmp_path / "demo-archive"
    result = archiver_cmd(archive, "demo", "-s", "ARCHIVER_PROGRESS=0")
    assert result.returncode == 0, result.stderr
    origin = re.search(r"on (http://127\.0\.0\.1:\d+)/", result.stdout).group(1)
    got = {i["url"]: i for i in items(archive)}
    pages = json.loads((SITE / "index.json").read_text())
    for page in pages:
        expected_file = fixtures / page["file"].replace(".html", ".expected.json")
        expected = json.loads(expected_file.read_text())
        # The labels were written for port 8000; the demo serves on a free port. Some pages name
        # their canonical URL absolutely (on 8000), so both sides are put on one origin.
        item = json.loads(json.dumps(got[origin + page["path"]]).replace(origin, "http://127.0.0.1:8000"))
        for field, value in expected.items():
            assert item[field] == value, (page["file"], field)
