"""The file an export writes, the scratch space it uses, and what a killed export leaves of both.

An export never writes into an archive it reads: `--to ARCHIVE/state.sqlite3` (or a WARC, or an
item file, or anything under the archive folder) would destroy what it is reading, so it is
refused before anything is opened.

The output is written to `.NAME.part-HOST-PID` beside the target and renamed over it only when
the export succeeded; scratch files (the WACZ's index, the item selection's database, the CDXJ
sort's spills) go into one folder, `archiver-export-HOST-PID-*` in the system's temporary folder.
A run killed outright (SIGKILL, a power cut) cannot clean up, so every export starts by removing
the parts and scratch folders of runs on this host whose process no longer exists. The host in
the names keeps a run on another machine writing to a shared folder from being taken for dead.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..warc.naming import crawl_host
from . import ExportError

_PART = re.compile(r"^\.(?P<name>.+)\.part-(?P<host>.+)-(?P<pid>\d+)$")
_SCRATCH = re.compile(r"^archiver-export-(?P<host>.+)-(?P<pid>\d+)-[^-]+$")


class TargetInsideArchive(ExportError):
    """`--to` names a file the export reads, or a place inside an archive it reads: bad usage."""

    exit_code = 2


def check_target(path: str, sources) -> None:
    """Raise TargetInsideArchive when writing `path` could overwrite or change what `sources` hold."""
    if path == "-":
        return
    final = Path(path).resolve()
    existing = final.stat() if final.exists() else None
    what = None
    for kind, files in (("a WARC", sources.warcs), ("an item file", sources.items)):
        for read in files:
            real = read.resolve()
            if final == real or (existing is not None and _same_inode(existing, real)):
                archive = next((a for a in sources.archives if a.root.resolve() in real.parents), None)
                what = f"{kind} of the archive {archive.root if archive else read.parent}"
                break
        if what:
            break
    for archive in sources.archives if what is None else ():
        root = archive.root.resolve()
        if final.parent == root and final.name.startswith("state.sqlite3"):
            what = f"the state database of the archive {archive.root}"
        elif final == root or root in final.parents:
            what = f"inside the archive {archive.root}"
        if what:
            break
    if what:
        raise TargetInsideArchive(f"refusing to write {path}: it is {what}, which this export reads; "
                                  "give a --to outside the archive folder")


def _same_inode(stat: os.stat_result, path: Path) -> bool:
    try:
        other = path.stat()
    except OSError:
        return False
    return (stat.st_dev, stat.st_ino) == (other.st_dev, other.st_ino)


def part_name(final: Path) -> str:
    return f".{final.name}.part-{crawl_host()}-{os.getpid()}"


class Target:
    """The output file, written beside its final path and renamed into place only on success,
    so that a failed export never leaves a half-written file where a good one was."""

    def __init__(self, path: str, binary: bool):
        self.path = path
        self.binary = binary
        self.fh = None
        self.tmp: Path | None = None

    def __enter__(self):
        if self.path == "-":
            return sys.stdout
        final = Path(self.path)
        if final.is_dir():
            raise ExportError(f"cannot write {final}: it is a folder")
        folder = final.parent if str(final.parent) else Path(".")
        self.tmp = folder / part_name(final)
        try:
            fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        except FileNotFoundError:
            self.tmp = None
            raise ExportError(f"cannot write {final}: folder {final.parent} does not exist") from None
        except OSError as exc:
            self.tmp = None
            raise ExportError(f"cannot write {final}: {exc.strerror or exc}") from None
        if self.binary:
            self.fh = os.fdopen(fd, "w+b")
        else:
            # newline="" so that the CSV writer's CRLF row ends are written as they are.
            self.fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
        return self.fh

    def __exit__(self, exc_type, exc, tb):
        if self.path == "-":
            sys.stdout.flush()
            return False
        try:
            self.fh.close()
            if exc_type is None:
                os.replace(self.tmp, self.path)
                self.tmp = None
        except OSError as error:
            raise ExportError(f"cannot write {self.path}: {error.strerror or error}") from None
        finally:
            if self.tmp:
                _remove(self.tmp)
        return False


@contextmanager
def scratch_space() -> Iterator[Path]:
    """A scratch folder for this export, made the process's temporary folder while it runs.

    Setting `tempfile.tempdir` (the documented default for every `tempfile` call) also catches
    the files libraries make on their own, such as cdxj-indexer's sort spills, which are
    created with delete=False and would otherwise outlive a killed run under anonymous names.
    """
    folder = Path(tempfile.mkdtemp(prefix=f"archiver-export-{crawl_host()}-{os.getpid()}-"))
    before = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = before
        shutil.rmtree(folder, ignore_errors=True)


def remove_leftovers(target: str) -> list[Path]:
    """Remove what exports killed on this host left: part files beside `target`, and scratch
    folders in the temporary folder. Returns what was removed."""
    places: list[tuple[Path, re.Pattern]] = [(Path(tempfile.gettempdir()), _SCRATCH)]
    if target != "-":
        final = Path(target)
        places.append((final.parent if str(final.parent) else Path("."), _PART))
    removed = []
    host = crawl_host()
    for folder, pattern in places:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            match = pattern.match(entry.name)
            if match and match["host"] == host and not _alive(int(match["pid"])):
                if _remove(Path(entry.path)):
                    removed.append(Path(entry.path))
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive, and not ours to judge
    return True


def _remove(path: Path) -> bool:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        return False
    except OSError:
        return False
    return True
