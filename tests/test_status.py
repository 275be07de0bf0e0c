"""`archiver status`: each size names what it counts, and counts agree with the crawl's summary."""
import json
import re

from conftest import FAST, run_archiver


def test_sizes_name_what_they_count(site, tmp_path):
    archive = tmp_path / "archive"
    crawl = run_archiver(archive, "crawl", site.url("/article/1/"), site.url("/article/2/"), *FAST)
    assert crawl.returncode == 0, crawl.stderr
    status = json.loads(run_archiver(archive, "status", "--format", "json").stdout)
    warcs = list((archive / "warcs").glob("*.warc.gz"))
    items = list((archive / "items").glob("*.jsonl"))
    state = [p for p in archive.glob("state.sqlite3*")]
    assert status["warc_files"] == len(warcs) == 1 and status["open_warc_files"] == 0
    assert status["warc_bytes"] == sum(p.stat().st_size for p in warcs)
    assert status["item_files"] == len(items) == 1
    assert status["item_bytes"] == sum(p.stat().st_size for p in items)
    assert status["state_bytes"] == sum(p.stat().st_size for p in state) > 0
    assert status["archive_bytes"] == status["warc_bytes"] + status["item_bytes"] + status["state_bytes"]

    text = run_archiver(archive, "status").stdout
    # The WARC size status shows is the one the crawl's summary showed.
    summary_size = re.search(r"WARC: 1 file written, (\S+ \S+) in", crawl.stderr).group(1)
    assert f"WARCs:     {summary_size} in 1 file\n" in text
    assert "items:     " in text and " in 1 file\n" in text
    assert "state:     " in text and "in all:    " in text
    assert "files)" not in text and "1 files" not in text
