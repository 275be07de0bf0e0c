"""Reading WARC files strictly: warcio's reader, stopping where it would carry on quietly.

Export, the WACZ check and `archiver extract` share it, so that each names a cut or foreign file.
"""
from __future__ import annotations

from warcio.archiveiterator import ArchiveIterator


class CorruptRecord(Exception):
    pass


class StrictArchiveIterator(ArchiveIterator):
    """warcio's iterator, made to stop where it would carry on quietly.

    warcio reads a gzip member cut short by a crash, or bytes that are not WARC at all (as ARC),
    without complaint; an export must not package either as if it were sound.
    """

    def __init__(self, fileobj, *, gzipped: bool = True, **kwargs):
        super().__init__(fileobj, **kwargs)
        self.gzipped = gzipped

    def _iterate_records(self):
        yield from super()._iterate_records()
        # warcio ends quietly when the last gzip member is too short to hold a record header.
        end = self.fh.tell()
        if end > self.offset:
            raise CorruptRecord(f"{end - self.offset} bytes after the last whole record, at offset {self.offset}, "
                                "are not a record (cut short?)")

    def _next_record(self, next_line):
        record = super()._next_record(next_line)
        if record.format != "warc":
            raise CorruptRecord(f"not a WARC record at offset {self.offset} ({record.format} format)")
        if self.gzipped and self.reader.decompressor is None:
            raise CorruptRecord("not gzip-compressed record by record")
        return record

    def read_to_end(self, record=None):
        finishing = self.record is not None and self.member_info is None
        errors_before = self.err_count
        super().read_to_end(record)
        if not finishing:
            return
        offset = self.member_info[0]
        decompressor = self.reader.decompressor if self.reader else None
        if decompressor is not None and not decompressor.eof:
            raise CorruptRecord(f"record at offset {offset} is cut short (its gzip member ends early)")
        if self.err_count > errors_before:
            raise CorruptRecord(f"record at offset {offset} does not end where its Content-Length says")
