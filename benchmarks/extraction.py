"""Extraction quality and speed: ours against trafilatura alone, on the same pages.

    python benchmarks/extraction.py [--limit N] [--jobs N] [--sources]

Development set: trafilatura's evaluation pages, read from ../shared/devdata/trafilatura-eval/
beside the repository (or $ARCHIVER_DEVDATA/trafilatura-eval). Scoring follows trafilatura's
own method: a `with` snippet found in the whitespace-normalised text is a true positive,
missing a false negative; a `without` snippet found is a false positive. Title is an exact match
after white space is normalised; the date is the day (YYYY-MM-DD) of the publication date;
authors match when the sets of names agree, ignoring case and separators (the same rule for
both sides). Our own fixtures (tests/fixtures/articles) are scored against their expected
items, and time the profile path.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from archiver.extract import extract_article  # noqa: E402
from archiver.extract.article import parse_html  # noqa: E402
from archiver.extract.decoding import decode_text  # noqa: E402
from archiver.extract import ensemble  # noqa: E402
from archiver.extract.boilerplate import is_appeal  # noqa: E402
from archiver.extract.generic import candidates, generic_body, main_text  # noqa: E402
from archiver.extract.text import paragraphs  # noqa: E402
from archiver.extract.normalize import parse_date, split_authors  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "articles"  # labels; the pages are the demo site's
SITE = ROOT / "archiver" / "demo" / "site"


def devdata_dir() -> Path:
    """$ARCHIVER_DEVDATA, else a shared/devdata folder beside the checkout or one level up (a
    work tree kept in a folder of work trees)."""
    base = os.environ.get("ARCHIVER_DEVDATA")
    if base:
        return Path(base)
    places = [ROOT.parent / "shared" / "devdata", ROOT.parent.parent / "shared" / "devdata"]
    return next((p for p in places if (p / "trafilatura-eval").is_dir()), places[0])


def squash(text: str | None) -> str:
    return " ".join((text or "").split())


def author_key(value) -> frozenset[str]:
    names = split_authors(value if isinstance(value, list) else (value or "").replace(";", ","))
    return frozenset(n.casefold() for n in names)


def day(value: str | None) -> str | None:
    return value[:10] if value else None


def trafilatura_alone(html: bytes, url: str | None) -> dict:
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    if doc is None:
        return {"body": "", "title": None, "authors": None, "date": None}
    return {"body": doc.text or "", "title": doc.title, "authors": doc.author, "date": doc.date}


def ours(html: bytes, url: str | None) -> dict:
    item = extract_article(url or "http://example.invalid/", {}, html)
    return {"body": item["body"] or "", "title": item["title"], "authors": item["authors"],
            "date": day(item["published_at"]), "extractor": item["extractor"]}


def body_sources(html: bytes, url: str | None) -> dict:
    """The body by each extractor alone and by their vote, with each one's CPU seconds."""
    text, _ = decode_text({}, html)
    tree = parse_html(text)
    out: dict = {}
    if tree is None:
        return out

    def timed(name, run):
        start = time.process_time()
        value = run()
        out[name] = {"body": "\n\n".join(value), "seconds": time.process_time() - start}
        return value

    doc = None

    def trafilatura_paragraphs():
        nonlocal doc
        doc = main_text(tree, url)
        return [p for p in paragraphs(doc.body) if not is_appeal(p)] if doc is not None and doc.body is not None else []

    main = timed("trafilatura", trafilatura_paragraphs)
    jt = timed("jusText", lambda: ensemble.justext_paragraphs(tree))
    rp = timed("resiliparse", lambda: ensemble.resiliparse_lines(text))
    timed("vote", lambda: ensemble.vote(main, jt, rp))

    timed("+ standfirst, furniture", lambda: generic_body(
        main, doc.title if doc is not None else None, doc.description if doc is not None else None,
        lambda core, not_body, standfirst: ensemble.vote(core, jt, rp, not_body, standfirst)))
    return out


def source_values(html: bytes, url: str | None) -> dict:
    """What each metadata source alone says, to measure the order in generic.ORDER."""
    text, _ = decode_text({}, html)
    found = candidates(parse_html(text), url)
    return {source: {"title": v.get("title"), "authors": v.get("authors") or [],
                     "date": day(parse_date(v.get("published_at")))}
            for source, v in found.items()}


