"""The README as a newcomer meets it: its order, its set-up lines (the ones CI runs), and its shell
blocks. The demo walkthrough, the replay steps and the export examples run as written, in a
fresh working folder, and what they print is what the README shows; the blocks that need the
internet, a Redis or root (crawling example.org, systemd, Scrapyd) have every `archiver` line
checked against the real argument parser."""
from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT
from pywb_helpers import PYWB_VENV, free_port, require_pywb

README = (ROOT / "README.md").read_text(encoding="utf-8")
SETUP = ["python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]'", "python -m pytest -q"]
WALKTHROUGH = "Try it: the demo, edited and re-crawled"
DEMO_ORIGIN = "127.0.0.1:8765"
# Scrapy's log lines ("2026-12-01 23:40:53 [scrapy.middleware] WARNING: ...") are tested where
# they are emitted; the README shows what the archiver itself prints.
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[")


def sections() -> list[tuple[str, list[tuple[str, str]]]]:
    """[(## heading, [(fence language, block text), ...]), ...] in README order."""
    out: list[tuple[str, list[tuple[str, str]]]] = [("", [])]
    lines = README.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            out.append((line[3:].strip(), []))
        elif line.startswith("```"):
            lang, body = line[3:].strip(), []
            i += 1
            while not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            out[-1][1].append((lang, "\n".join(body)))
        i += 1
    return out


def blocks_of(heading: str) -> list[tuple[str, str]]:
    return next(blocks for name, blocks in sections() if name == heading)


def command_lines(block: str) -> list[str]:
    """The commands of a shell block: comments dropped, one entry per command of a pipe or `&&`."""
    out = []
    for line in re.sub(r"\\\n\s*", " ", block).splitlines():
        line = re.sub(r"(^|\s+)#\s.*$", "", line).strip()
        if line:
            out += [part.strip() for part in re.split(r"\|\||&&|\|", line) if part.strip()]
    return out


def normalised(text: str, port: int | None = None) -> list[str]:
    """What may differ between two runs of the same commands: times, WARC names (time, host),
    record offsets, sizes, content hashes (they cover the fetch time) and the demo's port."""
    if port is not None:
        text = text.replace(f"127.0.0.1:{port}", DEMO_ORIGIN)
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "<time>", text)
    text = re.sub(r"archiver-\d{17}-\d{5}-[^\s@/]+\.warc\.gz", "<warc>", text)
    text = re.sub(r"@\d+", "@<offset>", text)
    text = re.sub(r"\d+(\.\d)? (B|KB|MB|GB)\b", "<size>", text)
    text = re.sub(r"\b[0-9a-f]{16}\b", "<hash>", text)
    return [line.rstrip() for line in text.splitlines() if not LOG_LINE.match(line)]


