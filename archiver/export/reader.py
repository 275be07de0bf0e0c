"""Strict WARC reading for export and the WACZ check; it lives in `archiver.warc.reader`, which
`archiver extract` shares."""
from ..warc.reader import CorruptRecord, StrictArchiveIterator

__all__ = ["CorruptRecord", "StrictArchiveIterator"]
