"""A sorted, SURT-keyed CDXJ index of the response and revisit records of WARC files.

cdxj-indexer (webrecorder's indexer, the one py-wacz uses) writes the lines and does the
external sort: lines are sorted in memory up to a bound, then spilled to temporary files and
merged, so memory stays flat. We add three things around it: every record's digests are
checked while it is read, a WARC that cannot be read whole is named and left out (its lines are
held back in a per-file spool until the file has been read to its end, so a half-read file adds
nothing), and the date and domain filters.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cdxj_indexer.main import CDXJIndexer

from .reader import CorruptRecord, StrictArchiveIterator
from .select import Selection

# Index only what replay looks up: captures and revisits (not requests, warcinfo or metadata).
INDEXED_RECORDS = "response,revisit"
# Lines held in memory before the sort spills to disk; bounds the export's memory.
SORT_BUFFER_BYTES = 4 * 1024 * 1024
# Lines per gzip block of a compressed (ZipNum) index, as py-wacz and ArchiveWeb.page write them.
LINES_PER_BLOCK = 1024


@dataclass
class IndexReport:
    lines: int = 0
    files_used: set[str] = field(default_factory=set)  # WARC names with at least one selected record
    skipped: list[str] = field(default_factory=list)  # one line per WARC or record left out, naming why
    files_skipped: int = 0


class _CheckedIndexer(CDXJIndexer):
    """CDXJIndexer that checks digests, holds each file's lines back until the file is whole, and filters."""

    def __init__(self, output, inputs, selection: Selection, report: IndexReport, **kwargs):
        super().__init__(output, [str(p) for p in inputs], records=INDEXED_RECORDS,
                         sort=True, max_sort_buff_size=SORT_BUFFER_BYTES, **kwargs)
        # Buffered records are needed for digests and offsets of pairs; turn it on for plain CDXJ too.
        self.collect_records = True
        self.selection = selection
        self.report = report
        self._spool = None
        self._spool_lines = 0

    def _create_record_iter(self, input_):
        return StrictArchiveIterator(input_, no_record_parse=False, verify_http=self.verify_http, check_digests=True)

    def process_index_entry(self, it, record, *args):
        # The content has been buffered (read to its end), so the digest check is complete.
        checker = getattr(record, "digest_checker", None)
        if checker is not None and checker.passed is False:
            # The file itself reads fine; only this capture cannot be trusted, so only it is left out.
            record_id = record.rec_headers.get_header("WARC-Record-ID")
            self.report.skipped.append(f"{args[0]}: record {record_id} at offset {record.file_offset} left out "
                                       f"({'; '.join(checker.problems)})")
            return
        super().process_index_entry(it, record, *args)

    def _do_write(self, urlkey, ts, index, out):
        if not self.selection.takes_capture(index.get("url"), ts):
            return
        self._spool.write(urlkey + " " + ts + " " + json.dumps(index) + "\n")
        self._spool_lines += 1

    def process_one(self, input_, output, filename):
        spool = tempfile.SpooledTemporaryFile(max_size=1 << 20, mode="w+t", encoding="utf-8")
        self._spool, self._spool_lines = spool, 0
        try:
            try:
                if os.path.getsize(filename) == 0:
                    # A closed WARC always starts with its warcinfo record; an empty one lost it.
                    raise CorruptRecord("the file is empty")
                super().process_one(input_, output, filename)
            except Exception as exc:  # anything a damaged file raises: gzip, parse or digest errors
                self.report.skipped.append(f"{filename}: corrupt WARC, skipped ({_one_line(exc)})")
                self.report.files_skipped += 1
                return
            spool.seek(0)
            for line in spool:  # the sorter takes whole lines
                output.write(line)
            if self._spool_lines:
                self.report.files_used.add(os.path.basename(filename))
                self.report.lines += self._spool_lines
        finally:
            self._spool = None
            spool.close()


def _one_line(exc: Exception) -> str:
    # warcio quotes the undecodable first line in full; the reason before it is what a reader needs.
    text = " ".join(str(exc).split(", first line:")[0].split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def write_cdxj(warcs: list[Path], out, selection: Selection) -> IndexReport:
    """Plain sorted CDXJ lines to a text stream; `filename` is each WARC's name, relative to its folder."""
    report = IndexReport()
    _CheckedIndexer(out, warcs, selection, report).process_all()
    return report


def write_compressed_cdxj(warcs: list[Path], cdx_gz: Path, idx: Path, selection: Selection,
                          data_name: str = "index.cdx.gz") -> IndexReport:
    """A compressed (ZipNum) CDXJ: gzip blocks of sorted lines in `cdx_gz`, one line per block in `idx`.

    This is the index layout of WACZ 1.1.1 for archives of any size; each line also carries
    `recordDigest`, the sha256 of the record's bytes, which replay tools use to check a capture.
    """
    report = IndexReport()
    with open(cdx_gz, "wb") as data, open(idx, "wt", encoding="utf-8") as index:
        indexer = _CheckedIndexer(index, warcs, selection, report, compress=data, data_out_name=data_name,
                                  lines=LINES_PER_BLOCK, digest_records=True)
        indexer.process_all()
    return report

