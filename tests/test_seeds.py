"""Seed lists: formats, laziness, bad lines named with their line numbers."""
import gzip
import json
import tracemalloc

import pytest

from archiver.store.seeds import BadSeed, Seed, SeedFileError, check_seed_file, iter_seed_file


def test_plain_text_with_comments_and_blank_lines(tmp_path):
    f = tmp_path / "seeds.txt"
    f.write_text("# my list\n\nhttps://example.org/a\n  http://example.org/b?x=1  \nnot a url\nftp://example.org/f\n")
    got = list(iter_seed_file(str(f)))
    assert [s.url for s in got if isinstance(s, Seed)] == ["https://example.org/a", "http://example.org/b?x=1"]
    bad = [s for s in got if isinstance(s, BadSeed)]
    assert [(b.line, b.text) for b in bad] == [(5, "not a url"), (6, "ftp://example.org/f")]
    assert "seeds.txt:5" in bad[0].describe() and "'not a url'" in bad[0].describe()
    assert "scheme ftp" in bad[1].reason


def test_csv_with_url_column(tmp_path):
    f = tmp_path / "seeds.csv"
    f.write_text('id,url,title\n1,https://example.org/a,"A, with comma"\n2,,empty\n3,https://example.org/c,C\n')
    got = list(iter_seed_file(str(f)))
    assert [s.url for s in got if isinstance(s, Seed)] == ["https://example.org/a", "https://example.org/c"]
    assert [b.line for b in got if isinstance(b, BadSeed)] == [3]


def test_csv_without_url_column_is_refused(tmp_path):
    f = tmp_path / "seeds.csv"
    f.write_text("id,link\n1,https://example.org/a\n")
    with pytest.raises(SeedFileError, match="no 'url' column"):
        list(iter_seed_file(str(f)))


def test_json_lines(tmp_path):
    f = tmp_path / "seeds.jsonl"
    f.write_text(json.dumps({"url": "https://example.org/a", "x": 1}) + "\n{broken\n" + json.dumps({"link": "x"}) + "\n")
    got = list(iter_seed_file(str(f)))
    assert got[0] == Seed("https://example.org/a", 1, str(f))
    assert got[1].line == 2 and "not JSON" in got[1].reason
    assert got[2].line == 3 and "url" in got[2].reason


def test_sniffs_jsonl_and_csv_without_suffix(tmp_path):
    f = tmp_path / "list"
    f.write_text('{"url": "https://example.org/a"}\n')
    assert [s.url for s in iter_seed_file(str(f))] == ["https://example.org/a"]
    f.write_text("url,n\nhttps://example.org/b,1\n")
    assert [s.url for s in iter_seed_file(str(f))] == ["https://example.org/b"]


def test_binary_and_missing_files_are_refused(tmp_path):
    f = tmp_path / "seeds.bin"
    f.write_bytes(gzip.compress(b"https://example.org/\n" * 10))
    with pytest.raises(SeedFileError, match="not a text file"):
        check_seed_file(str(f))
    with pytest.raises(SeedFileError, match="not found"):
        check_seed_file(str(tmp_path / "nope.txt"))


def test_read_lazily(tmp_path):
    f = tmp_path / "big.txt"
    with open(f, "w") as fh:
        for i in range(30_000):
            fh.write(f"https://example.org/article/{i}\n")
    tracemalloc.start()
    it = iter_seed_file(str(f))
    count = 0
    for seed in it:
        count += 1
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 30_000
    # 30,000 Seed objects held in memory would take about 5 MB.
    assert peak < 1_000_000
