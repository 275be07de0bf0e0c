"""A sorted, SURT-keyed CDXJ index of the response and revisit records of WARC files.

cdxj-indexer (webrecorder's indexer, the one py-wacz uses) writes the lines and does the
external sort: lines are sorted in memory up to a bound, then spilled to temporary files and
merged, so memory stays flat. We add three things around it: every record's digests are
checked while it is read, a WARC that cannot be read whole is named and left out (its lines are
held back in a per-file spool until the file has been read to its end, so a half-read file adds
nothing), the date and domain filters, and revisits resolved for replay.

A `server-not-modified` revisit (the 304 of a conditional re-crawl) left as it is replays as an
empty page: pywb plays a revisit whose HTTP status is 3xx as that status with no body, and
wabac.js (behind ReplayWeb.page) takes a 3xx revisit's status from the index. The Internet
Archive's CDX writer leaves such revisits out, which leaves the re-crawl's date with no capture at
all. We keep the date, so that every capture date of an unchanged page replays as the page; the
WARC records stay untouched (the 304 is what crossed the wire). Each tool needs its own line for
that date, as measured with pywb 2.10 and ReplayWeb.page 2.5 (wabac.js 2.27):

- wabac.js: the revisit's own line, given the original's status, mime and digest and marked
  `"revisit": "server-not-modified"`. It then loads the revisit, finds the original through the
  original's own line (always in the index, see below) and serves its payload. It refuses a line
  that points at the original record itself, whose date is not the line's, and prefers such a
  line to a revisit's when both are there.
- pywb: a line that points at the original record (its file, offset, length, status, mime and
  digest). From the revisit's own line it plays the 304, whatever the line says.

So the page lines for pywb go to a stream of their own (`pages_out`): in a WACZ that is an index
file pywb merges and wabac.js does not read (see wacz.py); in a plain CDXJ, which pywb reads,
they join the other lines, sorting before the revisit's (`"mime": "text/...` < `"mime": "warc/`),
and pywb serves the first line of a date that loads. `identical-payload-digest` revisits keep
their own line (their head is a real 200); both tools find the payload through the original's
line. A narrowed export (dates, domain) adds every selected revisit's original, with its own line,
unless asked not to.
"""
from __future__ import annotations

import gzip
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cdxj_indexer.main import CDXJIndexer, SortingWriter

from ..warc.reader import CorruptRecord, StrictArchiveIterator
from .revisits import NOT_MODIFIED, RecordTable, profile_of, refers_to
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
    originals: int = 0  # responses outside the filters, added because a selected revisit refers to them
    not_modified: int = 0  # server-not-modified revisits indexed as the pages they refer to
    unresolved: list[str] = field(default_factory=list)  # one line per revisit whose original is not there

    @property
    def warnings(self) -> list[str]:
        return self.skipped + self.unresolved


