"""Items as tables: JSON Lines (the item exactly, one a line) and CSV (flattened).

CSV has one column per item field in the contract's order, except:
- lists (`authors`, `tags`, `links`, `images`) are joined with "; " into one cell; an element
  that is itself an object is written as compact JSON;
- `warc` becomes three columns: `warc_filename`, `warc_record_id`, `warc_offset`;
- null is an empty cell; any other object is compact JSON; `body` keeps its blank lines (quoted).
"""
from __future__ import annotations

import csv
import json
from typing import IO, Iterable

from ..store.items import ITEM_FIELDS, ordered_item

LIST_SEPARATOR = "; "
WARC_COLUMNS = ("warc_filename", "warc_record_id", "warc_offset")
CSV_COLUMNS = tuple(f for f in ITEM_FIELDS if f != "warc") + WARC_COLUMNS


def write_jsonl(items: Iterable[dict], out: IO[str]) -> int:
    count = 0
    for item in items:
        out.write(json.dumps(ordered_item(item), ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(items: Iterable[dict], out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for item in items:
        writer.writerow(csv_row(item))
        count += 1
    return count


def csv_row(item: dict) -> list[str]:
    item = ordered_item(item)
    warc = item.get("warc") if isinstance(item.get("warc"), dict) else {}
    row = [_cell(item.get(name)) for name in CSV_COLUMNS if name not in WARC_COLUMNS]
    row += [_cell(warc.get("filename")), _cell(warc.get("record_id")), _cell(warc.get("offset"))]
    return row


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list):
        return LIST_SEPARATOR.join(_element(v) for v in value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _element(value) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
