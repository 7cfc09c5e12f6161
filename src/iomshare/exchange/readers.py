"""Reading agency extracts (CSV, JSON, XLSX) as a header and a stream of rows of text.

Files are read as they stream, never whole (except JSON arrays, which must be parsed whole), within
the limits of `exchange.limits`. A file that cannot be read exactly (the wrong encoding, a quote that
does not close, a row past the limits) raises FileUnreadable, naming the row and column where it can,
with a reason a systems team can act on: a reader never guesses, because a guess loses rows.
"""

from __future__ import annotations

import codecs
import io
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from iomshare.exchange.limits import ReadLimits, in_words, read_limits
from iomshare.exchange.models import FileType

SNIFF_BYTES = 64 * 1024
# How often (in rows) the time limit is looked at: time.monotonic() per row would cost more.
CLOCK_EVERY_ROWS = 1024


class FileUnreadable(Exception):
    """The file as a whole cannot be read exactly; nothing in it is imported.

    Raised on opening, or part-way through the rows (a quote that never closes is found where the
    file ends); `row` and `column` say where, when a place can be named.
    """

    def __init__(self, reason: str, row: int = 0, column: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.row = row
        self.column = column


class RowUnreadable(Exception):
    """One record cannot be read (a JSON line that is not JSON); the reader carries on with the next."""

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


def open_extract(
    path: Path,
    file_type: str,
    keys: Iterable[str] = (),
    *,
    multiline_columns: Iterable[str] = (),
    limits: ReadLimits | None = None,
) -> Extract:
    """The header and rows of an extract; FileUnreadable if the file cannot be read exactly.

    JSON records name their fields, and leave out the empty ones: `keys` (the fields the profile
    reads) are always in a JSON extract's header, and a record without one has it empty. Only the
    `multiline_columns` of a CSV file may hold a line break (see `_csv`).
    """
    limits = limits or read_limits()
    started = time.monotonic()
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise FileUnreadable(
            f"the file is {in_words(size)}; the most one import may read is {in_words(limits.file_bytes)}: "
            "split it into smaller files"
        )
    if file_type == FileType.CSV:
        from iomshare.exchange.delimited import open_csv

        extract = open_csv(path, frozenset(multiline_columns), limits, RowBudget(limits, started))
    elif file_type == FileType.JSON:
        extract = _json(path, list(keys), limits, RowBudget(limits, started, first_row=1))
    elif file_type == FileType.XLSX:
        from iomshare.exchange.workbooks import open_workbook

        extract = open_workbook(path, limits, RowBudget(limits, started))
    else:
        raise FileUnreadable(f"iomshare cannot read files of type '{file_type}'")
    if len(extract.header) > limits.columns:
        raise FileUnreadable(
            f"the header row has {len(extract.header):,} columns; the most an import may read is "
            f"{limits.columns:,}",
            row=1,
        )
    return extract


class RowBudget:
    """Where a reader must stop: past the row limit, or past the time limit, so that no file keeps an
    importer busy for ever. A reader calls `check` when its row number reaches `next_check`: one
    comparison a row, and the clock read once every CLOCK_EVERY_ROWS rows."""

    def __init__(self, limits: ReadLimits, started: float, first_row: int = 2) -> None:
        self.limits = limits
        self.last = first_row + limits.rows - 1
        self.deadline = started + limits.seconds
        self.next_check = first_row

    def check(self, row: int) -> None:
        """FileUnreadable if `row` is past the row limit or the time is up; else when to check next."""
        if row > self.last:
            raise FileUnreadable(
                f"the file has more than {self.limits.rows:,} rows, the most one import may read: "
                "split it into smaller files",
                row=row,
            )
        if time.monotonic() > self.deadline:
            raise FileUnreadable(
                f"reading the file took longer than {_duration(self.limits.seconds)}, the most one import "
                "may take: split it into smaller files",
                row=row,
            )
        self.next_check = min(self.last + 1, row + CLOCK_EVERY_ROWS)


def _duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = int(seconds // 3600)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds:g} seconds"


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


def _json(path: Path, keys: list[str], limits: ReadLimits, budget: RowBudget) -> Extract:  # noqa: C901 (a strict reader: one refusal per way a file can be malformed, each named)
    check_encoding(path)
    with path.open("r", encoding="utf-8-sig") as handle:
        first = handle.read(1)
        while first and first.isspace():
            first = handle.read(1)
    if first == "[":
        if (size := path.stat().st_size) > limits.json_array_bytes:
            raise FileUnreadable(
                f"the file is a JSON array of {in_words(size)}; an array is read whole, so the most one "
                f"import may read is {in_words(limits.json_array_bytes)}: send larger extracts as JSON Lines "
                "(one object a line)"
            )
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
            if number >= budget.next_check:
                budget.check(number)
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
