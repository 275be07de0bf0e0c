"""The command line's shape: every command has --help; --archive before or after the command."""
import subprocess
import sys

import pytest

from conftest import FAST, ROOT
from warc_helpers import items

COMMANDS = ["crawl", "recrawl", "extract", "export", "verify", "status", "history", "diff", "demo"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    result = subprocess.run([sys.executable, "-m", "archiver", command, "--help"], capture_output=True, text=True,
                            cwd=str(ROOT))
    assert result.returncode == 0
    assert f"usage: archiver {command}" in result.stdout


def test_no_command_is_bad_usage():
    result = subprocess.run([sys.executable, "-m", "archiver"], capture_output=True, text=True, cwd=str(ROOT))
    assert result.returncode == 2 and "usage: archiver" in result.stderr


def test_archive_option_after_the_command_and_from_the_environment(site, archiver_cmd, tmp_path):
    after = tmp_path / "after"
    result = subprocess.run([sys.executable, "-m", "archiver", "crawl", "--archive", str(after), site.url("/article/1/"), *FAST],
                            capture_output=True, text=True, cwd=str(ROOT))
    assert result.returncode == 0, result.stderr
    assert len(items(after)) == 1
    env_archive = tmp_path / "env"
    result = subprocess.run([sys.executable, "-m", "archiver", "crawl", site.url("/article/2/"), *FAST],
                            capture_output=True, text=True, cwd=str(ROOT),
                            env={**__import__("os").environ, "ARCHIVER_ARCHIVE": str(env_archive)})
    assert result.returncode == 0, result.stderr
    assert len(items(env_archive)) == 1


def test_malformed_setting_is_bad_usage(archiver_cmd, tmp_path):
    result = archiver_cmd(tmp_path / "a", "crawl", "http://127.0.0.1:9/", "-s", "NOEQUALS")
    assert result.returncode == 2 and "NAME=VALUE" in result.stderr


def test_a_reader_that_stops_early_ends_extract_quietly(site, archiver_cmd, tmp_path):
    # `archiver extract ... | head`: the pipe closes under the command, which stops without a traceback.
    archive = tmp_path / "archive"
    assert archiver_cmd(archive, "crawl", *site.article_urls(20), *FAST).returncode == 0
    # The folder ten times over: far more items than a pipe buffers, so the command is still writing.
    proc = subprocess.Popen([sys.executable, "-m", "archiver", "extract", *[str(archive / "warcs")] * 10, "--workers", "0"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.read(10) == b'{"url": "h'
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, stderr
    assert "Traceback" not in stderr
