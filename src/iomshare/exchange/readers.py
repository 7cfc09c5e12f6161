"""Reading agency extracts (CSV, JSON, XLSX) as a header and a stream of rows of text.

Files are read as they stream, never whole (except JSON arrays, which must be parsed whole); a file
that cannot be read at all (the wrong encoding, not a workbook) raises FileUnreadable with a reason a
systems team can act on.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from iomshare.exchange.models import FileType

# csv's own limit (128 KiB) would stop at the first huge cell with a bare "field larger than field
# limit"; read up to this instead and let the mapper say precisely which cell is too long.
CSV_FIELD_LIMIT = 16 * 1024 * 1024
SNIFF_BYTES = 64 * 1024


class FileUnreadable(Exception):
    """The file as a whole cannot be read; nothing in it was looked at."""

    def __init__(self, reason: str, row: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.row = row


class RowUnreadable(Exception):
    """One row cannot be read (a CSV quoting error); the reader carries on with the next."""

    def __init__(self, row: int, reason: str) -> None:
        super().__init__(reason)
        self.row = row
        self.reason = reason


# A row's cells, or why it could not be read.
Row = list[str] | RowUnreadable


@dataclass
class Extract:
    header: list[str]
    rows: Iterator[tuple[int, Row]]  # (row number as a spreadsheet would show it, the row)
    size: int  # bytes, or rows, in all
    position: Callable[[], int] = field(default=lambda: 0)  # how much of `size` has been read


class CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read through it, for a progress bar."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


def check_encoding(path: Path) -> str:
    """'utf-8-sig' if the file is UTF-8 (with or without a byte-order mark); FileUnreadable otherwise.

    Reads the whole file once, in C, so a wrong byte deep in a large file is found before any row is
    checked, with the row it is on.
    """
    with path.open("rb") as handle:
        start = handle.read(4)
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or start.startswith(
            (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
        ):
            raise FileUnreadable(
                "the file is UTF-16 or UTF-32 text (it starts with that byte-order mark); save or export it "
                "as UTF-8 (in Excel: 'CSV UTF-8')"
            )
        if b"\x00" in start[:4] and len(start) >= 2:
            raise FileUnreadable(
                "the file looks like UTF-16 text (it is full of zero bytes); save or export it as UTF-8"
            )
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        lines_before = 0
        while chunk := handle.read(1024 * 1024):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                line = lines_before + chunk[: error.start].count(b"\n") + 1
                byte = chunk[error.start : error.start + 1].hex().upper()
                raise FileUnreadable(
                    f"the file is not UTF-8 text: line {line} has the byte 0x{byte}, which is how Windows-1252 or "
                    "Latin-1 write accented letters such as é. Save or export the file as UTF-8 "
                    "(in Excel: 'CSV UTF-8')",
                    row=line,
                ) from None
            lines_before += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise FileUnreadable("the file is not UTF-8 text: it ends part-way through a character") from None
    return "utf-8-sig"


def open_extract(path: Path, file_type: str, keys: Iterable[str] = ()) -> Extract:
    """The header and rows of an extract; FileUnreadable if the file cannot be read at all.

    JSON records name their fields, and leave out the empty ones: `keys` (the fields the profile
    reads) are always in a JSON extract's header, and a record without one has it empty.
    """
    if file_type == FileType.CSV:
        return _csv(path)
    if file_type == FileType.JSON:
        return _json(path, list(keys))
    if file_type == FileType.XLSX:
        return _xlsx(path)
    raise FileUnreadable(f"iomshare cannot read files of type '{file_type}'")


def _csv(path: Path) -> Extract:
    encoding = check_encoding(path)
    csv.field_size_limit(CSV_FIELD_LIMIT)
    with path.open("rb") as handle:
        sample = handle.read(SNIFF_BYTES).decode(encoding, errors="replace")
    raw = path.open("rb")
    counter = CountingReader(raw)
    text = io.TextIOWrapper(io.BufferedReader(counter, 1024 * 1024), encoding=encoding, newline="")
    reader = csv.reader(text, _sniff(sample))
    try:
        header = next(reader)
    except StopIteration:
        raw.close()
        raise FileUnreadable("the file is empty: it has no header row") from None
    except csv.Error as error:
        raw.close()
        raise FileUnreadable(f"the header row cannot be read: {error}", row=1) from None

    def rows() -> Iterator[tuple[int, Row]]:
        row_number = 1
        try:
            while True:
                row_number += 1
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    yield row_number, RowUnreadable(row_number, f"the row cannot be read as CSV: {error}")
                    continue
                if "".join(cells).strip():  # skip blank rows (one C call, not a generator per row)
                    yield row_number, cells
        finally:
            raw.close()

    return Extract(header=header, rows=rows(), size=path.stat().st_size, position=lambda: counter.count)


def _sniff(sample: str) -> type[csv.Dialect] | csv.Dialect:
    """Comma-separated unless the header is plainly separated by semicolons, tabs or pipes."""
    first_line = sample.split("\n", 1)[0]
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t", "|")}
    separator = max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","
    if counts[","] and counts[","] >= counts[separator]:
        separator = ","

    class Dialect(csv.excel):
        delimiter = separator

    return Dialect


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing one that names a key twice (json keeps only the last, silently)."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key '{key}' appears twice in one object")
        result[key] = value
    return result


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise ValueError("a value must be text, a number or true/false, not a list or an object")


def _json(path: Path, keys: list[str]) -> Extract:
    check_encoding(path)
    with path.open("r", encoding="utf-8-sig") as handle:
        first = handle.read(1)
        while first and first.isspace():
            first = handle.read(1)
    if first == "[":
        try:
            with path.open("r", encoding="utf-8-sig") as handle:
                records = json.load(handle, object_pairs_hook=_json_object)
        except json.JSONDecodeError as error:
            raise FileUnreadable(
                f"the file is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
                row=error.lineno,
            ) from None
        except ValueError as error:
            raise FileUnreadable(f"the file cannot be read: {error}") from None
        lines: Iterator[tuple[int, Any]] = enumerate(records, start=1)
        count = len(records)
    elif first == "{":
        lines = _json_lines(path)
        count = 0
    else:
        raise FileUnreadable(
            "a JSON extract must be an array of objects, or one object per line (JSON Lines)"
        )
    header: list[str] = list(dict.fromkeys(keys))
    seen: set[str] = set(header)
    buffered: list[tuple[int, Any]] = []
    # Other fields used by the first thousand records join the header (for the rejects file).
    for number, record in lines:
        buffered.append((number, record))
        if isinstance(record, dict):
            for key in record:
                if key not in seen:
                    seen.add(key)
                    header.append(key)
        if len(buffered) >= 1000:
            break
    if not buffered:
        raise FileUnreadable("the file holds no records")
    read = {"rows": 0}

    def rows() -> Iterator[tuple[int, Row]]:
        for number, record in _chain(buffered, lines):
            read["rows"] = number
            if isinstance(record, Exception):
                yield number, RowUnreadable(number, str(record))
            elif not isinstance(record, dict):
                yield number, RowUnreadable(number, "each record must be a JSON object")
            else:
                try:
                    yield number, [_cell_text(record.get(key)) for key in header]
                except ValueError as error:
                    yield number, RowUnreadable(number, str(error))

    size = count or path.stat().st_size
    return Extract(header=header, rows=rows(), size=size, position=lambda: read["rows"] if count else 0)


def _chain(first: list, rest: Iterator) -> Iterator:
    yield from first
    yield from rest


def _json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open("r", encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line, object_pairs_hook=_json_object)
            except json.JSONDecodeError as error:
                yield number, ValueError(f"the line is not valid JSON: {error.msg} at column {error.colno}")
            except ValueError as error:
                yield number, error


def _xlsx_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xlsx(path: Path) -> Extract:
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(path):
        raise FileUnreadable("the file is not an Excel workbook (.xlsx): save it as 'Excel Workbook (.xlsx)'")
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise FileUnreadable(f"the workbook cannot be opened: {error}") from None
    sheet = workbook.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        header = [_xlsx_text(value) for value in next(values)]
    except StopIteration:
        workbook.close()
        raise FileUnreadable("the first sheet is empty: it has no header row") from None
    while header and not header[-1]:
        header.pop()
    width = len(header)
    read = {"rows": 1}

    def rows() -> Iterator[tuple[int, Row]]:
        try:
            for number, row in enumerate(values, start=2):
                read["rows"] = number
                cells = [_xlsx_text(value) for value in row]
                if all(not cell.strip() for cell in cells):
                    continue
                # Spreadsheets pad rows with empty cells; only non-empty cells past the header count.
                while len(cells) > width and not cells[-1].strip():
                    cells.pop()
                cells.extend([""] * (width - len(cells)))
                yield number, cells
        finally:
            workbook.close()

    return Extract(header=header, rows=rows(), size=sheet.max_row or 0, position=lambda: read["rows"])