class _CheckedIndexer(CDXJIndexer):
    """CDXJIndexer that checks digests, holds each file's lines back until the file is whole, and filters."""

    def __init__(self, output, inputs, selection: Selection, report: IndexReport, records: RecordTable,
                 pages_out=None, **kwargs):
        super().__init__(output, [str(p) for p in inputs], records=INDEXED_RECORDS,
                         sort=True, max_sort_buff_size=SORT_BUFFER_BYTES, **kwargs)
        # Buffered records are needed for digests and offsets of pairs; turn it on for plain CDXJ too.
        self.collect_records = True
        self.selection = selection
        self.report = report
        self.records = records
        self.pages_out = pages_out  # where the pywb lines of 304 revisits go; None: with the others
        self._record = None
        self._spool = None
        self._spool_lines = 0
        # cdxj-indexer sorts (and compresses) the lines once its last input is read. Revisits can
        # be resolved only when every response is known, which is just then: after the last file.
        self.inputs = self._then_revisits(self.inputs)

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

    def _write_line(self, out, index, record, filename):
        self._record = record  # _do_write is given the line's fields only; revisits need the record
        super()._write_line(out, index, record, filename)

    def _do_write(self, urlkey, ts, index, out):
        record = self._record
        selected = self.selection.takes_capture(index.get("url"), ts)
        if record.rec_type == "response":
            # Every response is kept in the table, selected or not: a selected revisit may refer to it.
            self.records.add_response(record.rec_headers.get_header("WARC-Record-ID") or "", index.get("url") or "",
                                      index.get("digest") or "", urlkey, ts, index, indexed=selected)
        elif selected:
            # A revisit's line is written once its original is known, after the last file.
            refers_to_id, uri = refers_to(record)
            place = (f"{index.get('filename')}: revisit {record.rec_headers.get_header('WARC-Record-ID')} "
                     f"of {index.get('url')} at offset {record.file_offset}")
            self.records.add_revisit(urlkey, ts, index, refers_to_id, uri, index.get("digest") or "",
                                     profile_of(record), place)
            return
        if not selected:
            return
        self._spool.write(urlkey + " " + ts + " " + json.dumps(index) + "\n")
        self._spool_lines += 1

    def _then_revisits(self, inputs):
        yield from inputs
        self._write_revisits()

    def _write_revisits(self) -> None:
        for urlkey, ts, fields, refers_to_id, uri, digest, profile, place in self.records.revisits():
            # The revisit record travels with the export even when its line points elsewhere.
            self.report.files_used.add(fields["filename"])
            original = self.records.original(refers_to_id, uri, digest, ts)
            if original is None:
                self.report.unresolved.append(f"{place} refers to {refers_to_id or uri}, which is in none of the "
                                              "WARCs read; it replays as the revisit's own head")
            elif original.indexed or self.selection.with_originals:
                if not original.indexed:
                    self._emit(original.urlkey, original.timestamp, original.fields)
                    self.records.mark_indexed(original)
                    self.report.originals += 1
                if profile == NOT_MODIFIED:
                    page = dict(original.fields, url=fields["url"])
                    # Present even when the original had none, so that this line sorts before the revisit's.
                    page.setdefault("mime", "-")
                    self._emit(urlkey, ts, page, self.pages_out)
                    self.report.not_modified += 1
                    head = {key: page[key] for key in ("url", "mime", "status", "digest") if key in page}
                    head.update((key, value) for key, value in fields.items() if key not in head)
                    head["mime"] = fields["mime"]  # still warc/revisit: wabac.js then looks for the original
                    head["revisit"] = NOT_MODIFIED
                    fields = head
            self._emit(urlkey, ts, fields)

    def _emit(self, urlkey: str, ts: str, fields: dict, out=None) -> None:
        (out or self.output).write(urlkey + " " + ts + " " + json.dumps(fields) + "\n")
        self.report.files_used.add(fields["filename"])
        self.report.lines += 1

    def process_one(self, input_, output, filename):
        spool = tempfile.SpooledTemporaryFile(max_size=1 << 20, mode="w+t", encoding="utf-8")
        self._spool, self._spool_lines = spool, 0
        self.records.file()
        try:
            try:
                if os.path.getsize(filename) == 0:
                    # A closed WARC always starts with its warcinfo record; an empty one lost it.
                    raise CorruptRecord("the file is empty")
                super().process_one(input_, output, filename)
            except Exception as exc:  # anything a damaged file raises: gzip, parse or digest errors
                self.records.drop()
                self.report.skipped.append(f"{filename}: corrupt WARC, skipped ({_one_line(exc)})")
                self.report.files_skipped += 1
                return
            self.records.keep()
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
    with tempfile.TemporaryDirectory(prefix="archiver-index-") as tmp:
        records = RecordTable(Path(tmp))
        try:
            _CheckedIndexer(out, warcs, selection, report, records).process_all()
        finally:
            records.close()
    return report


def write_compressed_cdxj(warcs: list[Path], cdx_gz: Path, idx: Path, selection: Selection,
                          pages_gz: Path, data_name: str = "index.cdx.gz") -> IndexReport:
    """A compressed (ZipNum) CDXJ: gzip blocks of sorted lines in `cdx_gz`, one line per block in `idx`.

    This is the index layout of WACZ 1.1.1 for archives of any size; each line also carries
    `recordDigest`, the sha256 of the record's bytes, which replay tools use to check a capture.
    `pages_gz` gets, gzip'd and sorted, the lines that replay 304 revisits in pywb (see above).
    """
    report = IndexReport()
    with open(cdx_gz, "wb") as data, open(idx, "wt", encoding="utf-8") as index, \
            gzip.open(pages_gz, "wt", encoding="utf-8") as pages, \
            tempfile.TemporaryDirectory(prefix="archiver-index-") as tmp:
        records = RecordTable(Path(tmp))
        pages_sorted = SortingWriter(pages, SORT_BUFFER_BYTES)
        try:
            indexer = _CheckedIndexer(index, warcs, selection, report, records, pages_out=pages_sorted,
                                      compress=data, data_out_name=data_name, lines=LINES_PER_BLOCK,
                                      digest_records=True)
            indexer.process_all()
            pages_sorted.flush()
        finally:
            records.close()
    return report