def score_page(task: tuple[str, str, dict, bool]) -> dict:
    path, url, truth, with_sources = task
    html = Path(path).read_bytes()
    url = url if url.startswith("http") else None
    result = {}
    for name, run in (("trafilatura", trafilatura_alone), ("ours", ours)):
        # CPU time: on a shared machine wall time counts other processes' turns.
        start = time.process_time()
        got = run(html, url)
        elapsed = time.process_time() - start
        result[name] = {"seconds": elapsed, **_score(got, truth)}
        if name == "ours":
            result[name]["extractor"] = got["extractor"]
    if with_sources:
        result["sources"] = {s: _meta_score(v, truth) for s, v in source_values(html, url).items()}
        result["bodies"] = {name: {"seconds": v["seconds"], **_score({"body": v["body"]}, truth)}
                            for name, v in body_sources(html, url).items()}
    return result


def _score(got: dict, truth: dict) -> dict:
    text = squash(got["body"])
    counts = {"tp": 0, "fn": 0, "fp": 0, "tn": 0}
    for snippet in truth["with"]:
        counts["tp" if squash(snippet) in text else "fn"] += 1
    for snippet in truth["without"]:
        counts["fp" if squash(snippet) in text else "tn"] += 1
    return {**counts, **_meta_score(got, truth)}


def _meta_score(got: dict, truth: dict) -> dict:
    meta = truth.get("metadata") or {}
    out = {}
    if meta.get("title"):
        out["title"] = squash(got.get("title")) == squash(meta["title"])
    if meta.get("author"):
        out["author"] = author_key(got.get("authors")) == author_key(meta["author"])
    if meta.get("date"):
        out["date"] = got.get("date") == meta["date"]
    return out


def summarise(results: list[dict], name: str) -> dict:
    rows = [r["bodies"][name.split(".", 1)[1]] for r in results if name.split(".", 1)[1] in r.get("bodies", {})] \
        if name.startswith("bodies.") else [r[name] for r in results]
    tp, fp, fn = (sum(r[k] for r in rows) for k in ("tp", "fp", "fn"))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    out = {"precision": precision, "recall": recall, "f1": 2 * tp / (2 * tp + fp + fn) if tp else 0.0}
    out["ms_per_page"] = 1000 * sum(r["seconds"] for r in rows) / len(rows) if rows else 0.0
    if name.startswith("bodies."):
        return out
    for key in ("title", "author", "date"):
        marks = [r[key] for r in rows if key in r]
        out[key] = sum(marks) / len(marks) if marks else float("nan")
        out[key + "_n"] = len(marks)
    return out


def run_devdata(limit: int | None, jobs: int, with_sources: bool) -> list[dict]:
    base = devdata_dir() / "trafilatura-eval"
    annotations = json.loads((base / "annotations.json").read_text(encoding="utf-8"))
    tasks = [(str(base / "html" / name), entry.get("url", ""), entry, with_sources)
             for name, entry in sorted(annotations.items()) if (base / "html" / name).exists()]
    tasks = tasks[:limit] if limit else tasks
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            return list(pool.map(score_page, tasks, chunksize=8))
    return [score_page(t) for t in tasks]


def _tokens(text: str | None) -> list[str]:
    return re.findall(r"\w+", (text or "").casefold())


def _overlap(got: str | None, want: str | None) -> tuple[int, int, int]:
    from collections import Counter

    g, w = Counter(_tokens(got)), Counter(_tokens(want))
    return sum((g & w).values()), sum(g.values()), sum(w.values())


