"""Items as tables: JSON Lines (the item exactly, one a line) and CSV (flattened).

CSV has one column per item field in the contract's order, except:
- lists (`authors`, `tags`, `links`, `images`) are joined with "; " into one cell; an element
  that is itself an object is written as compact JSON;
- `warc` becomes three columns: `warc_filename`, `warc_record_id`, `warc_offset`;
- null is an empty cell; any other object is compact JSON; `body` keeps its blank lines (quoted);
- a text cell that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a
  carriage return) gets a leading `'`, as OWASP recommends against CSV injection: a page's title
  is whatever its site wrote, `=HYPERLINK(...)` included. `raw=True` (`--csv-raw`) writes cells
  as they are, for programs that read the CSV as data.
"""
from __future__ import annotations

import csv
import json
from typing import IO, Iterable

from ..store.items import ITEM_FIELDS, ordered_item

LIST_SEPARATOR = "; "
# OWASP's list (https://owasp.org/www-community/attacks/CSV_Injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
WARC_COLUMNS = ("warc_filename", "warc_record_id", "warc_offset")
CSV_COLUMNS = tuple(f for f in ITEM_FIELDS if f != "warc") + WARC_COLUMNS


def write_jsonl(items: Iterable[dict], out: IO[str]) -> int:
    count = 0
    for item in items:
        out.write(json.dumps(ordered_item(item), ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(items: Iterable[dict], out: IO[str], raw: bool = False) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for item in items:
        writer.writerow(csv_row(item, raw=raw))
        count += 1
    return count


def csv_row(item: dict, raw: bool = False) -> list[str]:
    item = ordered_item(item)
    warc = item.get("warc") if isinstance(item.get("warc"), dict) else {}
    values = [item.get(name) for name in CSV_COLUMNS if name not in WARC_COLUMNS]
    values += [warc.get("filename"), warc.get("record_id"), warc.get("offset")]
    return [_cell(value) if raw else _inert(_cell(value), value) for value in values]


def _inert(cell: str, value) -> str:
    # Numbers are written by us, never a formula; text and lists come from the page.
    if cell.startswith(FORMULA_STARTS) and isinstance(value, (str, list)):
        return "'" + cell
    return cell


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