def shell(script: str, cwd: Path, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd, env=env, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def user_env(port: int) -> dict:
    """A user's shell with the project's venv active; the demo on a free port, so that two test
    runs on one machine cannot collide (the README's 8765 is put back in what is compared)."""
    env = {k: v for k, v in os.environ.items() if k != "ARCHIVER_ARCHIVE"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["ARCHIVER_DEMO_PORT"] = str(port)
    env["PYTHONUNBUFFERED"] = "1"  # stdout and stderr in the order a terminal shows them
    return env


# -- the page's order ----------------------------------------------------------------------------

def test_opens_with_what_it_is_then_setup_then_the_demo():
    headings = [name for name, _ in sections()]
    assert headings[1:4] == ["Set up and test", "Contents", WALKTHROUGH]
    intro = README.split("\n## ", 1)[0]
    assert "re-crawls news articles" in intro and "```" not in intro
    first_block = blocks_of("Set up and test")[0]
    assert first_block == ("sh", "\n".join(SETUP))
    setup_text = README.split("## Set up and test", 1)[1].split("\n## ", 1)[0]
    assert "minutes" in setup_text and "pywb" in setup_text and ".venv-pywb" in setup_text


def test_contents_link_to_every_section():
    def anchor(heading: str) -> str:
        return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")

    anchors = {anchor(name) for name, _ in sections()[1:]}
    links = re.findall(r"\]\(#([^)]+)\)", README.split("## Contents", 1)[1].split("\n## ", 1)[0])
    assert set(links) <= anchors, set(links) - anchors
    assert set(links) | {"set-up-and-test", "contents"} == anchors


def test_ci_runs_exactly_the_two_setup_lines():
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    for line in SETUP:
        assert ci.count(line) == 1, line
    installs = [line for line in ci if "pip install" in line and "-e" in line.split()]
    tests = [line for line in ci if "pytest" in line and not line.startswith("#")]
    assert installs == [SETUP[0]] and tests == [SETUP[1]]
    assert ci.index(SETUP[0]) < ci.index(SETUP[1])


# -- every archiver line is a valid command ---------------------------------------------------------

def test_every_archiver_line_in_the_readme_parses():
    sys.path.insert(0, str(ROOT))
    from archiver.cli import build_parser

    checked = 0
    for heading, blocks in sections():
        for lang, block in blocks:
            if lang != "sh":
                continue
            for command in command_lines(block):
                words = shlex.split(command)
                if words[0] != "archiver" or "--help" in words:
                    continue
                try:
                    args = build_parser().parse_args(words[1:])
                except SystemExit:
                    pytest.fail(f"README ({heading}): `{command}` does not parse")
                assert getattr(args, "run", None), command
                checked += 1
    assert checked >= 25


# -- the blocks that run ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def walked(tmp_path_factory):
    """Every shell block of the walkthrough, run in order in a fresh folder, with its output."""
    cwd, port = tmp_path_factory.mktemp("newcomer"), free_port()
    env = user_env(port)
    runs = []
    blocks = blocks_of(WALKTHROUGH)
    for index, (lang, block) in enumerate(blocks):
        if lang != "sh":
            continue
        result = shell(block.replace(DEMO_ORIGIN, f"127.0.0.1:{port}"), cwd, env)
        shown = blocks[index + 1][1] if index + 1 < len(blocks) and blocks[index + 1][0] == "text" else None
        runs.append((block, result, shown))
    return cwd, port, env, runs


def test_the_walkthrough_runs_as_written(walked):
    _, _, _, runs = walked
    assert [block.split()[:2] for block, _, _ in runs[:2]] == [["archiver", "demo"], ["archiver", "demo"]]
    for block, result, _ in runs:
        assert result.returncode == 0, f"{block}\n{result.stdout}"


def test_the_walkthrough_shows_what_the_commands_print(walked):
    _, port, _, runs = walked
    compared = 0
    for block, result, shown in runs:
        if shown is None:
            continue
        assert normalised(result.stdout, port) == normalised(shown), block
        compared += 1
    assert compared >= 5


def test_the_demo_derives_six_of_six_and_the_edits_show(walked):
    _, port, _, runs = walked
    demo, edit = runs[0][1].stdout, runs[1][1].stdout
    assert "items: 6 (without title or body: 0)" in demo
    assert "Changed: 2 of 6 articles have a new version" in edit
    diff = next(result.stdout for block, result, _ in runs if block.startswith("archiver diff"))
    assert "+Update:" in diff and "title:" in diff


def test_examples_write_only_into_ignored_folders(walked):
    """Nothing the examples write lands in the repository as an untracked file: the archive goes to
    output/, exports to exports/, and git ignores both."""
    cwd, _, env, _ = walked
    for lang, block in blocks_of("Exporting"):
        if lang == "sh":
            result = shell(block, cwd, env)
            assert result.returncode == 0, f"{block}\n{result.stdout}"
    assert sorted(p.name for p in cwd.iterdir()) == ["exports", "output"]
    written = {p.name for p in (cwd / "exports").iterdir()}
    assert written == {"demo.wacz", "articles.csv", "rederived.jsonl", "news.wacz", "index.cdxj", "items.jsonl",
                       "items.csv"}
    for name in ("exports/demo.wacz", "output/warcs/x.warc.gz"):
        ignored = subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT)
        assert ignored.returncode == 0, f"git does not ignore {name}"


def test_replay_steps_run_as_written(walked):
    cwd, port, env, _ = walked
    manager, _ = require_pywb()
    (lang, block), = blocks_of("Replay in a browser")[:1]
    install, collection, serve = block.splitlines()
    # The install line is the one the test suite itself runs to make its pywb (tests/pywb_helpers.py,
    # in CI by .ci/run); here the venv it made is lent to the folder instead of installed again.
    assert install == f"python3 -m venv {PYWB_VENV.name} && {PYWB_VENV.name}/bin/pip install pywb"
    (cwd / PYWB_VENV.name).symlink_to(Path(manager).parent.parent)
    result = shell(collection, cwd, env)
    assert result.returncode == 0, result.stdout
    assert "-p 8080" in serve
    wayback_port = free_port()
    # As written but for the port (8080 may be taken on a test machine); in its own process group,
    # so that stopping it stops the subshell and pywb together, as Ctrl-C does.
    server = subprocess.Popen(["bash", "-c", serve.replace("-p 8080", f"-p {wayback_port}")], cwd=cwd, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        shown = re.search(r"http://127\.0\.0\.1:8080/demo/\S+", README).group(0)
        article = shown.split("/demo/", 1)[1].replace(DEMO_ORIGIN, f"127.0.0.1:{port}")
        assert "central-bank-holds-rates-signals-caution" in article
        frame = _get(shown.replace(":8080", f":{wayback_port}").replace(DEMO_ORIGIN, f"127.0.0.1:{port}"), server)
        assert article in frame
        # Both versions are there to replay: the capture before the edit and the one after.
        captures = _get(f"http://127.0.0.1:{wayback_port}/demo/cdx?url={article}&output=json", server).splitlines()
        assert len([c for c in captures if '"status": "200"' in c]) == 2, captures
        page = _get(f"http://127.0.0.1:{wayback_port}/demo/2999id_/http://127.0.0.1:{port}"
                    "/2018/12/13/central-bank-holds-rates-signals-caution/", server)
        assert "Central bank holds rates, hints at a cut in the spring" in page  # the latest version
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    (cwd / PYWB_VENV.name).unlink()


def _get(url: str, server: subprocess.Popen) -> str:
    deadline = time.time() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30) as resp:
                return resp.read().decode("utf-8", "replace")
        except (urllib.error.URLError, ConnectionError) as exc:
            if server.poll() is not None:
                raise AssertionError("wayback exited: " + server.stderr.read().decode(errors="replace")) from exc
            if time.time() > deadline:
                raise
            time.sleep(0.3)
