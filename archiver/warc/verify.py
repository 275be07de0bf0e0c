"""Checking WARC files: digests, structure, request/response pairing, warcinfo first.

Digests are checked by warcio while it reads each record; the rest are the archiver's own rules
(see the contract's WARC rules). Every problem is named with its file and offset.
"""
from __future__ import annotations

import re
import zlib
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

NAME_PATTERN = re.compile(r"^.+-\d{14,17}-\d{5}-[^/]+\.warc\.gz$")
REVISIT_FIELDS = ("WARC-Refers-To-Target-URI", "WARC-Refers-To-Date", "WARC-Payload-Digest", "WARC-Profile")


def _drain(stream) -> None:
    while stream.read(1 << 20):
        pass


def verify_warc(path: str | Path) -> list[str]:
    """Return the problems found in one WARC file (empty when it is sound)."""
    path = Path(path)
    problems: list[str] = []
    where = path.name

    def problem(offset, text):
        problems.append(f"{where} @{offset}: {text}")

    if path.suffix == ".gz" and not NAME_PATTERN.match(path.name):
        problems.append(f"{where}: name does not follow PREFIX-TIMESTAMP-SERIAL-HOST.warc.gz")
    records = []
    try:
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh, check_digests=True)
            for record in it:
                if record.format != "warc":
                    problem(it.get_record_offset(), f"not a WARC record ({record.format})")
                _drain(record.content_stream())
                offset = it.get_record_offset()
                headers = record.rec_headers
                rtype = record.rec_type
                if record.digest_checker.passed is False:
                    for text in record.digest_checker.problems:
                        problem(offset, text)
                if rtype in ("response", "request", "resource", "metadata", "warcinfo") and not headers.get_header("WARC-Block-Digest"):
                    problem(offset, f"{rtype} record has no WARC-Block-Digest")
                if rtype == "response" and not headers.get_header("WARC-Payload-Digest"):
                    problem(offset, "response record has no WARC-Payload-Digest")
                if rtype == "revisit":
                    for field in REVISIT_FIELDS:
                        if not headers.get_header(field):
                            problem(offset, f"revisit record lacks {field}")
                records.append((offset, rtype, headers))
    except ArchiveLoadFailed as exc:
        problems.append(f"{where}: unreadable after {len(records)} records: {str(exc).strip()}")
    except (OSError, EOFError, ValueError) as exc:
        problems.append(f"{where}: unreadable after {len(records)} records: {exc}")

    if path.name.endswith(".gz"):
        members, tail_problem = gzip_members(path)
        if tail_problem:
            problems.append(f"{where}: {tail_problem}")
        elif records and members != [r[0] for r in records]:
            problems.append(f"{where}: records are not one gzip member each")
    if records and records[0][1] != "warcinfo":
        problems.append(f"{where}: first record is {records[0][1]}, not warcinfo")
    if not records and not problems:
        problems.append(f"{where}: holds no records")
    problems += _pairing_problems(where, records)
    return problems


def _pairing_problems(where: str, records) -> list[str]:
    """Each response/revisit is followed by its request, linked both ways, with one WARC-Date."""
    problems = []
    for i, (offset, rtype, headers) in enumerate(records):
        if rtype not in ("response", "revisit"):
            continue
        if i + 1 >= len(records) or records[i + 1][1] != "request":
            problems.append(f"{where} @{offset}: {rtype} not followed by its request record")
            continue
        req_offset, _, req = records[i + 1]
        rid, qid = headers.get_header("WARC-Record-ID"), req.get_header("WARC-Record-ID")
        if headers.get_header("WARC-Concurrent-To") != qid or req.get_header("WARC-Concurrent-To") != rid:
            problems.append(f"{where} @{offset}: {rtype} and request not linked by WARC-Concurrent-To")
        if headers.get_header("WARC-Date") != req.get_header("WARC-Date"):
            problems.append(f"{where} @{offset}: {rtype} and request have different WARC-Date")
        if headers.get_header("WARC-IP-Address") != req.get_header("WARC-IP-Address"):
            problems.append(f"{where} @{offset}: {rtype} and request have different WARC-IP-Address")
    for i, (offset, rtype, headers) in enumerate(records):
        if rtype != "request" or (i > 0 and records[i - 1][1] in ("response", "revisit")):
            continue
        # A fetch that failed before any response: the request, then a metadata record saying why.
        following = records[i + 1] if i + 1 < len(records) else None
        if following is None or following[1] != "metadata" \
                or following[2].get_header("WARC-Concurrent-To") != headers.get_header("WARC-Record-ID"):
            problems.append(f"{where} @{offset}: request record without its response")
    return problems


def gzip_members(path: Path, chunk: int = 1 << 20) -> tuple[list[int], str | None]:
    """Offsets of the gzip members of a file, and what is wrong with its end, if anything.

    warcio stops quietly at a cut-off gzip member; a cut file must not pass as sound.
    """
    offsets: list[int] = []
    pos = 0  # offset of the start of the current member
    with open(path, "rb") as fh:
        d = None
        consumed = 0  # bytes of the file fed so far
        pending = b""
        while True:
            if not pending:
                pending = fh.read(chunk)
                if not pending:
                    break
            if d is None:
                d = zlib.decompressobj(31)
                offsets.append(pos)
            try:
                while pending and not d.eof:
                    d.decompress(pending, 1 << 16)
                    used = len(pending) - len(d.unused_data) if d.eof else len(pending) - len(d.unconsumed_tail)
                    consumed += used
                    pending = d.unused_data if d.eof else d.unconsumed_tail
            except zlib.error as exc:
                return offsets, f"gzip member at offset {pos} is corrupt ({exc})"
            if d.eof:
                pos = consumed
                d = None
        if d is not None:
            return offsets, f"gzip member at offset {pos} is cut short (the file ends inside it)"
    return offsets, None
