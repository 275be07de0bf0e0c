"""WARC file names after Annex C of the WARC 1.1 standard: PREFIX-TIMESTAMP-SERIAL-HOST.warc.gz."""
from __future__ import annotations

import re
import socket
from datetime import datetime, timezone

OPEN_SUFFIX = ".open"
_UNSAFE = re.compile(r"[^A-Za-z0-9.\-]+")


def safe_component(text: str, fallback: str = "x") -> str:
    """A file-name component that can never hold a path separator or climb out of a folder."""
    cleaned = _UNSAFE.sub("_", text).strip("._-")[:63]
    return cleaned or fallback


def crawl_host() -> str:
    return safe_component(socket.gethostname(), "localhost")


def warc_filename(prefix: str, serial: int, host: str | None = None, moment: datetime | None = None) -> str:
    moment = (moment or datetime.now(timezone.utc)).astimezone(timezone.utc)
    # 17 digits (to the millisecond) so that runs started in the same second do not collide.
    stamp = moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"
    return f"{safe_component(prefix, 'archiver')}-{stamp}-{serial:05d}-{safe_component(host or crawl_host())}.warc.gz"
