"""Reading a CSV extract strictly: a file that cannot be read exactly is refused, never guessed at.

A stray quote makes the CSV rules read on across line breaks, so the rows after it vanish into one
value, and a file cut off inside a quoted value would import the cut value. So a quote that does not
close, a quote that is not doubled inside a quoted value, and a row that runs over several lines of
the file when the column holding the line break is not free text each refuse the whole file, with
the row and the column named.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from iomshare.exchange.limits import ReadLimits
from iomshare.exchange.readers import (
    SNIFF_BYTES,
    CountingReader,
    Extract,
    FileUnreadable,
    Row,
    RowBudget,
    check_encoding,
)


def open_csv(path: Path, multiline_columns: frozenset[str], limits: ReadLimits, budget: RowBudget) -> Extract:  # noqa: C901 (a strict reader: one refusal per way a file can be malformed, each named)
    """A CSV extract's header and rows, read strictly; only `multiline_columns` may hold line breaks."""
    encoding = check_encoding(path)
    csv.field_size_limit(limits.cell_characters)
    with path.open("rb") as handle:
        sample = handle.read(SNIFF_BYTES).decode(encoding, errors="replace")
    dialect = _sniff(sample)
    raw = path.open("rb")
    counter = CountingReader(raw)
    text = io.TextIOWrapper(io.BufferedReader(counter, 1024 * 1024), encoding=encoding, newline="")
    reader = csv.reader(text, dialect)
    try:
        header = next(reader)
    except StopIteration:
        raw.close()
        raise FileUnreadable("the file is empty: it has no header row") from None
    except csv.Error as error:
        raw.close()
        raise _quoting_error(path, encoding, dialect, error, row=1, line=1, header=[]) from None
    if reader.line_num > 1:
        raw.close()
        raise FileUnreadable(
            f"the header row runs over lines 1 to {reader.line_num}: a column name holds a line break, "
            "or a quote is missing or extra",
            row=1,
        )
    may_break = frozenset(index for index, name in enumerate(header) if name.strip() in multiline_columns)

    def rows() -> Iterator[tuple[int, Row]]:
        row_number = 1
        try:
            while True:
                row_number += 1
                first_line = reader.line_num + 1
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    raise _quoting_error(
                        path, encoding, dialect, error, row=row_number, line=first_line, header=header
                    ) from None
                if row_number >= budget.next_check:
                    budget.check(row_number)
                if reader.line_num != first_line:
                    _check_line_breaks(cells, header, may_break, row_number, first_line, reader.line_num)
                if "".join(cells).strip():  # skip blank rows (one C call, not a generator per row)
                    yield row_number, cells
        finally:
            raw.close()

    return Extract(header=header, rows=rows(), size=path.stat().st_size, position=lambda: counter.count)


def _check_line_breaks(
    cells: list[str], header: list[str], may_break: frozenset[int], row: int, first: int, last: int
) -> None:
    """Refuse a row that runs over several lines unless only free-text columns hold the line breaks."""
    for index, cell in enumerate(cells):
        if index not in may_break and ("\n" in cell or "\r" in cell):
            column = header[index].strip() if index < len(header) else f"column {index + 1}"
            raise FileUnreadable(
                f"row {row} runs over lines {first} to {last} of the file, because its {column} value holds "
                f"a line break, which {column} cannot hold: a quote is missing or extra (only columns of "
                "free text, such as notes, may run over several lines)",
                row=row,
                column=column,
            )


def _quoting_error(
    path: Path,
    encoding: str,
    dialect: type[csv.Dialect] | csv.Dialect,
    error: csv.Error,
    *,
    row: int,
    line: int,
    header: list[str],
) -> FileUnreadable:
    """The row, and the column whose quote broke it, of a CSV error found while reading."""
    message = str(error)
    if "field larger than field limit" in message:
        return FileUnreadable(
            f"row {row} (line {line}) has a value longer than {csv.field_size_limit():,} characters, the "
            "most a reader holds: is a quote missing, so that the rest of the file is read as one value?",
            row=row,
        )
    index = _quote_fault(_line_of(path, encoding, line), str(dialect.delimiter))
    column = header[index].strip() if index < len(header) else f"column {index + 1}"
    if "unexpected end of data" in message:
        return FileUnreadable(
            f"the quote that opens row {row}'s {column} value (line {line}) never closes, so the rest of the "
            "file would be read as that one value: a quote is missing or extra, or the file was cut off",
            row=row,
            column=column,
        )
    return FileUnreadable(
        f"row {row}'s {column} value (line {line}) has a quote that is not doubled: inside a quoted value "
        'a quote is written twice (""); a quote is missing or extra',
        row=row,
        column=column,
    )


def _line_of(path: Path, encoding: str, number: int) -> str:
    """Line `number` of the file (from 1), as the CSV reader splits lines."""
    with path.open("r", encoding=encoding, newline="") as handle:
        for count, line in enumerate(handle, start=1):
            if count == number:
                return line
    return ""


def _quote_fault(line: str, delimiter: str) -> int:
    """Which value (from 0) of `line`, a row's first line, has a quote that does not close on the line,
    or that closes with something other than a separator after it."""
    field, at = 0, 0
    while at < len(line):
        if line[at] == '"':
            end = at + 1
            while (end := line.find('"', end)) != -1 and line[end + 1 : end + 2] == '"':
                end += 2
            if end == -1 or line[end + 1 : end + 2] not in (delimiter, "\r", "\n", ""):
                return field
            at = end + 1
            continue
        next_separator = line.find(delimiter, at)
        if next_separator == -1:
            return field
        field, at = field + 1, next_separator + 1
    return field


def _sniff(sample: str) -> type[csv.Dialect] | csv.Dialect:
    """Comma-separated unless the header is plainly separated by semicolons, tabs or pipes."""
    first_line = sample.split("\n", 1)[0]
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t", "|")}
    separator = max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","
    if counts[","] and counts[","] >= counts[separator]:
        separator = ","

    class Dialect(csv.excel):
        delimiter = separator
        strict = True  # a quote that does not close, or is not doubled, is an error, never a guess

    return Dialect
