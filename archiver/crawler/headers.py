"""Edits on raw HTTP head bytes that the WARC rules call for, leaving every other byte alone."""
from __future__ import annotations

import re

# Credentials never land in a record (contract rule 8).
REDACTED_HEADERS = (b"authorization", b"cookie", b"proxy-authorization")
REDACTED = b"REDACTED"


def _lines(head: bytes) -> list[bytes]:
    return head.split(b"\n")


def redact_credentials(head: bytes) -> bytes:
    out = []
    for line in _lines(head):
        name, sep, value = line.partition(b":")
        if sep and name.strip().lower() in REDACTED_HEADERS:
            ending = b"\r" if line.endswith(b"\r") else b""
            line = name + b": " + REDACTED + ending
        out.append(line)
    return b"\n".join(out)


def drop_transfer_encoding(head: bytes) -> bytes:
    """Remove `Transfer-Encoding` lines: the body we store is already de-chunked."""
    out = [line for line in _lines(head)
           if line.partition(b":")[0].strip().lower() != b"transfer-encoding" or b":" not in line]
    return b"\n".join(out)


def header_value(head: bytes, name: bytes) -> bytes | None:
    lname = name.lower()
    for line in _lines(head)[1:]:
        key, sep, value = line.partition(b":")
        if sep and key.strip().lower() == lname:
            return value.strip()
    return None


_STATUS = re.compile(rb"^(HTTP/\d(?:\.\d)?)\s+(\d{3})(?:\s+([^\r\n]*))?")


def status_line(head: bytes) -> tuple[str, int, str] | None:
    m = _STATUS.match(head)
    if not m:
        return None
    return m.group(1).decode("ascii"), int(m.group(2)), (m.group(3) or b"").decode("latin-1")