def run_fixtures(repeat: int = 20) -> dict:
    """Our labelled pages: every field, and the body as token overlap for both sides."""
    pages = sorted(SITE.glob("*.html"))
    if not pages:
        return {}
    totals = {"ours": [0, 0, 0], "trafilatura": [0, 0, 0]}
    fields_right = fields_all = 0
    meta = {"ours": {"title": 0, "author": 0, "date": 0}, "trafilatura": {"title": 0, "author": 0, "date": 0}}
    profile_seconds = profile_cpu = 0.0
    for page in pages:
        expected = json.loads((FIXTURES / (page.stem + ".expected.json")).read_text(encoding="utf-8"))
        html = page.read_bytes()
        url = expected.get("url") or "http://127.0.0.1:8000/"
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(repeat):
            item = extract_article(url, {"Content-Type": "text/html; charset=utf-8"}, html)
        profile_seconds += (time.perf_counter() - start) / repeat
        # CPU time as well: on a busy machine wall time counts other processes' turns.
        profile_cpu += (time.process_time() - cpu) / repeat
        alone = trafilatura_alone(html, url)
        for name, got in (("ours", item), ("trafilatura", alone)):
            overlap = _overlap(got["body"], expected["body"])
            totals[name] = [a + b for a, b in zip(totals[name], overlap)]
            meta[name]["title"] += squash(got["title"]) == squash(expected["title"])
            meta[name]["author"] += author_key(got["authors"]) == author_key(expected["authors"])
            date = day(got["published_at"]) if name == "ours" else got["date"]
            meta[name]["date"] += date == day(expected["published_at"])
        for key, value in expected.items():
            if key in item:
                fields_all += 1
                fields_right += item[key] == value
    out = {"pages": len(pages), "fields_right": fields_right, "fields_all": fields_all,
           "profile_ms_per_page": 1000 * profile_seconds / len(pages),
           "profile_cpu_ms_per_page": 1000 * profile_cpu / len(pages)}
    for name, (common, got, want) in totals.items():
        p, r = (common / got if got else 0.0), (common / want if want else 0.0)
        out[name] = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
                     **{k: v / len(pages) for k, v in meta[name].items()}}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, help="score only the first N development pages")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (timings are truest with 1)")
    parser.add_argument("--sources", action="store_true",
                        help="also score each body extractor and each metadata source alone")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    report: dict = {}
    found = (devdata_dir() / "trafilatura-eval" / "annotations.json").exists()
    if found:
        results = run_devdata(args.limit, args.jobs, args.sources)
        report["devdata"] = {"pages": len(results),
                             "trafilatura": summarise(results, "trafilatura"),
                             "ours": summarise(results, "ours")}
        generic = [r for r in results if r["ours"]["extractor"] == "generic"]
        if generic:
            report["devdata"]["generic_ms_per_page"] = summarise(generic, "ours")["ms_per_page"]
            report["devdata"]["trafilatura_ms_on_generic"] = summarise(generic, "trafilatura")["ms_per_page"]
        if args.sources:
            report["devdata"]["bodies"] = {name: summarise(results, "bodies." + name)
                                           for name in ("trafilatura", "jusText", "resiliparse", "vote",
                                                         "+ standfirst, furniture")}
            report["devdata"]["sources"] = {}
            for source in results[0]["sources"]:
                marks = {}
                for key in ("title", "author", "date"):
                    hits = [r["sources"][source][key] for r in results if key in r["sources"][source]]
                    marks[key] = sum(hits) / len(hits) if hits else float("nan")
                report["devdata"]["sources"][source] = marks
    else:
        report["devdata"] = None
    report["fixtures"] = run_fixtures()

    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    header = f"{'':14}{'precision':>10}{'recall':>8}{'F1':>7}{'title':>8}{'author':>8}{'date':>7}{'CPU ms/page':>13}"
    dev = report["devdata"]
    if dev:
        print(f"development set ({devdata_dir()}): {dev['pages']} pages")
        print(header)
        for name in ("trafilatura", "ours"):
            s = dev[name]
            print(f"{name:14}{s['precision']:>10.3f}{s['recall']:>8.3f}{s['f1']:>7.3f}"
                  f"{s['title']:>8.3f}{s['author']:>8.3f}{s['date']:>7.3f}{s['ms_per_page']:>13.1f}")
        print(f"(scored: title {dev['ours']['title_n']}, author {dev['ours']['author_n']}, date {dev['ours']['date_n']} pages)")
        if "generic_ms_per_page" in dev:
            ratio = dev["generic_ms_per_page"] / dev["trafilatura_ms_on_generic"] if dev["trafilatura_ms_on_generic"] else float("nan")
            print(f"generic path: {dev['generic_ms_per_page']:.1f} CPU ms/page, "
                  f"trafilatura's bare_extraction on the same pages {dev['trafilatura_ms_on_generic']:.1f} ({ratio:.2f}x)")
        if dev.get("bodies"):
            print(f"\nbody by each extractor alone, and their vote (the generic body):")
            print(f"{'':24}{'precision':>10}{'recall':>8}{'F1':>7}{'CPU ms/page':>13}")
            for name, s in dev["bodies"].items():
                print(f"{name:24}{s['precision']:>10.3f}{s['recall']:>8.3f}{s['f1']:>7.3f}{s['ms_per_page']:>13.1f}")
        for source, marks in dev.get("sources", {}).items():
            print(f"  source {source:12} title {marks['title']:.3f}  author {marks['author']:.3f}  date {marks['date']:.3f}")
    else:
        print(f"development set: NOT FOUND at {devdata_dir()}/trafilatura-eval "
              "(set ARCHIVER_DEVDATA to the folder that holds trafilatura-eval/); scored the fixtures only")
    fx = report["fixtures"]
    if fx:
        print(f"\nfixtures: {fx['pages']} pages, {fx['fields_right']}/{fx['fields_all']} fields exactly right")
        print(header[:-13])
        for name in ("trafilatura", "ours"):
            s = fx[name]
            print(f"{name:14}{s['precision']:>10.3f}{s['recall']:>8.3f}{s['f1']:>7.3f}"
                  f"{s['title']:>8.3f}{s['author']:>8.3f}{s['date']:>7.3f}")
        print(f"profile path: {fx['profile_ms_per_page']:.2f} ms/page wall, {fx['profile_cpu_ms_per_page']:.2f} ms/page CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
